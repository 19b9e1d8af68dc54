import { MigrationInterface, QueryRunner } from 'typeorm';

// The counters as of this migration (the daily tables' own, ProjectFromEvents1764800000000).
const histogram = Array.from({ length: 42 }, (_, k) => `h${String(k).padStart(2, '0')}`);
const COMPLAINT_COUNTERS = [
  'received', 'resolved', 'rejected', 'closed', 'finished', 'finished_on_time', ...histogram, 'rated', 'rating_sum',
  's_received', 's_verified', 's_dispositioned', 's_in_progress', 's_resolved', 's_reopened', 's_closed', 's_rejected', 's_other',
];
const PERMIT_COUNTERS = [
  'submitted', 'decided', 'approved', 'rejected', 'issued', 'withdrawn', 'decided_on_time', ...histogram,
  's_submitted', 's_revision_requested', 's_verified', 's_recommended', 's_awaiting_payment', 's_approved', 's_issued',
  's_rejected', 's_withdrawn', 's_revoked', 's_expired', 's_other',
];

const TABLES = [
  { monthly: 'complaint_monthly', daily: 'complaint_daily', counters: COMPLAINT_COUNTERS },
  { monthly: 'permit_monthly', daily: 'permit_daily', counters: PERMIT_COUNTERS },
];

/**
 * Per-month, per-agency roll-ups of the daily aggregates, kept by the projection with the same
 * deltas as the days: a report over whole months sums a row per month and agency instead of one
 * per day (a two-year report read ~700 × agencies rows of ~60 columns on every request). Filled
 * here from the days, under the projection's lock so no batch changes the days meanwhile.
 */
export class MonthlyRollups1767400000000 implements MigrationInterface {
  name = 'MonthlyRollups1767400000000';

  async up(q: QueryRunner): Promise<void> {
    // PROJECTION_LOCK_KEY (projection.module.ts), written out like the columns.
    await q.query('SELECT pg_advisory_xact_lock($1)', [0x72707274]);
    for (const { monthly, daily, counters } of TABLES) {
      const types = counters.map((c) => `${c} ${c === 'rating_sum' ? 'bigint' : 'int'} NOT NULL DEFAULT 0`).join(',\n        ');
      await q.query(`
      CREATE TABLE ${monthly} (
        month date NOT NULL CONSTRAINT ck_${monthly}_first_day CHECK (extract(day FROM month) = 1),
        agency_id uuid NOT NULL,
        ${types},
        PRIMARY KEY (month, agency_id)
      )`);
      await q.query(`CREATE INDEX ix_${monthly}_agency_month ON ${monthly} (agency_id, month)`);
      await q.query(
        `INSERT INTO ${monthly} (month, agency_id, ${counters.join(', ')})
         SELECT date_trunc('month', day)::date, agency_id, ${counters.map((c) => `sum(${c})`).join(', ')} FROM ${daily} GROUP BY 1, 2`,
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const { monthly } of TABLES) await q.query(`DROP TABLE ${monthly}`);
  }
}
