'use strict';
/*
 * Webhook deliveries (issue 16's goals), two parts:
 *
 *   throughput  notifications alone; the bench publishes --events events straight to JetStream
 *               and a local receiver (this process) verifies every delivery with the
 *               standardwebhooks library. Goal: >= 1,000 webhooks/s.
 *   latency     the whole system; a citizen files complaints through the gateway at --rate per
 *               second for --seconds; commit-to-delivery is the receiver's clock minus the event's
 *               `time` (set in the filing's transaction, so a little before its commit).
 *               Goal: p99 <= 200 ms at 100 events/s.
 *
 *   node bench/webhooks.js [--parts=throughput,latency] [--events=20000] [--rate=100] [--seconds=60]
 *                          [--subscriptions=1] [--concurrency=64] [--per-subscription=N] [--out=bench/results]
 * Build first (npx nx run-many -t build).
 */
const h = require('./lib/harness');
const { throughput } = require('./webhooks/throughput');
const { latency } = require('./webhooks/latency');

const OPTIONS = {
  parts: { type: 'list', default: ['throughput', 'latency'] },
  events: h.int(20000, 1, 10_000_000),
  subscriptions: h.int(1, 1, 1000),
  concurrency: h.int(64, 1, 10000),
  'per-subscription': h.str(),
  rate: h.num(100, 0.1, 10000),
  seconds: h.num(60, 1, 3600),
  out: h.OUT,
};

h.runParts('webhooks', h.readOptions(process.argv.slice(2), OPTIONS), { throughput, latency });
