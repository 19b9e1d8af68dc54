import { MigrationInterface, QueryRunner } from 'typeorm';

const OPEN = `status IN ('submitted', 'verified', 'recommended')`;

/**
 * Indexes that hand out each list in its order (bench/README.md, permits): the staff queue runs as
 * two branches (technical agency, issuing agency) merged by `due_at`, each an ordered index scan
 * that also answers its count from the index alone; the citizen's list in `created_at DESC, id`
 * order. `id` ends every key because it breaks ties in every sort.
 */
export class ListIndexes1764800000000 implements MigrationInterface {
  name = 'ListIndexes1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_applications_applicant`);
    await q.query(`CREATE INDEX ix_applications_applicant ON applications (applicant_id, created_at DESC, id)`);
    await q.query(`DROP INDEX ix_applications_agency_queue`);
    await q.query(`CREATE INDEX ix_applications_agency_queue ON applications (agency_id, status, due_at, id)`);
    // INCLUDE agency_id: the issuing branch excludes the technical branch's rows without the heap.
    await q.query(`DROP INDEX ix_applications_issuing_queue`);
    await q.query(`CREATE INDEX ix_applications_issuing_queue ON applications (issuing_agency_id, status, due_at, id) INCLUDE (agency_id)`);
    // ?overdue=true: the open cases of an agency by deadline.
    await q.query(`CREATE INDEX ix_applications_agency_open ON applications (agency_id, due_at, id) WHERE ${OPEN}`);
    await q.query(`CREATE INDEX ix_applications_issuing_open ON applications (issuing_agency_id, due_at, id) INCLUDE (agency_id) WHERE ${OPEN}`);
    // The staff's default view: everything but drafts, by deadline.
    await q.query(`CREATE INDEX ix_applications_agency_visible ON applications (agency_id, due_at, id) WHERE status <> 'draft'`);
    await q.query(`CREATE INDEX ix_applications_issuing_visible ON applications (issuing_agency_id, due_at, id) INCLUDE (agency_id) WHERE status <> 'draft'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_applications_issuing_visible`);
    await q.query(`DROP INDEX ix_applications_agency_visible`);
    await q.query(`DROP INDEX ix_applications_issuing_open`);
    await q.query(`DROP INDEX ix_applications_agency_open`);
    await q.query(`DROP INDEX ix_applications_issuing_queue`);
    await q.query(`CREATE INDEX ix_applications_issuing_queue ON applications (issuing_agency_id, status, due_at)`);
    await q.query(`DROP INDEX ix_applications_agency_queue`);
    await q.query(`CREATE INDEX ix_applications_agency_queue ON applications (agency_id, status, due_at)`);
    await q.query(`DROP INDEX ix_applications_applicant`);
    await q.query(`CREATE INDEX ix_applications_applicant ON applications (applicant_id, created_at DESC)`);
  }
}
