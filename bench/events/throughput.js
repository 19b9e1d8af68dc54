'use strict';
/* Phase 1: relay throughput from a full outbox, and the stream read back and checked against the outbox. */
const path = require('path');
const h = require('../lib/harness');
const { now, collectingLogger, startProfile, timedJetStream, instrumentRelay, batchBreakdown, cpuWindow, cpuLine } = require('./timing');

const EVENT_TYPE = 'identity.user.registered.v1';

/** Commits `count` events into the outbox through EventRecorder.record, many per transaction. */
async function fillOutbox(ctx, count, options) {
  const { dataSource, recorder, userIds } = ctx;
  const random = h.prng(42);
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
  return { events: count, seconds: h.round(seconds, 2), eventsPerSecond: Math.round(count / seconds) };
}

/** The whole stream, read with an ordered consumer: event id → stream sequence, and what was wrong with the messages. */
async function readStream(ctx, total, expected) {
  const seqOf = new Map();
  const bad = { duplicates: 0, headers: 0, subjects: 0 };
  const messages = await (await ctx.js.consumers.get(ctx.stream)).consume({ max_messages: 1000 });
  const deadline = setTimeout(() => messages.stop(), Math.max(30000, expected));
  let read = 0;
  for await (const m of messages) {
    read++;
    const event = JSON.parse(Buffer.from(m.data).toString());
    if (seqOf.has(event.id)) bad.duplicates++;
    seqOf.set(event.id, m.seq);
    if (m.headers?.get('Nats-Msg-Id') !== event.id) bad.headers++;
    if (m.subject !== `${ctx.prefix}.${event.type}`) bad.subjects++;
    if (read >= total || m.info.pending === 0) break;
  }
  clearTimeout(deadline);
  return { read, seqOf, bad };
}

/** Outbox rows missing from the stream, and per-record order violations (every tenth record with `sample`). */
function orderOf(rows, seqOf, mode) {
  const lastSeqOfRecord = new Map();
  let missing = 0;
  let outOfOrder = 0;
  let checkedRecords = 0;
  const sampled = mode === 'sample' ? new Set([...new Set(rows.map((r) => r.record_id))].filter((_, i) => i % 10 === 0)) : undefined;
  for (const row of rows) {
    const seq = seqOf.get(row.id);
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
  return { missing, outOfOrder, checkedRecords };
}

/** Reads the whole stream back (ordered consumer) and checks it against the outbox. */
async function verifyStream(ctx, expected, mode) {
  const info = await ctx.jsm.streams.info(ctx.stream);
  const startedAt = now();
  const { read, seqOf, bad } = await readStream(ctx, info.state.messages, expected);
  const { rows } = await ctx.pg.query('SELECT id::text AS id, record_id, seq FROM outbox ORDER BY seq');
  const { missing, outOfOrder, checkedRecords } = orderOf(rows, seqOf, mode);
  const result = {
    streamMessages: info.state.messages,
    expected,
    read,
    outboxRows: rows.length,
    missingFromStream: missing,
    duplicatesInStream: bad.duplicates,
    msgIdHeaderMismatches: bad.headers,
    subjectMismatches: bad.subjects,
    recordsChecked: checkedRecords,
    perRecordOrderViolations: outOfOrder,
    mode,
    seconds: h.round((now() - startedAt) / 1000, 2),
  };
  result.ok = info.state.messages === expected && read === expected && rows.length === expected && !missing && !bad.duplicates && !bad.headers && !bad.subjects && !outOfOrder;
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
  return { longestChainInABatch: longest, meanLongestChainPerBatch: h.round(sumLongest / Math.max(1, batches), 2) };
}

/** An OutboxRelay of `batchSize`, timed per batch; `done` resolves at the end of the batch that brings the total to `events`. */
function timedRelay(ctx, batchSize, events) {
  const sink = { batch: {}, batches: [] };
  let total = 0;
  const timing = { doneAt: undefined };
  let resolveDone;
  const done = new Promise((resolve) => (resolveDone = resolve));
  const relay = new ctx.platform.OutboxRelay({ databaseUrl: ctx.databaseUrl, js: timedJetStream(ctx.js, sink), subjectPrefix: ctx.prefix, batchSize, logger: collectingLogger(`relay ${batchSize}`, ctx.warnings) });
  instrumentRelay(relay, sink, (batch) => {
    total += batch.sent;
    if (total >= events && !timing.doneAt) {
      timing.doneAt = batch.end;
      resolveDone();
    }
  });
  return { relay, sink, done, timing };
}

/** Starts the relay on the full outbox and times it until every event is published. */
async function runRelay(ctx, batchSize, options) {
  const { relay, sink, done, timing } = timedRelay(ctx, batchSize, options.events);
  ctx.relays.add(relay);
  const stopProfile = startProfile(options.cpuProf);
  const stopCpu = cpuWindow({}, 'bench (relay)');
  const startedAt = now();
  relay.start();
  let cpu;
  let profile;
  try {
    await h.withTimeout(`the relay to publish ${options.events} events`, done, Math.max(120000, options.events * 2));
  } finally {
    cpu = stopCpu();
    profile = await stopProfile(path.join(ctx.profileDir, `relay-batch-${batchSize}.cpuprofile`));
    await relay.stop();
    ctx.relays.delete(relay);
  }
  return { sink, startedAt, doneAt: timing.doneAt, cpu, profile };
}

async function relayThroughput(ctx, batchSize, options) {
  const { pg, jsm, stream } = ctx;
  console.log(`\n[relay, batchSize ${batchSize}] filling the outbox with ${options.events} events (${options.insertBatch} per transaction, ${options.insertConcurrency} at a time) ...`);
  await pg.query('TRUNCATE outbox');
  await jsm.streams.purge(stream);
  const insert = await fillOutbox(ctx, options.events, options);
  await pg.query('ANALYZE outbox');
  const chains = await chainStats(pg, batchSize);
  console.log(`  inserted in ${insert.seconds} s (${insert.eventsPerSecond} events/s); longest per-record chain in a batch: ${chains.longestChainInABatch}`);
  const { sink, startedAt, doneAt, cpu, profile } = await runRelay(ctx, batchSize, options);
  const seconds = (doneAt - startedAt) / 1000;
  const firstBatchAt = sink.batches[0]?.start;
  const pendingAfter = (await pg.query('SELECT count(*)::int AS n FROM outbox WHERE sent_at IS NULL')).rows[0].n;
  const eventsPerSecond = Math.round(options.events / seconds);
  console.log(`  relayed ${options.events} events in ${h.round(seconds, 2)} s: ${eventsPerSecond} events/s (pending after: ${pendingAfter})`);
  const breakdown = batchBreakdown(sink.batches, doneAt - firstBatchAt);
  const ms = breakdown.ms;
  console.log(`  relay time: SELECT+group ${ms.selectAndGroup} ms, publish+acks ${ms.publishAndAcks} ms, UPDATE ${ms.markSent} ms, between batches ${ms.betweenBatches} ms (${breakdown.batches} batches)`);
  console.log(`  CPU: ${cpuLine(cpu)}`);
  const verify = await verifyStream(ctx, options.events, options.verify);
  console.log(
    `  stream: ${verify.streamMessages} messages (expected ${options.events}), missing ${verify.missingFromStream}, duplicates ${verify.duplicatesInStream}, per-record order violations ${verify.perRecordOrderViolations} over ${verify.recordsChecked} records: ${verify.ok ? 'ok' : 'NOT OK'}`,
  );
  const relay = { events: options.events, seconds: h.round(seconds, 3), eventsPerSecond, connectMs: h.round(firstBatchAt - startedAt, 1), pendingAfter, breakdown };
  return { batchSize, insert, chains, relay, cpu, verify, profile: profile && path.relative(h.ROOT, profile) };
}

module.exports = { EVENT_TYPE, relayThroughput };
