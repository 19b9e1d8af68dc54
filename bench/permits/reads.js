'use strict';
/*
 * The permit application lists: the scenarios, their statements as the permits service runs them
 * (captured from PostgreSQL's log before the seed), the loads, and the plans of the statements
 * on the idle system afterwards.
 */
const h = require('../lib/harness');

const APPS = '/api/v1/permit-applications';
const GOAL_P99_MS = 50;
const DEEPEST_PAGE = 10000; // contracts' MAX_PAGE: past the end of every list here, so the service counts

/** PermitJobs' scan for applications past their deadline that were not flagged yet (captured from the service). */
const OVERDUE_JOB_SQL =
  'SELECT "a"."id" AS "a_id", "a"."agency_id" AS "a_agency_id", "a"."due_at" AS "a_due_at" FROM "applications" "a" ' +
  `WHERE "a"."status" IN ('submitted', 'verified', 'recommended') AND "a"."due_at" < $1 ` +
  'AND "a"."overdue_notified_at" IS NULL ORDER BY "a"."due_at" ASC LIMIT 500 FOR UPDATE SKIP LOCKED';

const ISSUING_SUBMITTED = { label: 'issuing agency (DPMPTSP) queue ?status=submitted, page 1', who: 'issuing', query: 'status=submitted' };

/** The loaded scenarios; `who`: whose list (officer, citizen, issuing). */
function scenarios(options) {
  const deep = options.deepPage;
  return [
    { label: 'officer queue ?status=submitted, page 1', who: 'officer', query: 'status=submitted' },
    { label: `officer queue ?status=submitted, page ${deep}`, who: 'officer', query: `status=submitted&page=${deep}` },
    { label: 'officer queue ?overdue=true, page 1', who: 'officer', query: 'overdue=true' },
    { label: `officer queue ?overdue=true, page ${deep}`, who: 'officer', query: `overdue=true&page=${deep}` },
    { label: "citizen's own list, page 1", who: 'citizen', query: '' },
    { label: `citizen's own list, page ${deep}`, who: 'citizen', query: `page=${deep}` },
    ...(options.issuingQueue ? [ISSUING_SUBMITTED] : []),
  ];
}

/** Every list planned: the loaded ones, the default views (no filter) and, unless loaded, the issuing queue. */
function planned(options) {
  return [
    ...scenarios(options),
    // Not loaded, planned only: the staff list with no filter (an officer's default view) ...
    { label: 'officer queue, no filter (default view; EXPLAIN only)', who: 'officer', query: '' },
    ...(options.issuingQueue ? [] : [{ ...ISSUING_SUBMITTED, label: `${ISSUING_SUBMITTED.label} (EXPLAIN only)` }]),
    { label: 'issuing agency (DPMPTSP) queue, no filter (EXPLAIN only)', who: 'issuing', query: '' },
  ];
}

const urlOf = (gatewayUrl, query) => `${gatewayUrl}${APPS}${query ? `?${query}` : ''}`;
const isSelect = (s) => /^SELECT\b/.test(s.sql) && / FROM applications a\b/.test(s.sql) && !/^SELECT count\(\*\)/.test(s.sql);
const isCount = (s) => /^SELECT count\(\*\)/.test(s.sql) && / FROM applications a\b/.test(s.sql);

/** The one statement of `kind` the service ran while answering `url` for `token`. */
async function loggedStatement(options, database, url, token, pick) {
  const get = async () => h.expect(`GET ${url}`, await h.http('GET', url, { token }), 200);
  const found = (await h.statementsDuring(options.pgLog, database, get)).filter(pick);
  if (found.length < 1) throw new Error(`no list statement for ${url} in the server log`);
  return found[found.length - 1];
}

/**
 * For each planned list, its page statement and its stand-alone count (what the service sends for
 * a page past the end), as the permits service ran them: `{ label, sql: { select, count }, params,
 * paramsOf }`. The service must be logging every statement.
 */
async function captureStatements(options, gatewayUrl, database, tokens) {
  const out = [];
  for (const s of planned(options)) {
    const deepest = new URLSearchParams(s.query);
    deepest.set('page', String(DEEPEST_PAGE));
    const select = await loggedStatement(options, database, urlOf(gatewayUrl, s.query), tokens[s.who], isSelect);
    const count = await loggedStatement(options, database, urlOf(gatewayUrl, deepest.toString()), tokens[s.who], isCount);
    out.push({ label: s.label, sql: { select: select.sql, count: count.sql }, params: select.params, paramsOf: { count: count.params } });
  }
  return out;
}

/** A measured window of one list page (`--read-rate`: open-loop at that rate). */
function measureGet(label, url, token, pids, options) {
  const load = { url, headers: { authorization: `Bearer ${token}` }, ...(options.readRate ? { rate: options.readRate } : {}) };
  return h.measureLoad(label, load, pids, { warmup: options.warmup, duration: options.duration, connections: options.connections });
}

/** 3. Each scenario under load, probed first. */
async function reads(options, system, tokens) {
  const out = [];
  for (const s of options.skipReads ? [] : scenarios(options).filter((x) => !options.only || x.label.includes(options.only))) {
    const url = urlOf(system.gatewayUrl, s.query);
    const probe = h.expect(`GET ${url}`, await h.http('GET', url, { token: tokens[s.who] }), 200);
    console.log(`[${s.label}] total ${probe.total}, ${probe.items.length} items on page ${probe.page}`);
    const measured = await measureGet(s.label, url, tokens[s.who], h.pidsOf(system), options);
    h.processesOf(system).forEach(h.failIfExited);
    out.push({ scenario: s.label, url, total: probe.total, itemsOnPage: probe.items.length, ...measured, pass: measured.latencyMs.p99 <= GOAL_P99_MS && measured.non2xx === 0 });
  }
  return out;
}

/** The plans of the captured statements (and of the overdue job's scan, PermitJobs.runOnce every JOB_INTERVAL_MS), while nothing else runs. */
async function plans(databaseUrl, captured) {
  console.log('EXPLAIN ANALYZE of the list queries ...');
  const out = await h.explain(databaseUrl, [...captured, { label: 'overdue job (every JOB_INTERVAL_MS; EXPLAIN only)', sql: { select: OVERDUE_JOB_SQL }, params: [new Date()] }]);
  for (const p of out) console.log(`  ${p.scenario} [${p.query}]: median ${p.medianMs} ms, ${p.indexes.join(' + ') || 'no index'}; ${p.buffers ?? ''}`);
  return out;
}

module.exports = { APPS, GOAL_P99_MS, scenarios, captureStatements, measureGet, reads, plans };
