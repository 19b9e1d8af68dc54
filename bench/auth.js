#!/usr/bin/env node
/*
 * Authentication benchmark: what signing in costs (argon2id in identity) and what verifying the
 * access token costs on every authenticated request (EdDSA JWT checked in the gateway's guard).
 * See bench/README.md, section "auth.js".
 *
 *   node bench/auth.js [--sequential=50] [--login-duration=10] [--login-connections=10]
 *                      [--duration=15] [--warmup=3] [--connections=50] [--verifications=10000]
 *                      [--wrong-logins=40] [--revocations=0,1000,10000,100000] [--revocations-only]
 *                      [--skip-public] [--out=bench/results]
 *
 * --revocations-only runs only the revocation-check microbenchmark (no system, seconds).
 *
 * Needs a built tree (npx nx run-many -t build), PostgreSQL and NATS on 127.0.0.1.
 * Exit code: 0 when the benchmark ran (whether or not the goal was met), 1 on errors.
 *
 * Helpers (processes, /proc sampling, cleanup) follow bench/walking-slice.js; they are copied
 * rather than required because that file runs its own benchmark when loaded.
 */
'use strict';

const { spawn, execFileSync } = require('child_process');
const { randomUUID } = require('crypto');
const { CLK_TCK, cpuOf, machineCpu, VERIFY_OPTIONS } = require('./lib/harness');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { performance } = require('perf_hooks');

const ROOT = path.resolve(__dirname, '..');
const API = '/api/v1';
const METRIC = 'auth_token_verification_seconds';
const GOAL_SECONDS = 0.001; // ≤ 1 ms p99 added per request by token verification
// The gateway's config refuses LOGIN_RATE_LIMIT_PER_MINUTE above 100000 (@Max in GatewayConfig).
const LOGIN_RATE_LIMIT = '100000';

// ---------------------------------------------------------------------------------------------
// Measuring processes: CPU and RSS from /proc (as in walking-slice.js).
// ---------------------------------------------------------------------------------------------
const mb = (kb) => Math.round((kb / 1024) * 10) / 10;
const round = (x, digits = 2) => (x === undefined || x === null || Number.isNaN(x) ? null : Math.round(x * 10 ** digits) / 10 ** digits);

function memory(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    return { rssKb: Number(/VmRSS:\s+(\d+)/.exec(status)[1]), threads: Number(/Threads:\s+(\d+)/.exec(status)[1]) };
  } catch {
    return undefined;
  }
}



/**
 * nats-server and postgres processes by pid. A postgres backend names its database in its command
 * line; backends of this run's databases count as "postgres (this run)", every other postgres
 * process (other clients' backends, the checkpointer, WAL writer, ...) as "postgres (other)":
 * other sessions on the machine use the same server.
 */
function serverPids() {
  const found = {};
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cpu = cpuOf(entry);
    if (!cpu) continue;
    if (cpu.comm === 'nats-server') found[entry] = 'nats-server';
    else if (cpu.comm === 'postgres') {
      let cmdline = '';
      try {
        cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      } catch {
        continue;
      }
      found[entry] = environment && cmdline.includes(` ${environment.runId}_`) ? 'postgres (this run)' : 'postgres (other)';
    }
  }
  return found;
}

/** CPU seconds of a process's main thread (the event loop) alone; the rest is GC helpers and libuv's thread pool. */
function mainThreadCpu(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) / CLK_TCK;
  } catch {
    return undefined;
  }
}

/** CPU used during a window, in cores, per group (our processes, nats-server, postgres, this process, the rest). */
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
      if (now === undefined) continue;
      groups[comm] = (groups[comm] ?? 0) + now - (startTimes[`s:${pid}`] ?? 0);
    }
    const self = process.cpuUsage(startSelf);
    groups['bench (autocannon)'] = (self.user + self.system) / 1e6;
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

/** Peak RSS (kB) and thread count of some processes, sampled every 200 ms until stopped. */
function rssSampler(named, everyMs = 200) {
  const peak = {};
  const threads = {};
  const sample = () => {
    for (const [name, pid] of Object.entries(named)) {
      const m = memory(pid);
      if (!m) continue;
      peak[name] = Math.max(peak[name] ?? 0, m.rssKb);
      threads[name] = Math.max(threads[name] ?? 0, m.threads);
    }
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return () => {
    clearInterval(timer);
    sample();
    return { peakMb: Object.fromEntries(Object.entries(peak).map(([n, kb]) => [n, mb(kb)])), maxThreads: threads };
  };
}

// ---------------------------------------------------------------------------------------------
// Child processes and cleanup (as in walking-slice.js).
// ---------------------------------------------------------------------------------------------
const children = new Set();

function startChild(name, args, env) {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
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

let environment; // TestEnvironment: the run's databases and NATS prefix
let cleanedUp = false;

async function cleanup() {
  if (cleanedUp) return;
  cleanedUp = true;
  await Promise.all([...children].map((c) => stopChild(c)));
  if (environment) {
    try {
      await environment.cleanup(); // drops <runId>_* databases and the run's JetStream streams
    } catch (error) {
      console.error(`cleanup incomplete (databases, then NATS streams of run ${environment.runId}): ${error.message}`);
    }
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function http(method, url, { body, headers = {}, timeoutMs = 5000 } = {}) {
  const res = await fetch(url, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body !== undefined ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(timeoutMs),
  });
  return { status: res.status, body: await res.text() };
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
// Statistics.
// ---------------------------------------------------------------------------------------------
/** Nearest-rank percentile of an ascending array. */
function percentile(sorted, p) {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function distribution(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mean = sorted.reduce((a, b) => a + b, 0) / (sorted.length || 1);
  return { n: sorted.length, min: sorted[0], p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99), max: sorted[sorted.length - 1], mean };
}

/** The histogram `name` from a Prometheus text exposition: per outcome, cumulative buckets, sum, count. */
function parseHistogram(text, name) {
  const byOutcome = {};
  const labelsOf = (raw) => Object.fromEntries([...(raw ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
  for (const line of text.split('\n')) {
    const match = /^(\w+)(?:\{([^}]*)\})?\s+(\S+)/.exec(line);
    if (!match || !match[1].startsWith(name)) continue;
    const suffix = match[1].slice(name.length);
    const labels = labelsOf(match[2]);
    const outcome = labels.outcome ?? '';
    const h = (byOutcome[outcome] ??= { buckets: {}, sum: 0, count: 0 });
    const value = Number(match[3]);
    if (suffix === '_bucket') h.buckets[labels.le] = value;
    else if (suffix === '_sum') h.sum = value;
    else if (suffix === '_count') h.count = value;
  }
  return byOutcome;
}

/** The gateway's event-loop delay over the window since the previous scrape (prom-client resets it per scrape). */
function eventLoopDelay(text) {
  const value = (name) => {
    const match = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'm').exec(text);
    return match ? round(Number(match[1]) * 1000, 2) : null;
  };
  return { meanMs: value('nodejs_eventloop_lag_mean_seconds'), p50Ms: value('nodejs_eventloop_lag_p50_seconds'), p99Ms: value('nodejs_eventloop_lag_p99_seconds'), maxMs: value('nodejs_eventloop_lag_max_seconds') };
}

/** after − before for one outcome, as ascending [{le (seconds), cumulative}]. */
function histogramDelta(before, after) {
  const b = before ?? { buckets: {}, sum: 0, count: 0 };
  const a = after ?? { buckets: {}, sum: 0, count: 0 };
  const buckets = Object.keys(a.buckets)
    .map((le) => ({ le: le === '+Inf' ? Infinity : Number(le), cumulative: a.buckets[le] - (b.buckets[le] ?? 0) }))
    .sort((x, y) => x.le - y.le);
  return { buckets, sum: a.sum - b.sum, count: a.count - b.count };
}

/** As PromQL's histogram_quantile: linear interpolation inside the bucket holding the rank. */
function histogramQuantile(q, { buckets, count }) {
  if (!count) return null;
  const rank = q * count;
  let lowerLe = 0;
  let lowerCum = 0;
  for (const { le, cumulative } of buckets) {
    if (cumulative >= rank) {
      if (le === Infinity) return lowerLe; // beyond the last finite bucket: its bound is all we know
      if (cumulative === lowerCum) return le;
      return lowerLe + ((le - lowerLe) * (rank - lowerCum)) / (cumulative - lowerCum);
    }
    lowerLe = le;
    lowerCum = cumulative;
  }
  return lowerLe;
}

/** Share of observations at or below a bucket boundary (exact when `le` is a boundary). */
function shareAtOrBelow(le, { buckets, count }) {
  const bucket = buckets.find((b) => b.le === le);
  return bucket && count ? bucket.cumulative / count : null;
}

function summarizeVerification(delta) {
  return {
    count: delta.count,
    meanMicros: delta.count ? round((delta.sum / delta.count) * 1e6, 1) : null,
    p50MicrosEstimated: round((histogramQuantile(0.5, delta) ?? NaN) * 1e6, 1),
    p90MicrosEstimated: round((histogramQuantile(0.9, delta) ?? NaN) * 1e6, 1),
    p99MicrosEstimated: round((histogramQuantile(0.99, delta) ?? NaN) * 1e6, 1),
    shareAtOrBelow1ms: round(shareAtOrBelow(GOAL_SECONDS, delta), 5),
    buckets: delta.buckets.map(({ le, cumulative }) => ({ le: le === Infinity ? '+Inf' : le, cumulative })),
  };
}

// ---------------------------------------------------------------------------------------------
// Load.
// ---------------------------------------------------------------------------------------------
function load(url, { connections, duration, method = 'GET', headers, body }) {
  const autocannon = require('autocannon');
  return new Promise((resolve, reject) => {
    autocannon({ url, connections, duration, pipelining: 1, timeout: 10, method, headers, body }, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

function summarize(result) {
  const total = result['1xx'] + result['2xx'] + result['3xx'] + result['4xx'] + result['5xx'];
  return {
    requestsPerSecond: Math.round((total / result.duration) * 10) / 10,
    latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max, mean: result.latency.average },
    requests: total,
    ok2xx: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    durationSeconds: result.duration,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, s]) => [code, s.count])),
  };
}

function checkAllOk(label, summary) {
  if (summary.non2xx || summary.errors || summary.timeouts || !summary.ok2xx) {
    throw new Error(`${label}: not every response was 2xx (status codes ${JSON.stringify(summary.statusCodes)}, errors ${summary.errors}, timeouts ${summary.timeouts})`);
  }
}

// ---------------------------------------------------------------------------------------------
// The benchmark.
// ---------------------------------------------------------------------------------------------
function parseArgs(argv) {
  const options = {
    sequential: 50,
    loginDuration: 10,
    loginConnections: 10,
    duration: 15,
    warmup: 3,
    connections: 50,
    verifications: 10000,
    wrongLogins: 40,
    revocations: [0, 1000, 10000, 100000],
    revocationsOnly: false,
    skipPublic: false,
    out: path.join(__dirname, 'results'),
  };
  for (const arg of argv) {
    const [key, value] = arg.replace(/^--/, '').split('=');
    if (key === 'sequential') options.sequential = Number(value);
    else if (key === 'login-duration') options.loginDuration = Number(value);
    else if (key === 'login-connections') options.loginConnections = Number(value);
    else if (key === 'duration') options.duration = Number(value);
    else if (key === 'warmup') options.warmup = Number(value);
    else if (key === 'connections') options.connections = Number(value);
    else if (key === 'verifications') options.verifications = Number(value);
    else if (key === 'wrong-logins') options.wrongLogins = Number(value);
    else if (key === 'revocations') options.revocations = String(value).split(',').map(Number);
    else if (key === 'revocations-only') options.revocationsOnly = true;
    else if (key === 'skip-public') options.skipPublic = true;
    else if (key === 'out') options.out = path.resolve(value);
    else throw new Error(`unknown option ${arg}`);
  }
  // Keep every loop bounded.
  const within = (name, v, lo, hi) => {
    if (!(Number.isInteger(v) && v >= lo && v <= hi)) throw new Error(`--${name} must be an integer ${lo}..${hi}`);
  };
  within('sequential', options.sequential, 1, 1000);
  within('login-duration', options.loginDuration, 1, 120);
  within('login-connections', options.loginConnections, 1, 100);
  within('duration', options.duration, 1, 300);
  within('warmup', options.warmup, 0, 60);
  within('connections', options.connections, 1, 1000);
  within('verifications', options.verifications, 100, 1000000);
  within('wrong-logins', options.wrongLogins, 1, 1000);
  options.revocations.forEach((n) => within('revocations', n, 0, 10000000));
  return options;
}

/** Sequential logins, one at a time over a keep-alive connection; wall time of each. */
async function sequentialLogins(url, credentials, count, pids) {
  const times = [];
  const stopCpu = cpuWindow(pids);
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    const res = await http('POST', url, { body: credentials, timeoutMs: 10000 });
    times.push(performance.now() - t0);
    if (res.status !== 200) throw new Error(`sequential login ${i + 1} answered ${res.status}: ${res.body.slice(0, 300)}`);
  }
  const wall = (performance.now() - started) / 1000;
  const cpu = stopCpu();
  const d = distribution(times);
  return {
    logins: count,
    loginsPerSecond: round(count / wall, 1),
    latencyMs: { min: round(d.min), p50: round(d.p50), p90: round(d.p90), p99: round(d.p99), max: round(d.max), mean: round(d.mean) },
    cpu,
    cpuMsPerLogin: { identity: round((cpu.cpuSecondsBy.identity * 1000) / count, 1), gateway: round((cpu.cpuSecondsBy.gateway * 1000) / count, 1) },
  };
}

/**
 * Wrong passwords for an account that exists and for one that does not, alternating, each pair
 * from an address of its own (X-Forwarded-For; the gateway trusts it in this run) so that no
 * throttle answers instead of identity. Both must be 401 and should take as long (docs/auth.md).
 */
async function enumerationTiming(url, knownIdentifier, count) {
  const times = { known: [], unknown: [] };
  for (let i = 0; i < count; i++) {
    const headers = { 'x-forwarded-for': `10.77.${i >> 8}.${i & 255}` };
    for (const [kind, identifier] of [['known', knownIdentifier], ['unknown', `nobody-${i}@bench.example.id`]]) {
      const t0 = performance.now();
      const res = await http('POST', url, { body: { identifier, password: `Wrong-Password-${i}` }, headers, timeoutMs: 10000 });
      times[kind].push(performance.now() - t0);
      if (res.status !== 401) throw new Error(`a wrong password (${kind} account) answered ${res.status}: ${res.body.slice(0, 300)}`);
    }
  }
  const summary = (values) => {
    const d = distribution(values);
    return { p50: round(d.p50), p90: round(d.p90), max: round(d.max), mean: round(d.mean) };
  };
  return { attempts: count, latencyMs: { known: summary(times.known), unknown: summary(times.unknown) } };
}

/**
 * What the gateway's revocation check costs per request with N revocations held: the shipped
 * Revocations class (services/gateway/dist), filled as identity's broadcasts would fill it (9 in 10
 * single sessions ended, 1 in 10 users whose every session ended), then asked about tokens whose
 * sessions did not end (the common case) and about ended ones. No NATS: add/isRevoked/sweep touch none.
 */
function revocationMicrobenchmark(sizes) {
  const { Revocations } = require(path.join(ROOT, 'services', 'gateway', 'dist', 'auth', 'revocations.js'));
  const CHECKS = 1_000_000;
  const rounds = 5;
  const results = [];
  const timeChecks = (revocations, actors, iat) => {
    let revoked = 0;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < CHECKS; i++) if (revocations.isRevoked(actors[i & 1023], iat)) revoked++;
    return { ns: Number(process.hrtime.bigint() - t0) / CHECKS, revoked };
  };
  for (const n of sizes) {
    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    const revocations = new Revocations(undefined, '', undefined);
    const at = new Date().toISOString();
    const ended = [];
    for (let i = 0; i < n; i++) {
      const sessionId = randomUUID();
      if (i % 10) {
        revocations.add({ userId: randomUUID(), at, sessionIds: [sessionId] });
        if (ended.length < 1024) ended.push({ id: randomUUID(), sessionId });
      } else revocations.add({ userId: randomUUID(), at });
    }
    global.gc?.();
    const heapPerEntry = n ? round((process.memoryUsage().heapUsed - heapBefore) / n, 0) : null;
    const live = Array.from({ length: 1024 }, () => ({ id: randomUUID(), sessionId: randomUUID() }));
    const iat = Math.floor(Date.now() / 1000);
    timeChecks(revocations, live, iat); // warm-up (JIT)
    const misses = [];
    const hits = [];
    for (let r = 0; r < rounds; r++) {
      misses.push(timeChecks(revocations, live, iat).ns);
      if (ended.length) {
        const hit = timeChecks(revocations, Array.from({ length: 1024 }, (_, i) => ended[i % ended.length]), iat);
        if (hit.revoked !== CHECKS) throw new Error(`an ended session passed the check (${hit.revoked} of ${CHECKS} refused)`);
        hits.push(hit.ns);
      }
    }
    const sweepStart = process.hrtime.bigint();
    revocations.sweep(Date.now());
    const sweepMs = Number(process.hrtime.bigint() - sweepStart) / 1e6;
    const median = (values) => (values.length ? round(distribution(values).p50 / 1000, 3) : null);
    results.push({ held: n, counts: revocations.size, microsPerCheck: { live: median(misses), ended: median(hits) }, heapBytesPerEntry: heapPerEntry, sweepMs: round(sweepMs, 2) });
    console.log(`[revocations] ${n} held: ${median(misses)} µs per check (session not ended), ${median(hits) ?? '-'} µs (ended); sweep ${round(sweepMs, 2)} ms; ~${heapPerEntry ?? '-'} B heap per entry`);
  }
  return { checksPerRound: CHECKS, rounds, gcExposed: typeof global.gc === 'function', node: process.version, results };
}

/** Warm-up, then a measured load with the gateway's verification histogram read before and after. */
async function measureRoute(label, url, { headers, pids, gatewayUrl, options, connections = options.connections, duration = options.duration, warmup = options.warmup }) {
  console.log(`[${label}] warm-up ${warmup} s, ${connections} connections ...`);
  if (warmup) checkAllOk(`${label} (warm-up)`, summarize(await load(url, { connections, duration: warmup, headers })));
  const before = parseHistogram((await http('GET', `${gatewayUrl}/metrics`)).body, METRIC); // also resets the event-loop delay figures
  console.log(`[${label}] measuring ${duration} s ...`);
  const stopRss = rssSampler(pids);
  const mainBefore = mainThreadCpu(pids.gateway);
  const stopCpu = cpuWindow(pids);
  const summary = summarize(await load(url, { connections, duration, headers }));
  const cpu = stopCpu();
  const gatewayMainSeconds = mainThreadCpu(pids.gateway) - mainBefore;
  const rss = stopRss();
  await sleep(200); // let the last responses' observations land
  const afterText = (await http('GET', `${gatewayUrl}/metrics`)).body;
  const after = parseHistogram(afterText, METRIC);
  const gatewayEventLoopDelay = eventLoopDelay(afterText);
  checkAllOk(label, summary);
  const verification = summarizeVerification(histogramDelta(before.ok, after.ok));
  const refused = histogramDelta(before.refused, after.refused).count;
  const perRequestMs = (name) => round(((cpu.cpuSecondsBy[name] ?? 0) * 1000) / summary.requests, 3);
  console.log(
    `[${label}] ${summary.requestsPerSecond} req/s, p50 ${summary.latencyMs.p50} ms, p99 ${summary.latencyMs.p99} ms; ` +
      `verification: ${verification.count} observed, mean ${verification.meanMicros} µs, p99 ≈ ${verification.p99MicrosEstimated} µs; ` +
      `gateway event-loop delay mean ${gatewayEventLoopDelay.meanMs} ms, p99 ${gatewayEventLoopDelay.p99Ms} ms`,
  );
  return {
    url,
    connections,
    ...summary,
    verification,
    gatewayEventLoopDelay,
    verificationRefused: refused,
    cpu,
    cpuMsPerRequest: {
      gateway: perRequestMs('gateway'),
      // the gateway split: its event-loop thread, and every other thread (V8's GC helpers, libuv's
      // thread pool, where jose's Ed25519 checks run)
      gatewayMainThread: round((gatewayMainSeconds * 1000) / summary.requests, 3),
      gatewayOtherThreads: round((((cpu.cpuSecondsBy.gateway ?? 0) - gatewayMainSeconds) * 1000) / summary.requests, 3),
      identity: perRequestMs('identity'),
      permits: perRequestMs('permits'),
    },
    rssPeakMb: rss.peakMb,
  };
}

/**
 * jose's jwtVerify on the real token and key, in this process, called the way the gateway calls it.
 * jose 5 on Node verifies with promisify(crypto.verify): every signature check is a job on libuv's
 * thread pool (4 threads by default), and its result comes back through the event loop. So three
 * figures: (1) one call at a time; (2) `inFlight` calls at once, as under load; (3) the bare
 * Ed25519 check, synchronous node:crypto, i.e. the CPU the signature itself needs.
 */
async function verifyMicrobenchmark(token, jwks, count, inFlight) {
  const crypto = require('crypto');
  const { importJWK, jwtVerify, decodeProtectedHeader } = require('jose');
  const keys = new Map();
  for (const jwk of jwks.keys) keys.set(jwk.kid, await importJWK(jwk, 'EdDSA'));
  const keyFor = async (header) => {
    const key = keys.get(header.kid);
    if (!key) throw new Error('unknown signing key');
    return key;
  };
  const kid = decodeProtectedHeader(token).kid;
  if (!keys.has(kid)) throw new Error(`the token's kid ${kid} is not in the JWKS`);
  const once = async () => {
    const { payload } = await jwtVerify(token, keyFor, VERIFY_OPTIONS);
    if (!payload.sub) throw new Error('verified token has no sub');
  };
  const micros = (t0) => Number(process.hrtime.bigint() - t0) / 1000;
  const stats = (times, totalMs, cpu) => {
    const d = distribution(Array.from(times));
    return {
      calls: times.length,
      micros: { min: round(d.min, 1), p50: round(d.p50, 1), p90: round(d.p90, 1), p99: round(d.p99, 1), max: round(d.max, 1), mean: round(d.mean, 1) },
      perSecond: Math.round((times.length / totalMs) * 1000),
      // process CPU (all threads, so the thread pool's work too) per call
      cpuMicrosPerCall: round((cpu.user + cpu.system) / times.length, 1),
    };
  };

  const machineBefore = machineCpu();
  const selfBefore = process.cpuUsage();
  const wallBefore = performance.now();
  // Warm-up: JIT, jose's key checks.
  for (let i = 0; i < Math.min(2000, count); i++) await once();

  // (1) sequential
  let times = new Float64Array(count);
  let cpu0 = process.cpuUsage();
  let started = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    const t0 = process.hrtime.bigint();
    await once();
    times[i] = micros(t0);
  }
  const sequential = stats(times, micros(started) / 1000, process.cpuUsage(cpu0));

  // (2) `inFlight` at once: each worker starts its next call when the previous one ends.
  times = new Float64Array(count);
  let next = 0;
  cpu0 = process.cpuUsage();
  started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < count) {
        const i = next++;
        const t0 = process.hrtime.bigint();
        await once();
        times[i] = micros(t0);
      }
    }),
  );
  const concurrent = { inFlight, ...stats(times, micros(started) / 1000, process.cpuUsage(cpu0)) };

  // (3) the bare signature check, synchronous.
  const [h, p, sig] = token.split('.');
  const data = Buffer.from(`${h}.${p}`);
  const signature = Buffer.from(sig, 'base64url');
  const keyObject = crypto.createPublicKey({ key: jwks.keys.find((k) => k.kid === kid), format: 'jwk' });
  for (let i = 0; i < 2000; i++) crypto.verify(null, data, keyObject, signature);
  times = new Float64Array(count);
  cpu0 = process.cpuUsage();
  started = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    const t0 = process.hrtime.bigint();
    if (!crypto.verify(null, data, keyObject, signature)) throw new Error('Ed25519 verification failed');
    times[i] = micros(t0);
  }
  const rawSync = stats(times, micros(started) / 1000, process.cpuUsage(cpu0));

  const wall = (performance.now() - wallBefore) / 1000;
  const self = process.cpuUsage(selfBefore);
  const otherCores = round(Math.max(0, machineCpu().busy - machineBefore.busy - (self.user + self.system) / 1e6) / wall);
  return { joseVersion: require('jose/package.json').version, uvThreadpoolSize: Number(process.env.UV_THREADPOOL_SIZE) || 4, otherCoresDuring: otherCores, sequential, concurrent, rawSync };
}

/** The newest walking-slice run with its default settings, for comparison (it predates the guard if its commit does). */
function walkingSliceReference(dir) {
  try {
    const files = fs
      .readdirSync(dir)
      .filter((f) => /^walking-slice-.*\.json$/.test(f))
      .sort()
      .reverse();
    for (const f of files) {
      const r = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
      const o = r.options ?? {};
      if (o.connections !== 50 || o.duration !== 15 || o.cpuProfiles || o.nodeOptions || o.bareAlwaysCount) continue;
      const rps = r.full.requestsPerSecond;
      return {
        file: f,
        date: r.date,
        commit: r.tree?.commit,
        requestsPerSecond: rps,
        latencyMs: r.full.latencyMs,
        gatewayCpuMsPerRequest: round(((r.full.cpu?.coresUsedBy?.gateway ?? NaN) * 1000) / rps, 3),
        identityCpuMsPerRequest: round(((r.full.cpu?.coresUsedBy?.identity ?? NaN) * 1000) / rps, 3),
      };
    }
  } catch {
    // no results directory yet
  }
  return null;
}

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

async function main() {
  const options = parseArgs(process.argv.slice(2));
  if (options.revocationsOnly) {
    const revocations = revocationMicrobenchmark(options.revocations);
    fs.mkdirSync(options.out, { recursive: true });
    const file = path.join(options.out, `auth-revocations-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    fs.writeFileSync(file, `${JSON.stringify({ date: new Date().toISOString(), tree: treeInfo(), cpuModel: os.cpus()[0]?.model, revocations }, null, 2)}\n`);
    console.log(`results written to ${path.relative(process.cwd(), file) || file}`);
    return;
  }
  let testing;
  try {
    testing = require('@smart-regency/testing');
  } catch (error) {
    throw new Error(`cannot load @smart-regency/testing (${error.message}): build first (npx nx run-many -t build)`);
  }
  const { TestEnvironment, freePort, entrypoint, DOMAIN_SERVICES, makeNik } = testing;
  const names = [...DOMAIN_SERVICES, 'gateway'];
  const entrypoints = Object.fromEntries(names.map((name) => [name, entrypoint(name)])); // throws if not built
  environment = new TestEnvironment();
  const tree = treeInfo(); // before the spawn: what the processes load (others may rebuild dist during a run)

  const before = { cpu: machineCpu(), at: performance.now() };
  await sleep(1000);
  const busyBeforeStart = round((machineCpu().busy - before.cpu.busy) / ((performance.now() - before.at) / 1000));
  if (busyBeforeStart > 0.25) console.warn(`warning: the machine is already busy (${busyBeforeStart} cores in use before the start); figures will be low`);

  // Start the five processes; the gateway's per-IP sign-in limit raised for the login load.
  const ports = {};
  for (const name of names) ports[name] = await freePort();
  const system = {};
  const started = performance.now();
  for (const name of names) {
    // TRUST_PROXY: the wrong-password phase gives each attempt an address of its own.
    const extra = { LOG_LEVEL: 'warn', PORT: String(ports[name]), ...(name === 'gateway' ? { LOGIN_RATE_LIMIT_PER_MINUTE: LOGIN_RATE_LIMIT, TRUST_PROXY: 'true' } : {}) };
    system[name] = startChild(name, [entrypoints[name]], environment.serviceEnv(name, extra));
  }
  const procs = Object.values(system);
  const gatewayUrl = `http://127.0.0.1:${ports.gateway}`;
  await waitUntil('the gateway to be ready', async () => (await http('GET', `${gatewayUrl}/health/ready`, { timeoutMs: 2000 })).status === 200, 60000, 25, procs);
  const readyMs = Math.round(performance.now() - started);
  console.log(`system ready in ${readyMs} ms`);
  const pids = Object.fromEntries(names.map((name) => [name, system[name].child.pid]));

  // A citizen to sign in as.
  const suffix = String(Date.now() % 1e8).padStart(8, '0');
  const citizen = {
    nik: makeNik({ sequence: 1 + (Date.now() % 9999) }),
    fullName: 'Bench Citizen',
    email: `bench-${environment.runId.toLowerCase()}@example.id`.replace(/[^a-z0-9@.-]/g, '-'),
    phone: `0812${suffix}`,
    password: 'Bench-Password-2026',
  };
  const registered = await http('POST', `${gatewayUrl}${API}/auth/register`, { body: citizen, timeoutMs: 10000 });
  if (registered.status !== 201) throw new Error(`registering the citizen answered ${registered.status}: ${registered.body.slice(0, 300)}`);
  const credentials = { identifier: citizen.email, password: citizen.password };
  const loginUrl = `${gatewayUrl}${API}/auth/login`;
  const first = await http('POST', loginUrl, { body: credentials, timeoutMs: 10000 });
  if (first.status !== 200) throw new Error(`login answered ${first.status}: ${first.body.slice(0, 300)}`);
  const firstTokens = JSON.parse(first.body);
  if (firstTokens.tokenType !== 'Bearer' || typeof firstTokens.accessToken !== 'string') throw new Error(`unexpected login answer: ${first.body.slice(0, 300)}`);

  // 1. Login cost: sequential, then concurrent.
  console.log(`[login] ${options.sequential} sequential logins ...`);
  const sequential = await sequentialLogins(loginUrl, credentials, options.sequential, pids);
  console.log(`[login] sequential: p50 ${sequential.latencyMs.p50} ms, p99 ${sequential.latencyMs.p99} ms, ${sequential.loginsPerSecond} logins/s, identity ${sequential.cpuMsPerLogin.identity} ms CPU per login`);
  console.log(`[login] concurrent: ${options.loginConnections} connections, ${options.loginDuration} s ...`);
  const stopLoginRss = rssSampler({ identity: pids.identity, gateway: pids.gateway });
  const stopLoginCpu = cpuWindow(pids);
  const loginResult = summarize(
    await load(loginUrl, {
      connections: options.loginConnections,
      duration: options.loginDuration,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(credentials),
    }),
  );
  const loginCpu = stopLoginCpu();
  const loginRss = stopLoginRss();
  checkAllOk('concurrent logins', loginResult);
  const concurrent = {
    ...loginResult,
    cpu: loginCpu,
    cpuMsPerLogin: {
      identity: round((loginCpu.cpuSecondsBy.identity * 1000) / loginResult.requests, 1),
      gateway: round((loginCpu.cpuSecondsBy.gateway * 1000) / loginResult.requests, 1),
      postgres: round(((loginCpu.cpuSecondsBy['postgres (this run)'] ?? 0) * 1000) / loginResult.requests, 1),
    },
    rssPeakMb: loginRss.peakMb,
    maxThreads: loginRss.maxThreads,
  };
  console.log(
    `[login] concurrent: ${concurrent.requestsPerSecond} logins/s, p50 ${concurrent.latencyMs.p50} ms, p99 ${concurrent.latencyMs.p99} ms, identity ${loginCpu.coresUsedBy.identity} cores (${concurrent.cpuMsPerLogin.identity} ms CPU per login)`,
  );
  procs.forEach(failIfExited);

  // 1b. Wrong passwords: an existing and an unknown account should not be told apart by time.
  console.log(`[wrong passwords] ${options.wrongLogins} for an existing account and ${options.wrongLogins} for an unknown one ...`);
  const enumeration = await enumerationTiming(loginUrl, citizen.email, options.wrongLogins);
  console.log(`[wrong passwords] p50 existing ${enumeration.latencyMs.known.p50} ms, unknown ${enumeration.latencyMs.unknown.p50} ms`);

  // 2a. Authenticated routes under load; the guard's own timing from the gateway's histogram.
  const fresh = await http('POST', loginUrl, { body: credentials, timeoutMs: 10000 });
  if (fresh.status !== 200) throw new Error(`login answered ${fresh.status}: ${fresh.body.slice(0, 300)}`);
  const token = JSON.parse(fresh.body).accessToken;
  const auth = { authorization: `Bearer ${token}` };
  const agenciesProbe = await http('GET', `${gatewayUrl}${API}/agencies`, { headers: auth });
  const agencies = agenciesProbe.status === 200 ? JSON.parse(agenciesProbe.body) : undefined;
  if (!agencies || agencies.items?.length !== 11) throw new Error(`GET /agencies with the token answered ${agenciesProbe.status}: ${agenciesProbe.body.slice(0, 300)}`);
  const unauthenticated = await http('GET', `${gatewayUrl}${API}/agencies`);
  if (unauthenticated.status !== 401) throw new Error(`GET /agencies without a token answered ${unauthenticated.status}, expected 401`);
  const meProbe = await http('GET', `${gatewayUrl}${API}/me`, { headers: auth });
  if (meProbe.status !== 200 || JSON.parse(meProbe.body).email !== citizen.email) throw new Error(`GET /me answered ${meProbe.status}: ${meProbe.body.slice(0, 300)}`);
  const jwksRes = await http('GET', `${gatewayUrl}/.well-known/jwks.json`);
  if (jwksRes.status !== 200) throw new Error(`GET /.well-known/jwks.json answered ${jwksRes.status}`);
  const jwks = JSON.parse(jwksRes.body);

  const routeOptions = { pids, gatewayUrl, options };
  const agenciesLoad = await measureRoute('agencies (token)', `${gatewayUrl}${API}/agencies`, { ...routeOptions, headers: auth });
  const meLoad = await measureRoute('me (token)', `${gatewayUrl}${API}/me`, { ...routeOptions, headers: auth });
  // The same route with one connection: the guard's time without queueing behind other requests.
  const lowLoad = await measureRoute('agencies (token, 1 connection)', `${gatewayUrl}${API}/agencies`, {
    ...routeOptions,
    headers: auth,
    connections: 1,
    duration: Math.min(options.duration, 10),
    warmup: Math.min(options.warmup, 2),
  });
  let publicLoad = null;
  if (!options.skipPublic) {
    const probe = await http('GET', `${gatewayUrl}${API}/permit-types`);
    if (probe.status !== 200) throw new Error(`GET /permit-types answered ${probe.status}: ${probe.body.slice(0, 300)}`);
    publicLoad = await measureRoute('permit-types (public)', `${gatewayUrl}${API}/permit-types`, { ...routeOptions, headers: {} });
    if (publicLoad.verification.count !== 0) throw new Error(`a public route went through token verification (${publicLoad.verification.count} observations)`);
  }
  procs.forEach(failIfExited);

  // Stop the system so the microbenchmark has the CPU to itself.
  await Promise.all(procs.map((p) => stopChild(p)));

  // 2b. jose microbenchmark on the real token and key.
  console.log(`[jose] ${options.verifications} verifications in this process ...`);
  const micro = await verifyMicrobenchmark(token, jwks, options.verifications, options.connections);
  console.log(`[jose] one at a time: p50 ${micro.sequential.micros.p50} µs, p99 ${micro.sequential.micros.p99} µs; ${options.connections} in flight: p99 ${micro.concurrent.micros.p99} µs; bare Ed25519: p50 ${micro.rawSync.micros.p50} µs`);

  const revocations = revocationMicrobenchmark(options.revocations);

  const reference = walkingSliceReference(options.out);
  const goals = [
    {
      goal: 'token verification p99 <= 1 ms in the gateway (GET /agencies under load)',
      actual: `p99 ≈ ${agenciesLoad.verification.p99MicrosEstimated} µs, ${round(agenciesLoad.verification.shareAtOrBelow1ms * 100, 2)} % ≤ 1 ms`,
      pass: agenciesLoad.verification.shareAtOrBelow1ms >= 0.99,
    },
    {
      goal: 'token verification p99 <= 1 ms in the gateway (GET /me under load)',
      actual: `p99 ≈ ${meLoad.verification.p99MicrosEstimated} µs, ${round(meLoad.verification.shareAtOrBelow1ms * 100, 2)} % ≤ 1 ms`,
      pass: meLoad.verification.shareAtOrBelow1ms >= 0.99,
    },
    {
      goal: 'token verification p99 <= 1 ms in the gateway (GET /agencies, 1 connection)',
      actual: `p99 ≈ ${lowLoad.verification.p99MicrosEstimated} µs, ${round(lowLoad.verification.shareAtOrBelow1ms * 100, 2)} % ≤ 1 ms`,
      pass: lowLoad.verification.shareAtOrBelow1ms >= 0.99,
    },
    {
      goal: 'jose jwtVerify p99 <= 1 ms (microbenchmark, one call at a time)',
      actual: `p99 ${micro.sequential.micros.p99} µs`,
      pass: micro.sequential.micros.p99 <= GOAL_SECONDS * 1e6,
    },
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
    options: { ...options, out: undefined, loginRateLimitPerMinute: Number(LOGIN_RATE_LIMIT), logLevel: 'warn' },
    tree,
    runId: environment.runId,
    readyMs,
    login: { identifier: 'email', argon2: 'argon2id m=19456 KiB t=2 p=1 (services/identity/src/users/passwords.ts)', sequential, concurrent, wrongPasswords: enumeration },
    authenticatedLoad: { agencies: agenciesLoad, me: meLoad, agenciesOneConnection: lowLoad, publicPermitTypes: publicLoad },
    joseMicrobenchmark: micro,
    revocationMicrobenchmark: revocations,
    walkingSliceReference: reference,
    goals,
  };
  printReport(results);
  fs.mkdirSync(options.out, { recursive: true });
  const file = path.join(options.out, `auth-${results.date.replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nresults written to ${path.relative(process.cwd(), file) || file}`);
}

/** Cores used by work that is not this run's: other processes, and other clients' PostgreSQL work. */
const foreign = (cpu) => round((cpu.coresUsedBy['other (rest of the machine)'] ?? 0) + (cpu.coresUsedBy['postgres (other)'] ?? 0));

function printReport(r) {
  const row = (cells, widths) => cells.map((c, i) => (i === 0 ? String(c ?? '').padEnd(widths[i]) : String(c ?? '').padStart(widths[i]))).join('  ');
  console.log(`\ncommit ${r.tree.commit}${r.tree.sourcesDifferFromCommit ? ' (libs/ or services/ modified)' : ''}, dist built ${r.tree.distBuiltAt}, ${r.machine.cpus} cores shared with the load generator`);
  if (r.machine.busyCoresBeforeStart > 0.25) console.log(`warning: ${r.machine.busyCoresBeforeStart} cores were busy before the start (other work on the machine)`);

  const lw = [34, 9, 8, 8, 8, 14, 14];
  console.log(`\n${row(['login (argon2id, one citizen)', 'logins/s', 'p50 ms', 'p99 ms', 'max ms', 'identity cores', 'identity ms/op'], lw)}`);
  const s = r.login.sequential;
  const c = r.login.concurrent;
  console.log(row([`sequential (${s.logins})`, s.loginsPerSecond, s.latencyMs.p50, s.latencyMs.p99, s.latencyMs.max, s.cpu.coresUsedBy.identity, s.cpuMsPerLogin.identity], lw));
  console.log(row([`autocannon ${r.options.loginConnections} conn, ${r.options.loginDuration} s`, c.requestsPerSecond, c.latencyMs.p50, c.latencyMs.p99, c.latencyMs.max, c.cpu.coresUsedBy.identity, c.cpuMsPerLogin.identity], lw));
  console.log(
    `  concurrent: identity RSS peak ${c.rssPeakMb.identity} MB, threads ${c.maxThreads.identity}; CPU ms per login: identity ${c.cpuMsPerLogin.identity}, ` +
      `postgres ${c.cpuMsPerLogin.postgres}, gateway ${c.cpuMsPerLogin.gateway}; machine idle ${c.cpu.idleCores} cores`,
  );
  const e = r.login.wrongPasswords;
  console.log(
    `  wrong passwords, ${e.attempts} each, one address per attempt: existing account p50 ${e.latencyMs.known.p50} / p90 ${e.latencyMs.known.p90} ms, ` +
      `unknown account p50 ${e.latencyMs.unknown.p50} / p90 ${e.latencyMs.unknown.p90} ms (both 401)`,
  );
  for (const [label, x] of [['sequential', s], ['concurrent', c]]) {
    if (foreign(x.cpu) > 0.25) console.log(`  warning: ${foreign(x.cpu)} cores of other work on the machine during the ${label} logins; their figures are disturbed`);
  }

  const aw = [30, 5, 8, 6, 6, 7, 9, 9, 9, 8, 11];
  console.log(`\n${row(['load', 'conn', 'req/s', 'p50 ms', 'p99 ms', 'verif n', 'mean µs', 'p50 µs', 'p99 µs', '≤1 ms %', 'loop p99 ms'], aw)}`);
  const loads = [
    ['GET /agencies (token)', r.authenticatedLoad.agencies],
    ['GET /me (token)', r.authenticatedLoad.me],
    ['GET /agencies (token)', r.authenticatedLoad.agenciesOneConnection],
    ['GET /permit-types (public)', r.authenticatedLoad.publicPermitTypes],
  ];
  for (const [label, l] of loads) {
    if (!l) continue;
    const v = l.verification;
    const share = v.shareAtOrBelow1ms === null ? '-' : round(v.shareAtOrBelow1ms * 100, 2);
    console.log(row([label, l.connections, l.requestsPerSecond, l.latencyMs.p50, l.latencyMs.p99, v.count, v.meanMicros ?? '-', v.p50MicrosEstimated ?? '-', v.p99MicrosEstimated ?? '-', share, l.gatewayEventLoopDelay.p99Ms], aw));
  }
  console.log(`  (${r.options.duration} s each after ${r.options.warmup} s warm-up; the 1-connection run ${Math.min(r.options.duration, 10)} s. verification µs: the gateway's ${METRIC}{outcome="ok"} over the window,`);
  console.log('   p50/p99 interpolated inside its buckets 50/100/250/500 µs, 1/2.5/5/10/50 ms; mean = sum/count; ≤1 ms % exact. loop p99: the gateway\'s event-loop delay)');
  for (const [label, l] of loads) {
    if (!l) continue;
    const used = Object.entries(l.cpu.coresUsedBy)
      .sort((a, b) => b[1] - a[1])
      .map(([n, v]) => `${n} ${v}`)
      .join(', ');
    const g = l.cpuMsPerRequest;
    console.log(`  CPU during ${label}, ${l.connections} conn (cores): ${used}`);
    console.log(`    gateway CPU per request: ${g.gateway} ms (event-loop thread ${g.gatewayMainThread}, other threads ${g.gatewayOtherThreads})`);
    if (foreign(l.cpu) > 0.25) console.log(`  warning: ${foreign(l.cpu)} cores of other work on the machine during ${label}; its figures are disturbed`);
  }
  if (r.walkingSliceReference) {
    const w = r.walkingSliceReference;
    const a = r.authenticatedLoad.agencies;
    console.log(
      `\nwalking-slice reference (${w.file}, commit ${w.commit}): GET /agencies ${w.requestsPerSecond} req/s, p50 ${w.latencyMs.p50} ms, p99 ${w.latencyMs.p99} ms, ` +
        `gateway ${w.gatewayCpuMsPerRequest} ms CPU/request; now with a token: ${a.requestsPerSecond} req/s, p50 ${a.latencyMs.p50} ms, p99 ${a.latencyMs.p99} ms, gateway ${a.cpuMsPerRequest.gateway} ms CPU/request`,
    );
  }
  const m = r.joseMicrobenchmark;
  console.log(`\njose ${m.joseVersion} jwtVerify (EdDSA, the real token and JWKS, the gateway's options), in this process with the system stopped:`);
  const mw = [40, 8, 8, 8, 8, 9, 9, 11];
  console.log(row(['', 'calls', 'p50 µs', 'p90 µs', 'p99 µs', 'max µs', 'per s', 'CPU µs/call'], mw));
  for (const [label, x] of [
    ['jwtVerify, one at a time', m.sequential],
    [`jwtVerify, ${m.concurrent.inFlight} in flight`, m.concurrent],
    ['bare Ed25519 crypto.verify (sync)', m.rawSync],
  ]) {
    console.log(row([label, x.calls, x.micros.p50, x.micros.p90, x.micros.p99, x.micros.max, x.perSecond, x.cpuMicrosPerCall], mw));
  }
  console.log(`  (${m.concurrent.inFlight} in flight: a closed loop, so its latency is mostly waiting for libuv's ${m.uvThreadpoolSize} pool threads on ${r.machine.cpus} cores)`);
  if (m.otherCoresDuring > 0.25) console.log(`  warning: ${m.otherCoresDuring} cores of other work on the machine during the microbenchmark; its tail is disturbed`);
  console.log(`\nrevocation check in the gateway's guard (the shipped Revocations class, ${r.revocationMicrobenchmark.checksPerRound} checks per round, median of ${r.revocationMicrobenchmark.rounds}):`);
  for (const x of r.revocationMicrobenchmark.results) {
    console.log(`  ${String(x.held).padStart(9)} held: ${x.microsPerCheck.live} µs per check, ${x.microsPerCheck.ended ?? '-'} µs for an ended session; sweep ${x.sweepMs} ms`);
  }
  console.log('\ngoal: token verification adds <= 1 ms p99 per request');
  for (const g of r.goals) console.log(`  ${g.pass ? 'PASS' : 'FAIL'}  ${g.goal}: ${g.actual}`);
}

// ---------------------------------------------------------------------------------------------
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
