'use strict';
/* The permits bench's goals, JSON report and printed tables. */
const h = require('../lib/harness');
const { GOAL_P99_MS } = require('./reads');

const GOAL_PAIR_RPS = 1000;
const OTHER = 'other (rest of the machine)';

function goalsOf(options, reads, pairs) {
  return [
    ...reads.map((r) => ({ goal: `p99 <= ${GOAL_P99_MS} ms: ${r.scenario}`, target: GOAL_P99_MS, actual: r.latencyMs.p99, pass: r.pass })),
    ...(pairs
      ? [
          { goal: `create+submit >= ${GOAL_PAIR_RPS} req/s at ${options.connections} connections`, target: GOAL_PAIR_RPS, actual: pairs.full.requestsPerSecond, pass: pairs.full.requestsPerSecond >= GOAL_PAIR_RPS },
          { goal: `create+submit p99 <= ${GOAL_P99_MS} ms`, target: GOAL_P99_MS, actual: pairs.full.latencyMs.p99, pass: pairs.full.latencyMs.p99 <= GOAL_P99_MS && pairs.full.non2xx === 0 },
        ]
      : []),
  ];
}

/** The JSON report of a run. */
function results({ options, profileDir, busyBeforeStart, environment, readyMs, who, seeding, reads, plans, capture, slow, readAudit, pairs }) {
  return {
    date: new Date().toISOString(),
    cpuProfiles: options.cpuProf ? profileDir : null,
    machine: { ...h.machineInfo(), busyCoresBeforeStart: busyBeforeStart, note: 'the load generator (autocannon, in this process), NATS, PostgreSQL and the processes under test share these CPUs' },
    options,
    tree: h.treeInfo(),
    runId: environment.runId,
    readyMs,
    setup: { officerAgency: who.officerAgency.code, officerAgencyId: who.officerAgency.id, citizenId: who.citizenId, benchType: who.benchType, slots: who.slots },
    seeding,
    reads,
    plans,
    statementCapture: capture,
    slowStatements: slow,
    readAudit,
    pairs,
    goals: goalsOf(options, reads, pairs),
  };
}

function printReads(r) {
  console.log(`\nreads: ${r.options.connections} connections, ${r.options.duration} s after ${r.options.warmup} s warm-up`);
  const w = [44, 7, 6, 5, 5, 6, 8, 8, 8, 6];
  console.log(h.tableRow(['GET /permit-applications', 'total', 'req/s', 'p50', 'p99', 'non2xx', 'pg ms', 'permits', 'gateway', 'other'], w));
  for (const x of r.reads) {
    const c = x.cpuMsPerRequest;
    console.log(h.tableRow([x.scenario, x.total, x.requestsPerSecond, x.latencyMs.p50, x.latencyMs.p99, x.non2xx, c.postgres, c.permits, c.gateway, x.cpu.coresUsedBy[OTHER]], w));
  }
  console.log('  (pg ms, permits, gateway: CPU milliseconds per request; other: cores used by the rest of the machine)');
}

function printStatements(r) {
  console.log('\nthe same SQL alone on the idle system: median ms of 5 runs, then EXPLAIN (ANALYZE, BUFFERS)');
  if (r.statementCapture?.error) console.log(`  not planned: ${r.statementCapture.error}`);
  for (const p of r.plans) {
    const sort = p.sort ? `; ${p.sort.replace(/\s+/g, ' ')}` : '';
    console.log(`  ${p.query.padEnd(6)} ${String(p.medianMs).padStart(8)} (plan ${p.planningMs}, run ${p.executionMs})  ${p.scenario}: ${p.indexes.join(' + ') || 'seq scan'}; ${(p.buffers ?? '').replace('Buffers: ', '')}${sort}`);
  }
  if (r.slowStatements?.statements?.length) {
    console.log(`\nstatements of the permits service slower than ${r.options.logStatementsMs} ms (server log)`);
    for (const s of r.slowStatements.statements.slice(0, 8)) {
      const sql = s.sql.replace(/\s+/g, ' ');
      console.log(`  ${String(s.count).padStart(6)} x, mean ${s.meanMs} ms, max ${s.maxMs} ms: ${sql.slice(0, 150)}${sql.length > 150 ? '…' : ''}`);
    }
  } else if (r.slowStatements?.error) console.log(`\nslow statements: ${r.slowStatements.error}`);
}

function printReadAudit(r) {
  const a = r.readAudit;
  console.log(`\nread audit: ${a.scenario}, permits restarted with AUDIT_ENABLED=true/false, ${r.options.readAuditRounds} rounds`);
  for (const x of a.runs) console.log(`  round ${x.round} audit ${x.audit.padEnd(3)}: ${x.requestsPerSecond} req/s, p50 ${x.latencyMs.p50} ms, p99 ${x.latencyMs.p99} ms, other work ${x.cpu.coresUsedBy[OTHER]} cores`);
  console.log(`  medians: on ${a.medianRequestsPerSecond.on} req/s (p50 ${a.medianP50Ms.on}, p99 ${a.medianP99Ms.on} ms), off ${a.medianRequestsPerSecond.off} req/s (p50 ${a.medianP50Ms.off}, p99 ${a.medianP99Ms.off} ms)`);
  console.log(`  cost per round ${a.roundCostsPercent.join(', ')} %, median ${a.medianCostPercent} %`);
  const g = a.groupCommit;
  console.log(`  application.list rows written: ${a.listRows}; pending rows sampled ${g.samples} times: ${g.rowsSeen} rows of ${g.transactionsSeen} commits (${g.rowsPerCommit} rows per group commit)`);
}

function printPairs(r) {
  console.log(`\ncreate+submit: ${r.options.connections} connections, ${r.options.pairDuration} s after ${r.options.warmup} s warm-up`);
  const pw = [34, 8, 7, 7, 7, 12, 12, 7];
  const paths = [['full (gateway→NATS→permits)', r.pairs.full], ['bare (http+jose+pg)', r.pairs.bare]];
  if (r.pairs.skeleton) paths.push([`skeleton (Nest→NATS→Nest${r.pairs.skeleton.events ? ', events' : ''})`, r.pairs.skeleton]);
  console.log(h.tableRow(['path', 'pairs/s', 'req/s', 'p50', 'p99', 'create p99', 'submit p99', 'non2xx'], pw));
  for (const [name, x] of paths) console.log(h.tableRow([name, x.pairsPerSecond, x.requestsPerSecond, x.latencyMs.p50, x.latencyMs.p99, x.createLatencyMs.p99, x.submitLatencyMs.p99, x.non2xx], pw));
  console.log(`full/bare throughput: ${(r.pairs.throughputRatioFullToBare * 100).toFixed(1)} %`);
  if (r.pairs.skeleton) console.log(`full/skeleton throughput: ${(r.pairs.throughputRatioFullToSkeleton * 100).toFixed(1)} %`);
  for (const [name, x] of paths) {
    const perRequest = Object.entries(x.cpuMsPerRequest)
      .filter(([, ms]) => ms >= 0.01)
      .map(([n, ms]) => `${n} ${ms}`)
      .join(', ');
    console.log(`CPU during ${name.split(' ')[0]} (cores of ${x.cpu.coresAvailable}, idle ${x.cpu.idleCores}): ${h.topCores(x.cpu)}; ms per request: ${perRequest}`);
  }
}

function printWarnings(r) {
  if (r.machine.busyCoresBeforeStart > 0.25) console.log(`warning: ${r.machine.busyCoresBeforeStart} cores were busy before the start (other work on the machine)`);
  const windows = [...r.reads.map((x) => [x.scenario, x.cpu]), ...(r.pairs ? [['full create+submit', r.pairs.full.cpu], ['bare create+submit', r.pairs.bare.cpu]] : [])];
  for (const [label, cpu] of windows.filter(([, c]) => c.coresUsedBy[OTHER] > 0.25)) console.log(`warning: ${cpu.coresUsedBy[OTHER]} cores went to other work during "${label}"`);
}

function printReport(r) {
  const s = r.seeding;
  const n = (x) => x.toLocaleString('en-US');
  console.log(`\ncommit ${r.tree.commit}${r.tree.sourcesDifferFromCommit ? ' (libs/ or services/ modified)' : ''}, dist built ${r.tree.distBuiltAt}`);
  console.log(
    `seed: ${n(s.rows)} rows in ${s.totalSeconds} s (insert ${s.insertSeconds} s = ${n(s.rowsPerSecond)} rows/s, index rebuild ${s.indexRebuildSeconds} s, VACUUM ANALYZE ${s.vacuumAnalyzeSeconds} s); ` +
      `table ${s.tableSize}, indexes ${s.indexesSize}`,
  );
  printReads(r);
  printStatements(r);
  if (r.readAudit) printReadAudit(r);
  if (r.pairs) printPairs(r);
  printWarnings(r);
  if (r.cpuProfiles) console.log(`\nCPU profiles (profiling costs throughput): node bench/profile-summary.js ${h.relative(r.cpuProfiles)}`);
  console.log('\ngoals');
  for (const g of r.goals) console.log(`  ${g.pass ? 'PASS' : 'FAIL'}  ${g.goal}: ${g.actual}`);
}

module.exports = { results, printReport };
