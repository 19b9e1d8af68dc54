'use strict';
/*
 * Shared by bench/permits.js: child processes with cleanup, CPU and RSS from /proc, HTTP helpers,
 * autocannon runs, a progress bar. The same measurements as bench/walking-slice.js (which cannot be
 * required: it runs its benchmark when loaded).
 */
const { spawn, execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { performance } = require('perf_hooks');

const ROOT = path.resolve(__dirname, '..', '..');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const round = (x, digits = 2) => (x === undefined || x === null || Number.isNaN(x) ? null : Math.round(x * 10 ** digits) / 10 ** digits);
const mb = (kb) => Math.round((kb / 1024) * 10) / 10;

// ---------------------------------------------------------------------------------------------
// /proc: CPU and memory.
// ---------------------------------------------------------------------------------------------
const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

function memory(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    return { rssKb: Number(/VmRSS:\s+(\d+)/.exec(status)[1]), hwmKb: Number(/VmHWM:\s+(\d+)/.exec(status)[1]) };
  } catch {
    return undefined;
  }
}

function cpuOf(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { comm, seconds: (Number(rest[11]) + Number(rest[12])) / CLK_TCK };
  } catch {
    return undefined;
  }
}

function machineCpu() {
  const [user, nice, system, idle, iowait, irq, softirq, steal] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
  return { busy: (user + nice + system + irq + softirq) / CLK_TCK, interrupts: (irq + softirq) / CLK_TCK, steal: steal / CLK_TCK, idle: (idle + iowait) / CLK_TCK };
}

function serverPids() {
  const found = {};
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cpu = cpuOf(entry);
    if (cpu && (cpu.comm === 'nats-server' || cpu.comm === 'postgres')) found[entry] = cpu.comm;
  }
  return found;
}

/** Cores used during a window: the named processes, nats-server, postgres, this process, interrupts, the rest. */
function cpuWindow(named, selfLabel = 'bench (load generator)') {
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
      if (now === undefined) continue;
      groups[comm] = (groups[comm] ?? 0) + now - (startTimes[`s:${pid}`] ?? 0);
    }
    const self = process.cpuUsage(startSelf);
    groups[selfLabel] = (self.user + self.system) / 1e6;
    const endMachine = machineCpu();
    const busy = endMachine.busy - startMachine.busy;
    groups['kernel interrupts (softirq)'] = endMachine.interrupts - startMachine.interrupts;
    const attributed = Object.values(groups).reduce((a, b) => a + b, 0);
    groups['other (rest of the machine)'] = Math.max(0, busy - attributed);
    const cores = {};
    for (const [name, seconds] of Object.entries(groups)) cores[name] = round(seconds / wall);
    return {
      wallSeconds: round(wall, 1),
      coresAvailable: os.cpus().length,
      machineBusyCores: round(busy / wall),
      idleCores: round((endMachine.idle - startMachine.idle) / wall),
      stealCores: round((endMachine.steal - startMachine.steal) / wall),
      coresUsedBy: cores,
      cpuSecondsBy: Object.fromEntries(Object.entries(groups).map(([n, s]) => [n, round(s, 3)])),
    };
  };
}

function rssSampler(named, everyMs = 200) {
  const peak = {};
  let peakTotal = 0;
  const sample = () => {
    let total = 0;
    for (const [name, pid] of Object.entries(named)) {
      const m = memory(pid);
      if (!m) continue;
      peak[name] = Math.max(peak[name] ?? 0, m.rssKb);
      total += m.rssKb;
    }
    peakTotal = Math.max(peakTotal, total);
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return () => {
    clearInterval(timer);
    sample();
    return { peakMb: Object.fromEntries(Object.entries(peak).map(([n, kb]) => [n, mb(kb)])), peakTotalMb: mb(peakTotal) };
  };
}

/** Cores busy on the machine over `ms`, before anything starts. */
async function busyCores(ms = 1000) {
  const before = machineCpu();
  const at = performance.now();
  await sleep(ms);
  return round((machineCpu().busy - before.busy) / ((performance.now() - at) / 1000));
}

// ---------------------------------------------------------------------------------------------
// Child processes.
// ---------------------------------------------------------------------------------------------
const children = new Set();

function startChild(name, args, env, { ipc = false } = {}) {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
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

const stopAllChildren = () => Promise.all([...children].map((c) => stopChild(c)));

function failIfExited(entry) {
  if (entry.exited) throw new Error(`${entry.name} exited early:\n${entry.output.slice(-20).join('\n')}`);
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
// HTTP and load.
// ---------------------------------------------------------------------------------------------
async function http(method, url, { body, token, headers = {}, timeoutMs = 10000 } = {}) {
  const res = await fetch(url, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: body !== undefined ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, body: text, json };
}

/** One autocannon run (programmatic, in this process). */
function autocannon(options) {
  const run = require('autocannon');
  return new Promise((resolve, reject) => {
    run({ pipelining: 1, timeout: 10, ...options }, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

/**
 * Open-loop load at a fixed rate: `unit(send)` is started `rate` times a second for `duration` s,
 * on schedule whether or not earlier ones have finished (no coordinated omission: latency is from
 * the scheduled start to the end of the unit, queueing included). `send(method, path, body)` makes
 * one request on a keep-alive agent of `connections` sockets (more in flight wait for a socket,
 * and that wait counts) and resolves `{ status, json }`. autocannon's `overallRate` sends each
 * second's budget in a burst, so its latency at a rate says more about the burst than the system.
 * Resolves the summarize() shape plus `units`: the latency of whole units.
 */
async function paced({ url, headers = {}, rate, duration, connections = 50, unit }) {
  const httpModule = require('http');
  const agent = new httpModule.Agent({ keepAlive: true, maxSockets: connections });
  const base = new URL(url);
  const statuses = { '2xx': 0, non2xx: 0, errors: 0 };
  const requestLatencies = [];
  const send = (method, path, body) =>
    new Promise((resolve) => {
      const started = performance.now();
      const text = body === undefined ? undefined : JSON.stringify(body);
      const req = httpModule.request(
        { agent, host: base.hostname, port: base.port, method, path, headers: { ...headers, ...(text ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) } : {}) } },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => {
            requestLatencies.push(performance.now() - started);
            if (res.statusCode >= 200 && res.statusCode < 300) statuses['2xx'] += 1;
            else statuses.non2xx += 1;
            let json;
            try {
              json = JSON.parse(Buffer.concat(chunks).toString());
            } catch {
              json = undefined;
            }
            resolve({ status: res.statusCode, json });
          });
        },
      );
      req.setTimeout(10000, () => req.destroy(new Error('timeout')));
      req.on('error', () => {
        statuses.errors += 1;
        resolve({ status: 0 });
      });
      req.end(text);
    });
  const units = [];
  const running = new Set();
  const start = performance.now();
  const end = start + duration * 1000;
  let scheduled = 0;
  while (performance.now() < end) {
    const due = Math.floor(((performance.now() - start) / 1000) * rate);
    for (; scheduled < due; scheduled++) {
      const at = start + (scheduled * 1000) / rate;
      const task = unit(send).then(() => units.push(performance.now() - at));
      running.add(task);
      task.finally(() => running.delete(task));
    }
    await sleep(1);
  }
  await Promise.all(running);
  agent.destroy();
  const total = statuses['2xx'] + statuses.non2xx;
  const u = distribution(units);
  return {
    requestsPerSecond: Math.round(total / duration),
    latencyMs: { p50: u.p50, p90: u.p90, p99: u.p99, max: u.max, mean: u.mean },
    requests: total,
    non2xx: statuses.non2xx,
    errors: statuses.errors,
    timeouts: 0,
    durationSeconds: duration,
    units: u,
    requestLatencyMs: distribution(requestLatencies),
  };
}

function summarize(result) {
  const total = result['1xx'] + result['2xx'] + result['3xx'] + result['4xx'] + result['5xx'];
  return {
    requestsPerSecond: Math.round(total / result.duration),
    latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max, mean: round(result.latency.average) },
    requests: total,
    ok2xx: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    durationSeconds: round(result.duration, 2),
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, s]) => [code, s.count])),
  };
}

/** p50/p90/p99/max/mean of a list of numbers (nearest-rank). */
function distribution(values) {
  if (!values.length) return { count: 0 };
  const sorted = Float64Array.from(values).sort();
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
  return {
    count: sorted.length,
    p50: round(at(0.5)),
    p90: round(at(0.9)),
    p99: round(at(0.99)),
    max: round(sorted[sorted.length - 1]),
    mean: round(sorted.reduce((a, b) => a + b, 0) / sorted.length),
  };
}

// ---------------------------------------------------------------------------------------------
// Reporting.
// ---------------------------------------------------------------------------------------------
/** A one-line progress bar on stderr: percent, rate, ETA. Returns update(done) and end(). */
function progressBar(label, total, unit = 'rows') {
  const started = performance.now();
  const tty = process.stderr.isTTY;
  let lastLine = '';
  const render = (done) => {
    const seconds = (performance.now() - started) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    const eta = rate > 0 ? (total - done) / rate : Infinity;
    const width = 30;
    const filled = Math.round((done / total) * width);
    const fmt = (n) => Math.round(n).toLocaleString('en-US');
    const line =
      `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${((done / total) * 100).toFixed(1).padStart(5)} %  ` +
      `${fmt(done)}/${fmt(total)} ${unit}  ${fmt(rate)} ${unit}/s  ${done >= total ? `done in ${seconds.toFixed(1)} s` : `ETA ${Number.isFinite(eta) ? `${Math.ceil(eta)} s` : '?'}`}`;
    lastLine = line;
    process.stderr.write(tty ? `\r${line}` : `${line}\n`);
  };
  render(0);
  return { update: render, end: () => tty && lastLine && process.stderr.write('\n') };
}

/**
 * A status line on stderr every `everyMs` for work of unknown length (rewritten in place on a
 * terminal, one line per tick otherwise): `render()` returns the text. Returns stop().
 */
function statusLine(render, everyMs = 1000) {
  const tty = process.stderr.isTTY;
  let width = 0;
  const tick = () => {
    const line = render();
    process.stderr.write(tty ? `\r${line.padEnd(width)}` : `${line}\n`);
    width = Math.max(width, line.length);
  };
  const timer = setInterval(tick, everyMs);
  return () => {
    clearInterval(timer);
    tick();
    if (tty) process.stderr.write('\n');
  };
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

function machineInfo() {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    memoryMb: Math.round(os.totalmem() / 1048576),
    kernel: os.release(),
    node: process.version,
  };
}

// ---------------------------------------------------------------------------------------------
// Seeding a big table: drop its secondary indexes, load, rebuild them from their own definitions.
// ---------------------------------------------------------------------------------------------

/** The migrations' secondary indexes of a table (those behind no constraint), by name. */
async function secondaryIndexes(client, table) {
  const { rows } = await client.query(
    `SELECT i.indexname AS name, i.indexdef AS definition FROM pg_indexes i
      WHERE i.schemaname = current_schema() AND i.tablename = $1
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass)
      ORDER BY i.indexname`,
    [table],
  );
  return rows;
}

/** Rebuilds indexes from their definitions, two at a time (CREATE INDEX takes a SHARE lock: builds can overlap); returns seconds. */
async function rebuildIndexes(databaseUrl, indexes) {
  const { Client } = require('pg');
  const started = performance.now();
  const bar = progressBar(`rebuilding ${indexes.length} indexes`, indexes.length, 'indexes');
  const queue = [...indexes];
  let built = 0;
  await Promise.all(
    [0, 1].map(async () => {
      const builder = new Client({ connectionString: databaseUrl });
      await builder.connect();
      try {
        await builder.query(`SET maintenance_work_mem = '256MB'`);
        for (let index = queue.shift(); index; index = queue.shift()) {
          await builder.query(index.definition);
          bar.update(++built);
        }
      } finally {
        await builder.end();
      }
    }),
  );
  bar.end();
  return (performance.now() - started) / 1000;
}

/**
 * A bare twin's HTTP server, run as a child of the benchmark: listens on a free port, tells the
 * parent, and stops (server, then pool) when the parent goes or signals.
 */
async function serveBare(server, pool) {
  server.keepAliveTimeout = 72000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  let closing = false;
  const stop = () => {
    if (closing) return;
    closing = true;
    setTimeout(() => process.exit(0), 3000).unref();
    server.close();
    server.closeAllConnections?.();
    pool.end().finally(() => process.exit(0));
  };
  process.on('disconnect', stop);
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.send({ ready: true, port: server.address().port });
}

/**
 * A bare twin's readable numbers, taken as the services take them: platform's own `SequenceBlocks`
 * on the twin's pg Pool. `take()` → decimal text.
 */
function numberBlocks(pool, sequence) {
  const { SequenceBlocks } = require('@smart-regency/platform');
  return new SequenceBlocks(pool, sequence);
}

/**
 * The twins' token check: `jwtVerify` of an access token against `keys` (kid → public key) with
 * `options`, remembered until it expires, as the gateway remembers verified tokens. Resolves to the
 * token's payload; rejects as jose does.
 */
function tokenMemory(keys, options) {
  const { jwtVerify } = require('jose');
  const known = new Map();
  const key = async (header) => {
    const found = keys.get(header.kid);
    if (!found) throw new Error('unknown signing key');
    return found;
  };
  return async (token) => {
    const hit = known.get(token);
    if (hit && hit.exp * 1000 > Date.now()) return hit.payload;
    const { payload } = await jwtVerify(token, key, options);
    if (known.size > 10000) known.clear();
    known.set(token, { payload, exp: Number(payload.exp) });
    return payload;
  };
}

// As the gateway verifies access tokens (services/gateway/src/auth/jwks.ts, constants from @smart-regency/contracts).
const VERIFY_OPTIONS = {
  algorithms: ['EdDSA'],
  issuer: 'smart-regency-identity',
  audience: 'smart-regency-api',
  typ: 'at+jwt',
  requiredClaims: ['sub', 'exp', 'iat'],
  clockTolerance: 5,
};

/**
 * The twins' check of a citizen's `Authorization` header: `verified` is a tokenMemory(); errors are
 * made by `fail(status, code, detail)`. Resolves the actor `{ id, role }`.
 */
function citizenCheck(verified, fail) {
  return async (authorization) => {
    const match = /^Bearer (.+)$/.exec(authorization ?? '');
    if (!match) throw fail(401, 'COMMON.UNAUTHENTICATED', 'no access token');
    let payload;
    try {
      payload = await verified(match[1]);
    } catch (error) {
      throw fail(401, 'COMMON.UNAUTHENTICATED', `invalid access token: ${error.message}`);
    }
    const roles = Array.isArray(payload.roles) ? payload.roles : [];
    if (!roles.includes('citizen')) throw fail(403, 'COMMON.FORBIDDEN', 'for citizens');
    return { id: String(payload.sub), role: roles[0] };
  };
}

/**
 * A benchmark file run as one of its child roles (`--role=NAME` on the command line): runs
 * `roles[NAME]()` and returns true (the process exits 1 if it fails); false when there is no --role.
 */
function runRole(roles) {
  const arg = process.argv.find((a) => a.startsWith('--role='));
  if (!arg) return false;
  const role = arg.slice('--role='.length);
  if (!roles[role]) throw new Error(`unknown role ${role}`);
  roles[role]().catch((error) => {
    console.error(`${role} failed: ${error.stack ?? error}`);
    process.exit(1);
  });
  return true;
}

/**
 * Starts a bare twin (`args`: node flags and script with `--role=bare`; it reports `{ port }` over IPC
 * once listening, see serveBare) and waits for it: `{ bare, url }`.
 */
async function startBareTwin(args, env, name = 'bare') {
  const bare = startChild(name, args, env, { ipc: true });
  const ready = await Promise.race([
    new Promise((resolve) => bare.child.once('message', resolve)),
    bare.exit.then(() => {
      throw new Error(`${name} exited early:\n${bare.output.slice(-20).join('\n')}`);
    }),
    sleep(15000).then(() => {
      throw new Error(`${name} did not start in 15 s`);
    }),
  ]);
  return { bare, url: `http://127.0.0.1:${ready.port}` };
}

/**
 * Per-citizen daily limits out of the way: one bench citizen files and uploads far more than any
 * person does in a day, and the benchmarks measure throughput, not the limits' refusals.
 */
const UNLIMITED_CITIZEN = {
  CITIZEN_FILINGS_PER_DAY: '1000000',
  CITIZEN_DRAFTS_PER_DAY: '1000000',
  CITIZEN_UPLOADS_PER_DAY: '1000000',
  // A bench registers and signs in its many citizens from one address.
  REGISTRATIONS_PER_ADDRESS_PER_HOUR: '100000',
  LOGIN_RATE_LIMIT_PER_MINUTE: '100000',
};

/** A small deterministic PRNG (mulberry32): the same seed gives every run the same data. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `@smart-regency/testing` as built (dist), with a clear message when it is not. */
function loadTesting() {
  try {
    return require('@smart-regency/testing');
  } catch (error) {
    throw new Error(`cannot load @smart-regency/testing (${error.message}): build first (npx nx run-many -t build)`);
  }
}

/**
 * Runs the parts of a bench that `options.parts` names (each `(testing, options) => result`),
 * printing each result, and writes the report to `<options.out>/<name>-<time>.json`; exits 0, or
 * 1 after stopping every child process when something throws.
 */
function runBench(name, options, parts) {
  const uptime = () => execFileSync('uptime').toString().trim();
  const main = async () => {
    const testing = loadTesting();
    const report = { startedAt: new Date().toISOString(), tree: treeInfo(), machine: machineInfo(), options };
    console.log(`uptime: ${uptime()}`);
    for (const [part, run] of Object.entries(parts)) {
      if (!options.parts.includes(part)) continue;
      report[part] = await run(testing, options);
      console.log(`${part}: ${JSON.stringify(report[part])}`);
    }
    report.finishedAt = new Date().toISOString();
    fs.mkdirSync(options.out, { recursive: true });
    const file = path.join(options.out, `${name}-${report.startedAt.replace(/[:.]/g, '-')}.json`);
    fs.writeFileSync(file, JSON.stringify(report, null, 2));
    console.log(`uptime: ${uptime()}\nresults: ${file}`);
  };
  main().then(
    () => process.exit(0),
    (error) => {
      console.error(error);
      stopAllChildren().finally(() => process.exit(1));
    },
  );
}

module.exports = {
  loadTesting,
  runBench,
  prng,
  ROOT,
  UNLIMITED_CITIZEN,
  CLK_TCK,
  serverPids,
  sleep,
  round,
  mb,
  memory,
  cpuOf,
  machineCpu,
  cpuWindow,
  rssSampler,
  busyCores,
  startChild,
  stopChild,
  stopAllChildren,
  failIfExited,
  waitUntil,
  http,
  autocannon,
  paced,
  summarize,
  distribution,
  progressBar,
  statusLine,
  secondaryIndexes,
  rebuildIndexes,
  serveBare,
  startBareTwin,
  numberBlocks,
  tokenMemory,
  VERIFY_OPTIONS,
  citizenCheck,
  runRole,
  treeInfo,
  machineInfo,
};
