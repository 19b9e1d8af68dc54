'use strict';
/* The auth bench's goals, its comparison with the walking slice, and its printed tables. */
const fs = require('fs');
const path = require('path');
const h = require('../lib/harness');
const { METRIC, GOAL_SECONDS } = require('./metrics');

/** The newest walking-slice run with its default settings, for comparison (it predates the guard if its commit does). */
function walkingSliceReference(dir) {
  try {
    const files = fs.readdirSync(dir).filter((f) => /^walking-slice-.*\.json$/.test(f)).sort().reverse();
    for (const f of files) {
      const r = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
      const o = r.options ?? {};
      if (o.connections !== 50 || o.duration !== 15 || o.cpuProfiles || o.nodeOptions || o.bareAlwaysCount) continue;
      const rps = r.full.requestsPerSecond;
      const perRequest = (name) => h.round(((r.full.cpu?.coresUsedBy?.[name] ?? NaN) * 1000) / rps, 3);
      return { file: f, date: r.date, commit: r.tree?.commit, requestsPerSecond: rps, latencyMs: r.full.latencyMs, gatewayCpuMsPerRequest: perRequest('gateway'), identityCpuMsPerRequest: perRequest('identity') };
    }
  } catch {
    // no results directory yet
  }
  return null;
}

function goalsOf(loads, micro) {
  const share = (l) => `p99 ≈ ${l.verification.p99MicrosEstimated} µs, ${h.round(l.verification.shareAtOrBelow1ms * 100, 2)} % ≤ 1 ms`;
  const route = (goal, l) => ({ goal, actual: share(l), pass: l.verification.shareAtOrBelow1ms >= 0.99 });
  return [
    route('token verification p99 <= 1 ms in the gateway (GET /me under load)', loads.me),
    route('token verification p99 <= 1 ms in the gateway (GET /me, 1 connection)', loads.meOneConnection),
    { goal: 'jose jwtVerify p99 <= 1 ms (microbenchmark, one call at a time)', actual: `p99 ${micro.sequential.micros.p99} µs`, pass: micro.sequential.micros.p99 <= GOAL_SECONDS * 1e6 },
  ];
}

/** Cores used by work that is not this run's: other processes, and other clients' PostgreSQL work. */
const foreign = (cpu) => h.round((cpu.coresUsedBy['other (rest of the machine)'] ?? 0) + (cpu.coresUsedBy['postgres (other)'] ?? 0));

function printLogins(r) {
  const lw = [34, 9, 8, 8, 8, 14, 14];
  console.log(`\n${h.tableRow(['login (argon2id, one citizen)', 'logins/s', 'p50 ms', 'p99 ms', 'max ms', 'identity cores', 'identity ms/op'], lw)}`);
  const s = r.login.sequential;
  const c = r.login.concurrent;
  console.log(h.tableRow([`sequential (${s.logins})`, s.loginsPerSecond, s.latencyMs.p50, s.latencyMs.p99, s.latencyMs.max, s.cpu.coresUsedBy.identity, s.cpuMsPerLogin.identity], lw));
  console.log(h.tableRow([`autocannon ${r.options.loginConnections} conn, ${r.options.loginDuration} s`, c.requestsPerSecond, c.latencyMs.p50, c.latencyMs.p99, c.latencyMs.max, c.cpu.coresUsedBy.identity, c.cpuMsPerLogin.identity], lw));
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
}

function loadsOf(r) {
  const a = r.authenticatedLoad;
  return [['GET /me (token)', a.me], ['GET /me (token)', a.meOneConnection], ['GET /agencies (public, token)', a.agencies], ['GET /permit-types (public)', a.publicPermitTypes]].filter(([, l]) => l);
}

function printLoads(r) {
  const aw = [30, 5, 8, 6, 6, 7, 9, 9, 9, 8, 11];
  console.log(`\n${h.tableRow(['load', 'conn', 'req/s', 'p50 ms', 'p99 ms', 'verif n', 'mean µs', 'p50 µs', 'p99 µs', '≤1 ms %', 'loop p99 ms'], aw)}`);
  for (const [label, l] of loadsOf(r)) {
    const v = l.verification;
    const share = v.shareAtOrBelow1ms === null ? '-' : h.round(v.shareAtOrBelow1ms * 100, 2);
    console.log(h.tableRow([label, l.connections, l.requestsPerSecond, l.latencyMs.p50, l.latencyMs.p99, v.count, v.meanMicros ?? '-', v.p50MicrosEstimated ?? '-', v.p99MicrosEstimated ?? '-', share, l.gatewayEventLoopDelay.p99Ms], aw));
  }
  console.log(`  (${r.options.duration} s each after ${r.options.warmup} s warm-up; the 1-connection run ${Math.min(r.options.duration, 10)} s. verification µs: the gateway's ${METRIC}{outcome="ok"} over the window,`);
  console.log("   p50/p99 interpolated inside its buckets 50/100/250/500 µs, 1/2.5/5/10/50 ms; mean = sum/count; ≤1 ms % exact. loop p99: the gateway's event-loop delay)");
  for (const [label, l] of loadsOf(r)) {
    const g = l.cpuMsPerRequest;
    console.log(`  CPU during ${label}, ${l.connections} conn (cores): ${h.allCores(l.cpu)}`);
    console.log(`    gateway CPU per request: ${g.gateway} ms (event-loop thread ${g.gatewayMainThread}, other threads ${g.gatewayOtherThreads})`);
    if (foreign(l.cpu) > 0.25) console.log(`  warning: ${foreign(l.cpu)} cores of other work on the machine during ${label}; its figures are disturbed`);
  }
  if (!r.walkingSliceReference) return;
  const w = r.walkingSliceReference;
  const a = r.authenticatedLoad.agencies;
  console.log(
    `\nwalking-slice reference (${w.file}, commit ${w.commit}): GET /agencies ${w.requestsPerSecond} req/s, p50 ${w.latencyMs.p50} ms, p99 ${w.latencyMs.p99} ms, ` +
      `gateway ${w.gatewayCpuMsPerRequest} ms CPU/request; now (public, the token sent): ${a.requestsPerSecond} req/s, p50 ${a.latencyMs.p50} ms, p99 ${a.latencyMs.p99} ms, gateway ${a.cpuMsPerRequest.gateway} ms CPU/request`,
  );
}

function printMicrobenchmarks(r) {
  const m = r.joseMicrobenchmark;
  console.log(`\njose ${m.joseVersion} jwtVerify (EdDSA, the real token and JWKS, the gateway's options), in this process with the system stopped:`);
  const mw = [40, 8, 8, 8, 8, 9, 9, 11];
  console.log(h.tableRow(['', 'calls', 'p50 µs', 'p90 µs', 'p99 µs', 'max µs', 'per s', 'CPU µs/call'], mw));
  for (const [label, x] of [['jwtVerify, one at a time', m.sequential], [`jwtVerify, ${m.concurrent.inFlight} in flight`, m.concurrent], ['bare Ed25519 crypto.verify (sync)', m.rawSync]]) {
    console.log(h.tableRow([label, x.calls, x.micros.p50, x.micros.p90, x.micros.p99, x.micros.max, x.perSecond, x.cpuMicrosPerCall], mw));
  }
  console.log(`  (${m.concurrent.inFlight} in flight: a closed loop, so its latency is mostly waiting for libuv's ${m.uvThreadpoolSize} pool threads on ${r.machine.cpus} cores)`);
  if (m.otherCoresDuring > 0.25) console.log(`  warning: ${m.otherCoresDuring} cores of other work on the machine during the microbenchmark; its tail is disturbed`);
  printRevocations(r.revocationMicrobenchmark);
}

function printRevocations(rm) {
  console.log(`\nrevocation check in the gateway's guard (the shipped Revocations class, ${rm.checksPerRound} checks per round, median of ${rm.rounds}):`);
  for (const x of rm.results) console.log(`  ${String(x.held).padStart(9)} held: ${x.microsPerCheck.live} µs per check, ${x.microsPerCheck.ended ?? '-'} µs for an ended session; sweep ${x.sweepMs} ms`);
}

function printReport(r) {
  console.log(`\ncommit ${r.tree.commit}${r.tree.sourcesDifferFromCommit ? ' (libs/ or services/ modified)' : ''}, dist built ${r.tree.distBuiltAt}, ${r.machine.cpus} cores shared with the load generator`);
  if (r.machine.busyCoresBeforeStart > 0.25) console.log(`warning: ${r.machine.busyCoresBeforeStart} cores were busy before the start (other work on the machine)`);
  printLogins(r);
  printLoads(r);
  printMicrobenchmarks(r);
  console.log('\ngoal: token verification adds <= 1 ms p99 per request');
  for (const g of r.goals) console.log(`  ${g.pass ? 'PASS' : 'FAIL'}  ${g.goal}: ${g.actual}`);
}

module.exports = { walkingSliceReference, goalsOf, printReport };
