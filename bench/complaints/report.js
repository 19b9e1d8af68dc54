'use strict';
/* The complaints bench's goals, JSON report and printed table. */
const h = require('../lib/harness');
const { GOAL_P99_MS } = require('./reads');

const GOAL_FILE_RPS = 1000;

function goalsOf(options, reads, full) {
  return [
    ...reads.map((r) => ({ goal: `p99 <= ${GOAL_P99_MS} ms at ${options.readConnections} connections: ${r.scenario}`, actual: r.latencyMs.p99, pass: r.pass })),
    ...(full
      ? [
          { goal: `filing >= ${GOAL_FILE_RPS} req/s at ${options.connections} connections`, actual: full.requestsPerSecond, pass: full.requestsPerSecond >= GOAL_FILE_RPS },
          { goal: `filing p99 <= ${GOAL_P99_MS} ms`, actual: full.latencyMs.p99, pass: full.latencyMs.p99 <= GOAL_P99_MS && full.non2xx === 0 },
        ]
      : []),
  ];
}

/** The JSON report of a run. */
function results({ options, machine, environment, readyMs, seeding, reads, skeletonReads, profileDir, filing, capture }) {
  const { full, bare, skeleton } = filing;
  return {
    date: new Date().toISOString(),
    machine: { ...h.machineInfo(), ...machine, loadAverageAfter: h.loadAverage(), note: 'shared with other sessions running tests; the load generator, NATS and PostgreSQL share these CPUs' },
    options,
    tree: h.treeInfo(),
    runId: environment.runId,
    readyMs,
    seeding,
    reads,
    skeletonReads,
    listStatements: capture,
    cpuProfiles: options.cpuProf ? profileDir : null,
    filing: {
      full,
      bare,
      skeleton,
      throughputRatioFullToSkeleton: skeleton && full ? h.round(full.requestsPerSecond / skeleton.requestsPerSecond, 3) : null,
      throughputRatioFullToBare: bare && full ? h.round(full.requestsPerSecond / bare.requestsPerSecond, 3) : null,
    },
    goals: goalsOf(options, reads, full),
  };
}

const SKELETON_NAME = { complaints: 'skeleton-service', gateway: 'skeleton-gateway' };
const ms = (r, name) => r.cpuMsPerRequest[name] ?? r.cpuMsPerRequest[SKELETON_NAME[name]] ?? '–';
const other = (r) => r.cpu.coresUsedBy['other (rest of the machine)'] ?? 0;
const cpuCells = (r) => `${ms(r, 'postgres')} / ${ms(r, 'complaints')} / ${ms(r, 'gateway')} / ${ms(r, 'nats-server')}`;
const line = (label, r, cpu = cpuCells(r)) => `| ${label} | ${r.requestsPerSecond} | ${r.latencyMs.p50} | ${r.latencyMs.p99} | ${r.non2xx} | ${cpu} | ${other(r)} |`;

function printFiling(r) {
  const { full, bare, skeleton } = r.filing;
  if (full) console.log(line('filing, full path', full));
  if (bare) console.log(line('filing, bare twin', bare, ''));
  if (skeleton) console.log(line(`filing, skeleton (Nest gateway → NATS → Nest service${skeleton.events ? ', relay, consumer' : ', no events'})`, skeleton));
  if (bare) console.log(`full / bare: ${(r.filing.throughputRatioFullToBare * 100).toFixed(1)} %`);
  if (skeleton) console.log(`full / skeleton: ${(r.filing.throughputRatioFullToSkeleton * 100).toFixed(1)} %`);
  if (full) console.log(`complaints created during the full filing window (warm-up included): ${full.complaintsCreated}; outbox received.v1: ${full.outboxAfter.total} (pending ${full.outboxAfter.pending})`);
}

function printReport(r) {
  const load = r.machine;
  console.log(`\ncomplaints benchmark, ${r.date} (commit ${r.tree.commit}${r.tree.sourcesDifferFromCommit ? ', with uncommitted changes' : ''}), load average before ${load.loadAverageBefore.join(', ')}, after ${load.loadAverageAfter.join(', ')}`);
  console.log('| scenario | req/s | p50 ms | p99 ms | non-2xx | CPU ms/request postgres / complaints / gateway / nats | other cores |');
  console.log('|---|---|---|---|---|---|---|');
  for (const x of [...r.reads, ...r.skeletonReads]) console.log(line(x.scenario, x));
  printFiling(r);
  if (r.cpuProfiles) console.log(`CPU profiles (profiling costs throughput): node bench/profile-summary.js ${h.relative(r.cpuProfiles)}`);
  for (const g of r.goals) console.log(`${g.pass ? 'PASS' : 'FAIL'}  ${g.goal}: ${g.actual}`);
}

module.exports = { results, printReport };
