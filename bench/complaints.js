#!/usr/bin/env node
/*
 * Complaints benchmark: the public list, an agency's queue and Open311 `requests.json` with a
 * million complaints in the table, and filing (one transaction with the complaint, its history
 * row and its outbox event) against a bare twin doing the same SQL with no framework
 * (node:http + jose + pg). See bench/README.md, section "complaints.js".
 *
 *   node bench/complaints.js [--rows=1000000] [--batch=50000] [--citizen-rows=2000] [--agency=DLH]
 *                            [--duration=12] [--warmup=3] [--connections=50] [--filers=20] [--read-connections=50] [--file-duration=15]
 *                            [--deep-page=50] [--attachment-every=10] [--only=TEXT] [--skip-reads] [--skip-filing] [--skip-bare]
 *                            [--skip-skeleton] [--skeleton-events=on|off]
 *                            [--rate=N] [--read-rate=N] [--service-env=NAME=value] [--cpu-prof] [--out=bench/results]
 *
 * Needs a built tree (npx nx run-many -t build), PostgreSQL and NATS on 127.0.0.1. Run it alone:
 *   flock /tmp/smart-regency-bench.lock node bench/complaints.js
 * Exit code: 0 when the benchmark ran (whether or not the goals were met), 1 on errors.
 *
 * The same file runs the bare twin (--role=bare) and the skeleton (--role=skeleton-service,
 * --role=skeleton-gateway; bench/lib/skeleton.js).
 */
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { performance } = require('perf_hooks');
const h = require('./lib/harness');
const skeleton = require('./lib/skeleton');

const API = '/api/v1';
const GOAL_P99_MS = 50;
const GOAL_FILE_RPS = 1000;
const LOGIN_RATE_LIMIT = '100000';
const OUTBOX_CHANNEL = 'outbox';
const DISTRICTS = ['Kualuh Hulu', 'Kualuh Hilir', 'Kualuh Selatan', 'Kualuh Leidong', 'Aek Natas', 'Aek Kuo', 'Na IX-X', 'Marbau'];
const FILING = {
  categoryCode: 'waste-environment',
  title: 'Sampah menumpuk di pasar',
  description: 'Sampah di Pasar Aek Kanopan tidak diangkut sejak seminggu.',
  location: { lat: 2.578, lng: 99.618, district: 'Kualuh Hulu', village: 'Aek Kanopan' },
  visibility: 'public',
};

// ---------------------------------------------------------------------------------------------
// The bare twin: the same token check, transaction and outbox write as ComplaintsService.file().
// makeTwin() is that work without the HTTP server, shared by the bare twin and the skeleton's
// service (see runSkeletonService).
// ---------------------------------------------------------------------------------------------
async function makeTwin() {
  const { randomUUID } = require('crypto');
  const { Pool } = require('pg');
  const { importJWK } = require('jose');
  const keys = new Map();
  for (const jwk of JSON.parse(process.env.BARE_JWKS).keys) keys.set(jwk.kid, await importJWK(jwk, 'EdDSA'));
  const pool = new Pool({ connectionString: process.env.BARE_DATABASE_URL, max: Number(process.env.BARE_POOL_SIZE) || 10 });
  await pool.query('SELECT 1');

  const JAKARTA = 7 * 3600000;
  const DAY = 86400000;
  const dayOf = (d) => Math.floor((d.getTime() + JAKARTA) / DAY);
  const endOfDay = (day) => new Date((day + 1) * DAY - JAKARTA - 1);
  // Monday–Friday only (the full path also skips the holidays of identity's calendar, cached).
  const addWorkingDays = (start, days) => {
    let day = dayOf(start);
    for (let left = days; left > 0; ) {
      day += 1;
      const weekday = new Date(day * DAY).getUTCDay();
      if (weekday !== 0 && weekday !== 6) left -= 1;
    }
    return endOfDay(day);
  };
  const fail = (status, code, detail) => Object.assign(new Error(detail), { status, code });
  const VISIBILITIES = ['public', 'anonymous', 'confidential'];
  const validate = (b) => {
    const bad = [];
    const str = (v, min, max) => typeof v === 'string' && v.length >= min && v.length <= max;
    if (!str(b.categoryCode, 1, 40)) bad.push('categoryCode');
    if (!str(b.title, 5, 200)) bad.push('title');
    if (!str(b.description, 10, 5000)) bad.push('description');
    const l = b.location;
    if (!l || typeof l !== 'object' || typeof l.lat !== 'number' || Math.abs(l.lat) > 90 || typeof l.lng !== 'number' || Math.abs(l.lng) > 180) bad.push('location');
    for (const k of ['address', 'district', 'village']) if (l && l[k] !== undefined && !str(l[k], 0, k === 'address' ? 300 : 100)) bad.push(`location.${k}`);
    if (!VISIBILITIES.includes(b.visibility)) bad.push('visibility');
    if (bad.length) throw fail(400, 'COMMON.VALIDATION', `invalid: ${bad.join(', ')}`);
  };
  const event = (type, subject, data, now) => ({
    specversion: '1.0',
    id: randomUUID(),
    source: '/regency/complaints',
    type,
    subject,
    time: now.toISOString(),
    datacontenttype: 'application/json',
    data,
  });

  // As the service: categories kept 5 s in memory, the tracking number from a block of the
  // sequence, then one prepared statement (complaint, history row, outbox row, notification).
  const categories = new Map();
  const category = async (code) => {
    const cached = categories.get(code);
    if (cached && cached.until > Date.now()) return cached.row;
    const { rows } = await pool.query({ name: 'bare_category', text: 'SELECT code, agency_id FROM complaint_categories WHERE code = $1 AND active LIMIT 1', values: [code] });
    categories.set(code, { row: rows[0], until: Date.now() + 5000 });
    return rows[0];
  };
  const numbers = h.numberBlocks(pool, 'complaint_number_seq');
  const FILE_SQL = `
    WITH c AS (
      INSERT INTO complaints (id, tracking_number, category_code, reporter_id, title, description, location, district, visibility, status, agency_id, due_at, final_due_at, escalated_stages)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'received', $10, $11, $12, '{}') RETURNING *),
    h AS (INSERT INTO complaint_history (complaint_id, action, from_status, to_status, actor_id, actor_role, note) SELECT id, 'file', NULL, 'received', reporter_id, $13, NULL FROM c),
    e AS (INSERT INTO outbox (id, type, record_id, event) VALUES ($14, $15, $16, $17))
    SELECT c.*, pg_notify($18, '') FROM c`;

  async function file(actor, body) {
    validate(body);
    const cat = await category(body.categoryCode);
    if (!cat) throw fail(404, 'COMPLAINTS.CATEGORY_NOT_FOUND', `no open category ${body.categoryCode}`);
    const now = new Date();
    const id = randomUUID();
    const year = new Date(now.getTime() + JAKARTA).getUTCFullYear();
    const trackingNumber = `LPR-${year}-${(await numbers.take()).padStart(6, '0')}`;
    const dueAt = addWorkingDays(now, 3);
    const finalDueAt = endOfDay(dayOf(now) + 60);
    const { lat, lng, district } = body.location;
    const visibility = body.visibility;
    const e = event(
      'complaints.complaint.received.v1',
      id,
      {
        complaintId: id,
        trackingNumber,
        categoryCode: cat.code,
        agencyId: cat.agency_id,
        visibility,
        location: visibility === 'confidential' ? { ...(district ? { district } : {}) } : { lat, lng, ...(district ? { district } : {}) },
        dueAt: dueAt.toISOString(),
        finalDueAt: finalDueAt.toISOString(),
      },
      now,
    );
    const { rows: [c] } = await pool.query({
      name: 'bare_file',
      text: FILE_SQL,
      values: [id, trackingNumber, cat.code, actor.id, body.title, body.description, body.location, district ?? null, visibility, cat.agency_id, dueAt, finalDueAt, actor.role, e.id, e.type, e.subject, JSON.stringify(e), OUTBOX_CHANNEL],
    });
    return {
      id: c.id,
      trackingNumber: c.tracking_number,
      categoryCode: c.category_code,
      title: c.title,
      description: c.description,
      location: c.location,
      visibility: c.visibility,
      status: c.status,
      agencyId: c.agency_id,
      reporterId: c.reporter_id,
      dueAt: c.due_at.toISOString(),
      finalDueAt: c.final_due_at.toISOString(),
      overdue: false,
      version: c.version,
      createdAt: c.created_at.toISOString(),
    };
  }

  // Verified tokens remembered until they expire, as the gateway does.
  const verified = h.tokenMemory(keys, h.VERIFY_OPTIONS);


  const authenticate = h.citizenCheck(verified, fail);

  return { pool, file, authenticate, fail };
}

async function runBare() {
  const http = require('http');
  const { pool, file, authenticate, fail } = await makeTwin();
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const send = (status, body) => {
        const text = JSON.stringify(body);
        res.writeHead(status, {
          'content-type': status < 400 ? 'application/json; charset=utf-8' : 'application/problem+json; charset=utf-8',
          'content-length': Buffer.byteLength(text),
          ...(body.version ? { etag: `"${body.version}"` } : {}),
        });
        res.end(text);
      };
      (async () => {
        if (req.method !== 'POST' || req.url.split('?')[0] !== `${API}/complaints`) throw fail(404, 'COMMON.NOT_FOUND', 'no such route');
        const actor = await authenticate(req.headers.authorization);
        let body;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString() || 'null');
        } catch {
          throw fail(400, 'COMMON.MALFORMED_BODY', 'malformed JSON');
        }
        return file(actor, body ?? {});
      })().then(
        (complaint) => send(201, complaint),
        (error) => send(error.status ?? 500, { type: 'about:blank', title: error.code ?? 'COMMON.INTERNAL', status: error.status ?? 500, detail: error.message }),
      );
    });
  });
  await h.serveBare(server, pool);
}

// ---------------------------------------------------------------------------------------------
// The skeleton (bench/lib/skeleton.js): the twin's filing behind a Nest gateway, NATS and a Nest
// microservice with the relay and a consumer; and the public list, with the service's own
// statement (complaint-list.js of its build), either its rows as pg returns them or the page's
// JSON text built by PostgreSQL and passed through unparsed.
// ---------------------------------------------------------------------------------------------
const SKELETON = { file: 'skeleton.complaints.file', list: 'skeleton.complaints.listPublic', listJson: 'skeleton.complaints.listPublicJson' };

async function runSkeletonService() {
  const twin = await makeTwin();
  const { complaintListStatements } = require(path.join(h.ROOT, 'services/complaints/dist/complaints/complaint-list.js'));
  const { countedTotal } = require('@smart-regency/contracts');
  const names = new Map();
  const prepared = (text) => {
    if (!names.has(text)) names.set(text, `skel_list_${names.size}`);
    return names.get(text);
  };
  await skeleton.runService({
    pool: twin.pool,
    eventsFilter: 'complaints.>',
    handlers: {
      [SKELETON.file]: ({ actor, body }) => twin.file(actor, body ?? {}),
      [SKELETON.list]: async (query) => {
        const sql = complaintListStatements({ kind: 'public' }, query);
        const { rows } = await twin.pool.query({ name: prepared(sql.select), text: sql.select, values: sql.params });
        const items = rows.map((row) => {
          const item = { ...row };
          delete item.matching;
          return item;
        });
        return { items, page: query.page ?? 1, pageSize: sql.pageSize, ...countedTotal(sql.offset, sql.pageSize, rows.length, rows[0]?.matching) };
      },
      [SKELETON.listJson]: async (query) => {
        const sql = complaintListStatements({ kind: 'public' }, query);
        const text = `SELECT coalesce(json_agg(t), '[]')::text AS json, max(t.matching) AS matching, count(*)::int AS n FROM (${sql.select}) t`;
        const { rows: [row] } = await twin.pool.query({ name: prepared(text), text, values: sql.params });
        return { json: row.json, page: query.page ?? 1, pageSize: sql.pageSize, ...countedTotal(sql.offset, sql.pageSize, row.n, row.matching ?? undefined) };
      },
    },
  });
}

function runSkeletonGateway() {
  const listQuery = (request) => ({ ...request.query, ...(request.query.page ? { page: Number(request.query.page) } : {}) });
  return skeleton.runGateway({
    routes: [
      { method: 'POST', path: `${API.slice(1)}/complaints`, status: 201, subject: SKELETON.file, citizen: true, data: (request, actor) => ({ actor, body: request.body }) },
      { method: 'GET', path: `${API.slice(1)}/public/complaints`, status: 200, subject: SKELETON.list, data: listQuery },
      { method: 'GET', path: `${API.slice(1)}/lean/public/complaints`, status: 200, subject: SKELETON.listJson, data: listQuery, raw: true },
    ],
  });
}

// ---------------------------------------------------------------------------------------------
// Seeding: INSERT … SELECT FROM generate_series, in batches, secondary indexes rebuilt after.
// ---------------------------------------------------------------------------------------------
/*
 * Rows g = $1 … $2. Per row, from hashes of g: the category (and so the agency) out of the 11
 * seeded ones, the district out of 8, the visibility (public 70 %, anonymous 20 %, confidential
 * 10 %) and the status: closed 55 %, rejected 8 %, resolved 7 %, received 6 %, verified 4 %,
 * dispositioned 7 %, in_progress 12 %, reopened 1 %. Finished complaints were filed over the
 * last two years (no deadline); open ones in the last 60 days, a fifth of them overdue by up to
 * 30 days and already escalated (as the job would have done); resolved ones close by themselves
 * within 14 days. The bench citizen files every $3-th row (at most $4), the others are $6
 * reporters. MATERIALIZED: each CASE is computed once per row.
 */
const SEED_SQL = `
WITH s AS MATERIALIZED (
  SELECT g,
         (hashint4(g) & 2147483647) % 1000 AS r_status,
         (hashint4(g # 1234567) & 2147483647) % 100 AS r_visibility,
         (hashint4(g # 7654321) & 2147483647) % 11 AS r_category,
         (hashint4(g # 2468013) & 2147483647) % 8 AS r_district,
         (hashint4(g # 1357911) & 2147483647) AS r
    FROM generate_series($1::int, $2::int) g
), t AS MATERIALIZED (
  SELECT s.*,
         CASE WHEN r_status < 550 THEN 'closed' WHEN r_status < 630 THEN 'rejected' WHEN r_status < 700 THEN 'resolved'
              WHEN r_status < 760 THEN 'received' WHEN r_status < 800 THEN 'verified' WHEN r_status < 870 THEN 'dispositioned'
              WHEN r_status < 990 THEN 'in_progress' ELSE 'reopened' END AS status,
         CASE WHEN r_visibility < 70 THEN 'public' WHEN r_visibility < 90 THEN 'anonymous' ELSE 'confidential' END AS visibility
    FROM s
), u AS MATERIALIZED (
  SELECT t.*,
         CASE WHEN status IN ('closed', 'rejected') THEN now() - ((r % 710) + 20) * interval '1 day' - (r % 86400) * interval '1 second'
              ELSE now() - (r % 58) * interval '1 day' - (r % 86400) * interval '1 second' END AS created_at,
         status IN ('received', 'verified', 'dispositioned', 'in_progress', 'reopened') AS open,
         r % 5 = 0 AS late
    FROM t
)
INSERT INTO complaints (tracking_number, category_code, reporter_id, title, description, location, district, visibility, status, agency_id,
                        due_at, final_due_at, escalated_stages, answer, resolved_at, closed_at, rating, created_at, updated_at, version)
SELECT 'LPR-B-' || lpad(u.g::text, 8, '0'),
       c.code,
       CASE WHEN u.g % $3 = 0 AND u.g / $3 <= $4 THEN $5::uuid ELSE md5('reporter-' || (u.r % $6))::uuid END,
       'Keluhan ' || c.name || ' nomor ' || u.g,
       'Uraian keluhan nomor ' || u.g || ' tentang ' || lower(c.name) || ' di ' || d.name || '.',
       jsonb_build_object('lat', 1.9 + (u.r % 9973) / 10000.0, 'lng', 99.3 + (u.r % 7919) / 10000.0, 'district', d.name),
       d.name,
       u.visibility,
       u.status,
       c.agency_id,
       CASE WHEN u.status IN ('closed', 'rejected') THEN NULL
            WHEN u.status = 'resolved' THEN now() + ((u.r % 14) + 1) * interval '1 day'
            WHEN u.late THEN now() - ((u.r % 30) + 1) * interval '1 day'
            ELSE now() + ((u.r % 7) + 1) * interval '1 day' END,
       u.created_at + interval '60 days',
       CASE WHEN u.open AND u.late THEN ARRAY[CASE WHEN u.status IN ('received', 'verified') THEN 'verification' ELSE 'follow_up' END] ELSE '{}'::text[] END,
       CASE WHEN u.status IN ('resolved', 'closed') THEN 'Sudah ditindaklanjuti oleh dinas.' END,
       CASE WHEN u.status IN ('resolved', 'closed') THEN LEAST(now(), u.created_at + interval '4 days') END,
       CASE WHEN u.status IN ('closed', 'rejected') THEN u.created_at + interval '12 days' END,
       CASE WHEN u.status = 'closed' AND u.r % 3 = 0 THEN (u.r % 5) + 1 END,
       u.created_at,
       LEAST(now(), u.created_at + interval '1 day'),
       1
  FROM u
  JOIN bench_categories c ON c.idx = u.r_category
  JOIN bench_districts d ON d.idx = u.r_district`;

async function seed(databaseUrl, { rows, batch, citizenId, citizenRows, reporters, attachmentEvery = 0 }) {
  const { Client } = require('pg');
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`CREATE TEMP TABLE bench_categories AS SELECT (row_number() OVER (ORDER BY code) - 1)::int AS idx, code, name, agency_id FROM complaint_categories`);
    const { rows: [{ n: categories }] } = await client.query('SELECT count(*)::int AS n FROM bench_categories');
    if (categories !== 11) throw new Error(`expected the 11 seeded categories, found ${categories}`);
    await client.query(`CREATE TEMP TABLE bench_districts (idx int PRIMARY KEY, name text)`);
    for (const [i, name] of DISTRICTS.entries()) await client.query('INSERT INTO bench_districts VALUES ($1, $2)', [i, name]);
    const indexes = await h.secondaryIndexes(client, 'complaints');
    const started = performance.now();
    for (const index of indexes) await client.query(`DROP INDEX ${index.name}`);
    const stride = Math.max(1, Math.floor(rows / Math.max(1, citizenRows)));
    const bar = h.progressBar('seeding complaints', rows);
    for (let from = 1; from <= rows; from += batch) {
      const to = Math.min(rows, from + batch - 1);
      await client.query(SEED_SQL, [from, to, stride, citizenRows, citizenId, reporters]);
      bar.update(to);
    }
    bar.end();
    // One photo on every attachmentEvery-th complaint (metadata only: the lists never read the bytes),
    // so public pages and Open311's media_url have files to show.
    if (attachmentEvery > 0) {
      await client.query(
        `INSERT INTO complaint_attachments (complaint_id, content_type, size, sha256, file_name, storage_key, uploaded_by, uploader_role, uploaded_at)
         SELECT id, 'image/jpeg', 120000 + (hashint4(number) & 65535), md5(id::text) || md5(tracking_number), 'foto.jpg', 'bench/' || id, reporter_id, 'citizen', created_at + interval '5 minutes'
           FROM (SELECT c.*, substr(tracking_number, 7)::int AS number FROM complaints c) c
          WHERE number % $1 = 0`,
        [attachmentEvery],
      );
    }
    const insertSeconds = (performance.now() - started) / 1000;

    const indexSeconds = await h.rebuildIndexes(databaseUrl, indexes);
    const rebuilt = await h.secondaryIndexes(client, 'complaints');
    if (rebuilt.map((i) => i.name).join() !== indexes.map((i) => i.name).join()) throw new Error('the rebuilt indexes differ from the migrations');

    process.stderr.write('VACUUM (ANALYZE) complaints ...\n');
    const vacuumStarted = performance.now();
    await client.query('VACUUM (ANALYZE) complaints');
    await client.query('VACUUM (ANALYZE) complaint_attachments');
    const vacuumSeconds = (performance.now() - vacuumStarted) / 1000;
    const { rows: [stats] } = await client.query(
      `SELECT count(*)::int AS rows, pg_size_pretty(pg_table_size('complaints')) AS table_size, pg_size_pretty(pg_indexes_size('complaints')) AS indexes_size,
              count(*) FILTER (WHERE visibility <> 'confidential')::int AS public_rows,
              count(*) FILTER (WHERE status IN ('received', 'verified', 'dispositioned', 'in_progress', 'reopened'))::int AS open,
              count(*) FILTER (WHERE status IN ('received', 'verified', 'dispositioned', 'in_progress', 'reopened') AND due_at < now())::int AS overdue,
              count(*) FILTER (WHERE visibility <> 'confidential' AND created_at > now() - interval '90 days')::int AS public_last_90_days,
              (SELECT count(*)::int FROM complaint_attachments) AS attachments
         FROM complaints`,
    );
    return {
      rows: stats.rows,
      batch,
      insertSeconds: h.round(insertSeconds, 1),
      rowsPerSecond: Math.round(rows / insertSeconds),
      indexRebuildSeconds: h.round(indexSeconds, 1),
      rebuiltIndexes: indexes.map((i) => i.name),
      vacuumAnalyzeSeconds: h.round(vacuumSeconds, 1),
      tableSize: stats.table_size,
      indexesSize: stats.indexes_size,
      publicRows: stats.public_rows,
      openComplaints: stats.open,
      overdueComplaints: stats.overdue,
      publicLast90Days: stats.public_last_90_days,
      attachments: stats.attachments,
    };
  } finally {
    await client.end();
  }
}

// ---------------------------------------------------------------------------------------------
// Load.
// ---------------------------------------------------------------------------------------------
const topCores = (cpu) =>
  Object.entries(cpu.coresUsedBy)
    .filter(([, c]) => c >= 0.05)
    .sort((a, b) => b[1] - a[1])
    .map(([n, c]) => `${n} ${c}`)
    .join(', ');

const cpuMsPerRequest = (cpu, requests) =>
  Object.fromEntries(
    Object.entries(cpu.cpuSecondsBy)
      .filter(([name]) => !/other|interrupts/.test(name))
      .map(([name, seconds]) => [name, h.round((seconds * 1000) / Math.max(1, requests), 3)]),
  );

/** Warm-up (discarded), then the measured run with CPU and RSS of the named processes. */
async function measure(label, load, pids, options, duration, connections = options.connections) {
  // `load.rate`: open-loop at that rate (h.paced) instead of as fast as the connections go.
  const run = (seconds) =>
    load.rate
      ? h.paced({ url: load.url, headers: load.headers, rate: load.rate, duration: seconds, connections, unit: (send) => send(load.method ?? 'GET', new URL(load.url).pathname + new URL(load.url).search, load.body === undefined ? undefined : JSON.parse(load.body)) })
      : h.autocannon({ ...load, connections, duration: seconds }).then(h.summarize);
  await run(options.warmup);
  const stopCpu = h.cpuWindow(pids);
  const stopRss = h.rssSampler(pids);
  const result = await run(duration);
  const cpu = stopCpu();
  const rss = stopRss();
  console.log(
    `[${label}] ${result.requestsPerSecond} req/s, p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms, non-2xx ${result.non2xx}, errors ${result.errors + result.timeouts}` +
      `  (cores: ${topCores(cpu)})`,
  );
  return { ...result, cpu, cpuMsPerRequest: cpuMsPerRequest(cpu, result.requests), rssPeakMb: rss.peakMb };
}

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

// ---------------------------------------------------------------------------------------------
// The benchmark.
// ---------------------------------------------------------------------------------------------
let environment;
let cleanedUp = false;
async function cleanup() {
  if (cleanedUp) return;
  cleanedUp = true;
  await h.stopAllChildren();
  if (environment) {
    try {
      await environment.cleanup(); // DROP DATABASE … WITH (FORCE) for each database of this run, then its JetStream streams
    } catch (error) {
      console.error(`cleanup incomplete (databases, then NATS streams of run ${environment.runId}): ${error.message}`);
    }
  }
}

const decodeJwt = (token) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());

function parseArgs(argv) {
  const options = {
    rows: 1_000_000,
    batch: 50_000,
    citizenRows: 2000,
    agency: 'DLH',
    duration: 12,
    warmup: 3,
    connections: 50,
    filers: 20,
    fileDuration: 15,
    rate: undefined,
    readConnections: undefined,
    deepPage: 50,
    attachmentEvery: 10,
    only: undefined,
    skipReads: false,
    skipFiling: false,
    skipBare: false,
    skipSkeleton: false,
    skeletonEvents: true,
    cpuProf: false,
    serviceEnv: {},
    out: path.join(__dirname, 'results'),
  };
  for (const arg of argv) {
    const [key, value] = [arg.replace(/^--/, '').split('=')[0], arg.slice(arg.indexOf('=') + 1)];
    const number = () => Number(value);
    if (key === 'rows') options.rows = number();
    else if (key === 'batch') options.batch = number();
    else if (key === 'citizen-rows') options.citizenRows = number();
    else if (key === 'agency') options.agency = value;
    else if (key === 'duration') options.duration = number();
    else if (key === 'warmup') options.warmup = number();
    else if (key === 'connections') options.connections = number();
    else if (key === 'filers') options.filers = number();
    else if (key === 'file-duration') options.fileDuration = number();
    else if (key === 'rate') options.rate = number();
    else if (key === 'read-rate') options.readRate = number();
    else if (key === 'read-connections') options.readConnections = number();
    else if (key === 'deep-page') options.deepPage = number();
    else if (key === 'attachment-every') options.attachmentEvery = number();
    else if (key === 'only') options.only = value;
    else if (key === 'skip-reads') options.skipReads = true;
    else if (key === 'skip-filing') options.skipFiling = true;
    else if (key === 'skip-bare') options.skipBare = true;
    else if (key === 'skip-skeleton') options.skipSkeleton = true;
    else if (key === 'skeleton-events') {
      if (!['on', 'off'].includes(value)) throw new Error('--skeleton-events must be on or off');
      options.skeletonEvents = value === 'on';
    }
    else if (key === 'cpu-prof') options.cpuProf = true;
    else if (key === 'service-env') {
      const [name, ...rest] = value.split('=');
      if (!/^[A-Z][A-Z0-9_]*$/.test(name) || !rest.length) throw new Error(`--service-env needs NAME=value, got ${value}`);
      options.serviceEnv[name] = rest.join('=');
    }
    else if (key === 'out') options.out = path.resolve(value);
    else throw new Error(`unknown option ${arg}`);
  }
  const within = (name, v, lo, hi) => {
    if (!(Number.isInteger(v) && v >= lo && v <= hi)) throw new Error(`--${name} must be an integer in ${lo}..${hi}`);
  };
  within('rows', options.rows, 1000, 5_000_000);
  within('batch', options.batch, 1000, 200_000);
  within('citizen-rows', options.citizenRows, 1, options.rows);
  within('duration', options.duration, 1, 300);
  within('warmup', options.warmup, 0, 60);
  within('connections', options.connections, 1, 1000);
  within('filers', options.filers, 1, 500);
  if (options.rate !== undefined) within('rate', options.rate, 1, 100000);
  if (options.readRate !== undefined) within('read-rate', options.readRate, 1, 100000);
  within('file-duration', options.fileDuration, 1, 300);
  options.readConnections ??= options.connections;
  within('read-connections', options.readConnections, 1, 1000);
  within('deep-page', options.deepPage, 2, 10000);
  within('attachment-every', options.attachmentEvery, 0, 1000);
  return options;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  let testing;
  try {
    testing = require('@smart-regency/testing');
  } catch (error) {
    throw new Error(`cannot load @smart-regency/testing (${error.message}): build first (npx nx run-many -t build)`);
  }
  const { TestEnvironment, freePort, entrypoint, DOMAIN_SERVICES, makeNik, TEST_ADMIN } = testing;
  const names = [...DOMAIN_SERVICES, 'gateway'];
  const entrypoints = Object.fromEntries(names.map((name) => [name, entrypoint(name)])); // throws if not built
  environment = new TestEnvironment();
  const complaintsDb = environment.databaseUrl('complaints');
  const loadBefore = os.loadavg().map((x) => h.round(x));
  const busyBeforeStart = await h.busyCores(1000);
  console.log(`load average before: ${loadBefore.join(', ')}; ${busyBeforeStart} cores busy in the second before the start`);
  if (busyBeforeStart > 0.25) console.warn(`warning: the machine is already busy (${busyBeforeStart} cores); other sessions share these cores and the figures will be low`);

  // 1. The system, as walking-slice.js starts it.
  // --cpu-prof: V8 CPU profiles of every process, written when it exits (summarise with bench/profile-summary.js).
  const profileDir = path.join(options.out, `profiles-complaints-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  const nodeFlags = (name) => (options.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${name}.cpuprofile`] : []);
  const ports = {};
  for (const name of names) ports[name] = await freePort();
  const system = {};
  const spawnedAt = performance.now();
  for (const name of names) {
    const extra = { ...h.UNLIMITED_CITIZEN, ...options.serviceEnv, LOG_LEVEL: 'warn', PORT: String(ports[name]) };
    if (name === 'gateway') extra.LOGIN_RATE_LIMIT_PER_MINUTE = LOGIN_RATE_LIMIT;
    system[name] = h.startChild(name, [...nodeFlags(name), entrypoints[name]], environment.serviceEnv(name, extra));
  }
  const procs = Object.values(system);
  const pids = Object.fromEntries(names.map((name) => [name, system[name].child.pid]));
  const gatewayUrl = `http://127.0.0.1:${ports.gateway}`;
  await h.waitUntil('the gateway to be ready', async () => (await h.http('GET', `${gatewayUrl}/health/ready`, { timeoutMs: 2000 })).status === 200, 60000, 25, procs);
  const readyMs = Math.round(performance.now() - spawnedAt);
  console.log(`system ready in ${readyMs} ms (run ${environment.runId})`);

  const login = async (identifier, password) => {
    const res = await h.http('POST', `${gatewayUrl}${API}/auth/login`, { body: { identifier, password } });
    if (res.status !== 200 || typeof res.json?.accessToken !== 'string') throw new Error(`login of ${identifier} answered ${res.status}: ${res.body.slice(0, 300)}`);
    return res.json.accessToken;
  };
  const expect = (what, res, status) => {
    if (res.status !== status) throw new Error(`${what} answered ${res.status}: ${res.body.slice(0, 400)}`);
    return res.json;
  };
  let adminToken;
  await h.waitUntil('the bootstrap admin to sign in', async () => (adminToken = await login(TEST_ADMIN.email, TEST_ADMIN.password)), 20000, 250, procs);
  const agencies = expect('GET /agencies', await h.http('GET', `${gatewayUrl}${API}/agencies?pageSize=100`, { token: adminToken }), 200).items;
  const officerAgency = agencies.find((a) => a.code === options.agency);
  if (!officerAgency) throw new Error(`no agency ${options.agency}`);
  const staffPassword = 'Bench-Officer-Password-2026';
  const officerEmail = `officer-${environment.runId}@bench.example.id`.toLowerCase();
  expect('POST /users', await h.http('POST', `${gatewayUrl}${API}/users`, { token: adminToken, body: { email: officerEmail, fullName: 'Petugas Bench', roles: ['officer'], agencyId: officerAgency.id, password: staffPassword } }), 201);
  const suffix = String(Date.now() % 1e8).padStart(8, '0');
  const nikBase = Date.now() % 9000;
  const citizen = {
    nik: makeNik({ sequence: 1 + nikBase }),
    fullName: 'Bench Citizen',
    email: `citizen-${environment.runId}@bench.example.id`.toLowerCase(),
    phone: `0812${suffix}`,
    password: 'Bench-Citizen-Password-2026',
  };
  expect('POST /auth/register', await h.http('POST', `${gatewayUrl}${API}/auth/register`, { body: citizen }), 201);
  const citizenToken = await login(citizen.email, citizen.password);
  const citizenId = decodeJwt(citizenToken).sub;
  // More citizens to file as (--filers): the first is the bench citizen.
  const filerTokens = [citizenToken];
  for (let i = 1; i < options.filers; i++) {
    const filer = { ...citizen, nik: makeNik({ sequence: 1 + ((nikBase + i) % 9999) }), email: `filer-${i}-${environment.runId}@bench.example.id`.toLowerCase(), phone: `0813${String((Number(suffix) + i) % 1e8).padStart(8, '0')}` };
    expect('POST /auth/register (filer)', await h.http('POST', `${gatewayUrl}${API}/auth/register`, { body: filer }), 201);
    filerTokens.push(await login(filer.email, filer.password));
  }

  // 2. A million complaints, by SQL.
  console.log(`seeding ${options.rows.toLocaleString('en-US')} complaints in batches of ${options.batch.toLocaleString('en-US')} ...`);
  const seeding = await seed(complaintsDb, { rows: options.rows, batch: options.batch, citizenId, citizenRows: options.citizenRows, reporters: Math.max(1000, Math.floor(options.rows / 3)), attachmentEvery: options.attachmentEvery });
  console.log(
    `seeded ${seeding.rows.toLocaleString('en-US')} rows: insert ${seeding.insertSeconds} s (${seeding.rowsPerSecond.toLocaleString('en-US')} rows/s), ` +
      `${seeding.rebuiltIndexes.length} indexes ${seeding.indexRebuildSeconds} s, VACUUM ANALYZE ${seeding.vacuumAnalyzeSeconds} s; table ${seeding.tableSize}, indexes ${seeding.indexesSize}; ` +
      `${seeding.publicRows.toLocaleString('en-US')} public or anonymous, ${seeding.openComplaints.toLocaleString('en-US')} open (${seeding.overdueComplaints.toLocaleString('en-US')} overdue); ` +
      `${seeding.attachments.toLocaleString('en-US')} attachments`,
  );

  // 3. The lists under load.
  const officerToken = await login(officerEmail, staffPassword);
  const deep = options.deepPage;
  const scenarios = [
    { label: 'public list, page 1', path: `${API}/public/complaints` },
    { label: `public list, page ${deep}`, path: `${API}/public/complaints?page=${deep}` },
    { label: 'public list ?categoryCode=roads-bridges&status=in_progress', path: `${API}/public/complaints?categoryCode=roads-bridges&status=in_progress` },
    { label: 'public list ?district=Kualuh Hulu, page 5', path: `${API}/public/complaints?district=Kualuh%20Hulu&page=5` },
    { label: `agency queue (${officerAgency.code}), page 1`, path: `${API}/complaints`, token: officerToken },
    { label: `agency queue (${officerAgency.code}) ?overdue=true`, path: `${API}/complaints?overdue=true`, token: officerToken },
    { label: `agency queue (${officerAgency.code}) ?status=dispositioned, page ${deep}`, path: `${API}/complaints?status=dispositioned&page=${deep}`, token: officerToken },
    { label: "citizen's own list, page 1", path: `${API}/complaints`, token: citizenToken },
    { label: 'Open311 requests.json (last 90 days, 100 requests)', path: '/open311/v2/requests.json' },
    { label: 'Open311 requests.json?service_code=health&status=open', path: '/open311/v2/requests.json?service_code=health&status=open' },
  ];
  const reads = [];
  for (const s of options.skipReads ? [] : scenarios.filter((x) => !options.only || x.label.includes(options.only))) {
    const url = `${gatewayUrl}${s.path}`;
    const probe = expect(`GET ${s.path}`, await h.http('GET', url, { token: s.token }), 200);
    const shape = Array.isArray(probe) ? `${probe.length} requests` : `total ${probe.total} (${probe.totalExact ? 'exact' : 'not exact'}), ${probe.items.length} items on page ${probe.page}`;
    console.log(`[${s.label}] ${shape}`);
    const measured = await measure(s.label, { url, headers: s.token ? { authorization: `Bearer ${s.token}` } : {}, ...(options.readRate ? { rate: options.readRate } : {}) }, pids, options, options.duration, options.readConnections);
    procs.forEach(h.failIfExited);
    reads.push({ scenario: s.label, url: s.path, shape, ...measured, pass: measured.latencyMs.p99 <= GOAL_P99_MS && measured.non2xx === 0 });
  }

  // The skeleton (see runSkeletonService) and the bare twin run the twins' code on the same database.
  let jwks;
  const twinEnv = async () => {
    jwks ??= expect('GET /.well-known/jwks.json', await h.http('GET', `${gatewayUrl}/.well-known/jwks.json`), 200);
    return { BARE_DATABASE_URL: complaintsDb, BARE_JWKS: JSON.stringify(jwks), BARE_POOL_SIZE: '10' };
  };
  const startSkeleton = async (events, markBacklogSent = false) =>
    skeleton.start({ script: __filename, nodeFlags, env: await twinEnv(), serviceEnv: environment.serviceEnv('complaints', {}), runId: environment.runId, events, markBacklogSent });

  // The public list pages through the skeleton, while the system idles (its processes count as
  // other work): the same statement, no mapping of the rows, no validation, no logging.
  const skeletonReads = [];
  const skeletonScenarios = options.skipReads || options.skipSkeleton ? [] : reads.filter((r) => r.url.startsWith(`${API}/public/complaints`));
  if (skeletonScenarios.length) {
    const skel = await startSkeleton(false);
    for (const r of skeletonScenarios) {
      const url = `${skel.url}${r.url}`;
      const probe = expect(`skeleton GET ${r.url}`, await h.http('GET', url), 200);
      const shape = `total ${probe.total} (${probe.totalExact ? 'exact' : 'not exact'}), ${probe.items.length} items on page ${probe.page}`;
      if (shape !== r.shape) throw new Error(`the skeleton's page differs from the full path's: ${shape} vs ${r.shape}`);
      const measured = await measure(`skeleton: ${r.scenario}`, { url, ...(options.readRate ? { rate: options.readRate } : {}) }, skel.pids, options, options.duration, options.readConnections);
      skel.failIfExited();
      skeletonReads.push({ scenario: `skeleton: ${r.scenario}`, url: r.url, shape, ...measured, pass: measured.latencyMs.p99 <= GOAL_P99_MS && measured.non2xx === 0 });
      // The same page as JSON text from PostgreSQL, passed through without parsing.
      const leanUrl = `${skel.url}${r.url.replace(`${API}/`, `${API}/lean/`)}`;
      const lean = expect(`skeleton GET lean ${r.url}`, await h.http('GET', leanUrl), 200);
      if (JSON.stringify(lean.items.map((i) => i.id)) !== JSON.stringify(probe.items.map((i) => i.id)) || lean.total !== probe.total) throw new Error(`the lean skeleton's page differs from the skeleton's (${r.url})`);
      const leanMeasured = await measure(`skeleton, JSON from PostgreSQL: ${r.scenario}`, { url: leanUrl, ...(options.readRate ? { rate: options.readRate } : {}) }, skel.pids, options, options.duration, options.readConnections);
      skel.failIfExited();
      skeletonReads.push({ scenario: `skeleton, JSON from PostgreSQL: ${r.scenario}`, url: r.url, shape, ...leanMeasured, pass: leanMeasured.latencyMs.p99 <= GOAL_P99_MS && leanMeasured.non2xx === 0 });
    }
    await skel.stop();
  }

  // 4. Filing through the full system.
  // --skip-filing: reads only (and no bare twin).
  let fullProbe, countBefore, fullFiling, outboxAfterFull, countAfter;
  if (!options.skipFiling) {
    fullProbe = expect('POST /complaints', await h.http('POST', `${gatewayUrl}${API}/complaints`, { token: citizenToken, body: FILING }), 201);
    countBefore = Number((await queryOnce(complaintsDb, 'SELECT count(*)::int AS n FROM complaints')).rows[0].n);
    fullFiling = await measure('full filing', filingLoad(gatewayUrl, filerTokens, options.rate), pids, options, options.fileDuration);
    procs.forEach(h.failIfExited);
    ({ rows: [outboxAfterFull] } = await queryOnce(
      complaintsDb,
      `SELECT count(*)::int AS total, count(*) FILTER (WHERE sent_at IS NULL)::int AS pending FROM outbox WHERE type = 'complaints.complaint.received.v1'`,
    ));
    countAfter = Number((await queryOnce(complaintsDb, 'SELECT count(*)::int AS n FROM complaints')).rows[0].n);
  }

  // 5. The bare twin and the skeleton, after the system is stopped, on the same complaints database.
  let bareFiling = null;
  let skeletonFiling = null;
  if (!options.skipFiling && !(options.skipBare && options.skipSkeleton)) {
    const env = await twinEnv();
    await Promise.all(procs.map((p) => h.stopChild(p)));
    const keys = (o) => Object.keys(o).sort().join(',');
    const sameFields = (what, probe) => {
      if (keys(probe) !== keys(fullProbe)) throw new Error(`${what} answers with other fields:\n full: ${keys(fullProbe)}\n ${what}: ${keys(probe)}`);
    };
    if (!options.skipBare) {
      const { bare, url: bareUrl } = await h.startBareTwin([__filename, '--role=bare'], env);
      sameFields('the bare twin', expect('bare POST /complaints', await h.http('POST', `${bareUrl}${API}/complaints`, { token: citizenToken, body: FILING }), 201));
      bareFiling = await measure('bare filing', filingLoad(bareUrl, filerTokens, options.rate), { bare: bare.child.pid }, options, options.fileDuration);
      h.failIfExited(bare);
      await h.stopChild(bare);
    }
    if (!options.skipSkeleton) {
      const skel = await startSkeleton(options.skeletonEvents, true);
      sameFields('the skeleton', expect('skeleton POST /complaints', await h.http('POST', `${skel.url}${API}/complaints`, { token: citizenToken, body: FILING }), 201));
      const outboxBefore = Number((await queryOnce(complaintsDb, 'SELECT count(*)::int AS n FROM outbox')).rows[0].n);
      skeletonFiling = await measure('skeleton filing', filingLoad(skel.url, filerTokens, options.rate), skel.pids, options, options.fileDuration);
      skel.failIfExited();
      // Every event the skeleton wrote is published before it stops (the relay drains its backlog).
      if (options.skeletonEvents) await h.waitUntil('the skeleton relay to publish its backlog', async () => Number((await queryOnce(complaintsDb, 'SELECT count(*)::int AS n FROM outbox WHERE sent_at IS NULL')).rows[0].n) === 0, 30000, 200, [skel.service]);
      const outboxAfter = Number((await queryOnce(complaintsDb, 'SELECT count(*)::int AS n FROM outbox')).rows[0].n);
      const consumed = await skel.stop();
      skeletonFiling.events = options.skeletonEvents;
      skeletonFiling.eventsWritten = outboxAfter - outboxBefore;
      skeletonFiling.consumed = consumed;
      console.log(`[skeleton filing] ${skeletonFiling.eventsWritten} events written (warm-up included)${options.skeletonEvents ? `, all published; ${skeletonFiling.consumed} consumed` : '; no relay or consumer (--skeleton-events=off)'}`);
    }
  }

  // 6. Report.
  const loadAfter = os.loadavg().map((x) => h.round(x));
  const goals = [
    ...reads.map((r) => ({ goal: `p99 <= ${GOAL_P99_MS} ms at ${options.readConnections} connections: ${r.scenario}`, actual: r.latencyMs.p99, pass: r.pass })),
    ...(fullFiling
      ? [
          { goal: `filing >= ${GOAL_FILE_RPS} req/s at ${options.connections} connections`, actual: fullFiling.requestsPerSecond, pass: fullFiling.requestsPerSecond >= GOAL_FILE_RPS },
          { goal: `filing p99 <= ${GOAL_P99_MS} ms`, actual: fullFiling.latencyMs.p99, pass: fullFiling.latencyMs.p99 <= GOAL_P99_MS && fullFiling.non2xx === 0 },
        ]
      : []),
  ];
  const results = {
    date: new Date().toISOString(),
    machine: { ...h.machineInfo(), loadAverageBefore: loadBefore, loadAverageAfter: loadAfter, busyCoresBeforeStart: busyBeforeStart, note: 'shared with other sessions running tests; the load generator, NATS and PostgreSQL share these CPUs' },
    options,
    tree: h.treeInfo(),
    runId: environment.runId,
    readyMs,
    seeding,
    reads,
    skeletonReads,
    cpuProfiles: options.cpuProf ? profileDir : null,
    filing: {
      full: fullFiling ? { ...fullFiling, complaintsCreated: countAfter - countBefore, outboxAfter: outboxAfterFull } : null,
      bare: bareFiling,
      skeleton: skeletonFiling,
      throughputRatioFullToSkeleton: skeletonFiling && fullFiling ? h.round(fullFiling.requestsPerSecond / skeletonFiling.requestsPerSecond, 3) : null,
      throughputRatioFullToBare: bareFiling && fullFiling ? h.round(fullFiling.requestsPerSecond / bareFiling.requestsPerSecond, 3) : null,
    },
    goals,
  };
  console.log(`\ncomplaints benchmark, ${results.date} (commit ${results.tree.commit}${results.tree.sourcesDifferFromCommit ? ', with uncommitted changes' : ''}), load average before ${loadBefore.join(', ')}, after ${loadAfter.join(', ')}`);
  const skeletonName = { complaints: 'skeleton-service', gateway: 'skeleton-gateway' };
  const ms = (r, name) => r.cpuMsPerRequest[name] ?? r.cpuMsPerRequest[skeletonName[name]] ?? '–';
  const other = (r) => r.cpu.coresUsedBy['other (rest of the machine)'] ?? 0;
  console.log('| scenario | req/s | p50 ms | p99 ms | non-2xx | CPU ms/request postgres / complaints / gateway / nats | other cores |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of [...reads, ...skeletonReads]) console.log(`| ${r.scenario} | ${r.requestsPerSecond} | ${r.latencyMs.p50} | ${r.latencyMs.p99} | ${r.non2xx} | ${ms(r, 'postgres')} / ${ms(r, 'complaints')} / ${ms(r, 'gateway')} / ${ms(r, 'nats-server')} | ${other(r)} |`);
  if (fullFiling) console.log(`| filing, full path | ${fullFiling.requestsPerSecond} | ${fullFiling.latencyMs.p50} | ${fullFiling.latencyMs.p99} | ${fullFiling.non2xx} | ${ms(fullFiling, 'postgres')} / ${ms(fullFiling, 'complaints')} / ${ms(fullFiling, 'gateway')} / ${ms(fullFiling, 'nats-server')} | ${other(fullFiling)} |`);
  if (bareFiling) console.log(`| filing, bare twin | ${bareFiling.requestsPerSecond} | ${bareFiling.latencyMs.p50} | ${bareFiling.latencyMs.p99} | ${bareFiling.non2xx} | | ${other(bareFiling)} |`);
  if (skeletonFiling) console.log(`| filing, skeleton (Nest gateway → NATS → Nest service${skeletonFiling.events ? ', relay, consumer' : ', no events'}) | ${skeletonFiling.requestsPerSecond} | ${skeletonFiling.latencyMs.p50} | ${skeletonFiling.latencyMs.p99} | ${skeletonFiling.non2xx} | ${ms(skeletonFiling, 'postgres')} / ${ms(skeletonFiling, 'complaints')} / ${ms(skeletonFiling, 'gateway')} / ${ms(skeletonFiling, 'nats-server')} | ${other(skeletonFiling)} |`);
  if (bareFiling) console.log(`full / bare: ${(results.filing.throughputRatioFullToBare * 100).toFixed(1)} %`);
  if (skeletonFiling) console.log(`full / skeleton: ${(results.filing.throughputRatioFullToSkeleton * 100).toFixed(1)} %`);
  if (fullFiling) console.log(`complaints created during the full filing window (warm-up included): ${countAfter - countBefore}; outbox received.v1: ${outboxAfterFull.total} (pending ${outboxAfterFull.pending})`);
  if (results.cpuProfiles) console.log(`CPU profiles (profiling costs throughput): node bench/profile-summary.js ${path.relative(process.cwd(), results.cpuProfiles)}`);
  for (const g of goals) console.log(`${g.pass ? 'PASS' : 'FAIL'}  ${g.goal}: ${g.actual}`);
  fs.mkdirSync(options.out, { recursive: true });
  const file = path.join(options.out, `complaints-${results.date.replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nresults written to ${path.relative(process.cwd(), file) || file}`);
}

async function queryOnce(databaseUrl, sql, params = []) {
  const { Client } = require('pg');
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end();
  }
}

// ---------------------------------------------------------------------------------------------
module.exports = { SEED_SQL, seed };
if (require.main !== module) {
  // required for its SQL: run nothing
} else if (h.runRole({ bare: runBare, 'skeleton-service': runSkeletonService, 'skeleton-gateway': runSkeletonGateway })) {
  // a child role of the benchmark: running
} else {
  const fail = async (error) => {
    console.error(`\nbenchmark failed: ${error?.stack ?? error}`);
    await cleanup();
    process.exit(1);
  };
  process.once('unhandledRejection', fail);
  process.once('uncaughtException', fail);
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping the processes and dropping the databases ...`);
      cleanup().finally(() => process.exit(130));
    });
  }
  main()
    .then(cleanup)
    .then(() => process.exit(0))
    .catch(fail);
}
