'use strict';
/* Seeding a million applications: set-based INSERT … SELECT FROM generate_series, in batches. */
const { performance } = require('perf_hooks');
const h = require('../lib/harness');

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

const STATS_SQL = `
  SELECT count(*)::int AS rows, count(DISTINCT applicant_id)::int AS applicants,
         pg_size_pretty(pg_table_size('applications')) AS table_size, pg_size_pretty(pg_indexes_size('applications')) AS indexes_size,
         pg_table_size('applications') AS table_bytes, pg_indexes_size('applications') AS indexes_bytes,
         count(*) FILTER (WHERE status IN ('submitted', 'verified', 'recommended'))::int AS open,
         count(*) FILTER (WHERE status IN ('submitted', 'verified', 'recommended') AND due_at < now())::int AS overdue
    FROM applications`;

// Deparsing a deparsed predicate adds casts ('x'::character varying → ('x'::character varying)::text): compare without them.
const definitions = (list) =>
  list
    .map((i) => i.definition.replace(/\(('[^']*'::character varying)\)::text/g, '$1').replace(/\(ARRAY\[(.*?)\]\)::text\[\]/g, 'ARRAY[$1]'))
    .sort()
    .join('\n');

/** What the seeded table holds. */
async function statsOf(client) {
  const { rows: [stats] } = await client.query(STATS_SQL);
  const { rows: statuses } = await client.query(`SELECT status, count(*)::int AS n FROM applications GROUP BY status ORDER BY n DESC`);
  const { rows: agencies } = await client.query(`SELECT agency_id, count(*)::int AS n FROM applications GROUP BY agency_id ORDER BY n DESC`);
  return {
    distinctApplicants: stats.applicants,
    tableSize: stats.table_size,
    indexesSize: stats.indexes_size,
    tableMb: Math.round(Number(stats.table_bytes) / 1048576),
    indexesMb: Math.round(Number(stats.indexes_bytes) / 1048576),
    statuses: Object.fromEntries(statuses.map((r) => [r.status, r.n])),
    openApplications: stats.open,
    overdueApplications: stats.overdue,
    byAgency: Object.fromEntries(agencies.map((r) => [r.agency_id, r.n])),
  };
}

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
    for (const s of slots) await client.query('INSERT INTO bench_slots VALUES ($1, $2, $3, $4, $5, $6, $7)', [s.slot, s.code, s.agencyId, s.issuingAgencyId, s.sla, s.fee, s.validity]);
    const stride = Math.max(1, Math.floor(rows / Math.max(1, citizenRows)));
    const params = (from, to) => [from, to, stride, citizenRows, applicants, citizenId, overdueShare];
    const { indexes, started } = await h.loadInBatches(client, { table: 'applications', rows, batch, sql: SEED_SQL, params, label: 'seeding applications' });
    const insertSeconds = (performance.now() - started) / 1000;
    // The service numbers new applications from the sequence: start past the seeded numbers.
    await client.query(`SELECT setval('application_number_seq', $1::bigint)`, [rows + 1]);
    await client.query(`SELECT setval('certificate_number_seq', $1::bigint)`, [rows + 1]);
    const same = (a, b) => definitions(a) === definitions(b);
    const { indexSeconds, vacuumSeconds } = await h.finishLoad(client, databaseUrl, { table: 'applications', indexes, same });
    return {
      ...h.loadFigures({ rows, batch, insertSeconds, indexSeconds, vacuumSeconds, indexes }),
      totalSeconds: h.round(insertSeconds + indexSeconds + vacuumSeconds, 1),
      ...(await statsOf(client)),
    };
  } finally {
    await client.end();
  }
}

module.exports = { seed };
