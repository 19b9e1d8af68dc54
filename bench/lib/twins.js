'use strict';
/*
 * What the bare twins share: a twin is the same work as a service's route with no framework
 * (node:http + jose + pg), run as a child of its bench; the skeleton (skeleton.js) runs the same
 * work behind the fixed architecture. The environment gives BARE_DATABASE_URL, BARE_JWKS (the
 * gateway's keys) and BARE_POOL_SIZE.
 */
const { onStop } = require('./children');
const { cloudEvent } = require('./cloud-events');

/** An error a twin answers with: HTTP `status`, error `code`. */
const fail = (status, code, detail) => Object.assign(new Error(detail), { status, code });

// As the gateway verifies access tokens (services/gateway/src/auth/jwks.ts, constants from @smart-regency/contracts).
const VERIFY_OPTIONS = {
  algorithms: ['EdDSA'],
  issuer: 'smart-regency-identity',
  audience: 'smart-regency-api',
  typ: 'at+jwt',
  requiredClaims: ['sub', 'exp', 'iat'],
  clockTolerance: 5,
};

/**
 * `jwtVerify` of an access token against `keys` (kid → public key) with `options`, remembered
 * until it expires, as the gateway remembers verified tokens. Resolves to the token's payload;
 * rejects as jose does.
 */
function tokenMemory(keys, options) {
  const { jwtVerify } = require('jose');
  const known = new Map();
  const key = async (header) => {
    const found = keys.get(header.kid);
    if (!found) throw new Error('unknown signing key');
    return found;
  };
  return async (token) => {
    const hit = known.get(token);
    if (hit && hit.exp * 1000 > Date.now()) return hit.payload;
    const { payload } = await jwtVerify(token, key, options);
    if (known.size > 10000) known.clear();
    known.set(token, { payload, exp: Number(payload.exp) });
    return payload;
  };
}

/**
 * The check of a citizen's `Authorization` header: `verified` is a tokenMemory(); errors are made
 * by `failWith(status, code, detail)`. Resolves the actor `{ id, role }`.
 */
function citizenCheck(verified, failWith) {
  return async (authorization) => {
    const match = /^Bearer (.+)$/.exec(authorization ?? '');
    if (!match) throw failWith(401, 'COMMON.UNAUTHENTICATED', 'no access token');
    let payload;
    try {
      payload = await verified(match[1]);
    } catch (error) {
      throw failWith(401, 'COMMON.UNAUTHENTICATED', `invalid access token: ${error.message}`);
    }
    const roles = Array.isArray(payload.roles) ? payload.roles : [];
    if (!roles.includes('citizen')) throw failWith(403, 'COMMON.FORBIDDEN', 'for citizens');
    return { id: String(payload.sub), role: roles[0] };
  };
}

/** The gateway's public keys from BARE_JWKS, by kid. */
async function gatewayKeys() {
  const { importJWK } = require('jose');
  const keys = new Map();
  for (const jwk of JSON.parse(process.env.BARE_JWKS).keys) keys.set(jwk.kid, await importJWK(jwk, 'EdDSA'));
  return keys;
}

/**
 * What every twin starts with: its pg Pool (checked), the citizen check, and `event(type,
 * subject, data, now)`, a CloudEvent as the services write them.
 */
async function twinBase() {
  const { Pool } = require('pg');
  const keys = await gatewayKeys();
  const pool = new Pool({ connectionString: process.env.BARE_DATABASE_URL, max: Number(process.env.BARE_POOL_SIZE) || 10 });
  await pool.query('SELECT 1');
  // Verified tokens remembered until they expire, as the gateway does.
  const authenticate = citizenCheck(tokenMemory(keys, VERIFY_OPTIONS), fail);
  return { pool, authenticate, fail, event: cloudEvent };
}

const JAKARTA = 7 * 3600000;
const DAY = 86400000;
/** The Asia/Jakarta day number of an instant, and the last millisecond of a day. */
const jakartaDay = (d) => Math.floor((d.getTime() + JAKARTA) / DAY);
const endOfDay = (day) => new Date((day + 1) * DAY - JAKARTA - 1);
const jakartaYear = (d) => new Date(d.getTime() + JAKARTA).getUTCFullYear();

/** The end of the `days`-th working day after `start`, Monday–Friday only (the services also skip identity's holidays). */
function addWorkingDays(start, days) {
  let day = jakartaDay(start);
  for (let left = days; left > 0; ) {
    day += 1;
    const weekday = new Date(day * DAY).getUTCDay();
    if (weekday !== 0 && weekday !== 6) left -= 1;
  }
  return endOfDay(day);
}

/**
 * A twin's HTTP server: `route(req, body)` resolves `[status, answer]` (`body()` parses the JSON
 * request body); an answer with a `version` gets it as ETag; a thrown error becomes a problem
 * answer with its status and code.
 */
function jsonServer(route) {
  const http = require('http');
  return http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const send = (status, answer) => {
        const text = JSON.stringify(answer);
        res.writeHead(status, {
          'content-type': status < 400 ? 'application/json; charset=utf-8' : 'application/problem+json; charset=utf-8',
          'content-length': Buffer.byteLength(text),
          ...(answer.version ? { etag: `"${answer.version}"` } : {}),
        });
        res.end(text);
      };
      const body = () => {
        try {
          return JSON.parse(Buffer.concat(chunks).toString() || 'null') ?? {};
        } catch {
          throw fail(400, 'COMMON.MALFORMED_BODY', 'malformed JSON');
        }
      };
      Promise.resolve()
        .then(() => route(req, body))
        .then(
          ([status, answer]) => send(status, answer),
          (error) => send(error.status ?? 500, { type: 'about:blank', title: error.code ?? 'COMMON.INTERNAL', status: error.status ?? 500, detail: error.message }),
        );
    });
  });
}

/**
 * A twin's HTTP server, run as a child of the benchmark: listens on a free port, tells the
 * parent, and stops (server, then pool) when the parent goes or signals.
 */
async function serveBare(server, pool) {
  server.keepAliveTimeout = 72000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  onStop(async () => {
    server.close();
    server.closeAllConnections?.();
    await pool.end();
  }, 3000);
  process.send({ ready: true, port: server.address().port });
}

/**
 * A twin's readable numbers, taken as the services take them: platform's own `SequenceBlocks`
 * on the twin's pg Pool. `take()` → decimal text.
 */
function numberBlocks(pool, sequence) {
  const { SequenceBlocks } = require('@smart-regency/platform');
  return new SequenceBlocks(pool, sequence);
}

module.exports = { twinError: fail, VERIFY_OPTIONS, tokenMemory, citizenCheck, gatewayKeys, twinBase, jakartaDay, endOfDay, jakartaYear, addWorkingDays, jsonServer, serveBare, numberBlocks };
