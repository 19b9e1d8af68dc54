'use strict';
/*
 * The walking-slice benchmark's run: the full path (gateway → NATS → identity → TypeORM →
 * PostgreSQL) under load, then the bare path (bare.js) doing the same work. See bench/README.md.
 */
const path = require('path');
const { performance } = require('perf_hooks');
const h = require('../lib/harness');
const { AGENCIES_PATH, SUBJECT } = require('./bare');
const { results, printReport } = require('./report');

const SCRIPT = path.join(__dirname, '..', 'walking-slice.js');

/** Warm-up (discarded), then the measured run with RSS and CPU sampled. */
async function measure(label, url, named, options, headers) {
  console.log(`[${label}] warm-up ${options.warmup} s, ${options.connections} connections ...`);
  const run = (duration) => h.autocannon({ url, connections: options.connections, duration, headers }).then((r) => h.summarize(r));
  const onMeasuring = () => console.log(`[${label}] measuring ${options.duration} s ...`);
  const { result: summary, cpu, rss } = await h.measureWindow({ run, pids: named, warmup: options.warmup, duration: options.duration, cpuLabels: { self: 'bench (autocannon)' }, onMeasuring });
  console.log(`[${label}] ${summary.requestsPerSecond} req/s, p50 ${summary.latencyMs.p50} ms, p99 ${summary.latencyMs.p99} ms, non-2xx ${summary.non2xx}, errors ${summary.errors}`);
  return { summary, cpu, rss };
}

/** V8 heap figures (MB) from a process's Prometheus /metrics (prom-client's default metrics). */
async function heapOf(metricsUrl) {
  try {
    const { status, body } = await h.http('GET', metricsUrl, { timeoutMs: 2000 });
    if (status !== 200) return undefined;
    const value = (name) => {
      const match = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+]+)$`, 'm').exec(body);
      return match ? Math.round((Number(match[1]) / 1048576) * 10) / 10 : undefined;
    };
    return { heapUsed: value('nodejs_heap_size_used_bytes'), heapTotal: value('nodejs_heap_size_total_bytes'), external: value('nodejs_external_memory_bytes') };
  } catch {
    return undefined;
  }
}

/** RSS, PSS and V8 heap of every process of the system now. */
async function memoryOf(system, pids) {
  const each = (f) => Object.fromEntries(system.names.map((name) => [name, f(pids[name])]));
  const heap = Object.fromEntries(await Promise.all(system.names.map(async (name) => [name, await heapOf(system.metricsUrl(name))])));
  return { memory: each(h.memory), proportional: each(h.proportional), heap };
}

/**
 * 1. The five processes started at once; readiness = from the spawn until the gateway's
 * /health/ready is 200; each process's liveness time beside it.
 */
async function startFull(testing, environment, options, nodeFlags) {
  const liveMs = {};
  let liveWaits;
  const onSpawned = (system) => {
    // Informational: failures surface through the readiness wait.
    const live = (name) => async () => (await h.http('GET', `http://127.0.0.1:${system.ports[name]}/health/live`, { timeoutMs: 1000 })).status === 200;
    liveWaits = system.names.map((name) =>
      h.waitUntil(`${name} to be live`, live(name), 60000, 25, [system.procs[name]]).then(
        () => (liveMs[name] = Math.round(performance.now() - system.spawnedAt)),
        () => (liveMs[name] = null),
      ),
    );
  };
  const nodeOptions = options.nodeOptions ? { NODE_OPTIONS: options.nodeOptions } : {};
  const system = await h.startSystem(testing, environment, { extra: () => ({ ...nodeOptions, LOG_LEVEL: 'warn' }), nodeFlags, onSpawned });
  await Promise.all(liveWaits);
  console.log(`system ready in ${system.readyMs} ms (live: ${system.names.map((n) => `${n} ${liveMs[n]} ms`).join(', ')})`);
  return { system, liveMs };
}

/** Signs in as the test admin (the slice is an authenticated route) and checks the slice's answer. */
async function checkSlice(testing, system) {
  let token;
  const signIn = async () => (token = await h.login(system.gatewayUrl, testing.TEST_ADMIN.email, testing.TEST_ADMIN.password).catch(() => undefined));
  await h.waitUntil('the admin to sign in', signIn, 20000, 200, h.processesOf(system));
  const headers = { authorization: `Bearer ${token}` };
  const probe = await h.http('GET', `${system.gatewayUrl}${AGENCIES_PATH}`, { headers, timeoutMs: 2000 });
  if (probe.status !== 200) throw new Error(`GET ${AGENCIES_PATH} answered ${probe.status}: ${probe.body}`);
  const reference = JSON.parse(probe.body);
  if (!Array.isArray(reference.items) || reference.items.length !== 11 || reference.total !== 11) {
    throw new Error(`GET ${AGENCIES_PATH} did not list the 11 agencies: ${probe.body.slice(0, 300)}`);
  }
  return { headers, probe, reference };
}

/** 2.–4. Idle memory, the full path under load, memory after it; then the system is stopped (its databases kept). */
async function fullPath(system, options, headers) {
  await h.sleep(2000);
  const pids = h.pidsOf(system);
  const idle = await memoryOf(system, pids);
  const full = await measure('full', `${system.gatewayUrl}${AGENCIES_PATH}`, pids, options, headers);
  h.processesOf(system).forEach(h.failIfExited);
  const afterLoad = await memoryOf(system, pids);
  const stopStarted = performance.now();
  await h.stopSystem(system);
  const stopMs = Math.round(performance.now() - stopStarted);
  const exitCodes = Object.fromEntries(await Promise.all(h.processesOf(system).map(async (p) => [p.name, (await p.exit).code])));
  return { full, idle, afterLoad, stopMs, exitCodes };
}

/** 5. The bare path against the identity database the system created; its answer must be the full path's. */
async function barePath(testing, environment, options, nodeFlags, slice) {
  const env = {
    ...(options.nodeOptions ? { NODE_OPTIONS: options.nodeOptions } : {}),
    BARE_NATS_URL: testing.TEST_NATS_URL,
    BARE_SUBJECT: `${environment.natsPrefix}.bare.${SUBJECT}`,
    BARE_DATABASE_URL: environment.databaseUrl('identity'),
    BARE_ALWAYS_COUNT: options.bareAlwaysCount ? '1' : '0',
  };
  const start = (role) => h.startBareTwin([...nodeFlags(`bare-${role}`), SCRIPT, `--role=bare-${role}`], env, `bare-${role}`);
  const responder = await start('responder');
  const front = await start('http');
  const url = `${front.url}${AGENCIES_PATH}`;
  const probe = await h.http('GET', url, { headers: slice.headers, timeoutMs: 2000 });
  if (probe.status !== 200) throw new Error(`bare ${AGENCIES_PATH} answered ${probe.status}: ${probe.body}`);
  if (JSON.stringify(JSON.parse(probe.body)) !== JSON.stringify(slice.reference)) {
    throw new Error(`the bare path answers differently:\n full: ${slice.probe.body.slice(0, 300)}\n bare: ${probe.body.slice(0, 300)}`);
  }
  const pids = { 'bare-http': front.bare.child.pid, 'bare-responder': responder.bare.child.pid };
  const idleKb = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, h.memory(pid).rssKb]));
  const bare = await measure('bare', url, pids, options, slice.headers);
  h.failIfExited(front.bare);
  h.failIfExited(responder.bare);
  return { bare, url, idleKb };
}

async function main(options) {
  const testing = h.loadTesting();
  const environment = h.track(new testing.TestEnvironment());
  // The figures are only meaningful on an otherwise idle machine: measure what else is running.
  const busyBeforeStart = await h.busyCores(1000);
  if (busyBeforeStart > 0.25) console.warn(`warning: the machine is already busy (${busyBeforeStart} cores in use before the start); figures will be low`);
  // --cpu-prof: V8 CPU profiles of every process (written when it exits), to see where CPU goes.
  // Profiling costs throughput, so such a run's figures are not for comparing against the goals.
  const profileDir = path.join(options.out, `profiles-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  const nodeFlags = (name) => (options.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${name}.cpuprofile`] : []);
  const { system, liveMs } = await startFull(testing, environment, options, nodeFlags);
  const slice = await checkSlice(testing, system);
  const full = await fullPath(system, options, slice.headers);
  const bare = await barePath(testing, environment, options, nodeFlags, slice);
  const r = results({ options, busyBeforeStart, profileDir, environment, system, liveMs, full, bare });
  printReport(r, system.names);
  const file = h.writeResults(options.out, 'walking-slice', r.date, r);
  console.log(`\nresults written to ${h.relative(file)}`);
}

module.exports = { main };
