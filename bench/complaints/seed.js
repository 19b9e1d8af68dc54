'use strict';
/* Seeding a million complaints: INSERT … SELECT FROM generate_series, in batches, secondary indexes rebuilt after. */
const { performance } = require('perf_hooks');
const h = require('../lib/harness');

const DISTRICTS = ['Kualuh Hulu', 'Kualuh Hilir', 'Kualuh Selatan', 'Kualuh Leidong', 'Aek Natas', 'Aek Kuo', 'Na IX-X', 'Marbau'];

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

// One photo on every attachmentEvery-th complaint (metadata only: the lists never read the bytes),
// so public pages and Open311's media_url have files to show.
const ATTACHMENTS_SQL = `
  INSERT INTO complaint_attachments (complaint_id, content_type, size, sha256, file_name, storage_key, uploaded_by, uploader_role, uploaded_at)
  SELECT id, 'image/jpeg', 120000 + (hashint4(number) & 65535), md5(id::text) || md5(tracking_number), 'foto.jpg', 'bench/' || id, reporter_id, 'citizen', created_at + interval '5 minutes'
    FROM (SELECT c.*, substr(tracking_number, 7)::int AS number FROM complaints c) c
   WHERE number % $1 = 0`;

const STATS_SQL = `
  SELECT count(*)::int AS rows, pg_size_pretty(pg_table_size('complaints')) AS table_size, pg_size_pretty(pg_indexes_size('complaints')) AS indexes_size,
         count(*) FILTER (WHERE visibility <> 'confidential')::int AS public_rows,
         count(*) FILTER (WHERE status IN ('received', 'verified', 'dispositioned', 'in_progress', 'reopened'))::int AS open,
         count(*) FILTER (WHERE status IN ('received', 'verified', 'dispositioned', 'in_progress', 'reopened') AND due_at < now())::int AS overdue,
         count(*) FILTER (WHERE visibility <> 'confidential' AND created_at > now() - interval '90 days')::int AS public_last_90_days,
         (SELECT count(*)::int FROM complaint_attachments) AS attachments
    FROM complaints`;

/** The categories (the 11 seeded ones) and districts the seed picks from, as temporary tables. */
async function pickLists(client) {
  await client.query(`CREATE TEMP TABLE bench_categories AS SELECT (row_number() OVER (ORDER BY code) - 1)::int AS idx, code, name, agency_id FROM complaint_categories`);
  const { rows: [{ n: categories }] } = await client.query('SELECT count(*)::int AS n FROM bench_categories');
  if (categories !== 11) throw new Error(`expected the 11 seeded categories, found ${categories}`);
  await client.query(`CREATE TEMP TABLE bench_districts (idx int PRIMARY KEY, name text)`);
  for (const [i, name] of DISTRICTS.entries()) await client.query('INSERT INTO bench_districts VALUES ($1, $2)', [i, name]);
}

async function seed(databaseUrl, { rows, batch, citizenId, citizenRows, reporters, attachmentEvery = 0 }) {
  const { Client } = require('pg');
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await pickLists(client);
    const stride = Math.max(1, Math.floor(rows / Math.max(1, citizenRows)));
    const params = (from, to) => [from, to, stride, citizenRows, citizenId, reporters];
    const { indexes, started } = await h.loadInBatches(client, { table: 'complaints', rows, batch, sql: SEED_SQL, params, label: 'seeding complaints' });
    if (attachmentEvery > 0) await client.query(ATTACHMENTS_SQL, [attachmentEvery]);
    const insertSeconds = (performance.now() - started) / 1000;
    const same = (a, b) => a.map((i) => i.name).join() === b.map((i) => i.name).join();
    const { indexSeconds, vacuumSeconds } = await h.finishLoad(client, databaseUrl, { table: 'complaints', indexes, same, vacuum: ['complaints', 'complaint_attachments'] });
    const { rows: [stats] } = await client.query(STATS_SQL);
    return {
      ...h.loadFigures({ rows, batch, insertSeconds, indexSeconds, vacuumSeconds, indexes }),
      rows: stats.rows,
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

module.exports = { seed };
