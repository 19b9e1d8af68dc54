'use strict';
/* Clocks and instruments of the events bench: comparable timestamps, the relay's batches timed, CPU profiles of a phase. */
const fs = require('fs');
const path = require('path');
const { performance } = require('perf_hooks');
const h = require('../lib/harness');

/** Wall-clock milliseconds with sub-millisecond resolution, comparable between processes (after the offset check). */
const now = () => performance.timeOrigin + performance.now();

/** Logger for the relay and consumer: warnings are kept for the report and printed. */
function collectingLogger(label, sink) {
  const keep = (print) => (message) => {
    sink.push(`${label}: ${message}`);
    print(`  [${label}] ${message}`);
  };
  return { log: () => undefined, warn: keep(console.warn), error: keep(console.error) };
}

/** CPU profile of this process for one phase, through the inspector (--cpu-prof). */
function startProfile(enabled) {
  if (!enabled) return async () => undefined;
  const inspector = require('inspector');
  const session = new inspector.Session();
  session.connect();
  const post = (method, params) => new Promise((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))));
  const started = post('Profiler.enable').then(() => post('Profiler.start'));
  return async (file) => {
    await started;
    const { profile } = await post('Profiler.stop');
    session.disconnect();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(profile));
    return file;
  };
}

/**
 * A JetStreamClient for the relay that notes when each publish starts and is acknowledged.
 * `perMessage` keeps the times per event id (latency runs); otherwise only per batch.
 */
function timedJetStream(js, sink) {
  return {
    publish: async (subject, data, options) => {
      const start = now();
      sink.batch.firstPublish ??= start;
      const ack = await js.publish(subject, data, options);
      const acked = now();
      sink.batch.lastAck = acked;
      sink.batch.acks++;
      if (sink.perMessage) sink.perMessage.set(options.msgID, [start, acked]);
      return ack;
    },
  };
}

/** Wraps relay.drainOnce (the instance's own method) to time each batch: SELECT, publishes, UPDATE. */
function instrumentRelay(relay, sink, onBatch) {
  const drainOnce = relay.drainOnce.bind(relay);
  relay.drainOnce = async () => {
    sink.batch = { start: now(), firstPublish: undefined, lastAck: undefined, acks: 0 };
    try {
      const sent = await drainOnce();
      const batch = { ...sink.batch, end: now(), sent };
      sink.batches.push(batch);
      onBatch?.(batch);
      return sent;
    } catch (error) {
      sink.batches.push({ ...sink.batch, end: now(), sent: 0, error: error.message });
      throw error;
    }
  };
}

/** Where the relay's time went over a run of batches (ms, summed over non-empty batches). */
function batchBreakdown(batches, wallMs) {
  const full = batches.filter((b) => b.sent > 0 && b.firstPublish !== undefined);
  const sum = (f) => full.reduce((a, b) => a + f(b), 0);
  const select = sum((b) => b.firstPublish - b.start);
  const publish = sum((b) => b.lastAck - b.firstPublish);
  const update = sum((b) => b.end - b.lastAck);
  return {
    batches: full.length,
    emptyPolls: batches.filter((b) => b.sent === 0 && !b.error).length,
    failedBatches: batches.filter((b) => b.error).length,
    meanBatch: full.length ? h.round(sum((b) => b.sent) / full.length, 1) : 0,
    ms: {
      selectAndGroup: h.round(select, 1),
      publishAndAcks: h.round(publish, 1),
      markSent: h.round(update, 1),
      betweenBatches: wallMs === undefined ? undefined : h.round(wallMs - select - publish - update, 1),
    },
    perBatchMs: {
      selectAndGroup: h.distribution(full.map((b) => b.firstPublish - b.start)),
      publishAndAcks: h.distribution(full.map((b) => b.lastAck - b.firstPublish)),
      markSent: h.distribution(full.map((b) => b.end - b.lastAck)),
    },
  };
}

/** CPU windows as this bench labels them. */
const cpuWindow = (named, self) => h.cpuWindow(named, { self, interrupts: 'softirq', other: 'other' });

const cpuLine = (cpu) => `busy ${cpu.machineBusyCores} of ${cpu.coresAvailable} cores: ${h.allCores(cpu)}`;

module.exports = { now, collectingLogger, startProfile, timedJetStream, instrumentRelay, batchBreakdown, cpuWindow, cpuLine };
