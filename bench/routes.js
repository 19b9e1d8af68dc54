#!/usr/bin/env node
/*
 * Every route of the gateway at a fixed rate, open loop, on a million complaints and a million
 * applications: the restated goal of issue 20 (p99 <= 50 ms at 250 requests/s, every route but
 * those that hash a password). See bench/README.md, section "routes.js".
 *
 *   node bench/routes.js [--rows=1000000] [--batch=50000] [--rate=250] [--warmup=2] [--duration=8]
 *                        [--connections=50] [--only=REGEXP (of the scenario's label)] [--service-env=NAME=value] [--out=bench/results]
 *
 * Needs a built tree (npx nx run-many -t build), PostgreSQL and NATS on 127.0.0.1. Run it alone:
 *   flock /tmp/smart-regency-bench.lock node bench/routes.js
 * Exit code: 0 when the benchmark ran (whether or not the goals were met), 1 on errors.
 */
'use strict';

const h = require('./lib/harness');
const { main } = require('./routes/main');

const OPTIONS = {
  rows: h.int(1_000_000, 0, 5_000_000),
  batch: h.int(50_000, 1000, 200_000),
  rate: h.int(250, 1, 5000),
  ...h.windowOptions({ duration: 8, warmup: 2, connections: 50 }),
  only: h.str(),
  'service-env': { type: 'env', default: {} },
  out: h.OUT,
};

h.runMain(() => main(h.readOptions(process.argv.slice(2), OPTIONS)));
