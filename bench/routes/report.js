'use strict';
/* The routes bench's report: a row per scenario, the goal, and the routes it did not load. */
const h = require('../lib/harness');
const { NOT_AT_RATE } = require('./common');

/** Which routes of the document were loaded, which are left out on purpose (and why), and which nothing loaded. */
function coverage(routes, rows, options) {
  const loaded = new Set(rows.map((r) => r.route));
  const notAtRate = Object.entries(NOT_AT_RATE).filter(([route]) => routes.includes(route));
  const missing = routes.filter((route) => !loaded.has(route) && !NOT_AT_RATE[route]);
  const unknown = [...loaded].filter((route) => !routes.includes(route));
  return { routes: routes.length, loaded: loaded.size, notAtRate: Object.fromEntries(notAtRate), missing: options.only ? [] : missing, unknownToTheDocument: unknown };
}

const codes = (unexpected) =>
  Object.entries(unexpected)
    .map(([code, count]) => `${count}×${code}`)
    .join(' ');

/** CPU milliseconds per request of the system's processes together (postgres and nats-server included). */
const systemCpuMs = (row) =>
  h.round(
    Object.entries(row.cpuMsPerRequest)
      .filter(([name]) => !/bench|load|self/.test(name))
      .reduce((a, [, ms]) => a + ms, 0),
    2,
  );

function printReport(r) {
  const widths = [78, 6, 8, 8, 8, 9, 12];
  console.log(`\nEvery route at ${r.options.rate} requests/s, open loop (${r.options.warmup} s warm-up + ${r.options.duration} s), goal p99 <= 50 ms:\n`);
  console.log(h.tableRow(['route', 'req/s', 'p50 ms', 'p99 ms', 'max ms', 'CPU ms', 'result'], widths));
  for (const row of r.rows) {
    const result = row.pass === null ? 'no goal' : row.pass ? 'pass' : `FAIL${Object.keys(row.unexpected).length ? ` ${codes(row.unexpected)}` : ''}`;
    console.log(h.tableRow([row.label.slice(0, 78), row.requestsPerSecond, row.p50, row.p99, row.max, systemCpuMs(row), result], widths));
  }
  const judged = r.rows.filter((x) => x.pass !== null);
  console.log(`\n${judged.filter((x) => x.pass).length} of ${judged.length} scenarios meet the goal; ${r.rows.length - judged.length} have none.`);
  const c = r.coverage;
  console.log(`routes: ${c.routes} in the OpenAPI document and Open311; ${c.loaded} loaded; not at the rate: ${Object.entries(c.notAtRate).map(([k, v]) => `${k} (${v})`).join('; ')}`);
  if (c.missing.length) console.log(`NOT LOADED: ${c.missing.join(', ')}`);
  if (c.unknownToTheDocument.length) console.log(`loaded but not in the document: ${c.unknownToTheDocument.join(', ')}`);
  const peak = {};
  for (const row of r.rows) for (const [name, mb] of Object.entries(row.pssMb ?? {})) peak[name] = Math.max(peak[name] ?? 0, mb);
  const five = (m) => Object.entries(m).filter(([k]) => k !== 'notifications').reduce((a, [, v]) => a + v, 0);
  const sums = r.rows.map((row) => ({ five: five(row.pssMb ?? {}), all: Object.values(row.pssMb ?? {}).reduce((a, b) => a + b, 0), label: row.label }));
  const worst = sums.reduce((a, b) => (b.all > a.all ? b : a), { all: 0 });
  console.log(`PSS right after each window, MB, highest per process: ${Object.entries(peak).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  console.log(`PSS of all six together, highest after one window: ${worst.all} MB (the five without notifications ${worst.five} MB), after "${worst.label}"`);
  console.log(`PSS after the run, MB: ${Object.entries(r.pssMbAfter).map(([k, v]) => `${k} ${v}`).join(', ')}; the five of before notifications ${Object.entries(r.pssMbAfter).filter(([k]) => k !== 'notifications').reduce((a, [, v]) => a + v, 0)}`);
}

module.exports = { coverage, printReport, systemCpuMs };
