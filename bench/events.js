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
 * Layout, as in the real system: the writer and its OutboxRelay share one process (this one, like
 * a service with EventsRuntime); the EventConsumer runs in a second process (like another
 * service) with its own database for the inbox. The same file runs that process (--role=consumer).
 */
'use strict';

const { spawn, execFileSync } = require('child_process');
const crypto = require('crypto');
const { cpuOf, machineCpu, prng, serverPids } = require('./lib/harness');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { performance } = require('perf_hooks');

const ROOT = path.resolve(__dirname, '..');
const EVENT_TYPE = 'identity.user.registered.v1';
const CONSUMER_NAME = 'bench-latency';

/** Wall-clock milliseconds with sub-millisecond resolution, comparable between processes (after the offset check). */
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const round = (v, digits = 1) => (v === undefined || v === null || Number.isNaN(v) ? v : Math.round(v * 10 ** digits) / 10 ** digits);

function loadLibs() {
  try {
    return { platform: require('@smart-regency/platform'), testing: require('@smart-regency/testing') };
  } catch (error) {
    throw new Error(`cannot load @smart-regency/platform / testing (${error.message}): build first (npx nx run-many -t build)`);
  }
}

/** Logger for the relay and consumer: warnings are kept for the report and printed. */
function collectingLogger(label, sink) {
  return {
    log: () => undefined,
    warn: (message) => {
      sink.push(`${label}: ${message}`);
      console.warn(`  [${label}] ${message}`);
    },
    error: (message) => {
      sink.push(`${label}: ${message}`);
      console.error(`  [${label}] ${message}`);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The consumer process (--role=consumer): an EventConsumer that timestamps each message.
// ---------------------------------------------------------------------------------------------
async function runConsumer() {
  const { platform } = loadLibs();
  const { EventConsumer, dataSourceOptions } = platform;
  const { DataSource } = require('typeorm');
  const { connect } = require('nats');
  const warnings = [];
  const nc = await connect({ servers: process.env.BENCH_NATS_URL, noAsyncTraces: true, name: 'bench-events-consumer' });
  const dataSource = new DataSource(
    dataSourceOptions({ DATABASE_URL: process.env.BENCH_DATABASE_URL, DB_POOL_SIZE: 10 }, { entities: [], migrations: [] }),
  );
  await dataSource.initialize();

  let receipts = [];
  let received = 0;
  let duplicates = 0;
  // Experiments (off by default; the default measures EventConsumer as it is):
  //   BENCH_CONSUMER_ACK=ack          fire-and-forget msg.ack() instead of the base class's ackAck()
  //   BENCH_CONSUMER_CONCURRENCY=N>1  up to N messages in flight, one at a time per record (subject)
  const plainAck = process.env.BENCH_CONSUMER_ACK === 'ack';
  // The shipped EventConsumer handles up to `concurrency` events at once, chained per record.
  const concurrency = Number(process.env.BENCH_CONSUMER_CONCURRENCY || 8);
  const timings = new WeakMap(); // message -> timing record
  const byId = new Map(); // event id -> timing record

  class TimedConsumer extends EventConsumer {
    /** Entered when the consumer starts on a message (after earlier events of its record). */
    async handle(msg, parsed) {
      const entry = { arrival: now(), streamSeq: msg.info.streamSequence, redeliveries: msg.info.redeliveryCount };
      timings.set(msg, entry);
      if (parsed?.id) byId.set(parsed.id, entry);
      await super.handle(msg, parsed);
    }

    /** Called after the inbox transaction committed; the base class then waits for the server's reply. */
    async ack(msg) {
      const entry = timings.get(msg);
      if (entry) entry.committed = now();
      if (plainAck) msg.ack();
      else await super.ack(msg);
      if (!entry) return;
      entry.acked = now();
      if (entry.id) {
        byId.delete(entry.id);
        receipts.push([entry.id, entry.subject, entry.arrival, entry.handler, entry.committed, entry.acked, entry.streamSeq, entry.redeliveries]);
        received++;
      } else duplicates++;
    }
  }

  const consumer = new TimedConsumer({
    name: CONSUMER_NAME,
    stream: process.env.BENCH_STREAM,
    deadLetterPrefix: process.env.BENCH_DEADLETTER_PREFIX,
    js: nc.jetstream(),
    jsm: await nc.jetstreamManager(),
    dataSource,
    concurrency,
    logger: collectingLogger('consumer', warnings),
    // The handler runs inside the inbox transaction, after the inbox row: receipt time.
    handler: async (event) => {
      const entry = byId.get(event.id);
      if (!entry) return;
      entry.id = event.id;
      entry.subject = event.subject;
      entry.handler = now();
    },
  });
  await consumer.start();

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    const timer = setTimeout(() => process.exit(0), 10000);
    timer.unref();
    await consumer.stop().catch(() => undefined);
    await dataSource.destroy().catch(() => undefined);
    await nc.close().catch(() => undefined);
    process.exit(0);
  };
  process.on('message', (message) => {
    const reply = (body) => process.send({ id: message.id, ...body });
    if (message.cmd === 'clock') reply({ t: now() });
    else if (message.cmd === 'count') reply({ received, duplicates, warnings: warnings.length });
    else if (message.cmd === 'take') {
      reply({ receipts, duplicates, warnings });
      receipts = [];
    } else if (message.cmd === 'stop') stop();
  });
  process.on('disconnect', stop);
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.send({ ready: true });
}

// ---------------------------------------------------------------------------------------------
// CPU accounting (as in walking-slice.js): per process from /proc, machine total from /proc/stat.
// ---------------------------------------------------------------------------------------------




/** Starts a CPU window; the returned function ends it and gives cores used per group. */
function cpuWindow(named = {}, selfLabel = 'bench') {
  const startMachine = machineCpu();
  const startSelf = process.cpuUsage();
  const startWall = performance.now();
  const startServers = serverPids();
  const startTimes = {};
  for (const [name, pid] of Object.entries(named)) startTimes[`p:${name}`] = cpuOf(pid)?.seconds ?? 0;
  for (const pid of Object.keys(startServers)) startTimes[`s:${pid}`] = cpuOf(pid)?.seconds ?? 0;
  return () => {
    const wall = (performance.now() - startWall) / 1000;
    const groups = {};
    const self = process.cpuUsage(startSelf);
    groups[selfLabel] = (self.user + self.system) / 1e6;
    for (const [name, pid] of Object.entries(named)) {
      const end = cpuOf(pid)?.seconds;
      if (end !== undefined) groups[name] = end - startTimes[`p:${name}`];
    }
    for (const [pid, comm] of Object.entries({ ...startServers, ...serverPids() })) {
      const end = cpuOf(pid)?.seconds;
      if (end === undefined) continue;
      groups[comm] = (groups[comm] ?? 0) + end - (startTimes[`s:${pid}`] ?? 0);
    }
    const endMachine = machineCpu();
    const busy = endMachine.busy - startMachine.busy;
    groups['softirq'] = endMachine.interrupts - startMachine.interrupts;
    const attributed = Object.values(groups).reduce((a, b) => a + b, 0);
    groups['other'] = Math.max(0, busy - attributed);
    const cores = {};
    for (const [name, seconds] of Object.entries(groups)) cores[name] = round(seconds / wall, 2);
    return {
      wallSeconds: round(wall, 2),
      machineBusyCores: round(busy / wall, 2),
      idleCores: round((endMachine.idle - startMachine.idle) / wall, 2),
      stealCores: round((endMachine.steal - startMachine.steal) / wall, 2),
      coresUsedBy: cores,
    };
  };
}

const cpuLine = (cpu) =>
  `busy ${cpu.machineBusyCores} of ${os.cpus().length} cores: ${Object.entries(cpu.coresUsedBy)
    .sort((a, b) => b[1] - a[1])
    .map(([n, c]) => `${n} ${c}`)
    .join(', ')}`;

// ---------------------------------------------------------------------------------------------
// Helpers.
// ---------------------------------------------------------------------------------------------

/** Nearest-rank percentiles of an array of numbers (ms). */
function distribution(values) {
  if (!values.length) return { count: 0 };
  const sorted = Float64Array.from(values).sort();
  const at = (p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return {
    count: values.length,
    min: round(sorted[0], 2),
    p50: round(at(50), 2),
    p90: round(at(90), 2),
    p95: round(at(95), 2),
    p99: round(at(99), 2),
    p999: round(at(99.9), 2),
    max: round(sorted[sorted.length - 1], 2),
    mean: round(mean, 2),
  };
}

async function withTimeout(what, promise, ms) {
  let timer;
  try {
    return await Promise.race([
      promise,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
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
    meanBatch: full.length ? round(sum((b) => b.sent) / full.length, 1) : 0,
    ms: {
      selectAndGroup: round(select),
      publishAndAcks: round(publish),
      markSent: round(update),
      betweenBatches: wallMs === undefined ? undefined : round(wallMs - select - publish - update),
    },
    perBatchMs: {
      selectAndGroup: distribution(full.map((b) => b.firstPublish - b.start)),
      publishAndAcks: distribution(full.map((b) => b.lastAck - b.firstPublish)),
      markSent: distribution(full.map((b) => b.end - b.lastAck)),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The consumer child process, seen from here.
// ---------------------------------------------------------------------------------------------
function startConsumerProcess(env, profileDir) {
  const flags = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, '--cpu-prof-name=consumer.cpuprofile'] : [];
  const child = spawn(process.execPath, [...flags, __filename, '--role=consumer'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map();
  let nextId = 1;
  const entry = { child, exited: false };
  entry.exit = new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      entry.exited = true;
      for (const { reject } of pending.values()) reject(new Error(`the consumer process exited (${code ?? signal})`));
      pending.clear();
      resolve({ code, signal });
    }),
  );
  entry.ready = new Promise((resolve, reject) => {
    child.on('message', (message) => {
      if (message.ready) resolve();
      const waiter = message.id !== undefined && pending.get(message.id);
      if (waiter) {
        pending.delete(message.id);
        waiter.resolve(message);
      }
    });
    entry.exit.then(({ code, signal }) => reject(new Error(`the consumer process exited before it was ready (${code ?? signal})`)));
  });
  entry.ask = (cmd, timeoutMs = 30000) =>
    withTimeout(
      `the consumer's answer to ${cmd}`,
      new Promise((resolve, reject) => {
        if (entry.exited) return reject(new Error('the consumer process is gone'));
        const id = nextId++;
        pending.set(id, { resolve, reject });
        child.send({ id, cmd });
      }),
      timeoutMs,
    );
  entry.stop = async () => {
    if (entry.exited) return;
    if (child.connected) child.send({ cmd: 'stop' });
    else child.kill('SIGTERM');
    const timer = setTimeout(() => !entry.exited && child.kill('SIGKILL'), 12000);
    await entry.exit;
    clearTimeout(timer);
  };
  return entry;
}

/** Offset of the child's clock against ours (child - parent), from the round trip with the least delay. */
async function clockOffset(consumer) {
  let best;
  for (let i = 0; i < 30; i++) {
    const sent = now();
    const { t } = await consumer.ask('clock');
    const back = now();
    if (!best || back - sent < best.rtt) best = { rtt: back - sent, offset: t - (sent + back) / 2 };
  }
  return { offsetMs: round(best.offset, 3), rttMs: round(best.rtt, 3) };
}

// ---------------------------------------------------------------------------------------------
// Phase 1: relay throughput from a full outbox.
// ---------------------------------------------------------------------------------------------

/** Commits `count` events into the outbox through EventRecorder.record, many per transaction. */
async function fillOutbox(ctx, count, options) {
  const { dataSource, recorder, userIds } = ctx;
  const random = prng(42);
  const plan = Array.from({ length: count }, () => userIds[Math.floor(random() * userIds.length)]);
  let next = 0;
  const startedAt = now();
  const worker = async () => {
    while (next < plan.length) {
      const slice = plan.slice(next, next + options.insertBatch);
      next += slice.length;
      await dataSource.transaction(async (manager) => {
        for (const userId of slice) await recorder.record(manager, EVENT_TYPE, { userId, roles: ['citizen'] });
      });
    }
  };
  await Promise.all(Array.from({ length: options.insertConcurrency }, worker));
  const seconds = (now() - startedAt) / 1000;
  return { events: count, seconds: round(seconds, 2), eventsPerSecond: Math.round(count / seconds) };
}

/** Reads the whole stream back (ordered consumer) and checks it against the outbox. */
async function verifyStream(ctx, expected, mode) {
  const { js, jsm, stream, pg, prefix } = ctx;
  const info = await jsm.streams.info(stream);
  const result = { streamMessages: info.state.messages, expected };
  const startedAt = now();
  const streamSeqOf = new Map();
  let duplicates = 0;
  let badHeaders = 0;
  let badSubjects = 0;
  const consumer = await js.consumers.get(stream);
  const messages = await consumer.consume({ max_messages: 1000 });
  const deadline = setTimeout(() => messages.stop(), Math.max(30000, expected));
  let read = 0;
  for await (const m of messages) {
    read++;
    const event = JSON.parse(Buffer.from(m.data).toString());
    if (streamSeqOf.has(event.id)) duplicates++;
    streamSeqOf.set(event.id, m.seq);
    if (m.headers?.get('Nats-Msg-Id') !== event.id) badHeaders++;
    if (m.subject !== `${prefix}.${event.type}`) badSubjects++;
    if (read >= info.state.messages || m.info.pending === 0) break;
  }
  clearTimeout(deadline);
  const { rows } = await pg.query('SELECT id::text AS id, record_id, seq FROM outbox ORDER BY seq');
  const lastSeqOfRecord = new Map();
  let missing = 0;
  let outOfOrder = 0;
  let checkedRecords = 0;
  const sampled = mode === 'sample' ? new Set([...new Set(rows.map((r) => r.record_id))].filter((_, i) => i % 10 === 0)) : undefined;
  for (const row of rows) {
    const seq = streamSeqOf.get(row.id);
    if (seq === undefined) {
      missing++;
      continue;
    }
    if (sampled && !sampled.has(row.record_id)) continue;
    const last = lastSeqOfRecord.get(row.record_id);
    if (last === undefined) checkedRecords++;
    else if (seq < last) outOfOrder++;
    lastSeqOfRecord.set(row.record_id, seq);
  }
  Object.assign(result, {
    read,
    outboxRows: rows.length,
    missingFromStream: missing,
    duplicatesInStream: duplicates,
    msgIdHeaderMismatches: badHeaders,
    subjectMismatches: badSubjects,
    recordsChecked: checkedRecords,
    perRecordOrderViolations: outOfOrder,
    mode,
    seconds: round((now() - startedAt) / 1000, 2),
  });
  result.ok =
    info.state.messages === expected && read === expected && rows.length === expected && !missing && !duplicates && !badHeaders && !badSubjects && !outOfOrder;
  return result;
}

/** Longest chain (events of one record) in each batch the relay would take. */
async function chainStats(pg, batchSize) {
  const { rows } = await pg.query('SELECT record_id FROM outbox WHERE sent_at IS NULL ORDER BY seq');
  let longest = 0;
  let sumLongest = 0;
  let batches = 0;
  for (let i = 0; i < rows.length; i += batchSize) {
    const counts = new Map();
    let max = 0;
    for (const { record_id: id } of rows.slice(i, i + batchSize)) {
      const n = (counts.get(id) ?? 0) + 1;
      counts.set(id, n);
      if (n > max) max = n;
    }
    longest = Math.max(longest, max);
    sumLongest += max;
    batches++;
  }
  return { longestChainInABatch: longest, meanLongestChainPerBatch: round(sumLongest / Math.max(1, batches), 2) };
}

async function relayThroughput(ctx, batchSize, options) {
  const { platform, pg, jsm, stream } = ctx;
  console.log(`\n[relay, batchSize ${batchSize}] filling the outbox with ${options.events} events (${options.insertBatch} per transaction, ${options.insertConcurrency} at a time) ...`);
  await pg.query('TRUNCATE outbox');
  await jsm.streams.purge(stream);
  const insert = await fillOutbox(ctx, options.events, options);
  await pg.query('ANALYZE outbox');
  const chains = await chainStats(pg, batchSize);
  console.log(`  inserted in ${insert.seconds} s (${insert.eventsPerSecond} events/s); longest per-record chain in a batch: ${chains.longestChainInABatch}`);

  const sink = { batch: {}, batches: [] };
  let total = 0;
  let doneAt;
  let resolveDone;
  const done = new Promise((resolve) => (resolveDone = resolve));
  const relay = new platform.OutboxRelay({
    databaseUrl: ctx.databaseUrl,
    js: timedJetStream(ctx.js, sink),
    subjectPrefix: ctx.prefix,
    batchSize,
    logger: collectingLogger(`relay ${batchSize}`, ctx.warnings),
  });
  instrumentRelay(relay, sink, (batch) => {
    total += batch.sent;
    if (total >= options.events && !doneAt) {
      doneAt = batch.end;
      resolveDone();
    }
  });
  ctx.relays.add(relay);
  const stopProfile = startProfile(options.cpuProf);
  const stopCpu = cpuWindow({}, 'bench (relay)');
  const startedAt = now();
  relay.start();
  let cpu;
  let profile;
  try {
    await withTimeout(`the relay to publish ${options.events} events`, done, Math.max(120000, options.events * 2));
  } finally {
    cpu = stopCpu();
    profile = await stopProfile(path.join(ctx.profileDir, `relay-batch-${batchSize}.cpuprofile`));
    await relay.stop();
    ctx.relays.delete(relay);
  }
  const seconds = (doneAt - startedAt) / 1000;
  const firstBatchAt = sink.batches[0]?.start;
  const { rows } = await pg.query('SELECT count(*)::int AS n FROM outbox WHERE sent_at IS NULL');
  const eventsPerSecond = Math.round(options.events / seconds);
  console.log(`  relayed ${options.events} events in ${round(seconds, 2)} s: ${eventsPerSecond} events/s (pending after: ${rows[0].n})`);
  const breakdown = batchBreakdown(sink.batches, doneAt - firstBatchAt);
  console.log(
    `  relay time: SELECT+group ${breakdown.ms.selectAndGroup} ms, publish+acks ${breakdown.ms.publishAndAcks} ms, UPDATE ${breakdown.ms.markSent} ms, between batches ${breakdown.ms.betweenBatches} ms (${breakdown.batches} batches)`,
  );
  console.log(`  CPU: ${cpuLine(cpu)}`);
  const verify = await verifyStream(ctx, options.events, options.verify);
  console.log(
    `  stream: ${verify.streamMessages} messages (expected ${options.events}), missing ${verify.missingFromStream}, duplicates ${verify.duplicatesInStream}, per-record order violations ${verify.perRecordOrderViolations} over ${verify.recordsChecked} records: ${verify.ok ? 'ok' : 'NOT OK'}`,
  );
  return {
    batchSize,
    insert,
    chains,
    relay: {
      events: options.events,
      seconds: round(seconds, 3),
      eventsPerSecond,
      connectMs: round(firstBatchAt - startedAt, 1),
      pendingAfter: rows[0].n,
      breakdown,
    },
    cpu,
    verify,
    profile: profile && path.relative(ROOT, profile),
  };
}

// ---------------------------------------------------------------------------------------------
// Phase 2: commit-to-consumer latency at a steady rate.
// ---------------------------------------------------------------------------------------------

/** One write: its own transaction with one event; times just before and after COMMIT. */
async function writeOne(ctx, userId) {
  const runner = ctx.dataSource.createQueryRunner();
  try {
    await runner.connect();
    await runner.startTransaction();
    const event = await ctx.recorder.record(runner.manager, EVENT_TYPE, { userId, roles: ['citizen'] });
    const commitStart = now();
    await runner.commitTransaction();
    return { id: event.id, userId, commitStart, commitEnd: now() };
  } catch (error) {
    if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
    throw error;
  } finally {
    await runner.release();
  }
}

/** Open-loop producer: event i is due at start + i/rate, whatever happened to the earlier ones. */
async function produce(ctx, rate, seconds) {
  const total = Math.round(rate * seconds);
  const maxInFlight = 200;
  const random = prng(rate);
  const inFlightRecords = new Set(); // a record's next write waits for its previous one (as a row lock would)
  const writes = [];
  const errors = [];
  let launched = 0;
  let inFlight = 0;
  let maxLagMs = 0;
  const pending = new Set();
  const startedAt = now();
  while (launched < total) {
    const due = Math.min(total, Math.floor(((now() - startedAt) / 1000) * rate) + 1);
    while (launched < due && inFlight < maxInFlight) {
      let userId;
      do userId = ctx.userIds[Math.floor(random() * ctx.userIds.length)];
      while (inFlightRecords.has(userId));
      const scheduled = startedAt + (launched * 1000) / rate;
      maxLagMs = Math.max(maxLagMs, now() - scheduled);
      const index = launched++;
      inFlight++;
      inFlightRecords.add(userId);
      const p = writeOne(ctx, userId).then(
        (w) => writes.push({ ...w, index, scheduled }),
        (error) => errors.push(error.message),
      );
      pending.add(p);
      p.finally(() => {
        inFlight--;
        inFlightRecords.delete(userId);
        pending.delete(p);
      });
    }
    await sleep(1);
  }
  await Promise.all(pending);
  const wall = (now() - startedAt) / 1000;
  return { writes, errors, total, startedAt, seconds: wall, achievedRate: round(total / wall, 1), maxScheduleLagMs: round(maxLagMs, 1) };
}

async function latencyRun(ctx, rate, options) {
  const { consumer, relayTimes } = ctx;
  console.log(`\n[latency, ${rate} events/s] ${options.warmup} s warm-up + ${options.duration} s, one transaction per event, relay batchSize ${options.latencyBatchSize} ...`);
  relayTimes.clear();
  const before = await consumer.ask('count');
  const batchesBefore = ctx.latencySink.batches.length;
  const stopProfile = startProfile(options.cpuProf);
  const stopCpu = cpuWindow({ consumer: consumer.child.pid }, 'bench (producer+relay)');
  const produced = await produce(ctx, rate, options.warmup + options.duration);
  const cpu = stopCpu();
  const profile = await stopProfile(path.join(ctx.profileDir, `producer-relay-${rate}.cpuprofile`));
  const committed = produced.writes.length;
  console.log(
    `  produced ${committed} events in ${round(produced.seconds, 2)} s (${produced.achievedRate}/s, ${produced.errors.length} failed writes, max schedule lag ${produced.maxScheduleLagMs} ms)`,
  );
  // Wait (bounded) until the consumer has handled as many as were committed.
  const drainStarted = now();
  let count = await consumer.ask('count');
  while (count.received - before.received < committed && now() - drainStarted < options.drainTimeoutMs) {
    await sleep(25);
    count = await consumer.ask('count');
  }
  const drainMs = now() - drainStarted;
  const taken = await consumer.ask('take');
  const offset = ctx.clock.offsetMs;
  const byId = new Map(produced.writes.map((w) => [w.id, w]));
  const seen = new Set();
  const rows = [];
  let foreign = 0;
  let duplicateReceipts = 0;
  for (const [id, subject, arrival, handler, inboxCommitted, acked, streamSeq, redeliveries] of taken.receipts) {
    const write = byId.get(id);
    if (!write) {
      foreign++; // a late event of an earlier run
      continue;
    }
    if (seen.has(id)) {
      duplicateReceipts++;
      continue;
    }
    seen.add(id);
    const relay = relayTimes.get(id);
    rows.push({ write, subject, arrival: arrival - offset, handler: handler - offset, committed: inboxCommitted - offset, acked: acked - offset, streamSeq, redeliveries, relay });
  }
  const missing = committed - seen.size;
  // Per-record order: the consumer handled each record's events in commit order.
  const lastIndex = new Map();
  let outOfOrder = 0;
  for (const row of rows) {
    const last = lastIndex.get(row.subject);
    if (last !== undefined && row.write.index < last) outOfOrder++;
    lastIndex.set(row.subject, row.write.index);
  }
  const measured = rows.filter((r) => r.write.scheduled - produced.startedAt >= options.warmup * 1000 - 1e-6);
  const fromCommitEnd = distribution(measured.map((r) => r.handler - r.write.commitEnd));
  const fromCommitStart = distribution(measured.map((r) => r.handler - r.write.commitStart));
  const withRelay = measured.filter((r) => r.relay);
  const segments = {
    commit: distribution(measured.map((r) => r.write.commitEnd - r.write.commitStart)),
    commitEndToRelayPublish: distribution(withRelay.map((r) => r.relay[0] - r.write.commitEnd)),
    publishToJetStreamAck: distribution(withRelay.map((r) => r.relay[1] - r.relay[0])),
    ackToConsumerLoop: distribution(withRelay.map((r) => r.arrival - r.relay[1])),
    consumerLoopToHandler: distribution(measured.map((r) => r.handler - r.arrival)),
    handlerToInboxCommitted: distribution(measured.map((r) => r.committed - r.handler)),
    inboxCommittedToAcked: distribution(measured.map((r) => r.acked - r.committed)),
    writeTransaction: distribution(measured.map((r) => r.write.commitEnd - r.write.scheduled)),
  };
  let dump;
  if (options.dumpEvents) {
    // One line per event, ms since the first scheduled write: to see when latency builds up.
    const t0 = produced.startedAt;
    const f = (v) => (v === undefined ? '' : (v - t0).toFixed(3));
    const lines = ['index,record,scheduled,commit_start,commit_end,relay_publish,relay_ack,consumer_loop,handler,inbox_committed,acked,stream_seq'];
    for (const r of [...rows].sort((a, b) => a.write.index - b.write.index)) {
      lines.push([r.write.index, r.subject, f(r.write.scheduled), f(r.write.commitStart), f(r.write.commitEnd), f(r.relay?.[0]), f(r.relay?.[1]), f(r.arrival), f(r.handler), f(r.committed), f(r.acked), r.streamSeq].join(','));
    }
    dump = path.join(options.out, `events-${ctx.date.replace(/[:.]/g, '-')}-latency-${rate}.csv`);
    fs.mkdirSync(options.out, { recursive: true });
    fs.writeFileSync(dump, `${lines.join('\n')}\n`);
  }
  // What the consumer managed while it had a queue: handled events / (last ack - first take).
  const firstTake = Math.min(...rows.map((r) => r.arrival));
  const lastAck = Math.max(...rows.map((r) => r.acked));
  const consumerRate = rows.length > 1 ? Math.round(rows.length / ((lastAck - firstTake) / 1000)) : undefined;
  const relayBatches = ctx.latencySink.batches.slice(batchesBefore);
  const relayBreakdown = batchBreakdown(relayBatches);
  const result = {
    rate,
    durationSeconds: options.duration,
    warmupSeconds: options.warmup,
    produced: { scheduled: produced.total, committed, failedWrites: produced.errors.length, firstErrors: produced.errors.slice(0, 3), achievedRate: produced.achievedRate, maxScheduleLagMs: produced.maxScheduleLagMs },
    received: seen.size,
    missing,
    duplicateReceipts,
    inboxDuplicatesSkipped: taken.duplicates,
    lateFromEarlierRuns: foreign,
    redelivered: rows.filter((r) => r.redeliveries > 1).length,
    perRecordOrderViolations: outOfOrder,
    drainAfterLastWriteMs: round(drainMs),
    consumerEventsPerSecond: consumerRate,
    latencyMs: { fromCommitStart, fromCommitEnd },
    segmentsMs: segments,
    relay: { batches: relayBreakdown.batches, emptyPolls: relayBreakdown.emptyPolls, failedBatches: relayBreakdown.failedBatches, meanBatch: relayBreakdown.meanBatch, perBatchMs: relayBreakdown.perBatchMs },
    cpu,
    profile: profile && path.relative(ROOT, profile),
    dump: dump && path.relative(ROOT, dump),
  };
  console.log(`  received ${seen.size} of ${committed} (missing — not received within the drain timeout — ${missing}, duplicates ${duplicateReceipts}, order violations ${outOfOrder}); drained ${round(drainMs)} ms after the last write; consumer handled ${consumerRate} events/s over the run`);
  console.log(
    `  latency commit→handler (ms, ${fromCommitStart.count} events after warm-up): p50 ${fromCommitStart.p50}, p95 ${fromCommitStart.p95}, p99 ${fromCommitStart.p99}, max ${fromCommitStart.max} (from the end of COMMIT: p50 ${fromCommitEnd.p50}, p99 ${fromCommitEnd.p99})`,
  );
  console.log(
    `  segments p50/p99 (ms): COMMIT ${segments.commit.p50}/${segments.commit.p99}, commit→relay publish ${segments.commitEndToRelayPublish.p50}/${segments.commitEndToRelayPublish.p99}, JetStream ack ${segments.publishToJetStreamAck.p50}/${segments.publishToJetStreamAck.p99}, ack→consumer loop ${segments.ackToConsumerLoop.p50}/${segments.ackToConsumerLoop.p99}, loop→handler ${segments.consumerLoopToHandler.p50}/${segments.consumerLoopToHandler.p99}, handler→inbox COMMIT done ${segments.handlerToInboxCommitted.p50}/${segments.handlerToInboxCommitted.p99}, →acked ${segments.inboxCommittedToAcked.p50}/${segments.inboxCommittedToAcked.p99}`,
  );
  console.log(`  relay: ${relayBreakdown.batches} batches, ${relayBreakdown.meanBatch} events per batch on average`);
  console.log(`  CPU: ${cpuLine(cpu)}`);
  return result;
}

// ---------------------------------------------------------------------------------------------
// The benchmark.
// ---------------------------------------------------------------------------------------------
function parseArgs(argv) {
  const options = {
    events: 50000,
    records: 5000,
    batchSizes: [500, 1000, 2000],
    insertBatch: 1000,
    insertConcurrency: 4,
    rates: [500, 1000],
    duration: 20,
    warmup: 2,
    latencyBatchSize: 500,
    verify: 'full',
    throughput: true,
    latency: true,
    cpuProf: false,
    dumpEvents: false,
    consumerAck: 'ackAck',
    consumerConcurrency: 8,
    drainTimeoutMs: 120000,
    out: path.join(__dirname, 'results'),
  };
  const list = (value) => value.split(',').filter(Boolean).map(Number);
  for (const arg of argv) {
    const [key, value] = arg.replace(/^--/, '').split('=');
    if (key === 'events') options.events = Number(value);
    else if (key === 'records') options.records = Number(value);
    else if (key === 'batch-sizes') options.batchSizes = list(value);
    else if (key === 'insert-batch') options.insertBatch = Number(value);
    else if (key === 'insert-concurrency') options.insertConcurrency = Number(value);
    else if (key === 'rates') options.rates = list(value);
    else if (key === 'duration') options.duration = Number(value);
    else if (key === 'warmup') options.warmup = Number(value);
    else if (key === 'latency-batch-size') options.latencyBatchSize = Number(value);
    else if (key === 'verify') options.verify = value;
    else if (key === 'skip-throughput') options.throughput = false;
    else if (key === 'skip-latency') options.latency = false;
    else if (key === 'cpu-prof') options.cpuProf = true;
    else if (key === 'dump-events') options.dumpEvents = true;
    else if (key === 'consumer-ack') options.consumerAck = value;
    else if (key === 'consumer-concurrency') options.consumerConcurrency = Number(value);
    else if (key === 'out') options.out = path.resolve(value);
    else throw new Error(`unknown option ${arg}`);
  }
  // Keep every loop bounded.
  const check = (ok, message) => {
    if (!ok) throw new Error(message);
  };
  check(Number.isInteger(options.events) && options.events >= 100 && options.events <= 1000000, '--events must be 100..1000000');
  check(Number.isInteger(options.records) && options.records >= 1 && options.records <= 1000000, '--records must be 1..1000000');
  check(options.batchSizes.every((b) => Number.isInteger(b) && b >= 1 && b <= 10000), '--batch-sizes must be 1..10000 each');
  check(options.insertBatch >= 1 && options.insertBatch <= 10000, '--insert-batch must be 1..10000');
  check(options.insertConcurrency >= 1 && options.insertConcurrency <= 8, '--insert-concurrency must be 1..8 (the pool has 10 connections)');
  check(options.rates.every((r) => r >= 1 && r <= 5000), '--rates must be 1..5000 events/s each');
  check(options.duration >= 1 && options.duration <= 300, '--duration must be 1..300 seconds');
  check(options.warmup >= 0 && options.warmup <= 60, '--warmup must be 0..60 seconds');
  check(Number.isInteger(options.latencyBatchSize) && options.latencyBatchSize >= 1 && options.latencyBatchSize <= 10000, '--latency-batch-size must be 1..10000');
  check(options.consumerAck === 'ackAck' || options.consumerAck === 'ack', '--consumer-ack must be ackAck or ack');
  check(Number.isInteger(options.consumerConcurrency) && options.consumerConcurrency >= 1 && options.consumerConcurrency <= 64, '--consumer-concurrency must be 1..64');
  check(options.verify === 'full' || options.verify === 'sample', '--verify must be full or sample');
  check(options.records >= 20, '--records must be at least 20 (the latency producer keeps a record\'s writes apart)');
  return options;
}

/** Which code was measured: the commit, whether libs/ differ from it, and when libs' dist was built. */
function treeInfo() {
  const git = (...args) => {
    try {
      return execFileSync('git', args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    } catch {
      return undefined;
    }
  };
  let newestDist = 0;
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.js')) newestDist = Math.max(newestDist, fs.statSync(full).mtimeMs);
    }
  };
  for (const project of ['platform', 'testing', 'contracts']) {
    const dist = path.join(ROOT, 'libs', project, 'dist');
    if (fs.existsSync(dist)) walk(dist);
  }
  const changed = git('status', '--porcelain', '--untracked-files=no', '--', 'libs');
  return {
    commit: git('rev-parse', '--short', 'HEAD'),
    libsDifferFromCommit: changed === undefined ? undefined : changed.length > 0,
    distBuiltAt: newestDist ? new Date(newestDist).toISOString() : undefined,
  };
}

const state = { env: undefined, relays: new Set(), consumer: undefined, dataSource: undefined, nc: undefined, pg: undefined, cleanedUp: false };

async function cleanup() {
  if (state.cleanedUp) return;
  state.cleanedUp = true;
  const attempt = async (what, fn) => {
    try {
      await fn();
    } catch (error) {
      console.error(`cleanup: ${what}: ${error.message}`);
    }
  };
  for (const relay of state.relays) await attempt('stopping a relay', () => withTimeout('relay.stop()', relay.stop(), 15000));
  if (state.consumer) await attempt('stopping the consumer process', () => state.consumer.stop());
  if (state.pg) await attempt('closing the check connection', () => state.pg.end());
  if (state.dataSource?.isInitialized) await attempt('closing the pool', () => state.dataSource.destroy());
  if (state.nc) await attempt('closing NATS', () => state.nc.close());
  if (state.env) await attempt(`dropping databases and streams of run ${state.env.runId}`, () => state.env.cleanup());
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const { platform, testing } = loadLibs();
  const { connect } = require('nats');
  const { DataSource } = require('typeorm');
  const { Client } = require('pg');
  const { TestEnvironment, TEST_NATS_URL } = testing;
  const date = new Date().toISOString();
  const tree = treeInfo(); // before the run: others may rebuild dist meanwhile (this process has loaded it already)
  const env = (state.env = new TestEnvironment());

  const idleCheck = cpuWindow();
  await sleep(1000);
  const busyBeforeStart = idleCheck().machineBusyCores;
  if (busyBeforeStart > 0.25) console.warn(`warning: the machine is already busy (${busyBeforeStart} cores in use before the start); figures will be low`);

  // Databases: the writer's (outbox) and the consumer's (inbox), both with the platform migration.
  const logger = { info: () => undefined, warn: (m) => console.warn(`  [migrate] ${m}`) };
  // The tables every service gets next to its own (CreateEventTables1764400000000 and whatever the
  // platform adds there, e.g. tables the relay's housekeeping also prunes).
  const schema = platform.withEventTables
    ? platform.withEventTables({ entities: [], migrations: [] })
    : { entities: [], migrations: [platform.CreateEventTables1764400000000] };
  const databaseUrl = env.databaseUrl('bench_events');
  const consumerDatabaseUrl = env.databaseUrl('bench_events_consumer');
  await platform.runMigrations({ DATABASE_URL: databaseUrl, DB_POOL_SIZE: 10 }, schema, logger);
  await platform.runMigrations({ DATABASE_URL: consumerDatabaseUrl, DB_POOL_SIZE: 10 }, schema, logger);

  const nc = (state.nc = await connect({ servers: TEST_NATS_URL, noAsyncTraces: true, name: 'bench-events' }));
  const jsm = await nc.jetstreamManager();
  const js = nc.jetstream();
  const settings = {
    EVENTS_STREAM: env.eventsStream,
    EVENTS_SUBJECT_PREFIX: env.eventsPrefix,
    EVENTS_MAX_AGE_DAYS: 365,
    EVENTS_DUPLICATE_WINDOW_SECONDS: 120,
    DEADLETTER_STREAM: env.deadLetterStream,
    DEADLETTER_SUBJECT_PREFIX: env.deadLetterPrefix,
  };
  await platform.ensureEventStreams(jsm, settings);

  const dataSource = (state.dataSource = new DataSource(platform.dataSourceOptions({ DATABASE_URL: databaseUrl, DB_POOL_SIZE: 10 }, { entities: [], migrations: [] })));
  await dataSource.initialize();
  const pg = (state.pg = new Client({ connectionString: databaseUrl }));
  await pg.connect();

  const ctx = {
    platform,
    dataSource,
    pg,
    js,
    jsm,
    stream: env.eventsStream,
    prefix: env.eventsPrefix,
    databaseUrl,
    recorder: new platform.EventRecorder(),
    userIds: Array.from({ length: options.records }, () => crypto.randomUUID()),
    relays: state.relays,
    date,
    warnings: [],
    profileDir: path.join(options.out, `profiles-events-${date.replace(/[:.]/g, '-')}`),
  };
  console.log(`run ${env.runId}: stream ${env.eventsStream}, databases ${new URL(databaseUrl).pathname.slice(1)} and ${new URL(consumerDatabaseUrl).pathname.slice(1)}`);

  // Phase 1.
  const throughput = [];
  if (options.throughput) for (const batchSize of options.batchSizes) throughput.push(await relayThroughput(ctx, batchSize, options));

  // Phase 2.
  const latency = [];
  let clock;
  if (options.latency) {
    await pg.query('TRUNCATE outbox');
    await jsm.streams.purge(env.eventsStream);
    const latencySink = { batch: {}, batches: [], perMessage: new Map() };
    ctx.latencySink = latencySink;
    ctx.relayTimes = latencySink.perMessage;
    const relay = new platform.OutboxRelay({
      databaseUrl,
      js: timedJetStream(js, latencySink),
      subjectPrefix: env.eventsPrefix,
      batchSize: options.latencyBatchSize,
      logger: collectingLogger('relay', ctx.warnings),
    });
    instrumentRelay(relay, latencySink);
    state.relays.add(relay);
    relay.start();
    const consumer = (state.consumer = startConsumerProcess(
      {
        BENCH_NATS_URL: TEST_NATS_URL,
        BENCH_DATABASE_URL: consumerDatabaseUrl,
        BENCH_STREAM: env.eventsStream,
        BENCH_DEADLETTER_PREFIX: env.deadLetterPrefix,
        BENCH_CONSUMER_ACK: options.consumerAck,
        BENCH_CONSUMER_CONCURRENCY: String(options.consumerConcurrency),
      },
      options.cpuProf ? ctx.profileDir : undefined,
    ));
    await withTimeout('the consumer process to start', consumer.ready, 30000);
    ctx.consumer = consumer;
    clock = ctx.clock = await clockOffset(consumer);
    console.log(`\nconsumer process ${consumer.child.pid} ready; its clock is ${clock.offsetMs} ms off ours (measured over IPC, round trip ${clock.rttMs} ms)`);
    for (const rate of options.rates) latency.push(await latencyRun(ctx, rate, options));
    await withTimeout('relay.stop()', relay.stop(), 15000);
    state.relays.delete(relay);
    await consumer.stop();
    state.consumer = undefined;
  }

  // Goals.
  const goals = [];
  const defaultRun = throughput.find((t) => t.batchSize === 500);
  if (defaultRun) goals.push({ goal: 'relay ≥ 5,000 events/s (batchSize 500, the default)', actual: `${defaultRun.relay.eventsPerSecond} events/s`, pass: defaultRun.relay.eventsPerSecond >= 5000 });
  for (const run of throughput.filter((t) => t !== defaultRun)) {
    goals.push({ goal: `relay ≥ 5,000 events/s (batchSize ${run.batchSize})`, actual: `${run.relay.eventsPerSecond} events/s`, pass: run.relay.eventsPerSecond >= 5000 });
  }
  if (throughput.length) {
    goals.push({
      goal: 'stream holds every event once, per-record order = outbox order',
      actual: throughput.map((t) => `${t.verify.streamMessages}/${t.verify.expected}, ${t.verify.perRecordOrderViolations} order violations`).join('; '),
      pass: throughput.every((t) => t.verify.ok),
    });
  }
  const experiment = [options.consumerAck === 'ack' ? 'msg.ack()' : '', options.consumerConcurrency !== 8 ? `concurrency ${options.consumerConcurrency}` : '']
    .filter(Boolean)
    .join(', ');
  const tag = experiment ? ` [EXPERIMENT, not the shipped consumer: ${experiment}]` : '';
  for (const run of latency) {
    const l = run.latencyMs.fromCommitStart;
    goals.push({ goal: `p99 commit→consumer ≤ 100 ms at ${run.rate} events/s${tag}`, actual: `p50 ${l.p50} / p95 ${l.p95} / p99 ${l.p99} / max ${l.max} ms`, pass: l.p99 <= 100 });
    goals.push({
      goal: `no loss at ${run.rate} events/s (received = committed, in order)${tag}`,
      actual: `${run.received}/${run.produced.committed}, ${run.perRecordOrderViolations} order violations`,
      pass: run.missing === 0 && run.duplicateReceipts === 0 && run.perRecordOrderViolations === 0 && run.produced.failedWrites === 0,
    });
  }

  const results = {
    benchmark: 'events',
    date,
    tree,
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version, busyCoresBeforeStart: busyBeforeStart },
    options: { ...options, out: path.relative(ROOT, options.out) },
    runId: env.runId,
    throughput,
    latency,
    clock,
    warnings: ctx.warnings,
    goals,
  };
  printReport(results);
  fs.mkdirSync(options.out, { recursive: true });
  const file = path.join(options.out, `events-${date.replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nresults written to ${path.relative(process.cwd(), file) || file}`);
  if (options.cpuProf) console.log(`CPU profiles in ${path.relative(process.cwd(), ctx.profileDir)} (node bench/profile-summary.js ${path.relative(process.cwd(), ctx.profileDir)} --skip=0)`);
}

function printReport(r) {
  const row = (cells, widths) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
  console.log(`\ncommit ${r.tree.commit}${r.tree.libsDifferFromCommit ? ' (libs/ modified)' : ''}, libs dist built ${r.tree.distBuiltAt}; ${r.machine.cpus} cores shared by everything`);
  if (r.throughput.length) {
    const w = [10, 9, 9, 11, 8, 9, 9, 9, 7];
    console.log(`\nrelay throughput, ${r.options.events} events over ${r.options.records} records, outbox filled first`);
    console.log(row(['batchSize', 'insert/s', 'relay s', 'relay ev/s', 'batches', 'SELECT s', 'publish s', 'UPDATE s', 'order'], w));
    for (const t of r.throughput) {
      const ms = t.relay.breakdown.ms;
      console.log(
        row(
          [t.batchSize, t.insert.eventsPerSecond, t.relay.seconds, t.relay.eventsPerSecond, t.relay.breakdown.batches, round(ms.selectAndGroup / 1000, 2), round(ms.publishAndAcks / 1000, 2), round(ms.markSent / 1000, 2), t.verify.ok ? 'ok' : 'BAD'],
          w,
        ),
      );
    }
  }
  if (r.latency.length) {
    const w = [10, 9, 9, 7, 7, 7, 7, 8, 8];
    const experiment = r.options.consumerAck !== 'ackAck' || r.options.consumerConcurrency !== 8;
    if (experiment) console.log(`\nEXPERIMENT: consumer with --consumer-ack=${r.options.consumerAck} --consumer-concurrency=${r.options.consumerConcurrency} (not the shipped EventConsumer)`);
    console.log(`\ncommit→consumer handler latency (ms, from just before COMMIT; ${r.options.duration} s after ${r.options.warmup} s warm-up)`);
    console.log(row(['rate/s', 'committed', 'received', 'p50', 'p95', 'p99', 'max', 'mean', 'p99 end'], w));
    for (const l of r.latency) {
      const d = l.latencyMs.fromCommitStart;
      console.log(row([l.rate, l.produced.committed, l.received, d.p50, d.p95, d.p99, d.max, d.mean, l.latencyMs.fromCommitEnd.p99], w));
    }
  }
  if (r.machine.busyCoresBeforeStart > 0.25) console.log(`warning: ${r.machine.busyCoresBeforeStart} cores were busy before the start (other work on the machine)`);
  const disturbed = [...r.throughput, ...r.latency].filter((x) => x.cpu.coresUsedBy.other > 0.25);
  if (disturbed.length) console.log(`warning: other work used > 0.25 cores during ${disturbed.length} measured window(s); those figures are disturbed`);
  if (r.warnings.length) console.log(`relay/consumer warnings: ${r.warnings.length} (first: ${r.warnings[0]})`);
  console.log('\ngoals');
  for (const g of r.goals) console.log(`  ${g.pass ? 'PASS' : 'FAIL'}  ${g.goal}: ${g.actual}`);
}

// ---------------------------------------------------------------------------------------------
const role = process.argv.find((a) => a.startsWith('--role='))?.slice('--role='.length);
if (role === 'consumer') {
  runConsumer().catch((error) => {
    console.error(`consumer process failed: ${error.stack ?? error}`);
    process.exit(1);
  });
} else {
  const fail = async (error) => {
    console.error(`\nbenchmark failed: ${error?.stack ?? error}`);
    await cleanup();
    process.exit(1);
  };
  process.once('unhandledRejection', fail);
  process.once('uncaughtException', fail);
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping the relay and consumer, dropping the databases and streams ...`);
      cleanup().finally(() => process.exit(130));
    });
  }
  main()
    .then(cleanup)
    .then(() => process.exit(0))
    .catch(fail);
}
