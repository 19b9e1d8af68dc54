import { MigrationInterface, QueryRunner } from 'typeorm';

// The counters as of this migration, written out so that later changes to the projection need a
// migration of their own (projection/facts.ts lists the same columns).
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

const counters = (columns: readonly string[]) => columns.map((c) => `${c} ${c === 'rating_sum' ? 'bigint' : 'int'} NOT NULL DEFAULT 0`).join(',\n        ');

/**
 * Read models fed by the event consumer: one fact per complaint and per application (codes,
 * statuses and times only, no personal data) and per-day, per-agency aggregates that every report
 * sums. The first read-model tables never held data (nothing fed them), so they are replaced.
 */
export class ProjectFromEvents1764800000000 implements MigrationInterface {
  name = 'ProjectFromEvents1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE complaint_facts`);
    await q.query(`DROP TABLE permit_facts`);
    await q.query(`DROP TABLE projection_state`);
    await q.query(`
      CREATE TABLE complaint_facts (
        complaint_id uuid PRIMARY KEY,
        agency_id uuid,
        category_code varchar(40),
        visibility varchar(20),
        status varchar(24),
        status_at timestamptz,
        received_at timestamptz,
        due_at timestamptz,
        final_due_at timestamptz,
        verified_at timestamptz,
        dispositioned_at timestamptz,
        resolved_at timestamptz,
        rejected_at timestamptz,
        closed_at timestamptz,
        deadline_missed boolean NOT NULL DEFAULT false,
        rating smallint CHECK (rating BETWEEN 1 AND 5),
        rated_at timestamptz
      )`);
    await q.query(`
      CREATE TABLE permit_facts (
        application_id uuid PRIMARY KEY,
        agency_id uuid,
        issuing_agency_id uuid,
        permit_type_code varchar(40),
        status varchar(24),
        status_at timestamptz,
        submitted_at timestamptz,
        due_at timestamptz,
        decided_at timestamptz,
        decision varchar(10),
        issued_at timestamptz,
        withdrawn_at timestamptz,
        ended_at timestamptz,
        deadline_missed boolean NOT NULL DEFAULT false
      )`);
    await q.query(`
      CREATE TABLE complaint_daily (
        day date NOT NULL,
        agency_id uuid NOT NULL,
        ${counters(COMPLAINT_COUNTERS)},
        PRIMARY KEY (day, agency_id)
      )`);
    await q.query(`
      CREATE TABLE permit_daily (
        day date NOT NULL,
        agency_id uuid NOT NULL,
        ${counters(PERMIT_COUNTERS)},
        PRIMARY KEY (day, agency_id)
      )`);
    // Exact medians of small periods read the facts by answer/decision time.
    await q.query(`CREATE INDEX ix_complaint_facts_resolved ON complaint_facts (resolved_at) WHERE resolved_at IS NOT NULL`);
    await q.query(`CREATE INDEX ix_complaint_facts_agency_resolved ON complaint_facts (agency_id, resolved_at) WHERE resolved_at IS NOT NULL`);
    await q.query(`CREATE INDEX ix_permit_facts_decided ON permit_facts (decided_at) WHERE decided_at IS NOT NULL`);
    await q.query(`CREATE INDEX ix_permit_facts_agency_decided ON permit_facts (agency_id, decided_at) WHERE decided_at IS NOT NULL`);
    // Reports filtered by agency read its rows by day range; the primary key serves the regency-wide ones.
    await q.query(`CREATE INDEX ix_complaint_daily_agency_day ON complaint_daily (agency_id, day)`);
    await q.query(`CREATE INDEX ix_permit_daily_agency_day ON permit_daily (agency_id, day)`);
    await q.query(`
      CREATE TABLE projection_state (
        name varchar(60) PRIMARY KEY,
        last_event_id varchar(64),
        last_event_time timestamptz,
        stream_seq bigint NOT NULL DEFAULT 0
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['projection_state', 'permit_daily', 'complaint_daily', 'permit_facts', 'complaint_facts']) await q.query(`DROP TABLE ${t}`);
    await q.query(`
      CREATE TABLE complaint_facts (
        complaint_id uuid PRIMARY KEY, agency_id uuid, category_code varchar(40) NOT NULL, visibility varchar(20) NOT NULL,
        status varchar(20) NOT NULL, received_at timestamptz NOT NULL, resolved_at timestamptz, closed_at timestamptz,
        deadline_missed boolean NOT NULL DEFAULT false, rating smallint CHECK (rating BETWEEN 1 AND 5))`);
    await q.query(`CREATE INDEX ix_complaint_facts_agency_received ON complaint_facts (agency_id, received_at)`);
    await q.query(`CREATE INDEX ix_complaint_facts_received ON complaint_facts (received_at)`);
    await q.query(`
      CREATE TABLE permit_facts (
        application_id uuid PRIMARY KEY, agency_id uuid NOT NULL, permit_type_code varchar(40) NOT NULL, status varchar(24) NOT NULL,
        submitted_at timestamptz NOT NULL, due_at timestamptz, decided_at timestamptz, issued_at timestamptz,
        deadline_missed boolean NOT NULL DEFAULT false)`);
    await q.query(`CREATE INDEX ix_permit_facts_agency_submitted ON permit_facts (agency_id, submitted_at)`);
    await q.query(`CREATE INDEX ix_permit_facts_submitted ON permit_facts (submitted_at)`);
    await q.query(`CREATE TABLE projection_state (name varchar(60) PRIMARY KEY, last_event_id varchar(64), last_event_time timestamptz)`);
  }
}
