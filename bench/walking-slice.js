#!/usr/bin/env node
/*
 * Walking-slice benchmark: GET /api/v1/agencies through the real system (gateway → NATS →
 * identity → TypeORM → PostgreSQL) against a "bare" path doing the same work with no framework
 * (node:http → raw nats request → plain responder → pg). See bench/README.md.
 *
 *   node bench/walking-slice.js [--duration=15] [--warmup=3] [--connections=50]
 *                               [--bare-always-count] [--cpu-prof] [--node-options="--max-semi-space-size=4"]
 *                               [--out=bench/results]
 *
 * Needs a built tree (npx nx run-many -t build), PostgreSQL and NATS on 127.0.0.1.
 * Exit code: 0 when the benchmark ran (whether or not the goals were met), 1 on errors.
 *
 * The same file also runs the two bare processes (--role=bare-http, --role=bare-responder).
 */
'use strict';

const { spawn, execFileSync } = require('child_process');
const { cpuOf, machineCpu, serverPids } = require('./lib/harness');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { performance } = require('perf_hooks');

const ROOT = path.resolve(__dirname, '..');
const AGENCIES_PATH = '/api/v1/agencies';
const SUBJECT = 'identity.agency.list';

/*
 * The SQL TypeORM sends for AgenciesService.list() with no filters (captured from the real
 * service). TypeORM's getManyAndCount() skips the COUNT when the page is not full and the offset
 * is 0 ("lazy count"): with 11 agencies and pageSize 20 the real path runs only the SELECT. The
 * bare responder applies the same rule, unless --bare-always-count is given.
 */
const SELECT_SQL =
  'SELECT "a"."id" AS "a_id", "a"."code" AS "a_code", "a"."name" AS "a_name", "a"."kind" AS "a_kind", ' +
  '"a"."created_at" AS "a_created_at", "a"."updated_at" AS "a_updated_at" FROM "agencies" "a" ORDER BY "a"."code" ASC LIMIT 20 OFFSET 0';
const COUNT_SQL = 'SELECT COUNT(DISTINCT("a"."id")) AS "cnt" FROM "agencies" "a"';

// ---------------------------------------------------------------------------------------------
// Bare path, process 1: the responder (NATS subscription + pg Pool of 10).
// ---------------------------------------------------------------------------------------------
async function runBareResponder() {
  const { connect } = require('nats');
  const { Pool } = require('pg');
  const subject = process.env.BARE_SUBJECT;
  const alwaysCount = process.env.BARE_ALWAYS_COUNT === '1';
  const pool = new Pool({ connectionString: process.env.BARE_DATABASE_URL, max: 10 });
  const nc = await connect({ servers: process.env.BARE_NATS_URL, name: 'bare-responder' });

  async function list(query) {
    const page = Number(query.page) || 1;
    const pageSize = Number(query.pageSize) || 20;
    const client = await pool.connect();
    try {
      const { rows } = await client.query(SELECT_SQL);
      let total = rows.length; // TypeORM's lazy count (no offset, page not full)
      if (alwaysCount || rows.length === pageSize) total = Number((await client.query(COUNT_SQL)).rows[0].cnt);
      const items = rows.map((r) => ({ id: r.a_id, code: r.a_code, name: r.a_name, kind: r.a_kind }));
      return { items, page, pageSize, total };
    } finally {
      client.release();
    }
  }

  nc.subscribe(subject, {
    queue: 'bare',
    callback: (err, msg) => {
      if (err || !msg.reply) return;
      let id;
      Promise.resolve()
        .then(() => {
          const request = JSON.parse(Buffer.from(msg.data).toString());
          id = request.id;
          return list(request.data || {});
        })
        .then(
          (response) => msg.respond(Buffer.from(JSON.stringify({ response, isDisposed: true, id }))),
          (error) => msg.respond(Buffer.from(JSON.stringify({ err: String(error && error.message), isDisposed: true, id }))),
        );
    },
  });
  await nc.flush();
  await pool.query('SELECT 1'); // fail now, not under load, if the database is not there
  exitWithParent(async () => {
    await nc.drain().catch(() => undefined);
    await pool.end().catch(() => undefined);
  });
  process.send({ ready: true });
}

// ---------------------------------------------------------------------------------------------
// Bare path, process 2: the HTTP front (node:http + raw nats request per HTTP request).
// ---------------------------------------------------------------------------------------------
async function runBareHttp() {
  const http = require('http');
  const { randomUUID } = require('crypto');
  const { connect } = require('nats');
  const subject = process.env.BARE_SUBJECT;
  const nc = await connect({ servers: process.env.BARE_NATS_URL, name: 'bare-http' });

  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    if (req.method !== 'GET' || url.pathname !== AGENCIES_PATH) {
      res.writeHead(404).end();
      return;
    }
    const data = Object.fromEntries(url.searchParams);
    const payload = Buffer.from(JSON.stringify({ pattern: SUBJECT, data, id: randomUUID() }));
    nc.request(subject, payload, { timeout: 5000 }).then(
      (msg) => {
        const reply = JSON.parse(Buffer.from(msg.data).toString());
        if (reply.err !== undefined && reply.err !== null) {
          res.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ error: reply.err }));
          return;
        }
        const body = JSON.stringify(reply.response);
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      },
      (error) => res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ error: error.message })),
    );
  });
  server.keepAliveTimeout = 72000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  exitWithParent(async () => {
    await new Promise((resolve) => server.close(resolve));
    await nc.drain().catch(() => undefined);
  });
  process.send({ ready: true, port: server.address().port });
}

/** The bare processes end with the benchmark (IPC channel closed) or on SIGTERM. */
function exitWithParent(close) {
  let closing = false;
  const stop = () => {
    if (closing) return;
    closing = true;
    const timer = setTimeout(() => process.exit(0), 3000);
    timer.unref();
    close().finally(() => process.exit(0));
  };
  process.on('disconnect', stop);
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

// ---------------------------------------------------------------------------------------------
// Measuring processes: RSS and CPU from /proc.
// ---------------------------------------------------------------------------------------------
const mb = (kb) => Math.round((kb / 1024) * 10) / 10;

/** VmRSS and VmHWM in kB, or undefined once the process is gone. */
function memory(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    return { rssKb: Number(/VmRSS:\s+(\d+)/.exec(status)[1]), hwmKb: Number(/VmHWM:\s+(\d+)/.exec(status)[1]) };
  } catch {
    return undefined;
  }
}

/** PSS and private (USS) memory in kB from smaps_rollup: RSS counts shared pages in every process. */
function proportional(pid) {
  try {
    const rollup = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const field = (name) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(rollup)?.[1] ?? 0);
    return { pssKb: field('Pss'), ussKb: field('Private_Clean') + field('Private_Dirty') };
  } catch {
    return undefined;
  }
}




/**
 * CPU used during a window, per group: our processes by name, nats-server, postgres (all its
 * processes, so also other clients' work), this process (autocannon), and the machine total.
 */
function cpuWindow(named) {
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
    for (const [name, pid] of Object.entries(named)) {
      const now = cpuOf(pid)?.seconds;
      if (now !== undefined) groups[name] = now - startTimes[`p:${name}`];
    }
    const endServers = { ...startServers, ...serverPids() };
    for (const [pid, comm] of Object.entries(endServers)) {
      const now = cpuOf(pid)?.seconds;
      if (now === undefined) continue; // ended during the window: its share is lost
      groups[comm] = (groups[comm] ?? 0) + now - (startTimes[`s:${pid}`] ?? 0);
    }
    const self = process.cpuUsage(startSelf);
    groups['bench (autocannon)'] = (self.user + self.system) / 1e6;
    const endMachine = machineCpu();
    const busy = endMachine.busy - startMachine.busy;
    // Interrupt time (loopback networking's softirq, mostly) is not charged to any process.
    groups['kernel interrupts (softirq)'] = endMachine.interrupts - startMachine.interrupts;
    const attributed = Object.values(groups).reduce((a, b) => a + b, 0);
    groups['other (rest of the machine)'] = Math.max(0, busy - attributed);
    const cores = {};
    for (const [name, seconds] of Object.entries(groups)) cores[name] = Math.round((seconds / wall) * 100) / 100;
    return {
      wallSeconds: Math.round(wall * 10) / 10,
      coresAvailable: os.cpus().length,
      machineBusyCores: Math.round((busy / wall) * 100) / 100,
      stealCores: Math.round(((endMachine.steal - startMachine.steal) / wall) * 100) / 100,
      idleCores: Math.round(((endMachine.idle - startMachine.idle) / wall) * 100) / 100,
      coresUsedBy: cores,
    };
  };
}

/** Samples RSS of the given processes until stopped; returns per-process and total peaks (kB). */
function rssSampler(named, everyMs = 200) {
  const peak = {};
  let peakTotal = 0;
  let samples = 0;
  const sample = () => {
    let total = 0;
    for (const [name, pid] of Object.entries(named)) {
      const m = memory(pid);
      if (!m) continue;
      peak[name] = Math.max(peak[name] ?? 0, m.rssKb);
      total += m.rssKb;
    }
    peakTotal = Math.max(peakTotal, total);
    samples++;
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return () => {
    clearInterval(timer);
    sample();
    return { peakKb: peak, peakTotalKb: peakTotal, samples };
  };
}

// ---------------------------------------------------------------------------------------------
// Child processes and cleanup.
// ---------------------------------------------------------------------------------------------
const children = new Set();

let childNodeOptions = ''; // --node-options: NODE_OPTIONS for every process started (system and bare alike)

function startChild(name, args, env, { ipc = false } = {}) {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...(childNodeOptions ? { NODE_OPTIONS: childNodeOptions } : {}), ...env },
    stdio: ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  const entry = { name, child, output: [], exited: false };
  const collect = (chunk) => {
    entry.output.push(...chunk.toString().split('\n').filter(Boolean));
    if (entry.output.length > 200) entry.output.splice(0, entry.output.length - 200);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  entry.exit = new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      entry.exited = true;
      resolve({ code, signal });
    }),
  );
  children.add(entry);
  return entry;
}

async function stopChild(entry, timeoutMs = 10000) {
  if (!entry.exited) {
    entry.child.kill('SIGTERM');
    const timer = setTimeout(() => !entry.exited && entry.child.kill('SIGKILL'), timeoutMs);
    await entry.exit;
    clearTimeout(timer);
  }
  children.delete(entry);
}

function failIfExited(entry) {
  if (entry.exited) throw new Error(`${entry.name} exited early:\n${entry.output.slice(-20).join('\n')}`);
}

let environment; // TestEnvironment: owns the databases and the NATS prefix of this run
let cleanedUp = false;

async function cleanup() {
  if (cleanedUp) return;
  cleanedUp = true;
  await Promise.all([...children].map((c) => stopChild(c)));
  if (environment) {
    try {
      await environment.cleanup(); // DROP DATABASE ... WITH (FORCE) for each database of this run
    } catch (error) {
      console.error(`cleanup incomplete (databases, then NATS streams of run ${environment.runId}): ${error.message}`);
    }
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// GET /api/v1/agencies needs a signed-in user since identity's issue; set once the system is up.
let authorization = null;

async function httpGet(url, timeoutMs = 2000) {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: authorization && url.includes('/api/v1/') ? { authorization } : {} });
  return { status: res.status, body: await res.text() };
}

/** V8 heap figures (MB) from a process's Prometheus /metrics (prom-client's default metrics). */
async function heapOf(baseUrl) {
  try {
    const { status, body } = await httpGet(`${baseUrl}/metrics`);
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

async function waitUntil(what, probe, timeoutMs, everyMs, watched = []) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    watched.forEach(failIfExited);
    try {
      if (await probe()) return;
    } catch (error) {
      last = error;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last.message}` : ''}`);
}

// ---------------------------------------------------------------------------------------------
// Load.
// ---------------------------------------------------------------------------------------------
function load(url, { connections, duration }) {
  const autocannon = require('autocannon');
  return new Promise((resolve, reject) => {
    const headers = authorization && url.includes('/api/v1/') ? { authorization } : {};
    autocannon({ url, connections, duration, pipelining: 1, timeout: 10, headers }, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

function summarize(result) {
  const total = result['1xx'] + result['2xx'] + result['3xx'] + result['4xx'] + result['5xx'];
  return {
    requestsPerSecond: Math.round(total / result.duration),
    latencyMs: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
      mean: result.latency.average,
    },
    requests: total,
    ok2xx: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    durationSeconds: result.duration,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, s]) => [code, s.count])),
  };
}

/** Warm-up (discarded), then the measured run with RSS and CPU sampled. */
async function measure(label, url, named, options) {
  console.log(`[${label}] warm-up ${options.warmup} s, ${options.connections} connections ...`);
  await load(url, { connections: options.connections, duration: options.warmup });
  console.log(`[${label}] measuring ${options.duration} s ...`);
  const stopRss = rssSampler(named);
  const stopCpu = cpuWindow(named);
  const result = await load(url, { connections: options.connections, duration: options.duration });
  const cpu = stopCpu();
  const rss = stopRss();
  const summary = summarize(result);
  console.log(
    `[${label}] ${summary.requestsPerSecond} req/s, p50 ${summary.latencyMs.p50} ms, p99 ${summary.latencyMs.p99} ms, non-2xx ${summary.non2xx}, errors ${summary.errors}`,
  );
  return { summary, cpu, rss };
}

// ---------------------------------------------------------------------------------------------
// The benchmark.
// ---------------------------------------------------------------------------------------------
function parseArgs(argv) {
  const options = { duration: 15, warmup: 3, connections: 50, bareAlwaysCount: false, cpuProf: false, nodeOptions: '', out: path.join(__dirname, 'results') };
  for (const arg of argv) {
    const [key, value] = arg.replace(/^--/, '').split('=');
    if (key === 'duration') options.duration = Number(value);
    else if (key === 'warmup') options.warmup = Number(value);
    else if (key === 'connections') options.connections = Number(value);
    else if (key === 'bare-always-count') options.bareAlwaysCount = true;
    else if (key === 'cpu-prof') options.cpuProf = true;
    else if (key === 'node-options') options.nodeOptions = arg.slice(arg.indexOf('=') + 1);
    else if (key === 'out') options.out = path.resolve(value);
    else throw new Error(`unknown option ${arg}`);
  }
  // Keep every loop bounded.
  if (!(options.duration >= 1 && options.duration <= 300)) throw new Error('--duration must be 1..300 seconds');
  if (!(options.warmup >= 0 && options.warmup <= 60)) throw new Error('--warmup must be 0..60 seconds');
  if (!(options.connections >= 1 && options.connections <= 1000)) throw new Error('--connections must be 1..1000');
  return options;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  childNodeOptions = options.nodeOptions;
  let testing;
  try {
    testing = require('@smart-regency/testing');
  } catch (error) {
    throw new Error(`cannot load @smart-regency/testing (${error.message}): build first (npx nx run-many -t build)`);
  }
  const { TestEnvironment, freePort, entrypoint, DOMAIN_SERVICES, TEST_NATS_URL } = testing;
  const names = [...DOMAIN_SERVICES, 'gateway'];
  const entrypoints = Object.fromEntries(names.map((name) => [name, entrypoint(name)])); // throws if not built
  environment = new TestEnvironment();

  // The figures are only meaningful on an otherwise idle machine: measure what else is running.
  const before = { cpu: machineCpu(), at: performance.now() };
  await sleep(1000);
  const busyBeforeStart = Math.round(((machineCpu().busy - before.cpu.busy) / ((performance.now() - before.at) / 1000)) * 100) / 100;
  if (busyBeforeStart > 0.25) console.warn(`warning: the machine is already busy (${busyBeforeStart} cores in use before the start); figures will be low`);

  // 1. Start the five processes at once; time until the gateway's readiness is 200.
  const ports = {};
  for (const name of names) ports[name] = await freePort();
  const system = {};
  const liveMs = {};
  // --cpu-prof: V8 CPU profiles of every process (written when it exits), to see where CPU goes.
  // Profiling costs throughput, so such a run's figures are not for comparing against the goals.
  const profileDir = path.join(options.out, `profiles-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  const nodeFlags = (name) => (options.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${name}.cpuprofile`] : []);
  const spawnedAt = performance.now();
  for (const name of names) {
    system[name] = startChild(name, [...nodeFlags(name), entrypoints[name]], environment.serviceEnv(name, { LOG_LEVEL: 'warn', PORT: String(ports[name]) }));
  }
  const gatewayUrl = `http://127.0.0.1:${ports.gateway}`;
  const procs = Object.values(system);
  // Per-process liveness times are informational: failures surface through the readiness wait.
  const liveWaits = names.map((name) =>
    waitUntil(`${name} to be live`, async () => (await httpGet(`http://127.0.0.1:${ports[name]}/health/live`, 1000)).status === 200, 60000, 25, [system[name]]).then(
      () => (liveMs[name] = Math.round(performance.now() - spawnedAt)),
      () => (liveMs[name] = null),
    ),
  );
  await waitUntil('the gateway to be ready', async () => (await httpGet(`${gatewayUrl}/health/ready`, 2000)).status === 200, 60000, 25, procs);
  const readyMs = Math.round(performance.now() - spawnedAt);
  await Promise.all(liveWaits);
  console.log(`system ready in ${readyMs} ms (live: ${names.map((n) => `${n} ${liveMs[n]} ms`).join(', ')})`);

  // Sign in as the test admin: the slice is an authenticated route (the token check is part of it).
  const { TEST_ADMIN } = require(path.join(ROOT, 'libs/testing/dist'));
  let login;
  await waitUntil('the admin to sign in', async () => {
    login = await fetch(`${gatewayUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ identifier: TEST_ADMIN.email, password: TEST_ADMIN.password }),
    });
    return login.status === 200;
  }, 20000, 200, procs);
  authorization = `Bearer ${(await login.json()).accessToken}`;

  // The slice answers what it should.
  const probe = await httpGet(`${gatewayUrl}${AGENCIES_PATH}`);
  if (probe.status !== 200) throw new Error(`GET ${AGENCIES_PATH} answered ${probe.status}: ${probe.body}`);
  const reference = JSON.parse(probe.body);
  if (!Array.isArray(reference.items) || reference.items.length !== 11 || reference.total !== 11) {
    throw new Error(`GET ${AGENCIES_PATH} did not list the 11 agencies: ${probe.body.slice(0, 300)}`);
  }

  // 2. Idle RSS, after a short settle.
  await sleep(2000);
  const pids = Object.fromEntries(names.map((name) => [name, system[name].child.pid]));
  const idleKb = Object.fromEntries(names.map((name) => [name, memory(pids[name]).rssKb]));
  const idleProportional = Object.fromEntries(names.map((name) => [name, proportional(pids[name])]));
  const heapIdle = Object.fromEntries(await Promise.all(names.map(async (name) => [name, await heapOf(`http://127.0.0.1:${ports[name]}`)])));

  // 3. Load the full path.
  const full = await measure('full', `${gatewayUrl}${AGENCIES_PATH}`, pids, options);
  procs.forEach(failIfExited);
  const hwmKb = Object.fromEntries(names.map((name) => [name, memory(pids[name]).hwmKb]));
  const afterLoadKb = Object.fromEntries(names.map((name) => [name, memory(pids[name]).rssKb]));
  const afterLoadProportional = Object.fromEntries(names.map((name) => [name, proportional(pids[name])]));
  const heapAfterLoad = Object.fromEntries(await Promise.all(names.map(async (name) => [name, await heapOf(`http://127.0.0.1:${ports[name]}`)])));

  // Stop the system before the bare run so it does not share the CPU; keep its databases.
  const stopStarted = performance.now();
  await Promise.all(procs.map((p) => stopChild(p)));
  const stopMs = Math.round(performance.now() - stopStarted);
  const exitCodes = Object.fromEntries(await Promise.all(procs.map(async (p) => [p.name, (await p.exit).code])));

  // 4. The bare path against the identity database the system created.
  const bareEnv = {
    BARE_NATS_URL: TEST_NATS_URL,
    BARE_SUBJECT: `${environment.natsPrefix}.bare.${SUBJECT}`,
    BARE_DATABASE_URL: environment.databaseUrl('identity'),
    BARE_ALWAYS_COUNT: options.bareAlwaysCount ? '1' : '0',
  };
  const startBare = async (role) => {
    const entry = startChild(`bare-${role}`, [...nodeFlags(`bare-${role}`), __filename, `--role=bare-${role}`], bareEnv, { ipc: true });
    const message = await Promise.race([
      new Promise((resolve) => entry.child.once('message', resolve)),
      entry.exit.then(() => {
        throw new Error(`bare-${role} exited early:\n${entry.output.slice(-20).join('\n')}`);
      }),
      sleep(15000).then(() => {
        throw new Error(`bare-${role} did not start in 15 s`);
      }),
    ]);
    return { entry, message };
  };
  const responder = await startBare('responder');
  const front = await startBare('http');
  const bareUrl = `http://127.0.0.1:${front.message.port}${AGENCIES_PATH}`;
  const bareProbe = await httpGet(bareUrl);
  if (bareProbe.status !== 200) throw new Error(`bare ${AGENCIES_PATH} answered ${bareProbe.status}: ${bareProbe.body}`);
  if (JSON.stringify(JSON.parse(bareProbe.body)) !== JSON.stringify(reference)) {
    throw new Error(`the bare path answers differently:\n full: ${probe.body.slice(0, 300)}\n bare: ${bareProbe.body.slice(0, 300)}`);
  }
  const barePids = { 'bare-http': front.entry.child.pid, 'bare-responder': responder.entry.child.pid };
  const bareIdleKb = Object.fromEntries(Object.entries(barePids).map(([name, pid]) => [name, memory(pid).rssKb]));
  const bare = await measure('bare', bareUrl, barePids, options);
  failIfExited(front.entry);
  failIfExited(responder.entry);

  // 5. Report.
  const ratio = full.summary.requestsPerSecond / bare.summary.requestsPerSecond;
  const totalIdleKb = Object.values(idleKb).reduce((a, b) => a + b, 0);
  const sumOfPeaksKb = names.reduce((a, n) => a + (full.rss.peakKb[n] ?? 0), 0);
  const goals = [
    { goal: 'full path >= 50% of bare throughput', target: 0.5, actual: Math.round(ratio * 1000) / 1000, pass: ratio >= 0.5 },
    { goal: `full path p99 <= 25 ms at ${options.connections} connections`, target: 25, actual: full.summary.latencyMs.p99, pass: full.summary.latencyMs.p99 <= 25 },
    { goal: 'five processes < 600 MB RSS together under load', target: 600, actual: mb(full.rss.peakTotalKb), pass: mb(full.rss.peakTotalKb) < 600 },
    { goal: 'ready < 10 s', target: 10000, actual: readyMs, pass: readyMs < 10000 },
  ];

  const results = {
    date: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      memoryMb: Math.round(os.totalmem() / 1048576),
      kernel: os.release(),
      node: process.version,
      busyCoresBeforeStart: busyBeforeStart,
      note: 'the load generator (autocannon, in this process), NATS, PostgreSQL and the processes under test share these CPUs',
    },
    options: {
      duration: options.duration,
      warmup: options.warmup,
      connections: options.connections,
      bareAlwaysCount: options.bareAlwaysCount,
      logLevel: 'warn',
      cpuProfiles: options.cpuProf ? profileDir : null,
      nodeOptions: options.nodeOptions || null,
    },
    tree: treeInfo(),
    runId: environment.runId, // databases <runId>_<service> (dropped at the end) and NATS prefix
    readiness: { readyMs, liveMs, stopMs, exitCodes },
    full: { url: `${gatewayUrl}${AGENCIES_PATH}`, ...full.summary, cpu: full.cpu },
    bare: { url: bareUrl, ...bare.summary, cpu: bare.cpu },
    throughputRatioFullToBare: Math.round(ratio * 1000) / 1000,
    rssMb: {
      idle: Object.fromEntries(names.map((n) => [n, mb(idleKb[n])])),
      peakUnderLoad: Object.fromEntries(names.map((n) => [n, mb(full.rss.peakKb[n] ?? 0)])),
      afterLoad: Object.fromEntries(names.map((n) => [n, mb(afterLoadKb[n])])),
      highWaterMark: Object.fromEntries(names.map((n) => [n, mb(hwmKb[n])])),
      // PSS splits shared pages (node binary, libraries) between the processes; USS is private only.
      pssIdle: Object.fromEntries(names.map((n) => [n, mb(idleProportional[n]?.pssKb ?? 0)])),
      pssAfterLoad: Object.fromEntries(names.map((n) => [n, mb(afterLoadProportional[n]?.pssKb ?? 0)])),
      ussAfterLoad: Object.fromEntries(names.map((n) => [n, mb(afterLoadProportional[n]?.ussKb ?? 0)])),
      v8HeapIdle: heapIdle,
      v8HeapAfterLoad: heapAfterLoad,
      totalPssAfterLoad: mb(names.reduce((a, n) => a + (afterLoadProportional[n]?.pssKb ?? 0), 0)),
      totalIdle: mb(totalIdleKb),
      totalPeakUnderLoad: mb(full.rss.peakTotalKb),
      sumOfPerProcessPeaks: mb(sumOfPeaksKb),
      samples: full.rss.samples,
      bare: {
        idle: Object.fromEntries(Object.entries(bareIdleKb).map(([n, kb]) => [n, mb(kb)])),
        peakUnderLoad: Object.fromEntries(Object.entries(bare.rss.peakKb).map(([n, kb]) => [n, mb(kb)])),
      },
    },
    goals,
  };

  printReport(results, names);
  fs.mkdirSync(options.out, { recursive: true });
  const file = path.join(options.out, `walking-slice-${results.date.replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nresults written to ${path.relative(process.cwd(), file) || file}`);
}

/** Which code was measured: the commit, whether libs/ or services/ differ from it, and when dist was built. */
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
  for (const group of ['libs', 'services']) {
    for (const project of fs.readdirSync(path.join(ROOT, group))) {
      const dist = path.join(ROOT, group, project, 'dist');
      if (fs.existsSync(dist)) walk(dist);
    }
  }
  const changed = git('status', '--porcelain', '--untracked-files=no', '--', 'libs', 'services');
  return {
    commit: git('rev-parse', '--short', 'HEAD'),
    sourcesDifferFromCommit: changed === undefined ? undefined : changed.length > 0,
    distBuiltAt: newestDist ? new Date(newestDist).toISOString() : undefined,
  };
}

function printReport(r, names) {
  const row = (cells, widths) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
  const w = [30, 9, 8, 8, 8, 8];
  console.log(`\ncommit ${r.tree.commit}${r.tree.sourcesDifferFromCommit ? ' (libs/ or services/ modified)' : ''}, dist built ${r.tree.distBuiltAt}`);
  if (r.options.nodeOptions) console.log(`NODE_OPTIONS for every process: ${r.options.nodeOptions}`);
  console.log(`GET ${AGENCIES_PATH}, ${r.options.connections} connections, ${r.options.duration} s after ${r.options.warmup} s warm-up (${r.machine.cpus} cores shared with the load generator)`);
  console.log(row(['path', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors'], w));
  console.log(row(['full (gateway→NATS→identity)', r.full.requestsPerSecond, r.full.latencyMs.p50, r.full.latencyMs.p99, r.full.non2xx, r.full.errors + r.full.timeouts], w));
  console.log(row(['bare (http→nats→pg)', r.bare.requestsPerSecond, r.bare.latencyMs.p50, r.bare.latencyMs.p99, r.bare.non2xx, r.bare.errors + r.bare.timeouts], w));
  console.log(`full/bare throughput: ${(r.throughputRatioFullToBare * 100).toFixed(1)} %`);

  const mw = [30, 9, 9, 9, 14];
  console.log(`\n${row(['memory (MB)', 'RSS idle', 'RSS peak', 'PSS end', 'V8 heap idle/end'], mw)}`);
  const heap = (n) => `${r.rssMb.v8HeapIdle[n]?.heapUsed ?? '?'}/${r.rssMb.v8HeapAfterLoad[n]?.heapUsed ?? '?'}`;
  for (const n of names) console.log(row([n, r.rssMb.idle[n], r.rssMb.peakUnderLoad[n], r.rssMb.pssAfterLoad[n], heap(n)], mw));
  console.log(row(['total (five processes)', r.rssMb.totalIdle, r.rssMb.totalPeakUnderLoad, r.rssMb.totalPssAfterLoad, ''], mw));
  for (const [n, v] of Object.entries(r.rssMb.bare.idle)) console.log(row([`(${n})`, v, r.rssMb.bare.peakUnderLoad[n], '', ''], mw));
  console.log(`\nreadiness: ${r.readiness.readyMs} ms from spawn to GET /health/ready 200`);
  if (r.machine.busyCoresBeforeStart > 0.25) console.log(`warning: ${r.machine.busyCoresBeforeStart} cores were busy before the start (other work on the machine)`);
  for (const [label, run] of [['full', r.full], ['bare', r.bare]]) {
    const used = Object.entries(run.cpu.coresUsedBy)
      .sort((a, b) => b[1] - a[1])
      .map(([n, c]) => `${n} ${c}`)
      .join(', ');
    console.log(`CPU during ${label} (cores, of ${run.cpu.coresAvailable}; machine busy ${run.cpu.machineBusyCores}, idle ${run.cpu.idleCores}, steal ${run.cpu.stealCores}): ${used}`);
    const other = run.cpu.coresUsedBy['other (rest of the machine)'];
    if (other > 0.25) console.log(`  warning: ${other} cores went to other work during the ${label} run; its figures are disturbed`);
  }

  console.log('\ngoals');
  for (const g of r.goals) console.log(`  ${g.pass ? 'PASS' : 'FAIL'}  ${g.goal}: ${g.actual}`);
}

// ---------------------------------------------------------------------------------------------
const role = process.argv.find((a) => a.startsWith('--role='))?.slice('--role='.length);
if (role === 'bare-responder' || role === 'bare-http') {
  (role === 'bare-responder' ? runBareResponder() : runBareHttp()).catch((error) => {
    console.error(`${role} failed: ${error.stack ?? error}`);
    process.exit(1);
  });
} else {
  // Whatever goes wrong, stop what was started and drop the databases before exiting.
  const fail = async (error) => {
    console.error(`\nbenchmark failed: ${error?.stack ?? error}`);
    await cleanup();
    process.exit(1);
  };
  process.once('unhandledRejection', fail);
  process.once('uncaughtException', fail);
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping the processes and dropping the databases ...`);
      cleanup().finally(() => process.exit(130));
    });
  }
  main()
    .then(cleanup)
    .then(() => process.exit(0))
    .catch(fail);
}
