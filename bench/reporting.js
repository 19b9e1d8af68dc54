#!/usr/bin/env node
/*
 * Reporting benchmark (bench/README.md, section "reporting.js"), three parts:
 *
 *   reads     read models of --complaints complaints and --permits applications seeded directly
 *             into reporting's tables (facts, and the daily aggregates computed from them in SQL,
 *             counted as the projection counts them); every report route through the gateway,
 *             JSON, CSV and SVG, p50/p95/p99 over --requests requests at --concurrency.
 *   consumer  --consumer-records complaints and as many applications, --events-per-record events
 *             each, published to JetStream first; then reporting starts and its consumer's
 *             catch-up rate (events/s) is timed until the stream is acknowledged to the end.
 *   rebuild   --rebuild-records records (half complaints, half applications), 2 events each,
 *             published; then the rebuild command (`npm run rebuild` of @smart-regency/reporting)
 *             replays them into fresh tables and swaps them in; its wall time is recorded.
 *
 *   flock /tmp/smart-regency-bench.lock node bench/reporting.js [--parts=reads,consumer,rebuild]
 *        [--complaints=1000000] [--permits=1000000] [--days=730] [--requests=300] [--concurrency=1]
 *        [--consumer-records=50000] [--events-per-record=4] [--rebuild-records=2000000] [--out=bench/results]
 *
 * Needs a built tree (npx nx run-many -t build), PostgreSQL and NATS on 127.0.0.1.
 */
'use strict';

const h = require('./lib/harness');
const { reads } = require('./reporting/reads');
const { consumer, rebuild } = require('./reporting/replay');

const OPTIONS = {
  parts: { type: 'list', default: ['reads', 'consumer', 'rebuild'] },
  complaints: h.int(1_000_000, 0, 10_000_000),
  permits: h.int(1_000_000, 0, 10_000_000),
  days: h.int(730, 1, 3650),
  requests: h.int(300, 1, 100_000),
  concurrency: h.int(1, 1, 1000),
  'consumer-records': h.int(50_000, 1, 10_000_000),
  'events-per-record': h.int(4, 2, 6),
  'rebuild-records': h.int(2_000_000, 1, 100_000_000),
  out: h.OUT,
};

// Each part's result is printed as a JSON line and kept in bench/results.
h.runParts('reporting', h.readOptions(process.argv.slice(2), OPTIONS), { reads, consumer, rebuild });
