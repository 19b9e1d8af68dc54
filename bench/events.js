#!/usr/bin/env node
/*
 * Events backbone benchmark: how fast the transactional outbox is relayed to JetStream, and how
 * long an event takes from the writer's COMMIT to a durable consumer's handler. See bench/README.md.
 *
 *   node bench/events.js [--events=50000] [--records=5000] [--batch-sizes=500,1000,2000]
 *                        [--rates=500,1000] [--duration=20] [--warmup=2]
 *                        [--insert-batch=1000] [--insert-concurrency=4] [--latency-batch-size=500]
 *                        [--verify=full|sample] [--skip-throughput] [--skip-latency]
 *                        [--cpu-prof] [--dump-events] [--out=bench/results]
 *                        experiments (not the shipped EventConsumer): [--consumer-ack=ack] [--consumer-concurrency=8]
 *
 * Needs a built tree (npx nx run-many -t build), PostgreSQL and NATS (JetStream) on 127.0.0.1.
 * Exit code: 0 when the benchmark ran (whether or not the goals were met), 1 on errors.
 *
 * The same file runs the consumer process (--role=consumer; events/consumer.js).
 */
'use strict';

const h = require('./lib/harness');
const { main } = require('./events/main');
const { runConsumer } = require('./events/consumer');

const OPTIONS = {
  events: h.int(50000, 100, 1000000),
  // The latency producer keeps a record's writes apart: at least 20 records.
  records: h.int(5000, 20, 1000000),
  'batch-sizes': { type: 'ints', default: [500, 1000, 2000], min: 1, max: 10000 },
  // The pool has 10 connections.
  'insert-batch': h.num(1000, 1, 10000),
  'insert-concurrency': h.num(4, 1, 8),
  rates: { type: 'numbers', default: [500, 1000], min: 1, max: 5000 },
  duration: h.num(20, 1, 300),
  warmup: h.num(2, 0, 60),
  'latency-batch-size': h.int(500, 1, 10000),
  verify: h.str('full', ['full', 'sample']),
  'skip-throughput': h.flag({ key: 'throughput', set: false, default: true }),
  'skip-latency': h.flag({ key: 'latency', set: false, default: true }),
  'cpu-prof': h.flag(),
  'dump-events': h.flag(),
  'consumer-ack': h.str('ackAck', ['ackAck', 'ack']),
  'consumer-concurrency': h.int(8, 1, 64),
  out: h.OUT,
};

if (!h.runRole({ consumer: runConsumer })) h.runMain(() => main(h.readOptions(process.argv.slice(2), OPTIONS)));
