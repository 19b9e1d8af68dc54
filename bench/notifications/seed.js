'use strict';
/*
 * Notifications' tables as a regency's grow them (issue 20): a million messages with a delivery
 * each, a citizen with thousands (`citizenRows`, 70 % read), fifty thousand other people and
 * twenty agencies. Written straight into the service's database with SQL; nothing is left pending,
 * so nothing is sent. Seeds once: a table that holds `rows` already is left as it is.
 */
const { Pool } = require('pg');

async function seed(databaseUrl, { rows = 1_000_000, citizenId, citizenRows = 15_000, batch = 100_000 } = {}) {
  const pool = new Pool({ connectionString: databaseUrl, max: 1 });
  try {
    const [{ n }] = (await pool.query(`SELECT count(*)::int AS n FROM notifications`)).rows;
    if (n >= rows) return { rows: n, ms: 0 };
    const started = Date.now();
    const every = Math.max(1, Math.floor(rows / citizenRows));
    for (let from = 1; from <= rows; from += batch) {
      const to = Math.min(rows, from + batch - 1);
      await pool.query(
        `WITH made AS (
           INSERT INTO notifications (id, user_id, event_id, record_id, agency_id, type, recipient_role, language, title, body, short, link, in_app, event_time, created_at, read_at)
           SELECT gen_random_uuid(),
             CASE WHEN g % $3 = 0 THEN $4::uuid ELSE ('00000000-0000-4000-8000-' || lpad(to_hex(g % 50000), 12, '0'))::uuid END,
             gen_random_uuid(), gen_random_uuid(), ('00000000-0000-4000-8000-0000000000' || lpad(to_hex(g % 20), 2, '0'))::uuid,
             'complaint.status_changed', CASE WHEN g % 3 = 0 THEN 'staff' ELSE 'reporter' END, 'id',
             'Pengaduan Anda diterima ' || g, 'Pengaduan Anda dengan nomor ADU-' || g || ' telah diterima dan sedang diproses oleh dinas terkait.', 'ADU-' || g || ' diterima',
             '/complaints/' || g, true, now() - make_interval(secs => ($5 - g) * 3 + 3600), now() - make_interval(secs => ($5 - g) * 3 + 3600),
             CASE WHEN g % 10 < 7 THEN now() - make_interval(secs => ($5 - g) * 2 + 1800) END
           FROM generate_series($1::int, $2::int) g
           RETURNING id, user_id, created_at)
         INSERT INTO message_deliveries (id, notification_id, user_id, channel, status, attempts, next_attempt_at, delivered_at, created_at)
         SELECT gen_random_uuid(), id, user_id, 'email', CASE WHEN random() < 0.98 THEN 'delivered' ELSE 'failed' END, 1, created_at, created_at, created_at FROM made`,
        [from, to, every, citizenId, rows],
      );
    }
    await pool.query(`VACUUM ANALYZE notifications`);
    await pool.query(`VACUUM ANALYZE message_deliveries`);
    return { rows, ms: Date.now() - started };
  } finally {
    await pool.end();
  }
}

module.exports = { seed };
