'use strict';
/* The latency phase's producer: one transaction per event, open-loop at a fixed rate. */
const h = require('../lib/harness');
const { now } = require('./timing');
const { EVENT_TYPE } = require('./throughput');

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

/**
 * Open-loop producer: event i is due at start + i/rate, whatever happened to the earlier ones; two
 * writes of the same record are never in flight together (as a row lock would keep them).
 */
async function produce(ctx, rate, seconds) {
  const total = Math.round(rate * seconds);
  const maxInFlight = 200;
  const random = h.prng(rate);
  const busy = new Set(); // records with a write in flight
  const out = { writes: [], errors: [], maxLagMs: 0 };
  const pending = new Set();
  let launched = 0;
  const startedAt = now();
  const launch = () => {
    let userId;
    do userId = ctx.userIds[Math.floor(random() * ctx.userIds.length)];
    while (busy.has(userId));
    const scheduled = startedAt + (launched * 1000) / rate;
    out.maxLagMs = Math.max(out.maxLagMs, now() - scheduled);
    const index = launched++;
    busy.add(userId);
    const p = writeOne(ctx, userId).then(
      (w) => out.writes.push({ ...w, index, scheduled }),
      (error) => out.errors.push(error.message),
    );
    pending.add(p);
    p.finally(() => {
      busy.delete(userId);
      pending.delete(p);
    });
  };
  while (launched < total) {
    const due = Math.min(total, Math.floor(((now() - startedAt) / 1000) * rate) + 1);
    while (launched < due && pending.size < maxInFlight) launch();
    await h.sleep(1);
  }
  await Promise.all(pending);
  const wall = (now() - startedAt) / 1000;
  return { writes: out.writes, errors: out.errors, total, startedAt, seconds: wall, achievedRate: h.round(total / wall, 1), maxScheduleLagMs: h.round(out.maxLagMs, 1) };
}

module.exports = { produce };
