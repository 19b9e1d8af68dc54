#!/usr/bin/env node
/*
 * Walking-slice benchmark: GET /api/v1/agencies through the real system (gateway → NATS →
 * identity → TypeORM → PostgreSQL) against a "bare" path doing the same work with no framework
 * (node:http → raw nats request → plain responder → pg). See bench/README.md.
 *
 *   node bench/walking-slice.js [--duration=15] [--warmup=3] [--connections=50]
 *                               [--bare-always-count] [--cpu-prof] [--node-options="--max-semi-space-size=4"]
 *                               [--out=bench/results]
 *
 * Needs a built tree (npx nx run-many -t build), PostgreSQL and NATS on 127.0.0.1.
 * Exit code: 0 when the benchmark ran (whether or not the goals were met), 1 on errors.
 *
 * The same file also runs the two bare processes (--role=bare-http, --role=bare-responder;
 * walking-slice/bare.js).
 */
'use strict';

const h = require('./lib/harness');
const { main } = require('./walking-slice/main');
const { runBareResponder, runBareHttp } = require('./walking-slice/bare');

const OPTIONS = {
  ...h.windowOptions({ duration: 15, warmup: 3, connections: 50 }, h.num),
  'bare-always-count': h.flag(),
  'cpu-prof': h.flag(),
  'node-options': h.str(''),
  out: h.OUT,
};

if (!h.runRole({ 'bare-responder': runBareResponder, 'bare-http': runBareHttp })) h.runMain(() => main(h.readOptions(process.argv.slice(2), OPTIONS)));
