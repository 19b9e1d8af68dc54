#!/usr/bin/env node
/*
 * Complaints benchmark: the public list, an agency's queue and Open311 `requests.json` with a
 * million complaints in the table, and filing (one transaction with the complaint, its history
 * row and its outbox event) against a bare twin doing the same SQL with no framework
 * (node:http + jose + pg). See bench/README.md, section "complaints.js".
 *
 *   node bench/complaints.js [--rows=1000000] [--batch=50000] [--citizen-rows=2000] [--agency=DLH]
 *                            [--duration=12] [--warmup=3] [--connections=50] [--filers=20] [--read-connections=50] [--file-duration=15]
 *                            [--deep-page=50] [--attachment-every=10] [--only=TEXT] [--skip-reads] [--skip-filing] [--skip-bare]
 *                            [--skip-skeleton] [--skeleton-events=on|off] [--pg-log=/var/log/postgresql/postgresql-15-main.log]
 *                            [--rate=N] [--read-rate=N] [--service-env=NAME=value] [--cpu-prof] [--out=bench/results]
 *
 * Needs a built tree (npx nx run-many -t build), PostgreSQL and NATS on 127.0.0.1, and (for the
 * skeleton's lists) the PostgreSQL server log readable. Run it alone:
 *   flock /tmp/smart-regency-bench.lock node bench/complaints.js
 * Exit code: 0 when the benchmark ran (whether or not the goals were met), 1 on errors.
 *
 * The same file runs the bare twin (--role=bare) and the skeleton (--role=skeleton-service,
 * --role=skeleton-gateway; complaints/skeleton.js, lib/skeleton.js).
 */
'use strict';

const h = require('./lib/harness');
const { main } = require('./complaints/main');
const { runBare } = require('./complaints/twin');
const { runSkeletonService, runSkeletonGateway } = require('./complaints/skeleton');

const OPTIONS = {
  ...h.SEEDED_OPTIONS,
  'citizen-rows': h.int(2000, 1, (o) => o.rows),
  agency: h.str('DLH'),
  filers: h.int(20, 1, 500),
  'file-duration': h.int(15, 1, 300),
  'read-connections': h.int((o) => o.connections, 1, 1000),
  'attachment-every': h.int(10, 0, 1000),
  'skip-filing': h.flag(),
  'skip-bare': h.flag(),
};

if (!h.runRole({ bare: runBare, 'skeleton-service': runSkeletonService, 'skeleton-gateway': runSkeletonGateway })) h.runMain(() => main(h.readOptions(process.argv.slice(2), OPTIONS)));
