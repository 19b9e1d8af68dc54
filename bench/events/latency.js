'use strict';
/* Phase 2: commit-to-consumer latency at a steady rate, with the time split into its segments. */
const fs = require('fs');
const path = require('path');
const h = require('../lib/harness');
const { now, startProfile, batchBreakdown, cpuWindow, cpuLine } = require('./timing');
const { produce } = require('./producer');

/** Waits (bounded) until the consumer has handled as many as were committed; the milliseconds it took. */
async function drain(consumer, before, committed, timeoutMs) {
  const started = now();
  let count = await consumer.ask('count');
  while (count.received - before.received < committed && now() - started < timeoutMs) {
    await h.sleep(25);
    count = await consumer.ask('count');
  }
  return now() - started;
}

/** The consumer's receipts matched with the writes (on our clock), once each. */
function match(taken, writes, relayTimes, offset) {
  const byId = new Map(writes.map((w) => [w.id, w]));
  const seen = new Set();
  const rows = [];
  let foreign = 0;
  let duplicateReceipts = 0;
  for (const [id, subject, arrival, handler, inboxCommitted, acked, streamSeq, redeliveries] of taken.receipts) {
    const write = byId.get(id);
    if (!write) foreign++; // a late event of an earlier run
    else if (seen.has(id)) duplicateReceipts++;
    else {
      seen.add(id);
      rows.push({ write, subject, arrival: arrival - offset, handler: handler - offset, committed: inboxCommitted - offset, acked: acked - offset, streamSeq, redeliveries, relay: relayTimes.get(id) });
    }
  }
  return { rows, seen, foreign, duplicateReceipts };
}

/** Per-record order: the consumer handled each record's events in commit order. */
function orderViolations(rows) {
  const lastIndex = new Map();
  let outOfOrder = 0;
  for (const row of rows) {
    const last = lastIndex.get(row.subject);
    if (last !== undefined && row.write.index < last) outOfOrder++;
    lastIndex.set(row.subject, row.write.index);
  }
  return outOfOrder;
}

function segmentsOf(measured) {
  const d = (rows, f) => h.distribution(rows.map(f));
  const withRelay = measured.filter((r) => r.relay);
  return {
    commit: d(measured, (r) => r.write.commitEnd - r.write.commitStart),
    commitEndToRelayPublish: d(withRelay, (r) => r.relay[0] - r.write.commitEnd),
    publishToJetStreamAck: d(withRelay, (r) => r.relay[1] - r.relay[0]),
    ackToConsumerLoop: d(withRelay, (r) => r.arrival - r.relay[1]),
    consumerLoopToHandler: d(measured, (r) => r.handler - r.arrival),
    handlerToInboxCommitted: d(measured, (r) => r.committed - r.handler),
    inboxCommittedToAcked: d(measured, (r) => r.acked - r.committed),
    writeTransaction: d(measured, (r) => r.write.commitEnd - r.write.scheduled),
  };
}

/** --dump-events: one CSV line per event, ms since the first scheduled write, to see when latency builds up. */
function dumpEvents(rows, t0, file) {
  const f = (v) => (v === undefined ? '' : (v - t0).toFixed(3));
  const lines = ['index,record,scheduled,commit_start,commit_end,relay_publish,relay_ack,consumer_loop,handler,inbox_committed,acked,stream_seq'];
  for (const r of [...rows].sort((a, b) => a.write.index - b.write.index)) {
    lines.push([r.write.index, r.subject, f(r.write.scheduled), f(r.write.commitStart), f(r.write.commitEnd), f(r.relay?.[0]), f(r.relay?.[1]), f(r.arrival), f(r.handler), f(r.committed), f(r.acked), r.streamSeq].join(','));
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** What the consumer managed while it had a queue: handled events / (last ack - first take). */
function consumerRate(rows) {
  const firstTake = Math.min(...rows.map((r) => r.arrival));
  const lastAck = Math.max(...rows.map((r) => r.acked));
  return rows.length > 1 ? Math.round(rows.length / ((lastAck - firstTake) / 1000)) : undefined;
}

function printRun(r, segments) {
  const s = (x) => `${x.p50}/${x.p99}`;
  const l = r.latencyMs;
  console.log(`  received ${r.received} of ${r.produced.committed} (missing — not received within the drain timeout — ${r.missing}, duplicates ${r.duplicateReceipts}, order violations ${r.perRecordOrderViolations}); drained ${r.drainAfterLastWriteMs} ms after the last write; consumer handled ${r.consumerEventsPerSecond} events/s over the run`);
  console.log(
    `  latency commit→handler (ms, ${l.fromCommitStart.count} events after warm-up): p50 ${l.fromCommitStart.p50}, p95 ${l.fromCommitStart.p95}, p99 ${l.fromCommitStart.p99}, max ${l.fromCommitStart.max} (from the end of COMMIT: p50 ${l.fromCommitEnd.p50}, p99 ${l.fromCommitEnd.p99})`,
  );
  console.log(
    `  segments p50/p99 (ms): COMMIT ${s(segments.commit)}, commit→relay publish ${s(segments.commitEndToRelayPublish)}, JetStream ack ${s(segments.publishToJetStreamAck)}, ack→consumer loop ${s(segments.ackToConsumerLoop)}, loop→handler ${s(segments.consumerLoopToHandler)}, handler→inbox COMMIT done ${s(segments.handlerToInboxCommitted)}, →acked ${s(segments.inboxCommittedToAcked)}`,
  );
  console.log(`  relay: ${r.relay.batches} batches, ${r.relay.meanBatch} events per batch on average`);
  console.log(`  CPU: ${cpuLine(r.cpu)}`);
}

/** The producer's run with CPU (and profile) of this process and the consumer's. */
async function producing(ctx, rate, options) {
  const stopProfile = startProfile(options.cpuProf);
  const stopCpu = cpuWindow({ consumer: ctx.consumer.child.pid }, 'bench (producer+relay)');
  const produced = await produce(ctx, rate, options.warmup + options.duration);
  const cpu = stopCpu();
  const profile = await stopProfile(path.join(ctx.profileDir, `producer-relay-${rate}.cpuprofile`));
  console.log(`  produced ${produced.writes.length} events in ${h.round(produced.seconds, 2)} s (${produced.achievedRate}/s, ${produced.errors.length} failed writes, max schedule lag ${produced.maxScheduleLagMs} ms)`);
  return { produced, cpu, profile };
}

async function latencyRun(ctx, rate, options) {
  const { consumer, relayTimes } = ctx;
  console.log(`\n[latency, ${rate} events/s] ${options.warmup} s warm-up + ${options.duration} s, one transaction per event, relay batchSize ${options.latencyBatchSize} ...`);
  relayTimes.clear();
  const before = await consumer.ask('count');
  const batchesBefore = ctx.latencySink.batches.length;
  const { produced, cpu, profile } = await producing(ctx, rate, options);
  const committed = produced.writes.length;
  const drainMs = await drain(consumer, before, committed, options.drainTimeoutMs);
  const taken = await consumer.ask('take');
  const { rows, seen, foreign, duplicateReceipts } = match(taken, produced.writes, relayTimes, ctx.clock.offsetMs);
  const measured = rows.filter((r) => r.write.scheduled - produced.startedAt >= options.warmup * 1000 - 1e-6);
  const segments = segmentsOf(measured);
  const dump = options.dumpEvents ? dumpEvents(rows, produced.startedAt, path.join(options.out, `events-${ctx.date.replace(/[:.]/g, '-')}-latency-${rate}.csv`)) : undefined;
  const relayBreakdown = batchBreakdown(ctx.latencySink.batches.slice(batchesBefore));
  const result = {
    rate,
    durationSeconds: options.duration,
    warmupSeconds: options.warmup,
    produced: { scheduled: produced.total, committed, failedWrites: produced.errors.length, firstErrors: produced.errors.slice(0, 3), achievedRate: produced.achievedRate, maxScheduleLagMs: produced.maxScheduleLagMs },
    received: seen.size,
    missing: committed - seen.size,
    duplicateReceipts,
    inboxDuplicatesSkipped: taken.duplicates,
    lateFromEarlierRuns: foreign,
    redelivered: rows.filter((r) => r.redeliveries > 1).length,
    perRecordOrderViolations: orderViolations(rows),
    drainAfterLastWriteMs: h.round(drainMs, 1),
    consumerEventsPerSecond: consumerRate(rows),
    latencyMs: { fromCommitStart: h.distribution(measured.map((r) => r.handler - r.write.commitStart)), fromCommitEnd: h.distribution(measured.map((r) => r.handler - r.write.commitEnd)) },
    segmentsMs: segments,
    relay: { batches: relayBreakdown.batches, emptyPolls: relayBreakdown.emptyPolls, failedBatches: relayBreakdown.failedBatches, meanBatch: relayBreakdown.meanBatch, perBatchMs: relayBreakdown.perBatchMs },
    cpu,
    profile: profile && path.relative(h.ROOT, profile),
    dump: dump && path.relative(h.ROOT, dump),
  };
  printRun(result, segments);
  return result;
}

module.exports = { latencyRun };
