'use strict';
/* One fault at a time, injected and lifted under the open-loop load, then waited out until the events settle. */
const h = require('../lib/harness');
const { now, openLoop } = require('./open-loop');
const { rowsOf } = require('./stored');
const { check } = require('./check');

const FAULTS = {
  'kill-complaints': 'SIGKILL of complaints, restarted',
  'kill-reporting': 'SIGKILL of reporting, restarted',
  'nats-stop': 'NATS stopped, then started',
  'pg-restart': 'PostgreSQL restarted (fast)',
  'pg-stop': 'PostgreSQL stopped, then started',
};

/** How each fault is injected and lifted (`marks.liftedAt` when it is). `run`: `{ system, nats, postgres }`. */
function injectors(run, options) {
  const restartAfterKill = (name) => async (marks) => {
    const proc = run.system.process(name);
    await proc.stop('SIGKILL');
    marks.note = `${name} exited`;
    await h.sleep(options.restartDelay * 1000);
    marks.liftedAt = now();
    await proc.start({ waitUntilLive: false });
  };
  const outage = (server) => async (marks) => {
    await server.stop();
    await h.sleep(options.outage * 1000);
    marks.liftedAt = now();
    await server.run();
  };
  return {
    'kill-complaints': restartAfterKill('complaints'),
    'kill-reporting': restartAfterKill('reporting'),
    'nats-stop': outage(run.nats),
    'pg-restart': async (marks) => {
      await run.postgres.restart('fast');
      marks.liftedAt = now();
    },
    'pg-stop': outage({ stop: () => run.postgres.stop('fast'), run: () => run.postgres.run() }),
  };
}

/** Waits until the outbox has published everything and reporting holds every stored complaint. */
async function settle(run, records, options) {
  const { databases } = run;
  const began = now();
  const markers = records.filter((r) => r.kind === 'complaint').map((r) => r.marker);
  let last = {};
  while (now() - began < options.settleTimeout * 1000) {
    try {
      const stored = await rowsOf(databases.complaints, `SELECT id FROM complaints WHERE title = ANY($1)`, [markers]);
      const [{ pending }] = await rowsOf(databases.complaints, `SELECT count(*)::int AS pending FROM outbox WHERE sent_at IS NULL`);
      const [{ facts }] = await rowsOf(databases.reporting, `SELECT count(*)::int AS facts FROM complaint_facts WHERE complaint_id = ANY($1::uuid[])`, [stored.map((r) => r.id)]);
      last = { stored: stored.length, pending, facts };
      if (pending === 0 && facts === stored.length) return { seconds: h.round((now() - began) / 1000, 1), done: true, ...last };
    } catch (error) {
      last = { error: error.message };
    }
    await h.sleep(500);
  }
  return { seconds: options.settleTimeout, done: false, ...last };
}

/**
 * Recovered: the fault is lifted and the gateway's readiness answers 200 (NATS and all four
 * services, each with its database), polled every 100 ms for up to 120 s. `ready` keeps the last answer.
 */
async function recovery(gatewayUrl, marks, ready) {
  const deadline = Date.now() + 120000;
  while (Date.now() < deadline) {
    const res = await h.http('GET', `${gatewayUrl}/health/ready`, { timeoutMs: 5000 }).catch(() => ({ status: 0 }));
    ready.status = String(res.status);
    if (res.status === 200) {
      marks.recoveredAt = now();
      return;
    }
    await h.sleep(100);
  }
}

/** A status line of the fault's run: stage, readiness, requests and their answers so far. */
function statusOf(fault, marks, state, load) {
  return () => {
    const done = load.records.filter((r) => r.status !== undefined);
    const count = (f) => done.filter(f).length;
    const elapsed = ((now() - marks.startedAt) / 1000).toFixed(0).padStart(3);
    return `[${fault}] ${elapsed} s ${state.stage.padEnd(10)} ready:${state.ready.status}  sent ${load.records.length}, in flight ${load.inFlight()}: 201 ${count((r) => r.status === 201)}, 503 ${count((r) => r.status === 503)}, other ${count((r) => r.status !== 201 && r.status !== 503)}`;
  };
}

/** Steady load, the fault, recovery, more load, drain, settle; then the checks. */
async function runFault(run, fault, streams, options) {
  const marks = { fault, startedAt: now() };
  const state = { stage: 'steady', ready: { status: '?' } };
  const load = openLoop(run.system.gatewayUrl, streams, { clientTimeoutMs: Math.max(30000, options.rpcTimeout * 4), phase: fault });
  const stopStatus = h.statusLine(statusOf(fault, marks, state, load));
  try {
    await h.sleep(options.steady * 1000);
    state.stage = 'fault';
    marks.injectedAt = now();
    await injectors(run, options)[fault](marks);
    state.stage = 'recovering';
    await recovery(run.system.gatewayUrl, marks, state.ready);
    state.stage = 'after';
    await h.sleep(options.after * 1000);
    state.stage = 'draining';
    await load.stop();
    state.stage = 'settling';
    marks.settle = await settle(run, load.records, options);
  } finally {
    stopStatus();
  }
  return { fault, marks, records: load.records, checks: await check(run, load.records, marks, options) };
}

module.exports = { FAULTS, runFault };
