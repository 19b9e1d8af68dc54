'use strict';
/*
 * The lists under load: the public list, an agency's queue, a citizen's own list and Open311,
 * through the full system; then the public pages through the skeleton, with the statements the
 * complaints service was seen to run for them (captured from PostgreSQL's log before the seed).
 */
const h = require('../lib/harness');
const { listKey } = require('./skeleton');

const API = '/api/v1';
const GOAL_P99_MS = 50;
const PUBLIC_LIST = `${API}/public/complaints`;

/** The read scenarios; `who`: whose token (none for public pages). */
function scenarios(deep, agencyCode) {
  return [
    { label: 'public list, page 1', path: PUBLIC_LIST },
    { label: `public list, page ${deep}`, path: `${PUBLIC_LIST}?page=${deep}` },
    { label: 'public list ?categoryCode=roads-bridges&status=in_progress', path: `${PUBLIC_LIST}?categoryCode=roads-bridges&status=in_progress` },
    { label: 'public list ?district=Kualuh Hulu, page 5', path: `${PUBLIC_LIST}?district=Kualuh%20Hulu&page=5` },
    { label: `agency queue (${agencyCode}), page 1`, path: `${API}/complaints`, who: 'officer' },
    { label: `agency queue (${agencyCode}) ?overdue=true`, path: `${API}/complaints?overdue=true`, who: 'officer' },
    { label: `agency queue (${agencyCode}) ?status=dispositioned, page ${deep}`, path: `${API}/complaints?status=dispositioned&page=${deep}`, who: 'officer' },
    { label: "citizen's own list, page 1", path: `${API}/complaints`, who: 'citizen' },
    { label: 'Open311 requests.json (last 90 days, 100 requests)', path: '/open311/v2/requests.json' },
    { label: 'Open311 requests.json?service_code=health&status=open', path: '/open311/v2/requests.json?service_code=health&status=open' },
  ];
}

/** The scenarios this run loads (--skip-reads, --only). */
const chosen = (options, agencyCode) => (options.skipReads ? [] : scenarios(options.deepPage, agencyCode).filter((x) => !options.only || x.label.includes(options.only)));

/** The public pages the skeleton serves too. */
const skeletonPages = (options) => (options.skipSkeleton ? [] : chosen(options, '').filter((s) => s.path.startsWith(PUBLIC_LIST)));

const pageKey = (path) => listKey(Object.fromEntries(new URL(path, 'http://127.0.0.1').searchParams));

/**
 * The complaints service's statement for each public page the skeleton serves (page key →
 * `{ select, params }`): the list statement it ran while answering the page, from PostgreSQL's
 * log (the service must be logging every statement). Empty when there are none to serve.
 */
async function captureListStatements(options, system, database) {
  const statements = {};
  for (const s of skeletonPages(options)) {
    const run = () => h.http('GET', `${system.gatewayUrl}${s.path}`).then((res) => h.expect(`GET ${s.path}`, res, 200));
    const logged = await h.statementsDuring(options.pgLog, database, run);
    const lists = logged.filter((x) => /^SELECT\b/.test(x.sql) && / FROM complaints c\b/.test(x.sql) && !/^SELECT count\(\*\)/.test(x.sql));
    if (lists.length !== 1) throw new Error(`expected one list statement for ${s.path} in the server log, found ${lists.length}`);
    statements[pageKey(s.path)] = { select: lists[0].sql, params: lists[0].params };
  }
  return statements;
}

const shapeOf = (page) => (Array.isArray(page) ? `${page.length} requests` : `total ${page.total} (${page.totalExact ? 'exact' : 'not exact'}), ${page.items.length} items on page ${page.page}`);
const readRate = (options) => (options.readRate ? { rate: options.readRate } : {});
const windowOf = (options) => ({ warmup: options.warmup, duration: options.duration, connections: options.readConnections });

/** Each scenario through the full system, probed first. */
async function fullReads(options, system, tokens, agencyCode) {
  const reads = [];
  const pids = h.pidsOf(system);
  for (const s of chosen(options, agencyCode)) {
    const url = `${system.gatewayUrl}${s.path}`;
    const token = s.who ? tokens[s.who] : undefined;
    const shape = shapeOf(h.expect(`GET ${s.path}`, await h.http('GET', url, { token }), 200));
    console.log(`[${s.label}] ${shape}`);
    const measured = await h.measureLoad(s.label, { url, headers: token ? { authorization: `Bearer ${token}` } : {}, ...readRate(options) }, pids, windowOf(options));
    h.processesOf(system).forEach(h.failIfExited);
    reads.push({ scenario: s.label, url: s.path, shape, ...measured, pass: measured.latencyMs.p99 <= GOAL_P99_MS && measured.non2xx === 0 });
  }
  return reads;
}

/** One public page through the skeleton: rows as pg returns them, then the same page as JSON text from PostgreSQL. */
async function skeletonPage(options, skel, r) {
  const url = `${skel.url}${r.url}`;
  const probe = h.expect(`skeleton GET ${r.url}`, await h.http('GET', url), 200);
  const shape = shapeOf(probe);
  if (shape !== r.shape) throw new Error(`the skeleton's page differs from the full path's: ${shape} vs ${r.shape}`);
  const out = [];
  const measure = async (label, pageUrl) => {
    const measured = await h.measureLoad(label, { url: pageUrl, ...readRate(options) }, skel.pids, windowOf(options));
    skel.failIfExited();
    out.push({ scenario: label, url: r.url, shape, ...measured, pass: measured.latencyMs.p99 <= GOAL_P99_MS && measured.non2xx === 0 });
  };
  await measure(`skeleton: ${r.scenario}`, url);
  const leanUrl = `${skel.url}${r.url.replace(`${API}/`, `${API}/lean/`)}`;
  const lean = h.expect(`skeleton GET lean ${r.url}`, await h.http('GET', leanUrl), 200);
  if (JSON.stringify(lean.items.map((i) => i.id)) !== JSON.stringify(probe.items.map((i) => i.id)) || lean.total !== probe.total) throw new Error(`the lean skeleton's page differs from the skeleton's (${r.url})`);
  await measure(`skeleton, JSON from PostgreSQL: ${r.scenario}`, leanUrl);
  return out;
}

/**
 * The public pages through the skeleton while the system idles (its processes count as other
 * work): the same statements, no mapping of the rows, no validation, no logging.
 */
async function skeletonReads(options, reads, startSkeleton) {
  const pages = reads.filter((r) => r.url.startsWith(PUBLIC_LIST));
  if (!pages.length) return [];
  const skel = await startSkeleton(false);
  const out = [];
  for (const r of pages) out.push(...(await skeletonPage(options, skel, r)));
  await skel.stop();
  return out;
}

module.exports = { GOAL_P99_MS, skeletonPages, captureListStatements, fullReads, skeletonReads };
