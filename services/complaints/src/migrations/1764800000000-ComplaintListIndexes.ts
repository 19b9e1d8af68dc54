import { MigrationInterface, QueryRunner } from 'typeorm';

const OPEN = `status IN ('received', 'verified', 'dispositioned', 'in_progress', 'reopened')`;
const PUBLIC = `visibility <> 'confidential'`;

/**
 * One index per list and filter, each in the list's own order (measured at a million rows in
 * bench/complaints.js): staff queues by deadline, the citizen's own list and the public list
 * newest first, the escalation job by deadline. The order's tiebreaker is in every index so a
 * page is read straight from it, without a sort.
 */
export class ComplaintListIndexes1764800000000 implements MigrationInterface {
  name = 'ComplaintListIndexes1764800000000';

  async up(q: QueryRunner): Promise<void> {
    for (const name of ['ix_complaints_reporter', 'ix_complaints_agency_queue', 'ix_complaints_status_created', 'ix_complaints_category_created', 'ix_complaints_created', 'ix_complaints_public']) {
      await q.query(`DROP INDEX ${name}`);
    }
    // GET /complaints: a citizen's own, newest first.
    await q.query(`CREATE INDEX ix_complaints_reporter ON complaints (reporter_id, created_at DESC, id DESC)`);
    // GET /complaints for staff (their agency) and coordinators (all), by deadline, with ?status, ?categoryCode, ?overdue, ?from/?to.
    await q.query(`CREATE INDEX ix_complaints_agency_queue ON complaints (agency_id, due_at ASC NULLS LAST, id)`);
    await q.query(`CREATE INDEX ix_complaints_agency_status_queue ON complaints (agency_id, status, due_at ASC NULLS LAST, id)`);
    await q.query(`CREATE INDEX ix_complaints_agency_overdue ON complaints (agency_id, due_at, id) WHERE ${OPEN}`);
    await q.query(`CREATE INDEX ix_complaints_queue ON complaints (due_at ASC NULLS LAST, id)`);
    await q.query(`CREATE INDEX ix_complaints_status_queue ON complaints (status, due_at ASC NULLS LAST, id)`);
    await q.query(`CREATE INDEX ix_complaints_category_queue ON complaints (category_code, due_at ASC NULLS LAST, id)`);
    await q.query(`CREATE INDEX ix_complaints_created ON complaints (created_at)`);
    // GET /public/complaints and Open311 requests: newest first, with ?status/state, ?categoryCode(s), ?district, ?from/?to.
    await q.query(`CREATE INDEX ix_complaints_public ON complaints (created_at DESC, id DESC) WHERE ${PUBLIC}`);
    await q.query(`CREATE INDEX ix_complaints_public_status ON complaints (status, created_at DESC, id DESC) WHERE ${PUBLIC}`);
    await q.query(`CREATE INDEX ix_complaints_public_category ON complaints (category_code, created_at DESC, id DESC) WHERE ${PUBLIC}`);
    await q.query(`CREATE INDEX ix_complaints_public_district ON complaints (district, created_at DESC, id DESC) WHERE ${PUBLIC}`);
    // The escalation job: stage deadlines (ix_complaints_due, kept) and the 60-day cap.
    await q.query(`CREATE INDEX ix_complaints_final_due ON complaints (final_due_at) WHERE ${OPEN}`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const name of [
      'ix_complaints_reporter',
      'ix_complaints_agency_queue',
      'ix_complaints_agency_status_queue',
      'ix_complaints_agency_overdue',
      'ix_complaints_queue',
      'ix_complaints_status_queue',
      'ix_complaints_category_queue',
      'ix_complaints_created',
      'ix_complaints_public',
      'ix_complaints_public_status',
      'ix_complaints_public_category',
      'ix_complaints_public_district',
      'ix_complaints_final_due',
    ]) {
      await q.query(`DROP INDEX ${name}`);
    }
    await q.query(`CREATE INDEX ix_complaints_reporter ON complaints (reporter_id, created_at DESC)`);
    await q.query(`CREATE INDEX ix_complaints_agency_queue ON complaints (agency_id, status, due_at)`);
    await q.query(`CREATE INDEX ix_complaints_status_created ON complaints (status, created_at DESC)`);
    await q.query(`CREATE INDEX ix_complaints_category_created ON complaints (category_code, created_at DESC)`);
    await q.query(`CREATE INDEX ix_complaints_created ON complaints (created_at DESC)`);
    await q.query(`CREATE INDEX ix_complaints_public ON complaints (created_at DESC) WHERE ${PUBLIC}`);
  }
}
