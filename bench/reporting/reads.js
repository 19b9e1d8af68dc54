'use strict';
/*
 * reads: identity, reporting and the gateway on fresh databases; reporting's read models seeded
 * directly (seed.js); then every report route through the gateway, JSON, CSV and SVG, p50/p95/p99
 * over --requests requests at --concurrency, with a real access token.
 */
const { performance } = require('perf_hooks');
const h = require('../lib/harness');
const { seed } = require('./seed');

const API = '/api/v1';
const GOAL_P95_MS = 50;

/** The report routes: [name, route, who (token), Accept]. */
function routes(agencies, token, headToken) {
  return [
    ['summary, all time', '/reports/summary'],
    ['summary, one month', '/reports/summary?from=2026-06-01&to=2026-06-30'],
    ['summary, one week (exact medians)', '/reports/summary?from=2026-06-01&to=2026-06-07'],
    ['summary, one year, one agency', `/reports/summary?from=2025-07-01&to=2026-06-30&agencyId=${agencies[3].id}`],
    ['summary, agency head (own agency, all time)', '/reports/summary', headToken],
    ['summary CSV, one year', '/reports/summary?from=2025-07-01&to=2026-06-30', token, 'text/csv'],
    ['agencies, all time', '/reports/agencies'],
    ['agencies, one month', '/reports/agencies?from=2026-06-01&to=2026-06-30'],
    ['agencies CSV, one year', '/reports/agencies?from=2025-07-01&to=2026-06-30', token, 'text/csv'],
    ['timeseries day, 90 days', '/reports/timeseries?metric=complaints.received&interval=day&from=2026-04-01&to=2026-06-29'],
    ['timeseries week, 2 years, SLA %', '/reports/timeseries?metric=permits.slaCompliancePct&interval=week&from=2025-01-01&to=2026-12-31'],
    ['timeseries month, 2 years, one agency', `/reports/timeseries?metric=permits.issued&interval=month&from=2025-01-01&to=2026-12-31&agencyId=${agencies[3].id}`],
    ['timeseries day 2 years CSV', '/reports/timeseries?metric=complaints.resolved&interval=day&from=2025-01-01&to=2026-12-31', token, 'text/csv'],
    ['timeseries week SVG, 1 year', '/reports/timeseries?metric=complaints.received&interval=week&from=2025-07-01&to=2026-06-30', token, 'image/svg+xml'],
    ['timeseries day SVG, 2 years (line)', '/reports/timeseries?metric=complaints.received&interval=day&from=2025-01-01&to=2026-12-31', token, 'image/svg+xml'],
    ['public summary', '/public/reports/summary'],
    ['public summary CSV', '/public/reports/summary', token, 'text/csv'],
  ];
}

/** p50/p95/p99 of `requests` GETs at `concurrency`, after 10 warm-up ones; fails on any non-200. */
async function measure(url, token, accept, { requests, concurrency }) {
  const one = async () => {
    const t = performance.now();
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept } });
    const body = await res.text();
    if (res.status !== 200) throw new Error(`${url} answered ${res.status}: ${body.slice(0, 300)}`);
    return performance.now() - t;
  };
  for (let i = 0; i < 10; i++) await one();
  const times = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < requests) times.push(await one());
    }),
  );
  const d = h.distribution(times, 1);
  return { requests: d.count, p50: d.p50, p95: d.p95, p99: d.p99, max: d.max };
}

/** The admin's token, the agencies, and an agency head of the second agency (their token). */
async function people(testing, system) {
  const gw = system.gatewayUrl;
  let token;
  const signIn = async () => (token = await h.login(gw, testing.TEST_ADMIN.email, testing.TEST_ADMIN.password));
  await h.waitUntil('the admin to sign in', signIn, 60000, 250, h.processesOf(system));
  const agencies = (await h.http('GET', `${gw}${API}/agencies?pageSize=100`, { token })).json.items;
  const head = { email: 'kadis.bench@pemda.labura.go.id', password: 'Sandi-Bench-Kadis-1' };
  const created = await h.http('POST', `${gw}${API}/users`, { token, body: { email: head.email, fullName: 'Kadis Bench', roles: ['agency_head'], agencyId: agencies[1].id, password: head.password } });
  if (created.status !== 201) throw new Error(`creating the agency head answered ${created.status}: ${created.body}`);
  return { token, agencies, headToken: await h.login(gw, head.email, head.password) };
}

/** The read models seeded (and their sizes). */
async function seeded(environment, options, agencies) {
  const { Pool } = require('pg');
  const pool = new Pool({ connectionString: environment.databaseUrl('reporting'), max: 4 });
  try {
    const timings = await seed(pool, options, agencies.map((a) => a.id));
    const sizes = (await pool.query(`SELECT relname, pg_size_pretty(pg_total_relation_size(oid)) AS size FROM pg_class WHERE relname IN ('complaint_facts', 'permit_facts', 'complaint_daily', 'permit_daily')`)).rows;
    console.log(`seeded ${JSON.stringify(timings)} ${JSON.stringify(sizes)}`);
    return { timings, sizes };
  } finally {
    await pool.end();
  }
}

async function readsIn(testing, options, environment) {
  const extra = (name) => ({ LOG_LEVEL: 'warn', ...(name === 'gateway' ? { LOGIN_RATE_LIMIT_PER_MINUTE: '100000' } : {}) });
  const system = await h.startSystem(testing, environment, { names: ['identity', 'reporting', 'gateway'], extra, wait: false });
  try {
    const gw = system.gatewayUrl;
    const { token, agencies, headToken } = await people(testing, system);
    await h.waitUntil('reporting to have migrated', async () => (await h.http('GET', `${gw}/health/ready`)).status !== 0, 30000, 250, h.processesOf(system));
    const loadBefore = h.uptime();
    const { timings, sizes } = await seeded(environment, options, agencies);
    const results = [];
    for (const [name, route, who = token, accept = 'application/json'] of routes(agencies, token, headToken)) {
      const m = await measure(`${gw}${API}${route}`, who, accept, options);
      results.push({ name, route, accept, ...m, goalMet: m.p95 <= GOAL_P95_MS });
      console.log(`${name.padEnd(44)} p50 ${String(m.p50).padStart(6)} ms  p95 ${String(m.p95).padStart(6)} ms  p99 ${String(m.p99).padStart(6)} ms`);
    }
    return { seeded: timings, sizes, loadBefore, loadAfter: h.uptime(), concurrency: options.concurrency, results };
  } finally {
    await h.stopSystem(system);
  }
}

const reads = (testing, options) => h.withEnvironment(testing, (environment) => readsIn(testing, options, environment));

module.exports = { reads };
