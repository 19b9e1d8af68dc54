import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When the applicant had their account erased (identity.user.erased.v1): the records stay, tied to
 * a pseudonym, and nothing is sent to that person any more.
 */
export class ApplicantErasure1767300000000 implements MigrationInterface {
  name = 'ApplicantErasure1767300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE applications ADD COLUMN applicant_erased_at timestamptz`);
    // Erasures handled before this column existed are known only from the audit trail's `user.erase` rows.
    await q.query(`
      UPDATE applications a SET applicant_erased_at = e.at
        FROM (SELECT entity_id, min(at) AS at FROM (
                SELECT entity_id, at FROM audit_log WHERE action = 'user.erase' AND entity_type = 'user'
                UNION ALL
                SELECT entity_id, at FROM audit_pending WHERE action = 'user.erase' AND entity_type = 'user'
              ) rows GROUP BY entity_id) e
       WHERE a.applicant_id::text = e.entity_id`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE applications DROP COLUMN applicant_erased_at`);
  }
}
