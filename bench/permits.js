#!/usr/bin/env node
/*
 * Permits benchmark: the permit application lists with a million applications in the table, and
 * the write path (create + submit: two transactions, the second with two outbox events) against a
 * bare twin doing the same SQL with no framework (node:http + jose + pg). See bench/README.md,
 * section "permits.js".
 *
 *   node bench/permits.js [--rows=1000000] [--batch=50000] [--citizen-rows=3000] [--agency=PUPR]
 *                         [--duration=12] [--warmup=3] [--connections=50] [--pair-duration=15]
 *                         [--deep-page=50] [--log-statements-ms=50] [--issuing-queue]
 *                         [--only=TEXT] [--skip-reads] [--skip-writes] [--skip-skeleton] [--skeleton-events=on|off] [--read-audit-rounds=0] [--rate=N] [--read-rate=N] [--service-env=NAME=value] [--cpu-prof]
 *                         [--pg-log=/var/log/postgresql/postgresql-15-main.log] [--out=bench/results]
 *
 * Needs a built tree (npx nx run-many -t build), PostgreSQL and NATS on 127.0.0.1, and (for the
 * plans and the slow statements) the PostgreSQL server log readable.
 * Exit code: 0 when the benchmark ran (whether or not the goals were met), 1 on errors.
 *
 * The same file runs the bare twin (--role=bare) and the skeleton (--role=skeleton-service,
 * --role=skeleton-gateway; permits/skeleton.js, lib/skeleton.js).
 */
'use strict';

const h = require('./lib/harness');
const { main } = require('./permits/main');
const { runBare } = require('./permits/twin');
const { runSkeletonService, runSkeletonGateway } = require('./permits/skeleton');

const OPTIONS = {
  ...h.SEEDED_OPTIONS,
  'citizen-rows': h.int(3000, 1, (o) => o.rows),
  agency: h.str('PUPR'),
  'pair-duration': h.int(15, 1, 300),
  'log-statements-ms': h.int(50, -1, 60000),
  'issuing-queue': h.flag(),
  'skip-writes': h.flag(),
  'read-audit-rounds': h.int(0, 0, 50),
};

if (!h.runRole({ bare: runBare, 'skeleton-service': runSkeletonService, 'skeleton-gateway': runSkeletonGateway })) h.runMain(() => main(h.readOptions(process.argv.slice(2), OPTIONS)));
