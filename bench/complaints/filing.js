'use strict';
/*
 * Filing under load: through the full system, then (the system stopped) the bare twin and the
 * skeleton on the same complaints database, each with the same citizens' tokens.
 */
const h = require('../lib/harness');
const skeleton = require('../lib/skeleton');

const API = '/api/v1';
const FILING = {
  categoryCode: 'waste-environment',
  title: 'Sampah menumpuk di pasar',
  description: 'Sampah di Pasar Aek Kanopan tidak diangkut sejak seminggu.',
  location: { lat: 2.578, lng: 99.618, district: 'Kualuh Hulu', village: 'Aek Kanopan' },
  visibility: 'public',
};

/**
 * Filings by `tokens` in turn. One citizen filing from 50 connections is no citizen's load: their
 * daily allowance is one counter row, whose lock then serialises every filing (--filers).
 * With --rate every filing is the first citizen's.
 */
const filingLoad = (url, tokens, rate) => {
  let next = 0;
  const bearer = () => `Bearer ${tokens[next++ % tokens.length]}`;
  return {
    ...(rate ? { rate } : {}),
    url: `${url}${API}/complaints`,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[0]}` },
    body: JSON.stringify(FILING),
    ...(tokens.length > 1 && !rate ? { requests: [{ setupRequest: (req) => ({ ...req, headers: { ...req.headers, authorization: bearer() } }) }] } : {}),
  };
};

const count = (db) => h.countOf(db, 'SELECT count(*)::int AS n FROM complaints');
const windowOf = (options) => ({ warmup: options.warmup, duration: options.fileDuration, connections: options.connections });
const probeFiling = async (what, url, token) => h.expect(what, await h.http('POST', `${url}${API}/complaints`, { token, body: FILING }), 201);

/** Through the full system: the figures, the complaints created and the outbox after it. */
async function fullFiling(options, system, db, tokens) {
  const probe = await probeFiling('POST /complaints', system.gatewayUrl, tokens[0]);
  const before = await count(db);
  const measured = await h.measureLoad('full filing', filingLoad(system.gatewayUrl, tokens, options.rate), h.pidsOf(system), windowOf(options));
  h.processesOf(system).forEach(h.failIfExited);
  const outbox = (
    await h.queryOnce(db, `SELECT count(*)::int AS total, count(*) FILTER (WHERE sent_at IS NULL)::int AS pending FROM outbox WHERE type = 'complaints.complaint.received.v1'`)
  ).rows[0];
  return { probe, filing: { ...measured, complaintsCreated: (await count(db)) - before, outboxAfter: outbox } };
}

const keys = (o) => Object.keys(o).sort().join(',');
function sameFields(what, probe, fullProbe) {
  if (keys(probe) !== keys(fullProbe)) throw new Error(`${what} answers with other fields:\n full: ${keys(fullProbe)}\n ${what}: ${keys(probe)}`);
}

/** The bare twin (`script --role=bare`) on the complaints database. */
async function bareFiling(options, script, env, tokens, fullProbe) {
  const { bare, url } = await h.startBareTwin([script, '--role=bare'], env);
  sameFields('the bare twin', await probeFiling('bare POST /complaints', url, tokens[0]), fullProbe);
  const measured = await h.measureLoad('bare filing', filingLoad(url, tokens, options.rate), { bare: bare.child.pid }, windowOf(options));
  h.failIfExited(bare);
  await h.stopChild(bare);
  return measured;
}

/** The skeleton, with or without its relay and consumer (--skeleton-events). */
async function skeletonFiling(options, startSkeleton, db, tokens, fullProbe) {
  const skel = await startSkeleton(options.skeletonEvents, true);
  sameFields('the skeleton', await probeFiling('skeleton POST /complaints', skel.url, tokens[0]), fullProbe);
  const load = () => h.measureLoad('skeleton filing', filingLoad(skel.url, tokens, options.rate), skel.pids, windowOf(options));
  return skeleton.measure(skel, db, options.skeletonEvents, 'skeleton filing', load);
}

/**
 * 4.–5. Filing through the full system; then, the system stopped, the bare twin and the skeleton
 * (each unless skipped). `twinEnv()`: their environment (read while the system still runs).
 */
async function filings(options, { system, db, tokens, script, twinEnv, startSkeleton }) {
  if (options.skipFiling) return { full: null, bare: null, skeleton: null };
  const full = await fullFiling(options, system, db, tokens);
  if (options.skipBare && options.skipSkeleton) return { full: full.filing, bare: null, skeleton: null };
  const env = await twinEnv();
  await h.stopSystem(system);
  const bare = options.skipBare ? null : await bareFiling(options, script, env, tokens, full.probe);
  const skeleton = options.skipSkeleton ? null : await skeletonFiling(options, startSkeleton, db, tokens, full.probe);
  return { full: full.filing, bare, skeleton };
}

module.exports = { filings };
