#!/usr/bin/env node
/*
 * Permits benchmark: the permit application lists with a million applications in the table, and
 * the write path (create + submit: two transactions, the second with two outbox events) against a
 * bare twin doing the same SQL with no framework (node:http + jose + pg). See bench/README.md,
 * section "permits.js".
 *
 *   node bench/permits.js [--rows=1000000] [--batch=50000] [--citizen-rows=3000] [--agency=PUPR]
 *                         [--duration=12] [--warmup=3] [--connections=50] [--pair-duration=15]
 *                         [--deep-page=50] [--log-statements-ms=50] [--issuing-queue]
 *                         [--only=TEXT] [--skip-reads] [--skip-writes] [--skip-skeleton] [--skeleton-events=on|off] [--read-audit-rounds=0] [--rate=N] [--read-rate=N] [--service-env=NAME=value] [--cpu-prof]
 *                         [--pg-log=/var/log/postgresql/postgresql-15-main.log] [--out=bench/results]
 *
 * Needs a built tree (npx nx run-many -t build), PostgreSQL and NATS on 127.0.0.1.
 * Exit code: 0 when the benchmark ran (whether or not the goals were met), 1 on errors.
 *
 * The same file runs the bare twin (--role=bare) and the skeleton (--role=skeleton-service,
 * --role=skeleton-gateway; bench/lib/skeleton.js).
 */
'use strict';

const fs = require('fs');
const path = require('path');
const { performance } = require('perf_hooks');
const h = require('./lib/harness');
const skeleton = require('./lib/skeleton');

const API = '/api/v1';
const APPS = `${API}/permit-applications`;
const GOAL_P99_MS = 50;
const GOAL_PAIR_RPS = 1000;
const OPEN_STATUSES = ['submitted', 'verified', 'recommended'];
// The gateway's config refuses LOGIN_RATE_LIMIT_PER_MINUTE above 100000 (@Max in GatewayConfig).
const LOGIN_RATE_LIMIT = '100000';
const BENCH_TYPE = 'BENCH-PERMIT';
const BENCH_FORM = { businessName: 'Warung Bench', businessAddress: 'Jl. Jenderal Sudirman No. 1, Aek Kanopan' };
const OUTBOX_CHANNEL = 'outbox';

/*
 * The list SQL exactly as the service sends it: the service's own builder, from its build
 * (services/permits/dist/applications/application-list.js). Used for EXPLAIN ANALYZE.
 */
function listSql(scope, id, query) {
  let builder;
  try {
    builder = require('../services/permits/dist/applications/application-list');
  } catch (error) {
    throw new Error(`cannot load the permits service's list SQL (${error.message}): build first (npx nx run-many -t build)`);
  }
  const kind = scope === 'staff' ? { kind: 'agency', id } : { kind: 'applicant', id };
  return builder.listStatements(kind, { page: 1, pageSize: 20, ...query });
}

/** PermitJobs' scan for applications past their deadline that were not flagged yet (captured from the service). */
const OVERDUE_JOB_SQL =
  'SELECT "a"."id" AS "a_id", "a"."agency_id" AS "a_agency_id", "a"."due_at" AS "a_due_at" FROM "applications" "a" ' +
  `WHERE "a"."status" IN ('submitted', 'verified', 'recommended') AND "a"."due_at" < $1 ` +
  'AND "a"."overdue_notified_at" IS NULL ORDER BY "a"."due_at" ASC LIMIT 500 FOR UPDATE SKIP LOCKED';

// ---------------------------------------------------------------------------------------------
// The bare twin: node:http + jose + pg, the same two POST routes, the same SQL work per request.
// ---------------------------------------------------------------------------------------------
async function makeTwin() {
  const { randomUUID } = require('crypto');
  const { Pool } = require('pg');
  const { importJWK } = require('jose');
  const keys = new Map();
  for (const jwk of JSON.parse(process.env.BARE_JWKS).keys) keys.set(jwk.kid, await importJWK(jwk, 'EdDSA'));
  const pool = new Pool({ connectionString: process.env.BARE_DATABASE_URL, max: Number(process.env.BARE_POOL_SIZE) || 10 });
  await pool.query('SELECT 1');

  const iso = (d) => (d ? d.toISOString() : undefined);
  const JAKARTA = 7 * 3600000;
  const DAY = 86400000;
  const jakartaYear = (d) => new Date(d.getTime() + JAKARTA).getUTCFullYear();
  // Monday–Friday only (the full path also skips the holidays of identity's calendar).
  const addWorkingDays = (start, days) => {
    let day = Math.floor((start.getTime() + JAKARTA) / DAY);
    for (let left = days; left > 0; ) {
      day += 1;
      const weekday = new Date(day * DAY).getUTCDay();
      if (weekday !== 0 && weekday !== 6) left -= 1;
    }
    return new Date((day + 1) * DAY - JAKARTA - 1);
  };
  const response = (a, history) => ({
    id: a.id,
    number: a.number,
    permitTypeCode: a.permit_type_code,
    agencyId: a.agency_id,
    issuingAgencyId: a.issuing_agency_id,
    applicantId: a.applicant_id,
    status: a.status,
    formData: a.form_data,
    ...(a.location ? { location: a.location } : {}),
    fee: Number(a.fee),
    submittedAt: iso(a.submitted_at),
    dueAt: iso(a.due_at),
    overdue: OPEN_STATUSES.includes(a.status) && !!a.due_at && a.due_at < new Date(),
    decidedAt: iso(a.decided_at),
    issuedAt: iso(a.issued_at),
    ...(a.certificate_number ? { certificateNumber: a.certificate_number } : {}),
    expiresAt: iso(a.expires_at),
    version: a.version,
    createdAt: a.created_at.toISOString(),
    updatedAt: a.updated_at.toISOString(),
    ...(history ? { history: history.map((x) => ({ action: x.action, fromStatus: x.from_status, toStatus: x.to_status, actorId: x.actor_id, actorRole: x.actor_role, at: x.at.toISOString() })) } : {}),
  });
  const fail = (status, code, detail) => Object.assign(new Error(detail), { status, code });
  const event = (type, subject, data, now) => ({
    specversion: '1.0',
    id: randomUUID(),
    source: '/regency/permits',
    type,
    subject,
    time: now.toISOString(),
    datacontenttype: 'application/json',
    data,
  });

  const inTransaction = async (work) => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  };
  // The permit types as the service keeps them: in memory for 5 s; read on the caller's connection
  // inside a transaction (a second pool connection would deadlock the pool under load).
  const types = new Map();
  const permitType = async (code, client = pool) => {
    const cached = types.get(code);
    if (cached && cached.until > Date.now()) return cached.type;
    const { rows } = await client.query('SELECT * FROM permit_types WHERE code = $1 LIMIT 1', [code]);
    if (!rows[0]) throw fail(404, 'PERMITS.PERMIT_TYPE_NOT_FOUND', `no permit type ${code}`);
    types.set(code, { type: rows[0], until: Date.now() + 5000 });
    return rows[0];
  };
  const missingFields = (fields, formData) => fields.filter((f) => f.required && (formData[f.code] === undefined || formData[f.code] === null || formData[f.code] === ''));
  const COLUMNS = 'id, number, permit_type_code, agency_id, issuing_agency_id, applicant_id, status, form_data, location, fee, submitted_at, due_at, decided_at, issued_at, certificate_number, expires_at, version, created_at, updated_at';

  // As the service: the number from a block of the sequence, then one prepared statement (the
  // application and its first history entry).
  const numbers = h.numberBlocks(pool, 'application_number_seq');
  async function create(actor, body) {
    if (typeof body.permitTypeCode !== 'string' || body.permitTypeCode.length > 40 || !body.formData || typeof body.formData !== 'object' || Array.isArray(body.formData)) {
      throw fail(400, 'COMMON.VALIDATION', 'permitTypeCode and formData are required');
    }
    const type = await permitType(body.permitTypeCode);
    if (!type.active) throw fail(409, 'PERMITS.PERMIT_TYPE_INACTIVE', `${type.code} is not open for applications`);
    const number = `PRM-${jakartaYear(new Date())}-${(await numbers.take()).padStart(6, '0')}`;
    const { rows: [row] } = await pool.query({
      name: 'bare_create',
      text: `WITH app AS (
         INSERT INTO applications (id, number, permit_type_code, agency_id, issuing_agency_id, applicant_id, status, form_data, location, fee, sla_working_days, validity_months)
         VALUES ($1, $2, $3, $4, $5, $6, 'draft', $7, NULL, $8, $9, $10)
         RETURNING ${COLUMNS}
       ), history AS (
         INSERT INTO application_history (application_id, action, from_status, to_status, actor_id, actor_role)
         VALUES ($1, 'create', NULL, 'draft', $6, $11) RETURNING at
       )
       SELECT app.*, history.at AS history_at FROM app, history`,
      values: [randomUUID(), number, type.code, type.agency_id, type.issuing_agency_id, actor.id, JSON.stringify(body.formData), type.fee, type.sla_working_days, type.validity_months, actor.role],
    });
    return response(row, [{ action: 'create', from_status: null, to_status: 'draft', actor_id: actor.id, actor_role: actor.role, at: row.history_at }]);
  }

  // As the service: the row locked (prepared), then one prepared statement with the update, its
  // history row, both events and the notification, in one transaction.
  async function submit(actor, id) {
    return inTransaction(async (client) => {
      const { rows: [app] } = await client.query({ name: 'bare_lock', text: `SELECT ${COLUMNS}, sla_working_days FROM applications WHERE id = $1 FOR UPDATE`, values: [id] });
      if (!app || app.applicant_id !== actor.id) throw fail(404, 'PERMITS.APPLICATION_NOT_FOUND', 'application not found');
      if (app.status !== 'draft') throw fail(409, 'PERMITS.INVALID_TRANSITION', `cannot submit an application that is ${app.status}`);
      const type = await permitType(app.permit_type_code, client);
      if (missingFields(type.form_fields, app.form_data).length) throw fail(400, 'PERMITS.INVALID_FORM', 'the form is not complete');
      if (type.required_documents.some((d) => d.required)) {
        const { rows: docs } = await client.query('SELECT code FROM application_documents WHERE application_id = $1', [id]);
        const uploaded = new Set(docs.map((d) => d.code));
        if (type.required_documents.some((d) => d.required && !uploaded.has(d.code))) throw fail(400, 'PERMITS.MISSING_DOCUMENTS', 'missing documents');
      }
      const now = new Date();
      const dueAt = addWorkingDays(now, app.sla_working_days);
      const data = { permitTypeCode: app.permit_type_code, agencyId: app.agency_id, issuingAgencyId: app.issuing_agency_id, dueAt: dueAt.toISOString() };
      const submitted = event('permits.application.submitted.v1', id, { applicationId: id, number: app.number, ...data }, now);
      const changed = event('permits.application.status_changed.v1', id, { applicationId: id, fromStatus: 'draft', toStatus: 'submitted', action: 'submit', actorRole: actor.role, at: now.toISOString(), ...data }, now);
      const { rows: [saved] } = await client.query({
        name: 'bare_submit',
        text: `WITH step AS (
           UPDATE applications SET status = 'submitted', submitted_at = COALESCE(submitted_at, $3), due_at = $4, overdue_notified_at = NULL, updated_at = now(), version = version + 1
           WHERE id = $1 AND version = $2 RETURNING id, updated_at, version
         ), history AS (
           INSERT INTO application_history (application_id, action, from_status, to_status, actor_id, actor_role, note) SELECT id, 'submit', 'draft', 'submitted', $5, $6, NULL FROM step
         ), e AS (
           INSERT INTO outbox (id, type, record_id, event) VALUES ($7, $8, $9, $10), ($11, $12, $13, $14)
         )
         SELECT updated_at, version, pg_notify($15, '') FROM step`,
        values: [id, app.version, now, dueAt, actor.id, actor.role, submitted.id, submitted.type, submitted.subject, JSON.stringify(submitted), changed.id, changed.type, changed.subject, JSON.stringify(changed), OUTBOX_CHANNEL],
      });
      const updated = { ...app, updated_at: saved.updated_at, version: saved.version, status: 'submitted', submitted_at: app.submitted_at ?? now, due_at: dueAt };
      return response(updated);
    });
  }

  // Verified tokens remembered until they expire, as the gateway does.
  const verified = h.tokenMemory(keys, h.VERIFY_OPTIONS);


  const authenticate = h.citizenCheck(verified, fail);
  return { pool, create, submit, authenticate, fail };
}

// The bare twin: makeTwin() behind node:http.
async function runBare() {
  const http = require('http');
  const { pool, create, submit, authenticate, fail } = await makeTwin();
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  const SUBMIT = new RegExp(`^${APPS}/([^/]+)/submit$`);
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const send = (status, body, version) => {
        const text = JSON.stringify(body);
        res.writeHead(status, {
          'content-type': status < 400 ? 'application/json; charset=utf-8' : 'application/problem+json; charset=utf-8',
          'content-length': Buffer.byteLength(text),
          ...(version ? { etag: `"${version}"` } : {}),
        });
        res.end(text);
      };
      const path = req.url.split('?')[0];
      const submitMatch = SUBMIT.exec(path);
      (async () => {
        if (req.method !== 'POST' || (path !== APPS && !submitMatch)) throw fail(404, 'COMMON.NOT_FOUND', 'no such route');
        const actor = await authenticate(req.headers.authorization);
        if (submitMatch) {
          if (!UUID.test(submitMatch[1])) throw fail(400, 'COMMON.VALIDATION', 'id must be a UUID');
          return [200, await submit(actor, submitMatch[1])];
        }
        let body;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString() || 'null');
        } catch {
          throw fail(400, 'COMMON.MALFORMED_BODY', 'malformed JSON');
        }
        return [201, await create(actor, body ?? {})];
      })().then(
        ([status, app]) => send(status, app, app.version),
        (error) => send(error.status ?? 500, { type: 'about:blank', title: error.code ?? 'COMMON.INTERNAL', status: error.status ?? 500, detail: error.message }),
      );
    });
  });
  await h.serveBare(server, pool);
}

// ---------------------------------------------------------------------------------------------
// The skeleton (bench/lib/skeleton.js): the twin's create and submit behind a Nest gateway, NATS
// and a Nest microservice with the relay and a consumer.
// ---------------------------------------------------------------------------------------------
const SKELETON = { create: 'skeleton.permits.create', submit: 'skeleton.permits.submit' };

async function runSkeletonService() {
  const twin = await makeTwin();
  await skeleton.runService({
    pool: twin.pool,
    eventsFilter: 'permits.>',
    handlers: {
      [SKELETON.create]: ({ actor, body }) => twin.create(actor, body ?? {}),
      [SKELETON.submit]: ({ actor, id }) => twin.submit(actor, id),
    },
  });
}

function runSkeletonGateway() {
  return skeleton.runGateway({
    routes: [
      { method: 'POST', path: APPS.slice(1), status: 201, subject: SKELETON.create, citizen: true, data: (request, actor) => ({ actor, body: request.body }) },
      { method: 'POST', path: `${APPS.slice(1)}/:id/submit`, status: 200, subject: SKELETON.submit, citizen: true, data: (request, actor) => ({ actor, id: request.params.id }) },
    ],
  });
}

// ---------------------------------------------------------------------------------------------
// Seeding: set-based INSERT … SELECT FROM generate_series, in batches.
// ---------------------------------------------------------------------------------------------
/*
 * One batch of rows g = $1 … $2. Per row: a slot (0–99) picks the permit type and so the agency
 * (bench_slots: slots 0–9 the officer's agency, 90 slots for the ten others); the applicant is
 * the bench citizen on every $3-th row (up to $4 rows), otherwise one of $5 applicants; the
 * status follows a lifecycle mix, and the timestamps follow the status: drafts from the last
 * 90 days, open cases (submitted/verified/recommended) with a deadline around now ($7 of them
 * overdue, up to 60 days, already flagged by the overdue job), decided and closed ones over
 * the last two years; issued permits past their validity are expired.
 * Every step is MATERIALIZED: inlined, each reference to a column re-evaluates the whole chain
 * of CASE expressions behind it (12x slower).
 */
const SEED_SQL = `
WITH s AS (
  SELECT g,
    CASE WHEN g % $3::int = 0 AND g / $3::int <= $4::int THEN $6::uuid
         ELSE md5('applicant:' || floor(random() * $5::int)::int)::uuid END AS applicant_id,
    floor(random() * 100)::int AS slot, random() AS u, random() AS r1, random() AS r2, random() AS r3
  FROM generate_series($1::int, $2::int) AS g
), k AS MATERIALIZED (
  SELECT s.*, now() AS t_now, sl.code, sl.agency_id, sl.issuing_agency_id, sl.sla, sl.fee, sl.validity,
    make_interval(days => ceil(sl.sla * 1.4)::int) AS span,
    CASE WHEN u < 0.04 THEN 'draft' WHEN u < 0.09 THEN 'submitted' WHEN u < 0.12 THEN 'verified' WHEN u < 0.14 THEN 'recommended'
         WHEN u < 0.16 THEN 'revision_requested' WHEN u < 0.17 THEN 'awaiting_payment' WHEN u < 0.19 THEN 'approved'
         WHEN u < 0.20 THEN 'revoked' WHEN u < 0.29 THEN 'rejected' WHEN u < 0.36 THEN 'withdrawn' ELSE 'issued' END AS kind
  FROM s JOIN bench_slots sl ON sl.slot = s.slot
), t AS MATERIALIZED (
  SELECT k.*,
    CASE WHEN kind = 'draft' THEN NULL
         WHEN kind IN ('submitted', 'verified', 'recommended')
           THEN (CASE WHEN r1 < $7::float8 THEN t_now - r2 * interval '60 days' ELSE t_now + r2 * span END) - span
         WHEN kind IN ('revision_requested', 'awaiting_payment', 'approved') THEN t_now - span - r2 * interval '30 days'
         WHEN kind = 'withdrawn' AND r1 < 0.3 THEN NULL
         ELSE t_now - interval '10 days' - r2 * interval '720 days' END AS submitted_at
  FROM k
), v AS MATERIALIZED (
  SELECT t.*,
    CASE WHEN submitted_at IS NOT NULL THEN submitted_at - r3 * interval '3 days'
         WHEN kind = 'draft' THEN t_now - r2 * interval '90 days'
         ELSE t_now - interval '10 days' - r2 * interval '720 days' END AS created_at,
    submitted_at + span AS due_at,
    CASE WHEN kind IN ('awaiting_payment', 'approved', 'issued', 'revoked', 'rejected')
         THEN LEAST(submitted_at + r1 * span, t_now - interval '1 minute') END AS decided_at
  FROM t
), w AS MATERIALIZED (
  SELECT v.*,
    CASE WHEN kind IN ('issued', 'revoked') THEN LEAST(decided_at + r3 * interval '3 days', t_now - interval '1 minute') END AS issued_at
  FROM v
), z AS MATERIALIZED (
  SELECT w.*,
    CASE WHEN kind IN ('issued', 'revoked') AND validity > 0 THEN issued_at + make_interval(months => validity) END AS expires_at,
    CASE WHEN kind IN ('submitted', 'verified', 'recommended') AND due_at < t_now THEN LEAST(due_at + interval '1 minute', t_now) END AS overdue_notified_at
  FROM w
), f AS MATERIALIZED (
  SELECT z.*, CASE WHEN kind = 'issued' AND expires_at < t_now THEN 'expired' ELSE kind END AS status FROM z
)
INSERT INTO applications (number, permit_type_code, agency_id, issuing_agency_id, applicant_id, status, form_data, fee, sla_working_days, validity_months,
  submitted_at, due_at, overdue_notified_at, decided_at, issued_at, certificate_number, verification_code, expires_at, holder_name, created_at, updated_at, version)
SELECT
  'PRM-' || to_char(created_at AT TIME ZONE 'Asia/Jakarta', 'YYYY') || '-' || CASE WHEN g < 1000000 THEN lpad(g::text, 6, '0') ELSE g::text END,
  code, agency_id, issuing_agency_id, applicant_id, status,
  jsonb_build_object('businessName', 'Usaha Bench ' || g, 'businessAddress', 'Jl. Contoh No. ' || (g % 250) || ', Aek Kanopan', 'floorArea', 20 + g % 400),
  fee, sla, validity,
  submitted_at, due_at, overdue_notified_at, decided_at, issued_at,
  CASE WHEN issued_at IS NOT NULL THEN code || '/' || to_char(issued_at AT TIME ZONE 'Asia/Jakarta', 'YYYY') || '/S' || lpad(g::text, 7, '0') END,
  CASE WHEN issued_at IS NOT NULL THEN substr(md5('verification:' || g), 1, 20) END,
  expires_at,
  CASE WHEN issued_at IS NOT NULL THEN 'Pemohon Bench ' || g END,
  created_at,
  GREATEST(created_at, submitted_at, decided_at, issued_at, overdue_notified_at, CASE WHEN status = 'expired' THEN expires_at END),
  CASE status WHEN 'draft' THEN 1 WHEN 'submitted' THEN 2 WHEN 'withdrawn' THEN 2 WHEN 'verified' THEN 3 WHEN 'recommended' THEN 4
    WHEN 'revision_requested' THEN 4 WHEN 'rejected' THEN 4 WHEN 'awaiting_payment' THEN 5 WHEN 'approved' THEN 6
    WHEN 'issued' THEN 7 ELSE 8 END
FROM f`;

/*
 * Seeds `rows` applications. The secondary indexes of the table (those that back no constraint)
 * are dropped first and rebuilt from their own definitions (pg_indexes.indexdef) afterwards: a
 * bulk build is several times faster than maintaining eight B-trees row by row, and the table
 * ends with exactly the indexes the migrations made (checked). The primary key and the unique
 * constraints stay in place during the load.
 */
async function seed(databaseUrl, { rows, batch, citizenId, citizenRows, applicants, overdueShare, slots }) {
  const { Client } = require('pg');
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`CREATE TEMP TABLE bench_slots (slot int PRIMARY KEY, code varchar(40), agency_id uuid, issuing_agency_id uuid, sla int, fee bigint, validity int)`);
    for (const s of slots) {
      await client.query('INSERT INTO bench_slots VALUES ($1, $2, $3, $4, $5, $6, $7)', [s.slot, s.code, s.agencyId, s.issuingAgencyId, s.sla, s.fee, s.validity]);
    }
    const indexes = await h.secondaryIndexes(client, 'applications');
    const started = performance.now();
    for (const index of indexes) await client.query(`DROP INDEX ${index.name}`);
    const stride = Math.max(1, Math.floor(rows / Math.max(1, citizenRows)));
    const bar = h.progressBar('seeding applications', rows);
    for (let from = 1; from <= rows; from += batch) {
      const to = Math.min(rows, from + batch - 1);
      await client.query(SEED_SQL, [from, to, stride, citizenRows, applicants, citizenId, overdueShare]);
      bar.update(to);
    }
    bar.end();
    const insertSeconds = (performance.now() - started) / 1000;
    // The service numbers new applications from the sequence: start past the seeded numbers.
    await client.query(`SELECT setval('application_number_seq', $1::bigint)`, [rows + 1]);
    await client.query(`SELECT setval('certificate_number_seq', $1::bigint)`, [rows + 1]);

    const indexSeconds = await h.rebuildIndexes(databaseUrl, indexes);
    const rebuilt = await h.secondaryIndexes(client, 'applications');
    // Deparsing a deparsed predicate adds casts ('x'::character varying → ('x'::character varying)::text): compare without them.
    const defs = (list) =>
      list
        .map((i) => i.definition.replace(/\(('[^']*'::character varying)\)::text/g, '$1').replace(/\(ARRAY\[(.*?)\]\)::text\[\]/g, 'ARRAY[$1]'))
        .sort()
        .join('\n');
    if (defs(rebuilt) !== defs(indexes)) throw new Error(`the rebuilt indexes differ from the migrations':\n${defs(indexes)}\n---\n${defs(rebuilt)}`);

    // As a long-lived table would be: statistics, visibility map and hint bits set.
    process.stderr.write('VACUUM (ANALYZE) applications ...\n');
    const vacuumStarted = performance.now();
    await client.query('VACUUM (ANALYZE) applications');
    const vacuumSeconds = (performance.now() - vacuumStarted) / 1000;
    const { rows: stats } = await client.query(
      `SELECT count(*)::int AS rows, count(DISTINCT applicant_id)::int AS applicants,
              pg_size_pretty(pg_table_size('applications')) AS table_size, pg_size_pretty(pg_indexes_size('applications')) AS indexes_size,
              pg_table_size('applications') AS table_bytes, pg_indexes_size('applications') AS indexes_bytes
         FROM applications`,
    );
    const { rows: statuses } = await client.query(`SELECT status, count(*)::int AS n FROM applications GROUP BY status ORDER BY n DESC`);
    const { rows: agencies } = await client.query(`SELECT agency_id, count(*)::int AS n FROM applications GROUP BY agency_id ORDER BY n DESC`);
    const { rows: open } = await client.query(
      `SELECT count(*) FILTER (WHERE status IN ('submitted', 'verified', 'recommended'))::int AS open,
              count(*) FILTER (WHERE status IN ('submitted', 'verified', 'recommended') AND due_at < now())::int AS overdue FROM applications`,
    );
    return {
      rows,
      batch,
      insertSeconds: h.round(insertSeconds, 1),
      rowsPerSecond: Math.round(rows / insertSeconds),
      indexRebuildSeconds: h.round(indexSeconds, 1),
      rebuiltIndexes: indexes.map((i) => i.name),
      vacuumAnalyzeSeconds: h.round(vacuumSeconds, 1),
      totalSeconds: h.round(insertSeconds + indexSeconds + vacuumSeconds, 1),
      distinctApplicants: stats[0].applicants,
      tableSize: stats[0].table_size,
      indexesSize: stats[0].indexes_size,
      tableMb: Math.round(Number(stats[0].table_bytes) / 1048576),
      indexesMb: Math.round(Number(stats[0].indexes_bytes) / 1048576),
      statuses: Object.fromEntries(statuses.map((r) => [r.status, r.n])),
      openApplications: open[0].open,
      overdueApplications: open[0].overdue,
      byAgency: Object.fromEntries(agencies.map((r) => [r.agency_id, r.n])),
    };
  } finally {
    await client.end();
  }
}

// ---------------------------------------------------------------------------------------------
// EXPLAIN and the slow-statement log.
// ---------------------------------------------------------------------------------------------
/** EXPLAIN (ANALYZE, BUFFERS) of each statement (after one unmeasured run); locking ones in a rolled-back transaction. */
async function explain(databaseUrl, queries) {
  const { Client } = require('pg');
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  const out = [];
  try {
    for (const q of queries) {
      for (const [kind, sql] of Object.entries(q.sql)) {
        if (typeof sql !== 'string') continue;
        // The stand-alone count takes the filters' values only (no paging values).
        const params = kind === 'count' && q.sql.countParams ? q.sql.countParams : q.params;
        const locking = /FOR UPDATE/.test(sql);
        if (locking) await client.query('BEGIN');
        try {
          await client.query(sql, params); // warm, as under load
          // Round trip of the statement itself (median of 5), then its plan.
          const times = [];
          for (let i = 0; i < 5; i++) {
            const t0 = performance.now();
            await client.query(sql, params);
            times.push(performance.now() - t0);
          }
          const { rows } = await client.query(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params);
          const plan = rows.map((r) => r['QUERY PLAN']);
          const ms = Number(/Execution Time: ([\d.]+) ms/.exec(plan.join('\n'))?.[1]);
          const planningMs = Number(/Planning Time: ([\d.]+) ms/.exec(plan.join('\n'))?.[1]);
          const indexes = [...new Set(plan.flatMap((line) => [...line.matchAll(/(?:Index(?: Only)? Scan(?: Backward)? using|Bitmap Index Scan on) (\w+)/g)].map((m) => m[1])))];
          const sort = plan.find((line) => /Sort Method/.test(line))?.trim();
          const heap = plan.find((line) => /Heap Blocks/.test(line))?.trim();
          const buffers = plan.find((line) => /Buffers:/.test(line))?.trim();
          out.push({ scenario: q.label, query: kind, medianMs: h.distribution(times).p50, executionMs: ms, planningMs, indexes, sort, heapBlocks: heap, buffers, sql, params, plan });
        } finally {
          if (locking) await client.query('ROLLBACK');
        }
      }
    }
  } finally {
    await client.end();
  }
  return out;
}

/** Statements of this run's permits database that PostgreSQL logged as slower than log_min_duration_statement. */
function slowStatements(logFile, fromOffset, database) {
  let text;
  try {
    const fd = fs.openSync(logFile, 'r');
    const size = fs.fstatSync(fd).size;
    const length = Math.min(size - fromOffset, 64 * 1048576);
    const buffer = Buffer.alloc(Math.max(0, length));
    fs.readSync(fd, buffer, 0, buffer.length, fromOffset);
    fs.closeSync(fd);
    text = buffer.toString('utf8');
  } catch (error) {
    return { error: `cannot read ${logFile}: ${error.message}` };
  }
  const marker = `@${database} `;
  const groups = new Map();
  let last;
  for (const line of text.split('\n')) {
    if (!line.includes(marker)) continue;
    // Extended protocol: parse, bind and execute are logged apart; only execute (and simple-protocol statements) count.
    const duration = /LOG:\s+duration: ([\d.]+) ms\s+(?:execute [^:]*|statement): (.*)$/.exec(line);
    if (duration) {
      const sql = duration[2];
      const group = groups.get(sql) ?? { sql, count: 0, maxMs: 0, totalMs: 0, exampleParams: undefined };
      group.count += 1;
      group.totalMs += Number(duration[1]);
      if (Number(duration[1]) >= group.maxMs) {
        group.maxMs = Number(duration[1]);
        last = group;
      } else last = undefined;
      groups.set(sql, group);
      continue;
    }
    const detail = /DETAIL:\s+parameters: (.*)$/.exec(line);
    if (detail && last) {
      last.exampleParams = [...detail[1].matchAll(/\$(\d+) = (NULL|'((?:[^']|'')*)')/g)].map((m) => (m[2] === 'NULL' ? null : m[3].replace(/''/g, "'")));
      last = undefined;
    }
  }
  return {
    statements: [...groups.values()].sort((a, b) => b.totalMs - a.totalMs).map((g) => ({ ...g, totalMs: Math.round(g.totalMs), meanMs: h.round(g.totalMs / g.count, 1) })),
  };
}

// ---------------------------------------------------------------------------------------------
// Load.
// ---------------------------------------------------------------------------------------------
/**
 * Warm-up (discarded), then the measured run with CPU and RSS of the named processes; with
 * `--read-rate=N`, open-loop at N requests/s (h.paced) instead of as fast as the connections go.
 */
async function measureGet(label, url, token, pids, options) {
  const headers = { authorization: `Bearer ${token}` };
  const { pathname, search } = new URL(url);
  const run = (duration) =>
    options.readRate
      ? h.paced({ url, headers, rate: options.readRate, duration, connections: options.connections, unit: (send) => send('GET', pathname + search) })
      : h.autocannon({ url, headers, connections: options.connections, duration }).then(h.summarize);
  await run(options.warmup);
  const stopCpu = h.cpuWindow(pids);
  const stopRss = h.rssSampler(pids);
  const result = await run(options.duration);
  const cpu = stopCpu();
  const rss = stopRss();
  console.log(
    `[${label}] ${result.requestsPerSecond} req/s, p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms, non-2xx ${result.non2xx}, errors ${result.errors + result.timeouts}` +
      `  (cores: ${topCores(cpu)})`,
  );
  return { ...result, cpu, cpuMsPerRequest: cpuMsPerRequest(cpu, result.requests), rssPeakMb: rss.peakMb };
}

const median = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
};

/** CPU milliseconds per request of each process group (postgres: all its processes) over a measured window. */
const cpuMsPerRequest = (cpu, requests) =>
  Object.fromEntries(
    Object.entries(cpu.cpuSecondsBy)
      .filter(([name]) => !/other|interrupts/.test(name))
      .map(([name, seconds]) => [name, h.round((seconds * 1000) / Math.max(1, requests), 3)]),
  );

const topCores = (cpu) =>
  Object.entries(cpu.coresUsedBy)
    .filter(([, c]) => c >= 0.05)
    .sort((a, b) => b[1] - a[1])
    .map(([n, c]) => `${n} ${c}`)
    .join(', ');

/**
 * Create then submit, as one autocannon request sequence per connection: POST create (201, the
 * id read from the body), POST :id/submit. autocannon's latency covers both; the per-route
 * latencies are timed here from the moment the request is built (just before it is written).
 */
async function pairLoad(baseUrl, token, connections, duration, rate) {
  if (rate) return pacedPairs(baseUrl, token, connections, duration, rate);
  const created = [];
  const submitted = [];
  let failedCreates = 0;
  let failedSubmits = 0;
  const now = () => performance.now();
  const requests = [
    {
      method: 'POST',
      path: APPS,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ permitTypeCode: BENCH_TYPE, formData: BENCH_FORM }),
      setupRequest: (req, context) => {
        context.t0 = now();
        return req;
      },
      onResponse: (status, body, context) => {
        if (context.t0 !== undefined) created.push(now() - context.t0);
        if (status === 201) context.id = JSON.parse(body).id;
        else failedCreates += 1;
      },
    },
    {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      setupRequest: (req, context) => {
        if (!context.id) return null; // create failed: start the next pair
        context.t1 = now();
        return { ...req, path: `${APPS}/${context.id}/submit` };
      },
      onResponse: (status, body, context) => {
        if (context.t1 !== undefined) submitted.push(now() - context.t1);
        if (status !== 200) failedSubmits += 1;
      },
    },
  ];
  const result = h.summarize(await h.autocannon({ url: baseUrl, connections, duration, requests }));
  return {
    ...result,
    pairsPerSecond: Math.round(Math.min(created.length, submitted.length) / result.durationSeconds),
    completedPairs: submitted.length - failedSubmits,
    failedCreates,
    failedSubmits,
    createLatencyMs: h.distribution(created),
    submitLatencyMs: h.distribution(submitted),
  };
}

/** Create + submit pairs started at `rate` / 2 pairs per second, open-loop (h.paced): `rate` requests/s in all. */
async function pacedPairs(baseUrl, token, connections, duration, rate) {
  const created = [];
  const submitted = [];
  let failedCreates = 0;
  let failedSubmits = 0;
  const result = await h.paced({
    url: baseUrl,
    headers: { authorization: `Bearer ${token}` },
    rate: rate / 2,
    duration,
    connections,
    unit: async (send) => {
      let t = performance.now();
      const draft = await send('POST', APPS, { permitTypeCode: BENCH_TYPE, formData: BENCH_FORM });
      created.push(performance.now() - t);
      if (draft.status !== 201 || !draft.json?.id) {
        failedCreates += 1;
        return;
      }
      t = performance.now();
      const done = await send('POST', `${APPS}/${draft.json.id}/submit`);
      submitted.push(performance.now() - t);
      if (done.status !== 200) failedSubmits += 1;
    },
  });
  return {
    ...result,
    pairsPerSecond: Math.round(Math.min(created.length, submitted.length) / duration),
    completedPairs: submitted.length - failedSubmits,
    failedCreates,
    failedSubmits,
    createLatencyMs: h.distribution(created),
    submitLatencyMs: h.distribution(submitted),
  };
}

async function measurePairs(label, baseUrl, token, pids, options) {
  await pairLoad(baseUrl, token, options.connections, options.warmup, options.rate);
  const stopCpu = h.cpuWindow(pids);
  const stopRss = h.rssSampler(pids);
  const result = await pairLoad(baseUrl, token, options.connections, options.pairDuration, options.rate);
  const cpu = stopCpu();
  const rss = stopRss();
  console.log(
    `[${label}] ${result.pairsPerSecond} pairs/s, ${result.requestsPerSecond} req/s, p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms ` +
      `(create p99 ${result.createLatencyMs.p99}, submit p99 ${result.submitLatencyMs.p99}), non-2xx ${result.non2xx}, errors ${result.errors + result.timeouts}  (cores: ${topCores(cpu)})`,
  );
  return { ...result, cpu, cpuMsPerRequest: cpuMsPerRequest(cpu, result.requests), rssPeakMb: rss.peakMb };
}

/** One create + submit by hand, to check that a route answers as it should before loading it. */
async function probePair(baseUrl, token) {
  const created = await h.http('POST', `${baseUrl}${APPS}`, { token, body: { permitTypeCode: BENCH_TYPE, formData: BENCH_FORM } });
  if (created.status !== 201) throw new Error(`create answered ${created.status}: ${created.body.slice(0, 300)}`);
  const submitted = await h.http('POST', `${baseUrl}${APPS}/${created.json.id}/submit`, { token });
  if (submitted.status !== 200 || submitted.json.status !== 'submitted') throw new Error(`submit answered ${submitted.status}: ${submitted.body.slice(0, 300)}`);
  return { created: created.json, submitted: submitted.json };
}

// ---------------------------------------------------------------------------------------------
// The benchmark.
// ---------------------------------------------------------------------------------------------
function parseArgs(argv) {
  const options = {
    rows: 1_000_000,
    batch: 50_000,
    citizenRows: 3000,
    agency: 'PUPR',
    duration: 12,
    warmup: 3,
    connections: 50,
    pairDuration: 15,
    rate: undefined,
    deepPage: 50,
    logStatementsMs: 50,
    pgLog: '/var/log/postgresql/postgresql-15-main.log',
    issuingQueue: false,
    skipReads: false,
    skipWrites: false,
    skipSkeleton: false,
    skeletonEvents: true,
    only: undefined,
    readAuditRounds: 0,
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
    else if (key === 'pair-duration') options.pairDuration = number();
    else if (key === 'rate') options.rate = number();
    else if (key === 'read-rate') options.readRate = number();
    else if (key === 'deep-page') options.deepPage = number();
    else if (key === 'log-statements-ms') options.logStatementsMs = number();
    else if (key === 'pg-log') options.pgLog = value;
    else if (key === 'issuing-queue') options.issuingQueue = true;
    else if (key === 'skip-reads') options.skipReads = true;
    else if (key === 'skip-writes') options.skipWrites = true;
    else if (key === 'skip-skeleton') options.skipSkeleton = true;
    else if (key === 'skeleton-events') {
      if (!['on', 'off'].includes(value)) throw new Error('--skeleton-events must be on or off');
      options.skeletonEvents = value === 'on';
    }
    else if (key === 'only') options.only = value;
    else if (key === 'read-audit-rounds') options.readAuditRounds = number();
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
  within('pair-duration', options.pairDuration, 1, 300);
  if (options.rate !== undefined) within('rate', options.rate, 1, 100000);
  if (options.readRate !== undefined) within('read-rate', options.readRate, 1, 100000);
  within('deep-page', options.deepPage, 2, 10000);
  within('log-statements-ms', options.logStatementsMs, -1, 60000);
  within('read-audit-rounds', options.readAuditRounds, 0, 50);
  return options;
}

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
  const permitsDb = environment.databaseUrl('permits');
  const permitsDbName = `${environment.runId}_permits`;

  const busyBeforeStart = await h.busyCores(1000);
  if (busyBeforeStart > 0.25) console.warn(`warning: the machine is already busy (${busyBeforeStart} cores in use before the start); figures will be low`);
  let pgLogOffset = 0;
  try {
    pgLogOffset = fs.statSync(options.pgLog).size;
  } catch {
    pgLogOffset = -1;
  }

  // 1. The system, as walking-slice.js starts it. permits logs its statements slower than
  //    --log-statements-ms to the PostgreSQL server log (PGOPTIONS, read by node-postgres).
  // --cpu-prof: V8 CPU profiles of every process, written when it exits (summarise with bench/profile-summary.js).
  const profileDir = path.join(options.out, `profiles-permits-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  const nodeFlags = (name) => (options.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${name}.cpuprofile`] : []);
  const ports = {};
  for (const name of names) ports[name] = await freePort();
  const system = {};
  const spawnedAt = performance.now();
  const envOf = (name, more = {}) => {
    const extra = { ...h.UNLIMITED_CITIZEN, ...options.serviceEnv, LOG_LEVEL: 'warn', PORT: String(ports[name]), ...more };
    if (name === 'gateway') extra.LOGIN_RATE_LIMIT_PER_MINUTE = LOGIN_RATE_LIMIT;
    if (name === 'permits' && options.logStatementsMs >= 0) extra.PGOPTIONS = `-c log_min_duration_statement=${options.logStatementsMs}`;
    return environment.serviceEnv(name, extra);
  };
  for (const name of names) system[name] = h.startChild(name, [...nodeFlags(name), entrypoints[name]], envOf(name));
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

  // Admin: agencies, the bench permit type (no required documents), one type for each agency
  // without one (so every agency has applications of its own types), the officer.
  // identity creates the bootstrap admin while it starts; it may not exist yet when the gateway is ready.
  let adminToken;
  await h.waitUntil('the bootstrap admin to sign in', async () => (adminToken = await login(TEST_ADMIN.email, TEST_ADMIN.password)), 20000, 250, procs);
  const agencies = expect('GET /agencies', await h.http('GET', `${gatewayUrl}${API}/agencies?pageSize=100`, { token: adminToken }), 200).items;
  const officerAgency = agencies.find((a) => a.code === options.agency);
  if (!officerAgency) throw new Error(`no agency ${options.agency} in GET /agencies (${agencies.map((a) => a.code).join(', ')})`);
  const issuingAgency = agencies.find((a) => a.code === 'DPMPTSP');
  const typeBody = (code, name, agencyId) => ({
    code,
    name,
    agencyId,
    requiredDocuments: [],
    formFields: [
      { code: 'businessName', label: 'Nama usaha', type: 'text', required: true },
      { code: 'businessAddress', label: 'Alamat usaha', type: 'textarea', required: true },
    ],
    slaWorkingDays: 5,
    fee: 0,
    validityMonths: 12,
  });
  expect('POST /permit-types', await h.http('POST', `${gatewayUrl}${API}/permit-types`, { token: adminToken, body: typeBody(BENCH_TYPE, 'Izin Bench', officerAgency.id) }), 201);
  let types = expect('GET /permit-types', await h.http('GET', `${gatewayUrl}${API}/permit-types?pageSize=100`, { token: adminToken }), 200).items;
  for (const agency of agencies) {
    if (types.some((t) => t.agencyId === agency.id)) continue;
    const code = `SEED-${agency.code}`.slice(0, 40);
    expect(`POST /permit-types ${code}`, await h.http('POST', `${gatewayUrl}${API}/permit-types`, { token: adminToken, body: typeBody(code, `Izin ${agency.name}`.slice(0, 200), agency.id) }), 201);
  }
  types = expect('GET /permit-types', await h.http('GET', `${gatewayUrl}${API}/permit-types?pageSize=100`, { token: adminToken }), 200).items;
  const benchType = types.find((t) => t.code === BENCH_TYPE);

  const staffPassword = 'Bench-Officer-Password-2026';
  const createOfficer = async (agency, tag) => {
    const email = `${tag}-${environment.runId}@bench.example.id`.toLowerCase();
    expect('POST /users', await h.http('POST', `${gatewayUrl}${API}/users`, { token: adminToken, body: { email, fullName: `Petugas ${agency.code}`, roles: ['officer'], agencyId: agency.id, password: staffPassword } }), 201);
    return email;
  };
  const officerEmail = await createOfficer(officerAgency, 'officer');
  const issuingOfficerEmail = options.issuingQueue ? await createOfficer(issuingAgency, 'issuing-officer') : undefined;
  const suffix = String(Date.now() % 1e8).padStart(8, '0');
  const citizen = {
    nik: makeNik({ sequence: 1 + (Date.now() % 9999) }),
    fullName: 'Bench Citizen',
    email: `citizen-${environment.runId}@bench.example.id`.toLowerCase(),
    phone: `0812${suffix}`,
    password: 'Bench-Citizen-Password-2026',
  };
  expect('POST /auth/register', await h.http('POST', `${gatewayUrl}${API}/auth/register`, { body: citizen }), 201);
  const citizenLogin = () => login(citizen.email, citizen.password);
  const citizenId = decodeJwt(await citizenLogin()).sub;

  // 2. A million applications, by SQL.
  const others = agencies.filter((a) => a.id !== officerAgency.id);
  const slots = [];
  const fill = (agency, count) => {
    const own = types.filter((t) => t.agencyId === agency.id).sort((a, b) => (a.code === BENCH_TYPE ? -1 : b.code === BENCH_TYPE ? 1 : a.code.localeCompare(b.code)));
    for (let i = 0; i < count; i++) {
      const t = own[i % own.length];
      slots.push({ slot: slots.length, code: t.code, agencyId: t.agencyId, issuingAgencyId: t.issuingAgencyId, sla: t.slaWorkingDays, fee: t.fee, validity: t.validityMonths });
    }
  };
  fill(officerAgency, 10); // 1/10 of the rows
  const perOther = Math.floor(90 / others.length);
  others.forEach((agency, i) => fill(agency, i < 90 - perOther * others.length ? perOther + 1 : perOther));
  if (slots.length !== 100) throw new Error(`internal: ${slots.length} slots`);
  console.log(`seeding ${options.rows.toLocaleString('en-US')} applications in batches of ${options.batch.toLocaleString('en-US')} (officer's agency ${officerAgency.code}: 10 %) ...`);
  const seeding = await seed(permitsDb, {
    rows: options.rows,
    batch: options.batch,
    citizenId,
    citizenRows: options.citizenRows,
    applicants: Math.max(1000, Math.floor(options.rows / 3)),
    overdueShare: 0.15,
    slots,
  });
  console.log(
    `seeded ${seeding.rows.toLocaleString('en-US')} rows in ${seeding.totalSeconds} s: insert ${seeding.insertSeconds} s (${seeding.rowsPerSecond.toLocaleString('en-US')} rows/s), ` +
      `${seeding.rebuiltIndexes.length} indexes ${seeding.indexRebuildSeconds} s, VACUUM ANALYZE ${seeding.vacuumAnalyzeSeconds} s; ` +
      `table ${seeding.tableSize}, indexes ${seeding.indexesSize}; ${seeding.distinctApplicants.toLocaleString('en-US')} applicants`,
  );

  // 3. The lists under load.
  const officerToken = await login(officerEmail, staffPassword);
  const officerAgencyInToken = decodeJwt(officerToken).agency;
  if (officerAgencyInToken !== officerAgency.id) throw new Error(`the officer's token names agency ${officerAgencyInToken}, not ${officerAgency.id}`);
  const readToken = { officer: officerToken, citizen: await citizenLogin() };
  if (options.issuingQueue) readToken.issuing = await login(issuingOfficerEmail, staffPassword);
  const deep = options.deepPage;
  const staff = (query) => listSql('staff', officerAgency.id, query);
  const scenarios = [
    { label: 'officer queue ?status=submitted, page 1', who: 'officer', query: 'status=submitted', sql: staff({ status: 'submitted' }) },
    { label: `officer queue ?status=submitted, page ${deep}`, who: 'officer', query: `status=submitted&page=${deep}`, sql: staff({ status: 'submitted', page: deep }) },
    { label: 'officer queue ?overdue=true, page 1', who: 'officer', query: 'overdue=true', sql: staff({ overdue: true }) },
    { label: `officer queue ?overdue=true, page ${deep}`, who: 'officer', query: `overdue=true&page=${deep}`, sql: staff({ overdue: true, page: deep }) },
    { label: "citizen's own list, page 1", who: 'citizen', query: '', sql: listSql('citizen', citizenId, {}) },
    { label: `citizen's own list, page ${deep}`, who: 'citizen', query: `page=${deep}`, sql: listSql('citizen', citizenId, { page: deep }) },
  ];
  const issuingSubmitted = { label: 'issuing agency (DPMPTSP) queue ?status=submitted, page 1', who: 'issuing', query: 'status=submitted', sql: listSql('staff', issuingAgency.id, { status: 'submitted' }) };
  if (options.issuingQueue) scenarios.push(issuingSubmitted);
  const reads = [];
  for (const s of options.skipReads ? [] : scenarios.filter((x) => !options.only || x.label.includes(options.only))) {
    const url = `${gatewayUrl}${APPS}${s.query ? `?${s.query}` : ''}`;
    const probe = expect(`GET ${url}`, await h.http('GET', url, { token: readToken[s.who] }), 200);
    console.log(`[${s.label}] total ${probe.total}, ${probe.items.length} items on page ${probe.page}`);
    const measured = await measureGet(s.label, url, readToken[s.who], pids, options);
    procs.forEach(h.failIfExited);
    reads.push({ scenario: s.label, url, total: probe.total, itemsOnPage: probe.items.length, ...measured, pass: measured.latencyMs.p99 <= GOAL_P99_MS && measured.non2xx === 0 });
  }

  // 3b. --read-audit-rounds: what recording staff list reads costs the officer queue. Each round
  //     restarts permits on the same database with AUDIT_ENABLED=true and =false (order
  //     alternating) and loads the queue page 1.
  let readAudit = null;
  if (options.readAuditRounds) {
    const s = scenarios[0];
    const url = `${gatewayUrl}${APPS}?${s.query}`;
    const restartPermits = async (enabled) => {
      const old = system.permits;
      await h.stopChild(old);
      system.permits = h.startChild('permits', [...nodeFlags('permits'), entrypoints.permits], envOf('permits', { AUDIT_ENABLED: String(enabled) }));
      procs[procs.indexOf(old)] = system.permits;
      pids.permits = system.permits.child.pid;
      await h.waitUntil('the gateway to be ready', async () => (await h.http('GET', `${gatewayUrl}/health/ready`, { timeoutMs: 2000 })).status === 200, 60000, 25, procs);
      expect(`GET ${url}`, await h.http('GET', url, { token: readToken.officer }), 200);
    };
    const countListRows = async () => (await queryOnce(permitsDb, `SELECT count(*)::int AS rows FROM audit_log WHERE action = 'application.list'`)).rows[0].rows;
    // Group commit at work: rows that wait in audit_pending (the chainer takes them within ~100 ms)
    // grouped by the transaction that wrote them (xmin), sampled every 200 ms while the trail is on.
    const { Client } = require('pg');
    const sampler = new Client({ connectionString: permitsDb });
    await sampler.connect();
    const groupCommit = { samples: 0, rowsSeen: 0, transactionsSeen: 0 };
    const sampleWhile = async (work) => {
      let done = false;
      const loop = (async () => {
        while (!done) {
          const { rows } = await sampler.query(`SELECT count(*)::int AS rows, count(DISTINCT xmin::text)::int AS transactions FROM audit_pending WHERE action = 'application.list'`);
          groupCommit.samples++;
          groupCommit.rowsSeen += rows[0].rows;
          groupCommit.transactionsSeen += rows[0].transactions;
          await h.sleep(200);
        }
      })();
      try {
        return await work();
      } finally {
        done = true;
        await loop;
      }
    };
    const before = await countListRows();
    const runs = [];
    for (let round = 1; round <= options.readAuditRounds; round++) {
      for (const enabled of round % 2 ? [true, false] : [false, true]) {
        await restartPermits(enabled);
        const measure = () => measureGet(`round ${round} audit ${enabled ? 'on' : 'off'}: ${s.label}`, url, readToken.officer, pids, options);
        const measured = enabled ? await sampleWhile(measure) : await measure();
        if (measured.non2xx || measured.errors) throw new Error(`${measured.non2xx} non-2xx answers and ${measured.errors} errors: ${JSON.stringify(measured.statusCodes)}`);
        runs.push({ round, audit: enabled ? 'on' : 'off', ...measured });
      }
    }
    await sampler.end();
    await restartPermits(true);
    const after = await countListRows();
    const side = (audit, pick) => median(runs.filter((r) => r.audit === audit).map(pick));
    const roundCosts = [];
    for (let round = 1; round <= options.readAuditRounds; round++) {
      const [on, off] = ['on', 'off'].map((audit) => runs.find((r) => r.round === round && r.audit === audit).requestsPerSecond);
      roundCosts.push(h.round(((off - on) / off) * 100, 1));
    }
    readAudit = {
      scenario: s.label,
      runs,
      medianRequestsPerSecond: { on: side('on', (r) => r.requestsPerSecond), off: side('off', (r) => r.requestsPerSecond) },
      medianP99Ms: { on: side('on', (r) => r.latencyMs.p99), off: side('off', (r) => r.latencyMs.p99) },
      medianP50Ms: { on: side('on', (r) => r.latencyMs.p50), off: side('off', (r) => r.latencyMs.p50) },
      roundCostsPercent: roundCosts,
      medianCostPercent: median(roundCosts),
      // List rows written (warm-ups and probes included), and how many shared a commit.
      listRows: after - before,
      groupCommit: { ...groupCommit, rowsPerCommit: groupCommit.transactionsSeen ? h.round(groupCommit.rowsSeen / groupCommit.transactionsSeen, 2) : null },
    };
  }

  // The plans of the same statements (the service's own SQL builder), while nothing else runs.
  console.log('EXPLAIN ANALYZE of the list queries ...');
  const plans = await explain(permitsDb, [
    ...scenarios.map((s) => ({ label: s.label, sql: s.sql, params: s.sql.params })),
    // Not loaded, planned only: the staff list with no filter (an officer's default view) ...
    { label: 'officer queue, no filter (default view; EXPLAIN only)', sql: staff({}), params: staff({}).params },
    ...(options.issuingQueue ? [] : [{ ...issuingSubmitted, label: `${issuingSubmitted.label} (EXPLAIN only)`, params: issuingSubmitted.sql.params }]),
    { label: 'issuing agency (DPMPTSP) queue, no filter (EXPLAIN only)', sql: listSql('staff', issuingAgency.id, {}), params: listSql('staff', issuingAgency.id, {}).params },
    // ... and the overdue job's scan (PermitJobs.runOnce, every JOB_INTERVAL_MS).
    { label: 'overdue job (every JOB_INTERVAL_MS; EXPLAIN only)', sql: { select: OVERDUE_JOB_SQL }, params: [new Date()] },
  ]);
  for (const p of plans) console.log(`  ${p.scenario} [${p.query}]: median ${p.medianMs} ms, ${p.indexes.join(' + ') || 'no index'}; ${p.buffers ?? ''}`);

  // 4. Create + submit through the full system.
  // --skip-writes: the lists only (no create + submit, no bare twin).
  let fullProbe, fullPairs, outboxAfterFull;
  if (!options.skipWrites) {
    const pairToken = await citizenLogin();
    fullProbe = await probePair(gatewayUrl, pairToken);
    fullPairs = await measurePairs('full create+submit', gatewayUrl, pairToken, pids, options);
    procs.forEach(h.failIfExited);
    ({ rows: outboxAfterFull } = await queryOnce(permitsDb, `SELECT count(*)::int AS total, count(*) FILTER (WHERE sent_at IS NULL)::int AS pending FROM outbox`));
  }

  // 5. The bare twin, after the system is stopped, on the same permits database.
  const jwks = expect('GET /.well-known/jwks.json', await h.http('GET', `${gatewayUrl}/.well-known/jwks.json`), 200);
  const bareToken = await citizenLogin();
  const slow = options.logStatementsMs >= 0 && pgLogOffset >= 0 ? slowStatements(options.pgLog, pgLogOffset, permitsDbName) : { skipped: true };
  if (slow.statements) {
    const seen = new Set(slow.statements.map((x) => x.sql));
    for (const p of plans) p.seenInServerLog = seen.has(p.sql);
  }
  await Promise.all(procs.map((p) => h.stopChild(p)));
  let barePairs, bareUrl;
  if (!options.skipWrites) {
    const twin = await h.startBareTwin([...nodeFlags('bare'), __filename, '--role=bare'], { BARE_DATABASE_URL: permitsDb, BARE_JWKS: JSON.stringify(jwks), BARE_POOL_SIZE: '10' });
    const bare = twin.bare;
    bareUrl = twin.url;
    const bareProbe = await probePair(bareUrl, bareToken);
    const keys = (o) => Object.keys(o).sort().join(',');
    if (keys(bareProbe.created) !== keys(fullProbe.created) || keys(bareProbe.submitted) !== keys(fullProbe.submitted)) {
      throw new Error(`the bare twin answers with other fields:\n full: ${keys(fullProbe.created)} / ${keys(fullProbe.submitted)}\n bare: ${keys(bareProbe.created)} / ${keys(bareProbe.submitted)}`);
    }
    barePairs = await measurePairs('bare create+submit', bareUrl, bareToken, { bare: bare.child.pid }, options);
    h.failIfExited(bare);
    await h.stopChild(bare);
  }

  // The skeleton (bench/lib/skeleton.js): the twin's work behind the fixed architecture, no product.
  let skeletonPairs = null;
  if (!options.skipWrites && !options.skipSkeleton) {
    const env = { BARE_DATABASE_URL: permitsDb, BARE_JWKS: JSON.stringify(jwks), BARE_POOL_SIZE: '10' };
    const skel = await skeleton.start({ script: __filename, nodeFlags, env, serviceEnv: environment.serviceEnv('permits', {}), runId: environment.runId, events: options.skeletonEvents, markBacklogSent: true });
    const probe = await probePair(skel.url, bareToken);
    const keys = (o) => Object.keys(o).sort().join(',');
    if (keys(probe.created) !== keys(fullProbe.created) || keys(probe.submitted) !== keys(fullProbe.submitted)) {
      throw new Error(`the skeleton answers with other fields:\n full: ${keys(fullProbe.created)} / ${keys(fullProbe.submitted)}\n skeleton: ${keys(probe.created)} / ${keys(probe.submitted)}`);
    }
    const outboxBefore = Number((await queryOnce(permitsDb, 'SELECT count(*)::int AS n FROM outbox')).rows[0].n);
    skeletonPairs = await measurePairs('skeleton create+submit', skel.url, bareToken, skel.pids, options);
    skel.failIfExited();
    // Every event the skeleton wrote is published before it stops (the relay drains its backlog).
    if (options.skeletonEvents) await h.waitUntil('the skeleton relay to publish its backlog', async () => Number((await queryOnce(permitsDb, 'SELECT count(*)::int AS n FROM outbox WHERE sent_at IS NULL')).rows[0].n) === 0, 30000, 200, [skel.service]);
    const outboxAfter = Number((await queryOnce(permitsDb, 'SELECT count(*)::int AS n FROM outbox')).rows[0].n);
    skeletonPairs.events = options.skeletonEvents;
    skeletonPairs.eventsWritten = outboxAfter - outboxBefore;
    skeletonPairs.consumed = await skel.stop();
    console.log(`[skeleton create+submit] ${skeletonPairs.eventsWritten} events written (warm-up included)${options.skeletonEvents ? `, all published; ${skeletonPairs.consumed} consumed` : '; no relay or consumer (--skeleton-events=off)'}`);
  }

  // 6. Report.
  const ratio = fullPairs ? fullPairs.pairsPerSecond / barePairs.pairsPerSecond : null;
  const goals = [
    ...reads.map((r) => ({ goal: `p99 <= ${GOAL_P99_MS} ms: ${r.scenario}`, target: GOAL_P99_MS, actual: r.latencyMs.p99, pass: r.pass })),
    ...(fullPairs
      ? [
          { goal: `create+submit >= ${GOAL_PAIR_RPS} req/s at ${options.connections} connections`, target: GOAL_PAIR_RPS, actual: fullPairs.requestsPerSecond, pass: fullPairs.requestsPerSecond >= GOAL_PAIR_RPS },
          { goal: `create+submit p99 <= ${GOAL_P99_MS} ms`, target: GOAL_P99_MS, actual: fullPairs.latencyMs.p99, pass: fullPairs.latencyMs.p99 <= GOAL_P99_MS && fullPairs.non2xx === 0 },
        ]
      : []),
  ];
  const results = {
    date: new Date().toISOString(),
    cpuProfiles: options.cpuProf ? profileDir : null,
    machine: { ...h.machineInfo(), busyCoresBeforeStart: busyBeforeStart, note: 'the load generator (autocannon, in this process), NATS, PostgreSQL and the processes under test share these CPUs' },
    options,
    tree: h.treeInfo(),
    runId: environment.runId,
    readyMs,
    setup: { officerAgency: officerAgency.code, officerAgencyId: officerAgency.id, citizenId, benchType, slots },
    seeding,
    reads,
    plans,
    slowStatements: slow,
    readAudit,
    pairs: fullPairs
      ? {
          full: { url: `${gatewayUrl}${APPS}`, ...fullPairs, outboxAfter: outboxAfterFull[0] },
          bare: { url: `${bareUrl}${APPS}`, ...barePairs },
          skeleton: skeletonPairs,
          throughputRatioFullToBare: h.round(ratio, 3),
          throughputRatioFullToSkeleton: skeletonPairs ? h.round(fullPairs.pairsPerSecond / skeletonPairs.pairsPerSecond, 3) : null,
        }
      : null,
    goals,
  };
  printReport(results);
  fs.mkdirSync(options.out, { recursive: true });
  const file = path.join(options.out, `permits-${results.date.replace(/[:.]/g, '-')}.json`);
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

function printReport(r) {
  const row = (cells, widths) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
  console.log(`\ncommit ${r.tree.commit}${r.tree.sourcesDifferFromCommit ? ' (libs/ or services/ modified)' : ''}, dist built ${r.tree.distBuiltAt}`);
  console.log(
    `seed: ${r.seeding.rows.toLocaleString('en-US')} rows in ${r.seeding.totalSeconds} s (insert ${r.seeding.insertSeconds} s = ${r.seeding.rowsPerSecond.toLocaleString('en-US')} rows/s, ` +
      `index rebuild ${r.seeding.indexRebuildSeconds} s, VACUUM ANALYZE ${r.seeding.vacuumAnalyzeSeconds} s); ` +
      `table ${r.seeding.tableSize}, indexes ${r.seeding.indexesSize}`,
  );
  console.log(`\nreads: ${r.options.connections} connections, ${r.options.duration} s after ${r.options.warmup} s warm-up`);
  const w = [44, 7, 6, 5, 5, 6, 8, 8, 8, 6];
  console.log(row(['GET /permit-applications', 'total', 'req/s', 'p50', 'p99', 'non2xx', 'pg ms', 'permits', 'gateway', 'other'], w));
  for (const x of r.reads) {
    const c = x.cpuMsPerRequest;
    console.log(row([x.scenario, x.total, x.requestsPerSecond, x.latencyMs.p50, x.latencyMs.p99, x.non2xx, c.postgres, c.permits, c.gateway, x.cpu.coresUsedBy['other (rest of the machine)']], w));
  }
  console.log('  (pg ms, permits, gateway: CPU milliseconds per request; other: cores used by the rest of the machine)');
  console.log('\nthe same SQL alone on the idle system: median ms of 5 runs, then EXPLAIN (ANALYZE, BUFFERS)');
  for (const p of r.plans) {
    console.log(`  ${p.query.padEnd(6)} ${String(p.medianMs).padStart(8)} (plan ${p.planningMs}, run ${p.executionMs})  ${p.scenario}: ${p.indexes.join(' + ') || 'seq scan'}; ${(p.buffers ?? '').replace('Buffers: ', '')}${p.sort ? `; ${p.sort.replace(/\s+/g, ' ')}` : ''}`);
  }
  if (r.slowStatements?.statements?.length) {
    console.log(`\nstatements of the permits service slower than ${r.options.logStatementsMs} ms (server log)`);
    for (const s of r.slowStatements.statements.slice(0, 8)) console.log(`  ${String(s.count).padStart(6)} x, mean ${s.meanMs} ms, max ${s.maxMs} ms: ${s.sql.slice(0, 150)}${s.sql.length > 150 ? '…' : ''}`);
  } else if (r.slowStatements?.error) console.log(`\nslow statements: ${r.slowStatements.error}`);
  if (r.readAudit) {
    const a = r.readAudit;
    console.log(`\nread audit: ${a.scenario}, permits restarted with AUDIT_ENABLED=true/false, ${r.options.readAuditRounds} rounds`);
    for (const x of a.runs) console.log(`  round ${x.round} audit ${x.audit.padEnd(3)}: ${x.requestsPerSecond} req/s, p50 ${x.latencyMs.p50} ms, p99 ${x.latencyMs.p99} ms, other work ${x.cpu.coresUsedBy['other (rest of the machine)']} cores`);
    console.log(`  medians: on ${a.medianRequestsPerSecond.on} req/s (p50 ${a.medianP50Ms.on}, p99 ${a.medianP99Ms.on} ms), off ${a.medianRequestsPerSecond.off} req/s (p50 ${a.medianP50Ms.off}, p99 ${a.medianP99Ms.off} ms)`);
    console.log(`  cost per round ${a.roundCostsPercent.join(', ')} %, median ${a.medianCostPercent} %`);
    const g = a.groupCommit;
    console.log(`  application.list rows written: ${a.listRows}; pending rows sampled ${g.samples} times: ${g.rowsSeen} rows of ${g.transactionsSeen} commits (${g.rowsPerCommit} rows per group commit)`);
  }
  if (r.pairs) printPairs(r);
  if (r.machine.busyCoresBeforeStart > 0.25) console.log(`warning: ${r.machine.busyCoresBeforeStart} cores were busy before the start (other work on the machine)`);
  const disturbed = [...r.reads.map((x) => [x.scenario, x.cpu]), ...(r.pairs ? [['full create+submit', r.pairs.full.cpu], ['bare create+submit', r.pairs.bare.cpu]] : [])].filter(
    ([, cpu]) => cpu.coresUsedBy['other (rest of the machine)'] > 0.25,
  );
  for (const [label, cpu] of disturbed) console.log(`warning: ${cpu.coresUsedBy['other (rest of the machine)']} cores went to other work during "${label}"`);
  if (r.cpuProfiles) console.log(`\nCPU profiles (profiling costs throughput): node bench/profile-summary.js ${path.relative(process.cwd(), r.cpuProfiles)}`);
  console.log('\ngoals');
  for (const g of r.goals) console.log(`  ${g.pass ? 'PASS' : 'FAIL'}  ${g.goal}: ${g.actual}`);
}

function printPairs(r) {
  const row = (cells, widths) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
  console.log(`\ncreate+submit: ${r.options.connections} connections, ${r.options.pairDuration} s after ${r.options.warmup} s warm-up`);
  const pw = [34, 8, 7, 7, 7, 12, 12, 7];
  const paths = [['full (gateway→NATS→permits)', r.pairs.full], ['bare (http+jose+pg)', r.pairs.bare]];
  if (r.pairs.skeleton) paths.push([`skeleton (Nest→NATS→Nest${r.pairs.skeleton.events ? ', events' : ''})`, r.pairs.skeleton]);
  console.log(row(['path', 'pairs/s', 'req/s', 'p50', 'p99', 'create p99', 'submit p99', 'non2xx'], pw));
  for (const [name, x] of paths) {
    console.log(row([name, x.pairsPerSecond, x.requestsPerSecond, x.latencyMs.p50, x.latencyMs.p99, x.createLatencyMs.p99, x.submitLatencyMs.p99, x.non2xx], pw));
  }
  console.log(`full/bare throughput: ${(r.pairs.throughputRatioFullToBare * 100).toFixed(1)} %`);
  if (r.pairs.skeleton) console.log(`full/skeleton throughput: ${(r.pairs.throughputRatioFullToSkeleton * 100).toFixed(1)} %`);
  for (const [label, x] of paths.map(([name, x]) => [name.split(' ')[0], x])) {
    const perRequest = Object.entries(x.cpuMsPerRequest)
      .filter(([, ms]) => ms >= 0.01)
      .map(([n, ms]) => `${n} ${ms}`)
      .join(', ');
    console.log(`CPU during ${label} (cores of ${x.cpu.coresAvailable}, idle ${x.cpu.idleCores}): ${topCores(x.cpu)}; ms per request: ${perRequest}`);
  }
}

// ---------------------------------------------------------------------------------------------
module.exports = { listSql, SEED_SQL, seed };
if (require.main !== module) {
  // required for its SQL (e.g. to compare with captured statements): run nothing
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
