'use strict';
/* The walking slice's results (the JSON report) and its printed table. */
const h = require('../lib/harness');
const { AGENCIES_PATH } = require('./bare');

const byName = (names, f) => Object.fromEntries(names.map((n) => [n, f(n)]));

/** Memory figures (MB) of the full path's processes, and of the bare ones. */
function memoryFigures(names, { full, idle, afterLoad }, bare) {
  const kb = (m, n, field) => m.memory[n][field];
  const pss = (m, n) => h.mb(m.proportional[n]?.pssKb ?? 0);
  return {
    idle: byName(names, (n) => h.mb(kb(idle, n, 'rssKb'))),
    peakUnderLoad: byName(names, (n) => h.mb(full.rss.peakKb[n] ?? 0)),
    afterLoad: byName(names, (n) => h.mb(kb(afterLoad, n, 'rssKb'))),
    highWaterMark: byName(names, (n) => h.mb(kb(afterLoad, n, 'hwmKb'))),
    // PSS splits shared pages (node binary, libraries) between the processes; USS is private only.
    pssIdle: byName(names, (n) => pss(idle, n)),
    pssAfterLoad: byName(names, (n) => pss(afterLoad, n)),
    ussAfterLoad: byName(names, (n) => h.mb(afterLoad.proportional[n]?.ussKb ?? 0)),
    v8HeapIdle: idle.heap,
    v8HeapAfterLoad: afterLoad.heap,
    totalPssAfterLoad: h.mb(names.reduce((a, n) => a + (afterLoad.proportional[n]?.pssKb ?? 0), 0)),
    totalIdle: h.mb(names.reduce((a, n) => a + kb(idle, n, 'rssKb'), 0)),
    totalPeakUnderLoad: h.mb(full.rss.peakTotalKb),
    sumOfPerProcessPeaks: h.mb(names.reduce((a, n) => a + (full.rss.peakKb[n] ?? 0), 0)),
    samples: full.rss.samples,
    bare: {
      idle: Object.fromEntries(Object.entries(bare.idleKb).map(([n, kb]) => [n, h.mb(kb)])),
      peakUnderLoad: Object.fromEntries(Object.entries(bare.bare.rss.peakKb).map(([n, kb]) => [n, h.mb(kb)])),
    },
  };
}

function goalsOf(options, full, ratio, readyMs) {
  const peak = h.mb(full.rss.peakTotalKb);
  return [
    { goal: 'full path >= 50% of bare throughput', target: 0.5, actual: Math.round(ratio * 1000) / 1000, pass: ratio >= 0.5 },
    { goal: `full path p99 <= 25 ms at ${options.connections} connections`, target: 25, actual: full.summary.latencyMs.p99, pass: full.summary.latencyMs.p99 <= 25 },
    { goal: 'five processes < 600 MB RSS together under load', target: 600, actual: peak, pass: peak < 600 },
    { goal: 'ready < 10 s', target: 10000, actual: readyMs, pass: readyMs < 10000 },
  ];
}

/** The JSON report of a run. */
function results({ options, busyBeforeStart, profileDir, environment, system, liveMs, full, bare }) {
  const ratio = full.full.summary.requestsPerSecond / bare.bare.summary.requestsPerSecond;
  return {
    date: new Date().toISOString(),
    machine: {
      ...h.machineInfo(),
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
    tree: h.treeInfo(),
    runId: environment.runId, // databases <runId>_<service> (dropped at the end) and NATS prefix
    readiness: { readyMs: system.readyMs, liveMs, stopMs: full.stopMs, exitCodes: full.exitCodes },
    full: { url: `${system.gatewayUrl}${AGENCIES_PATH}`, ...full.full.summary, cpu: full.full.cpu },
    bare: { url: bare.url, ...bare.bare.summary, cpu: bare.bare.cpu },
    throughputRatioFullToBare: Math.round(ratio * 1000) / 1000,
    rssMb: memoryFigures(system.names, full, bare),
    goals: goalsOf(options, full.full, ratio, system.readyMs),
  };
}

function printMemory(r, names) {
  const mw = [30, 9, 9, 9, 14];
  console.log(`\n${h.tableRow(['memory (MB)', 'RSS idle', 'RSS peak', 'PSS end', 'V8 heap idle/end'], mw)}`);
  const heap = (n) => `${r.rssMb.v8HeapIdle[n]?.heapUsed ?? '?'}/${r.rssMb.v8HeapAfterLoad[n]?.heapUsed ?? '?'}`;
  for (const n of names) console.log(h.tableRow([n, r.rssMb.idle[n], r.rssMb.peakUnderLoad[n], r.rssMb.pssAfterLoad[n], heap(n)], mw));
  console.log(h.tableRow(['total (five processes)', r.rssMb.totalIdle, r.rssMb.totalPeakUnderLoad, r.rssMb.totalPssAfterLoad, ''], mw));
  for (const [n, v] of Object.entries(r.rssMb.bare.idle)) console.log(h.tableRow([`(${n})`, v, r.rssMb.bare.peakUnderLoad[n], '', ''], mw));
}

function printCpu(r) {
  for (const [label, run] of [['full', r.full], ['bare', r.bare]]) {
    console.log(`CPU during ${label} (cores, of ${run.cpu.coresAvailable}; machine busy ${run.cpu.machineBusyCores}, idle ${run.cpu.idleCores}, steal ${run.cpu.stealCores}): ${h.allCores(run.cpu)}`);
    const other = run.cpu.coresUsedBy['other (rest of the machine)'];
    if (other > 0.25) console.log(`  warning: ${other} cores went to other work during the ${label} run; its figures are disturbed`);
  }
}

function printReport(r, names) {
  const w = [30, 9, 8, 8, 8, 8];
  console.log(`\ncommit ${r.tree.commit}${r.tree.sourcesDifferFromCommit ? ' (libs/ or services/ modified)' : ''}, dist built ${r.tree.distBuiltAt}`);
  if (r.options.nodeOptions) console.log(`NODE_OPTIONS for every process: ${r.options.nodeOptions}`);
  console.log(`GET ${AGENCIES_PATH}, ${r.options.connections} connections, ${r.options.duration} s after ${r.options.warmup} s warm-up (${r.machine.cpus} cores shared with the load generator)`);
  console.log(h.tableRow(['path', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors'], w));
  console.log(h.tableRow(['full (gateway→NATS→identity)', r.full.requestsPerSecond, r.full.latencyMs.p50, r.full.latencyMs.p99, r.full.non2xx, r.full.errors + r.full.timeouts], w));
  console.log(h.tableRow(['bare (http→nats→pg)', r.bare.requestsPerSecond, r.bare.latencyMs.p50, r.bare.latencyMs.p99, r.bare.non2xx, r.bare.errors + r.bare.timeouts], w));
  console.log(`full/bare throughput: ${(r.throughputRatioFullToBare * 100).toFixed(1)} %`);
  printMemory(r, names);
  console.log(`\nreadiness: ${r.readiness.readyMs} ms from spawn to GET /health/ready 200`);
  if (r.machine.busyCoresBeforeStart > 0.25) console.log(`warning: ${r.machine.busyCoresBeforeStart} cores were busy before the start (other work on the machine)`);
  printCpu(r);
  console.log('\ngoals');
  for (const g of r.goals) console.log(`  ${g.pass ? 'PASS' : 'FAIL'}  ${g.goal}: ${g.actual}`);
}

module.exports = { results, printReport };
