#!/usr/bin/env node
/*
 * Authentication benchmark: what signing in costs (argon2id in identity) and what verifying the
 * access token costs on every authenticated request (EdDSA JWT checked in the gateway's guard).
 * See bench/README.md, section "auth.js".
 *
 *   node bench/auth.js [--sequential=50] [--login-duration=10] [--login-connections=10]
 *                      [--duration=15] [--warmup=3] [--connections=50] [--verifications=10000]
 *                      [--wrong-logins=40] [--revocations=0,1000,10000,100000] [--revocations-only]
 *                      [--skip-public] [--out=bench/results]
 *
 * --revocations-only runs only the revocation-check microbenchmark (the gateway's own,
 * `npm run bench:revocations` of @smart-regency/gateway; no system, seconds).
 *
 * Needs a built tree (npx nx run-many -t build), PostgreSQL and NATS on 127.0.0.1.
 * Exit code: 0 when the benchmark ran (whether or not the goal was met), 1 on errors.
 */
'use strict';

const h = require('./lib/harness');
const { main } = require('./auth/main');

const OPTIONS = {
  sequential: h.int(50, 1, 1000),
  'login-duration': h.int(10, 1, 120),
  'login-connections': h.int(10, 1, 100),
  ...h.windowOptions({ duration: 15, warmup: 3, connections: 50 }),
  verifications: h.int(10000, 100, 1000000),
  'wrong-logins': h.int(40, 1, 1000),
  revocations: { type: 'ints', default: [0, 1000, 10000, 100000], min: 0, max: 10000000 },
  'revocations-only': h.flag(),
  'skip-public': h.flag(),
  out: h.OUT,
};

h.runMain(() => main(h.readOptions(process.argv.slice(2), OPTIONS)));
