#!/usr/bin/env node
'use strict';
/*
 * What the audit trail costs the write path: POST /api/v1/complaints (a complaint, its history row,
 * its outbox event and, when on, its audit row, in one transaction) through the gateway, with the
 * complaints service started with AUDIT_ENABLED=true and =false, alternating, on the same database.
 * Then the time to verify the chain that the runs built.
 *
 *   npx nx run-many -t build
 *   flock /tmp/smart-regency-bench.lock node bench/audit.js [--duration=15] [--warmup=3] [--connections=20] [--rounds=2] [--out=bench/results]
 *
 * The goal (≤ 10 % throughput lost) is judged on the median of the per-round costs.
 */
const fs = require('fs');
const path = require('path');
const { performance } = require('perf_hooks');
const h = require('./lib/harness');

const API = '/api/v1';
const COMPLAINT = {
  categoryCode: 'roads-bridges',
  title: 'Jalan berlubang di depan pasar',
  description: 'Lubang besar di jalan depan Pasar Aek Kanopan membahayakan pengendara motor.',
  location: { lat: 2.578, lng: 99.618, district: 'Kualuh Hulu' },
  visibility: 'public',
};

function parseArgs(argv) {
  const options = { duration: 15, warmup: 3, connections: 20, rounds: 2, out: path.join(h.ROOT, 'bench', 'results') };
  for (const arg of argv) {
    const [key, value] = [arg.replace(/^--/, '').split('=')[0], arg.slice(arg.indexOf('=') + 1)];
    if (key === 'out') options.out = path.resolve(value);
    else if (key in options) {
      const v = Number(value);
      if (!Number.isInteger(v) || v < 1 || v > 600) throw new Error(`--${key} must be an integer in 1..600`);
      options[key] = v;
    } else throw new Error(`unknown option ${arg}`);
  }
  return options;
}

let environment;
async function cleanup() {
  await h.stopAllChildren();
  if (environment) await environment.cleanup().catch((error) => console.error(`cleanup incomplete (run ${environment.runId}): ${error.message}`));
  environment = undefined;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const { TestEnvironment, freePort, entrypoint, DOMAIN_SERVICES, makeNik, TEST_ADMIN } = require('@smart-regency/testing');
  const names = [...DOMAIN_SERVICES, 'gateway'];
  environment = new TestEnvironment();
  const busyBefore = await h.busyCores(1000);
  const loadBefore = fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(`machine busy before start: ${busyBefore} cores; load average ${loadBefore}`);

  const ports = {};
  for (const name of names) ports[name] = await freePort();
  const env = (name, extra = {}) => environment.serviceEnv(name, { ...h.UNLIMITED_CITIZEN, LOG_LEVEL: 'warn', PORT: String(ports[name]), ...extra });
  const system = {};
  for (const name of names) system[name] = h.startChild(name, [entrypoint(name)], env(name));
  const gatewayUrl = `http://127.0.0.1:${ports.gateway}`;
  const ready = () =>
    h.waitUntil('the gateway to be ready', async () => (await h.http('GET', `${gatewayUrl}/health/ready`, { timeoutMs: 2000 })).status === 200, 60000, 50, Object.values(system));
  await ready();

  const login = async (identifier, password) => {
    const res = await h.http('POST', `${gatewayUrl}${API}/auth/login`, { body: { identifier, password } });
    return res.status === 200 ? res.json.accessToken : undefined;
  };
  let adminToken;
  await h.waitUntil('the admin to sign in', async () => (adminToken = await login(TEST_ADMIN.email, TEST_ADMIN.password)), 20000, 250, Object.values(system));
  const citizen = { nik: makeNik({ sequence: 4321 }), fullName: 'Warga Bench', email: `bench-${environment.runId}@example.id`.toLowerCase(), phone: '081299990001', password: 'Bench-Citizen-Password-2026' };
  const registered = await h.http('POST', `${gatewayUrl}${API}/auth/register`, { body: citizen });
  if (registered.status !== 201) throw new Error(`register answered ${registered.status}: ${registered.body}`);
  const token = await login(citizen.email, citizen.password);
  const probe = await h.http('POST', `${gatewayUrl}${API}/complaints`, { token, body: COMPLAINT });
  if (probe.status !== 201) throw new Error(`POST /complaints answered ${probe.status}: ${probe.body}`);

  /** complaints restarted with AUDIT_ENABLED as asked, on the same database. */
  const restartComplaints = async (enabled) => {
    await h.stopChild(system.complaints);
    system.complaints = h.startChild('complaints', [entrypoint('complaints')], env('complaints', { AUDIT_ENABLED: String(enabled) }));
    await ready();
    const res = await h.http('POST', `${gatewayUrl}${API}/complaints`, { token, body: COMPLAINT });
    if (res.status !== 201) throw new Error(`POST /complaints after restart answered ${res.status}: ${res.body}`);
  };
  const load = (duration) =>
    h.autocannon({
      url: `${gatewayUrl}${API}/complaints`,
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(COMPLAINT),
      connections: options.connections,
      duration,
    });

  const runs = [];
  for (let round = 1; round <= options.rounds; round++) {
    // Alternate the order so a drift in the machine's load does not favour one side.
    for (const enabled of round % 2 ? [true, false] : [false, true]) {
      await restartComplaints(enabled);
      await load(options.warmup);
      const pids = Object.fromEntries(names.map((n) => [n, system[n].child.pid]));
      const cpu = h.cpuWindow(pids);
      const result = h.summarize(await load(options.duration));
      const window = cpu();
      // CPU of our own processes per request: robust to other work on the machine (which the
      // throughput is not); PostgreSQL and NATS are shared with other runs, so not counted here.
      const ownSeconds = names.reduce((sum, n) => sum + (window.cpuSecondsBy[n] ?? 0), 0);
      const run = { round, audit: enabled ? 'on' : 'off', ...result, nodeCpuMsPerRequest: h.round((ownSeconds * 1000) / result.requests, 3), cpu: window };
      runs.push(run);
      console.log(
        `round ${round} audit ${run.audit.padEnd(3)}: ${result.requestsPerSecond} req/s, p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms, ` +
          `node CPU ${run.nodeCpuMsPerRequest} ms/req, postgres ${window.coresUsedBy.postgres ?? 0} cores, other work ${window.coresUsedBy['other (rest of the machine)']} cores, idle ${window.idleCores}`,
      );
      if (result.non2xx || result.errors) throw new Error(`${result.non2xx} non-2xx answers and ${result.errors} errors: ${JSON.stringify(result.statusCodes)}`);
    }
  }
  await restartComplaints(true);

  // The trail has exactly one row per complaint filed with the audit on (plus the system's own).
  const { Client } = require('pg');
  const db = new Client({ connectionString: env('complaints').DATABASE_URL });
  await db.connect();
  const [{ rows: auditRows }, { rows: complaints }] = [await db.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'complaint.file'`), await db.query('SELECT count(*)::int AS n FROM complaints')];
  await db.end();
  const verifyStarted = performance.now();
  const verified = await h.http('GET', `${gatewayUrl}${API}/audit/verify?service=complaints`, { token: adminToken, timeoutMs: 300000 });
  const verifyMs = Math.round(performance.now() - verifyStarted);
  const chain = verified.json?.services?.[0];
  if (verified.status !== 200 || !chain?.intact) throw new Error(`verify answered ${verified.status}: ${verified.body.slice(0, 400)}`);

  const side = (audit, key, filter = () => true) => median(runs.filter((r) => r.audit === audit && filter(r)).map((r) => r[key]));
  const on = side('on', 'requestsPerSecond');
  const off = side('off', 'requestsPerSecond');
  const costPercent = h.round(((off - on) / off) * 100, 1);
  const cpuOn = side('on', 'nodeCpuMsPerRequest');
  const cpuOff = side('off', 'nodeCpuMsPerRequest');
  // Runs during which other work took under a quarter core: the throughput comparison that means most.
  const quiet = (r) => r.cpu.coresUsedBy['other (rest of the machine)'] < 0.25;
  const quietRuns = { on: runs.filter((r) => r.audit === 'on' && quiet(r)).length, off: runs.filter((r) => r.audit === 'off' && quiet(r)).length };
  const quietOn = quietRuns.on ? side('on', 'requestsPerSecond', quiet) : null;
  const quietOff = quietRuns.off ? side('off', 'requestsPerSecond', quiet) : null;
  // Each round measures both sides back to back: the median of the per-round costs is the least
  // sensitive to other work that comes and goes on a shared machine.
  const roundCosts = [];
  for (let round = 1; round <= options.rounds; round++) {
    const [a, b] = ['on', 'off'].map((audit) => runs.find((r) => r.round === round && r.audit === audit).requestsPerSecond);
    roundCosts.push(h.round(((b - a) / b) * 100, 1));
  }
  const pairedCostPercent = median(roundCosts);
  const loadAfter = fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const report = {
    at: new Date().toISOString(),
    tree: h.treeInfo(),
    machine: h.machineInfo(),
    options,
    loadAverageBefore: loadBefore,
    loadAverageAfter: loadAfter,
    busyCoresBeforeStart: busyBefore,
    runs,
    medianRequestsPerSecond: { on, off },
    costPercent,
    roundCosts,
    pairedCostPercent,
    medianNodeCpuMsPerRequest: { on: cpuOn, off: cpuOff },
    quietRuns,
    quietMedianRequestsPerSecond: { on: quietOn, off: quietOff },
    quietCostPercent: quietOn && quietOff ? h.round(((quietOff - quietOn) / quietOff) * 100, 1) : null,
    complaintsFiled: complaints[0].n,
    auditRowsOfFilings: auditRows[0].n,
    verify: { rows: chain.checked, ms: verifyMs, rowsPerSecond: Math.round(chain.checked / (verifyMs / 1000)) },
  };
  fs.mkdirSync(options.out, { recursive: true });
  const file = path.join(options.out, `audit-${report.at.replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, JSON.stringify(report, null, 2));
  console.log(`\nPOST /complaints, ${options.connections} connections, ${options.duration} s per run, ${options.rounds} rounds`);
  console.log(`  audit on : ${on} req/s (median)`);
  console.log(`  audit off: ${off} req/s (median)`);
  console.log(`  cost     : ${costPercent} % of throughput (medians); per round ${roundCosts.join(', ')} %, median ${pairedCostPercent} %  ${pairedCostPercent <= 10 ? 'PASS' : 'FAIL'} (goal ≤ 10 %)`);
  console.log(`  quiet runs only (other work < 0.25 cores; on ${quietRuns.on}, off ${quietRuns.off}): on ${quietOn} req/s, off ${quietOff} req/s, cost ${report.quietCostPercent} %`);
  console.log(`  node CPU per request (gateway + services): on ${h.round(cpuOn, 3)} ms, off ${h.round(cpuOff, 3)} ms (${h.round(((cpuOn - cpuOff) / cpuOff) * 100, 1)} %)`);
  console.log(`  complaints ${complaints[0].n}, audit rows of filings ${auditRows[0].n}`);
  console.log(`  verify   : ${chain.checked} rows in ${verifyMs} ms (${report.verify.rowsPerSecond} rows/s), intact`);
  console.log(`  load average before ${loadBefore}, after ${loadAfter}; written to ${path.relative(process.cwd(), file)}`);
}

const fail = async (error) => {
  console.error(`\nbenchmark failed: ${error?.stack ?? error}`);
  await cleanup();
  process.exit(1);
};
process.once('unhandledRejection', fail);
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => cleanup().finally(() => process.exit(130)));
main()
  .then(cleanup)
  .then(() => process.exit(0))
  .catch(fail);
