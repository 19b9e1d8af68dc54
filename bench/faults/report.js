'use strict';
/* The fault matrix's table, one row a fault, and what went wrong under each. */
const { FAULTS } = require('./inject');

const seconds = (x) => (x === null || x === undefined ? 'never' : `${x.toFixed(1)} s`);

function row({ fault, checks: c }) {
  const other = Object.entries(c.statuses).filter(([s]) => s !== '201' && s !== '503').map(([s, k]) => `${k}×${s}`).join(', ') || '0';
  const e = c.events;
  const first = c.firstAfterRecovery ? `${c.firstAfterRecovery.status} in ${Math.round(c.firstAfterRecovery.ms)} ms` : '—';
  return (
    `| ${FAULTS[fault]} | ${c.requests} | ${c.created} | ${c.unavailable} | ${other} | ${Math.round(c.latencyMs.max ?? 0)} (${Math.round(c.unavailableLatencyMs.max ?? 0)}) | ${c.longerThanLimit} | ` +
    `${seconds(c.injectedToRecoveredSeconds)} (${seconds(c.liftedToRecoveredSeconds)}) | ${first} | ${c.lostWrites} | ${c.appliedUnacknowledged} | ` +
    `${e.missingInStream + e.notProcessedByReporting + e.noFact} / ${e.duplicatedInStream} (of ${e.stored}) | ${c.violations.length ? 'FAIL' : 'PASS'} |`
  );
}

function printReport(results, options) {
  console.log('');
  console.log(`| fault | requests | 201 | 503 | other | max ms (503 max) | > ${options.rpcTimeout + options.margin} ms | ready after (from lift) | first after recovery | lost writes | 503 but stored | events missing / twice (stream, reporting) | verdict |`);
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of results) console.log(row(r));
  console.log('');
  for (const { fault, marks, checks: c } of results) {
    console.log(`${fault}: p50 ${c.latencyMs.p50} ms, p99 ${c.latencyMs.p99} ms; events settled in ${marks.settle.seconds} s; reporting counts ${c.events.receivedInReports} received, ${c.events.factsInReports} facts, ${c.events.complaintsInDatabase} complaints stored`);
    if (c.other.length) console.log(`  other answers: ${c.other.slice(0, 5).map((r) => `${r.kind} ${r.status} ${r.code ?? r.error ?? ''} after ${r.ms} ms`).join('; ')}${c.other.length > 5 ? ` … (${c.other.length})` : ''}`);
    if (c.failedAfterRecovery.length) console.log(`  failed after recovery: ${JSON.stringify(c.failedAfterRecovery.slice(0, 5))}`);
    for (const v of c.violations) console.log(`  FAIL: ${v}`);
  }
}

module.exports = { printReport };
