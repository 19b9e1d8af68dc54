'use strict';
/*
 * jose's jwtVerify on the real token and key, in this process, called the way the gateway calls it.
 * jose 5 on Node verifies with promisify(crypto.verify): every signature check is a job on libuv's
 * thread pool (4 threads by default), and its result comes back through the event loop. So three
 * figures: (1) one call at a time; (2) `inFlight` calls at once, as under load; (3) the bare
 * Ed25519 check, synchronous node:crypto, i.e. the CPU the signature itself needs.
 */
const crypto = require('crypto');
const { performance } = require('perf_hooks');
const h = require('../lib/harness');

const micros = (t0) => Number(process.hrtime.bigint() - t0) / 1000;

/** `count` timed calls of `call` (async), `inFlight` at a time: the times (µs), the wall time (ms) and the process CPU. */
async function timed(count, inFlight, call) {
  const times = new Float64Array(count);
  let next = 0;
  const cpu0 = process.cpuUsage();
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < count) {
        const i = next++;
        const t0 = process.hrtime.bigint();
        await call();
        times[i] = micros(t0);
      }
    }),
  );
  return { times, totalMs: micros(started) / 1000, cpu: process.cpuUsage(cpu0) };
}

function stats({ times, totalMs, cpu }) {
  const d = h.distribution(Array.from(times), null);
  return {
    calls: times.length,
    micros: { min: h.round(d.min, 1), p50: h.round(d.p50, 1), p90: h.round(d.p90, 1), p99: h.round(d.p99, 1), max: h.round(d.max, 1), mean: h.round(d.mean, 1) },
    perSecond: Math.round((times.length / totalMs) * 1000),
    // process CPU (all threads, so the thread pool's work too) per call
    cpuMicrosPerCall: h.round((cpu.user + cpu.system) / times.length, 1),
  };
}

/** jwtVerify of `token` with the gateway's options and an async key resolver like the gateway's. */
async function verifier(token, jwks) {
  const { importJWK, jwtVerify, decodeProtectedHeader } = require('jose');
  const keys = new Map();
  for (const jwk of jwks.keys) keys.set(jwk.kid, await importJWK(jwk, 'EdDSA'));
  const keyFor = async (header) => {
    const key = keys.get(header.kid);
    if (!key) throw new Error('unknown signing key');
    return key;
  };
  const kid = decodeProtectedHeader(token).kid;
  if (!keys.has(kid)) throw new Error(`the token's kid ${kid} is not in the JWKS`);
  return {
    kid,
    once: async () => {
      const { payload } = await jwtVerify(token, keyFor, h.VERIFY_OPTIONS);
      if (!payload.sub) throw new Error('verified token has no sub');
    },
  };
}

/** The bare signature check, synchronous, after 2000 unmeasured ones. */
function rawChecks(token, jwks, kid, count) {
  const [header, payload, sig] = token.split('.');
  const data = Buffer.from(`${header}.${payload}`);
  const signature = Buffer.from(sig, 'base64url');
  const keyObject = crypto.createPublicKey({ key: jwks.keys.find((k) => k.kid === kid), format: 'jwk' });
  for (let i = 0; i < 2000; i++) crypto.verify(null, data, keyObject, signature);
  const times = new Float64Array(count);
  const cpu0 = process.cpuUsage();
  const started = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    const t0 = process.hrtime.bigint();
    if (!crypto.verify(null, data, keyObject, signature)) throw new Error('Ed25519 verification failed');
    times[i] = micros(t0);
  }
  return { times, totalMs: micros(started) / 1000, cpu: process.cpuUsage(cpu0) };
}

async function verifyMicrobenchmark(token, jwks, count, inFlight) {
  const { kid, once } = await verifier(token, jwks);
  const machineBefore = h.machineCpu();
  const selfBefore = process.cpuUsage();
  const wallBefore = performance.now();
  // Warm-up: JIT, jose's key checks.
  for (let i = 0; i < Math.min(2000, count); i++) await once();
  const sequential = stats(await timed(count, 1, once));
  // `inFlight` at once: each worker starts its next call when the previous one ends.
  const concurrent = { inFlight, ...stats(await timed(count, inFlight, once)) };
  const rawSync = stats(rawChecks(token, jwks, kid, count));
  const wall = (performance.now() - wallBefore) / 1000;
  const self = process.cpuUsage(selfBefore);
  const otherCores = h.round(Math.max(0, h.machineCpu().busy - machineBefore.busy - (self.user + self.system) / 1e6) / wall);
  return { joseVersion: require('jose/package.json').version, uvThreadpoolSize: Number(process.env.UV_THREADPOOL_SIZE) || 4, otherCoresDuring: otherCores, sequential, concurrent, rawSync };
}

module.exports = { verifyMicrobenchmark };
