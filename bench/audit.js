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

const OPTIONS = { duration: h.int(15, 1, 600), warmup: h.int(3, 1, 600), connections: h.int(20, 1, 600), rounds: h.int(2, 1, 600), out: h.OUT };

const loadAverage = () => fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

/** The system, the admin's token and a citizen who has filed once. */
async function prepare(testing, environment) {
  const system = await h.startSystem(testing, environment, { extra: () => ({ ...h.UNLIMITED_CITIZEN, LOG_LEVEL: 'warn' }), everyMs: 50 });
  const adminToken = await h.adminToken(testing, system);
  const citizen = { nik: testing.makeNik({ sequence: 4321 }), fullName: 'Warga Bench', email: `bench-${environment.runId}@example.id`.toLowerCase(), phone: '081299990001', password: 'Bench-Citizen-Password-2026' };
  const token = await h.registerCitizen(system.gatewayUrl, citizen, 'register');
  h.expect('POST /complaints', await h.http('POST', `${system.gatewayUrl}${API}/complaints`, { token, body: COMPLAINT }), 201);
  return { system, adminToken, token };
}

/** complaints restarted with AUDIT_ENABLED as asked, on the same database; one filing checks it. */
async function restartComplaints(system, token, enabled) {
  await h.restartService(system, 'complaints', { AUDIT_ENABLED: String(enabled) });
  h.expect('POST /complaints after restart', await h.http('POST', `${system.gatewayUrl}${API}/complaints`, { token, body: COMPLAINT }), 201);
}

/** One measured run with the audit trail on or off. */
async function measuredRun(system, token, options, round, enabled) {
  await restartComplaints(system, token, enabled);
  const load = { url: `${system.gatewayUrl}${API}/complaints`, method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(COMPLAINT), connections: options.connections };
  const run = (duration) => h.autocannon({ ...load, duration }).then((r) => h.summarize(r));
  const { result, cpu } = await h.measureWindow({ run, pids: h.pidsOf(system), warmup: options.warmup, duration: options.duration });
  // CPU of our own processes per request: robust to other work on the machine (which the
  // throughput is not); PostgreSQL and NATS are shared with other runs, so not counted here.
  const ownSeconds = system.names.reduce((sum, n) => sum + (cpu.cpuSecondsBy[n] ?? 0), 0);
  const r = { round, audit: enabled ? 'on' : 'off', ...result, nodeCpuMsPerRequest: h.round((ownSeconds * 1000) / result.requests, 3), cpu };
  console.log(
    `round ${round} audit ${r.audit.padEnd(3)}: ${result.requestsPerSecond} req/s, p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms, ` +
      `node CPU ${r.nodeCpuMsPerRequest} ms/req, postgres ${cpu.coresUsedBy.postgres ?? 0} cores, other work ${cpu.coresUsedBy['other (rest of the machine)']} cores, idle ${cpu.idleCores}`,
  );
  if (result.non2xx || result.errors) throw new Error(`${result.non2xx} non-2xx answers and ${result.errors} errors: ${JSON.stringify(result.statusCodes)}`);
  return r;
}

/** The trail has exactly one row per complaint filed with the audit on (plus the system's own); the chain is verified through the API. */
async function verify(system, adminToken) {
  const db = system.envOf('complaints').DATABASE_URL;
  const auditRows = await h.countOf(db, `SELECT count(*)::int AS n FROM audit_log WHERE action = 'complaint.file'`);
  const complaints = await h.countOf(db, 'SELECT count(*)::int AS n FROM complaints');
  const started = performance.now();
  const verified = await h.http('GET', `${system.gatewayUrl}${API}/audit/verify?service=complaints`, { token: adminToken, timeoutMs: 300000 });
  const ms = Math.round(performance.now() - started);
  const chain = verified.json?.services?.[0];
  if (verified.status !== 200 || !chain?.intact) throw new Error(`verify answered ${verified.status}: ${verified.body.slice(0, 400)}`);
  return { auditRows, complaints, verify: { rows: chain.checked, ms, rowsPerSecond: Math.round(chain.checked / (ms / 1000)) } };
}

/** Medians on and off, and the per-round costs (each round measures both sides back to back: the least sensitive to other work coming and going). */
function costs(runs, rounds) {
  const side = (audit, key, filter = () => true) => h.median(runs.filter((r) => r.audit === audit && filter(r)).map((r) => r[key]));
  const on = side('on', 'requestsPerSecond');
  const off = side('off', 'requestsPerSecond');
  const roundCosts = [];
  for (let round = 1; round <= rounds; round++) {
    const [a, b] = ['on', 'off'].map((audit) => runs.find((r) => r.round === round && r.audit === audit).requestsPerSecond);
    roundCosts.push(h.round(((b - a) / b) * 100, 1));
  }
  // Runs during which other work took under a quarter core: the throughput comparison that means most.
  const quiet = (r) => r.cpu.coresUsedBy['other (rest of the machine)'] < 0.25;
  const quietRuns = { on: runs.filter((r) => r.audit === 'on' && quiet(r)).length, off: runs.filter((r) => r.audit === 'off' && quiet(r)).length };
  const quietOn = quietRuns.on ? side('on', 'requestsPerSecond', quiet) : null;
  const quietOff = quietRuns.off ? side('off', 'requestsPerSecond', quiet) : null;
  return {
    medianRequestsPerSecond: { on, off },
    costPercent: h.round(((off - on) / off) * 100, 1),
    roundCosts,
    pairedCostPercent: h.median(roundCosts),
    medianNodeCpuMsPerRequest: { on: side('on', 'nodeCpuMsPerRequest'), off: side('off', 'nodeCpuMsPerRequest') },
    quietRuns,
    quietMedianRequestsPerSecond: { on: quietOn, off: quietOff },
    quietCostPercent: quietOn && quietOff ? h.round(((quietOff - quietOn) / quietOff) * 100, 1) : null,
  };
}

function printReport(r, file) {
  const { on, off } = r.medianRequestsPerSecond;
  const cpu = r.medianNodeCpuMsPerRequest;
  console.log(`\nPOST /complaints, ${r.options.connections} connections, ${r.options.duration} s per run, ${r.options.rounds} rounds`);
  console.log(`  audit on : ${on} req/s (median)`);
  console.log(`  audit off: ${off} req/s (median)`);
  console.log(`  cost     : ${r.costPercent} % of throughput (medians); per round ${r.roundCosts.join(', ')} %, median ${r.pairedCostPercent} %  ${r.pairedCostPercent <= 10 ? 'PASS' : 'FAIL'} (goal ≤ 10 %)`);
  console.log(`  quiet runs only (other work < 0.25 cores; on ${r.quietRuns.on}, off ${r.quietRuns.off}): on ${r.quietMedianRequestsPerSecond.on} req/s, off ${r.quietMedianRequestsPerSecond.off} req/s, cost ${r.quietCostPercent} %`);
  console.log(`  node CPU per request (gateway + services): on ${h.round(cpu.on, 3)} ms, off ${h.round(cpu.off, 3)} ms (${h.round(((cpu.on - cpu.off) / cpu.off) * 100, 1)} %)`);
  console.log(`  complaints ${r.complaintsFiled}, audit rows of filings ${r.auditRowsOfFilings}`);
  console.log(`  verify   : ${r.verify.rows} rows in ${r.verify.ms} ms (${r.verify.rowsPerSecond} rows/s), intact`);
  console.log(`  load average before ${r.loadAverageBefore}, after ${r.loadAverageAfter}; written to ${h.relative(file)}`);
}

async function main() {
  const options = h.readOptions(process.argv.slice(2), OPTIONS);
  const testing = h.loadTesting();
  const environment = h.track(new testing.TestEnvironment());
  const busyBefore = await h.busyCores(1000);
  const loadBefore = loadAverage();
  console.log(`machine busy before start: ${busyBefore} cores; load average ${loadBefore}`);
  const { system, adminToken, token } = await prepare(testing, environment);
  const runs = [];
  for (let round = 1; round <= options.rounds; round++) {
    // Alternate the order so a drift in the machine's load does not favour one side.
    for (const enabled of round % 2 ? [true, false] : [false, true]) runs.push(await measuredRun(system, token, options, round, enabled));
  }
  await restartComplaints(system, token, true);
  const checked = await verify(system, adminToken);
  const at = new Date().toISOString();
  const report = { at, tree: h.treeInfo(), machine: h.machineInfo(), options, loadAverageBefore: loadBefore, loadAverageAfter: loadAverage(), busyCoresBeforeStart: busyBefore, runs, ...costs(runs, options.rounds), complaintsFiled: checked.complaints, auditRowsOfFilings: checked.auditRows, verify: checked.verify };
  printReport(report, h.writeResults(options.out, 'audit', at, report));
}

h.runMain(main);
