#!/usr/bin/env node
'use strict';
/*
 * What the guard's revocation check costs per request with N revocations held: the shipped
 * Revocations class (dist/auth/revocations.js), filled as identity's broadcasts would fill it (9 in
 * 10 single sessions ended, 1 in 10 users whose every session ended), then asked about tokens whose
 * sessions did not end (the common case) and about ended ones. No NATS: add/isRevoked/sweep touch none.
 *
 *   npm run --silent -w @smart-regency/gateway bench:revocations -- [--sizes=0,1000,10000,100000]
 *
 * A line per size on stderr; the result as JSON on stdout (bench/auth.js runs this and reads it).
 * Build first (npx nx run gateway:build).
 */
const { randomUUID } = require('crypto');

const CHECKS = 1_000_000;
const ROUNDS = 5;

const round = (x, digits) => Math.round(x * 10 ** digits) / 10 ** digits;
const median = (values) => (values.length ? [...values].sort((a, b) => a - b)[Math.ceil(values.length / 2) - 1] : null);

function timeChecks(revocations, actors, iat) {
  let revoked = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < CHECKS; i++) if (revocations.isRevoked(actors[i & 1023], iat)) revoked++;
  return { ns: Number(process.hrtime.bigint() - t0) / CHECKS, revoked };
}

/** `n` revocations as identity's broadcasts would add them; up to 1024 of the ended sessions, to ask about. */
function filled(Revocations, n) {
  const revocations = new Revocations(undefined, '', undefined);
  const at = new Date().toISOString();
  const ended = [];
  for (let i = 0; i < n; i++) {
    const sessionId = randomUUID();
    if (i % 10) {
      revocations.add({ userId: randomUUID(), at, sessionIds: [sessionId] });
      if (ended.length < 1024) ended.push({ id: randomUUID(), sessionId });
    } else revocations.add({ userId: randomUUID(), at });
  }
  return { revocations, ended };
}

function measure(Revocations, n) {
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const { revocations, ended } = filled(Revocations, n);
  global.gc?.();
  const heapPerEntry = n ? Math.round((process.memoryUsage().heapUsed - heapBefore) / n) : null;
  const live = Array.from({ length: 1024 }, () => ({ id: randomUUID(), sessionId: randomUUID() }));
  const iat = Math.floor(Date.now() / 1000);
  timeChecks(revocations, live, iat); // warm-up (JIT)
  const misses = [];
  const hits = [];
  for (let r = 0; r < ROUNDS; r++) {
    misses.push(timeChecks(revocations, live, iat).ns);
    if (!ended.length) continue;
    const hit = timeChecks(revocations, Array.from({ length: 1024 }, (_, i) => ended[i % ended.length]), iat);
    if (hit.revoked !== CHECKS) throw new Error(`an ended session passed the check (${hit.revoked} of ${CHECKS} refused)`);
    hits.push(hit.ns);
  }
  const sweepStart = process.hrtime.bigint();
  revocations.sweep(Date.now());
  const sweepMs = round(Number(process.hrtime.bigint() - sweepStart) / 1e6, 2);
  const micros = (values) => (values.length ? round(median(values) / 1000, 3) : null);
  return { held: n, counts: revocations.size, microsPerCheck: { live: micros(misses), ended: micros(hits) }, heapBytesPerEntry: heapPerEntry, sweepMs };
}

function main() {
  const sizesArg = process.argv.find((a) => a.startsWith('--sizes='));
  const sizes = (sizesArg ? sizesArg.slice('--sizes='.length) : '0,1000,10000,100000').split(',').map(Number);
  if (!sizes.every((n) => Number.isInteger(n) && n >= 0 && n <= 10_000_000)) throw new Error('--sizes: integers in 0..10000000');
  const { Revocations } = require('../dist/auth/revocations');
  const results = [];
  for (const n of sizes) {
    const x = measure(Revocations, n);
    results.push(x);
    process.stderr.write(`[revocations] ${n} held: ${x.microsPerCheck.live} µs per check (session not ended), ${x.microsPerCheck.ended ?? '-'} µs (ended); sweep ${x.sweepMs} ms; ~${x.heapBytesPerEntry ?? '-'} B heap per entry\n`);
  }
  process.stdout.write(`${JSON.stringify({ checksPerRound: CHECKS, rounds: ROUNDS, gcExposed: typeof global.gc === 'function', node: process.version, results })}\n`);
}

main();
