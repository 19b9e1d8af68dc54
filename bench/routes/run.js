'use strict';
/*
 * One scenario at a fixed rate, open loop: its records made first (not measured), then a warm-up
 * and a measured window in which the requests start on schedule whatever earlier ones are doing
 * (latency from the scheduled start, queueing included), with the CPU of every process sampled.
 */
const h = require('../lib/harness');

const GOAL_P99_MS = 50;
/*
 * A write scenario leaves work behind (events to relay, consume and compose, audit rows to chain) that
 * at 250 writes a second can take minutes to drain; a scenario measured while it drains measures that
 * backlog, not its route. Two minutes at most, and the row says how long it waited and whether the
 * machine was quiet when it began.
 */
const SETTLE_MAX_MS = 120_000;

/** Waits until the machine is quiet again (the events a write scenario left behind handled), at most SETTLE_MAX_MS. */
async function settle() {
  const start = Date.now();
  let busy = await h.busyCores(500);
  while (busy > 0.15 && Date.now() - start < SETTLE_MAX_MS) busy = await h.busyCores(500);
  if (busy > 0.15) console.warn(`warning: still ${busy} cores busy after ${SETTLE_MAX_MS / 1000} s; this scenario starts on a busy machine`);
  return { ms: Date.now() - start, busy };
}

/** PSS in MB of each process (shared pages counted once across them), right after a measured window. */
const pssOf = (pids) => Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, Math.round((h.proportional(pid)?.pssKb ?? 0) / 1024)]));

/** The method of a route (`GET /api/v1/…`). */
const methodOf = (route) => route.split(' ')[0];

/**
 * A unit of the load: the next record, its request (with the scenario's token unless it names
 * its own), the answer checked against `expect`; what came back as expected goes to `after`.
 */
function unitOf(s, ctx, items, counters, token) {
  let next = 0;
  return async (send) => {
    const k = next++;
    const item = items ? items[k % items.length] : k;
    const r = s.request(item, k, ctx);
    const headers = { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(r.headers ?? {}) };
    const res = await send(r.method ?? methodOf(s.route), r.path, r.body, headers);
    const expected = Array.isArray(s.expect) ? s.expect : [s.expect ?? 200];
    if (expected.includes(res.status)) {
      counters.ok += 1;
      if (s.after) s.after(item, res, ctx);
    } else {
      counters.unexpected[res.status] = (counters.unexpected[res.status] ?? 0) + 1;
      counters.sample ??= `${res.status} ${JSON.stringify(res.json ?? '').slice(0, 300)}`;
    }
  };
}

/** Runs one scenario: `{ route, label, rate, p50, p99, cpuMsPerRequest, unexpected, pass, … }`. */
async function runScenario(s, ctx, options) {
  const rate = s.rate ?? options.rate;
  const warmup = s.warmup ?? options.warmup;
  const duration = s.duration ?? options.duration;
  const needed = Math.ceil(rate * (warmup + duration) * 1.05) + 20;
  const quiet = await settle();
  const t0 = Date.now();
  const items = s.prepare ? await s.prepare(ctx, needed) : null;
  if (items && items.length === 0) throw new Error(`${s.label ?? s.route}: nothing to load`);
  if (items && s.once && items.length < needed) throw new Error(`${s.label ?? s.route}: ${items.length} records for ${needed} requests`);
  const prepareMs = Date.now() - t0;
  if (s.prepare) await settle();
  const token = s.who ? await ctx.who.token(s.who) : undefined;
  const counters = { ok: 0, unexpected: {}, sample: undefined };
  const unit = unitOf(s, ctx, items, counters, token);
  const run = (seconds) => h.paced({ url: ctx.url, rate, duration: seconds, connections: options.connections, unit });
  const { result, cpu } = await h.measureWindow({ run, pids: ctx.pids, warmup, duration });
  if (s.finish) await s.finish(ctx);
  const pss = pssOf(ctx.pids);
  h.processesOf(ctx.system).forEach(h.failIfExited);
  const unexpected = Object.values(counters.unexpected).reduce((a, b) => a + b, 0);
  const row = {
    route: s.route,
    label: s.label ?? s.route,
    rate,
    requests: result.requests,
    requestsPerSecond: result.requestsPerSecond,
    p50: result.latencyMs.p50,
    p99: result.latencyMs.p99,
    max: result.latencyMs.max,
    unexpected: counters.unexpected,
    sample: counters.sample,
    errors: result.errors,
    cpu,
    cpuMsPerRequest: h.cpuMsPerRequest(cpu, result.requests),
    pssMb: pss,
    prepareMs,
    settledBeforeMs: quiet.ms,
    busyAtStart: quiet.busy,
    goal: s.goal === false ? 'none' : `p99 <= ${GOAL_P99_MS} ms`,
    note: s.note,
  };
  row.pass = s.goal === false ? null : row.p99 <= GOAL_P99_MS && unexpected === 0 && result.errors === 0;
  console.log(
    `[${row.label}] ${row.requestsPerSecond} req/s, p50 ${row.p50} ms, p99 ${row.p99} ms, unexpected ${unexpected}${counters.sample ? ` (${counters.sample})` : ''}` +
      `  (cores: ${h.topCores(cpu)})${row.pass === false ? '  FAIL' : ''}`,
  );
  return row;
}

module.exports = { GOAL_P99_MS, runScenario, settle };
