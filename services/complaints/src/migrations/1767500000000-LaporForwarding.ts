import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Forwarding to SP4N-LAPOR!: where each complaint stands with the national channel, the category
 * setting that forwards on verification, the statuses it reported back (each applied once), and a
 * mark on complaints whose reporter was erased (nobody is told about them any more).
 */
export class LaporForwarding1767500000000 implements MigrationInterface {
  name = 'LaporForwarding1767500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE complaint_categories ADD COLUMN forward_to_lapor boolean NOT NULL DEFAULT false`);
    await q.query(`
      ALTER TABLE complaints
        ADD COLUMN lapor_status varchar(20) CHECK (lapor_status IN ('requested', 'forwarded', 'failed')),
        ADD COLUMN lapor_id varchar(100),
        ADD COLUMN lapor_requested_at timestamptz,
        ADD COLUMN lapor_forwarded_at timestamptz,
        ADD COLUMN lapor_failed_reason text,
        ADD COLUMN lapor_remote_status varchar(60),
        ADD COLUMN lapor_remote_updated_at timestamptz,
        ADD COLUMN lapor_request_event_id uuid,
        ADD COLUMN reporter_erased_at timestamptz`);
    // Reporters erased before this migration: their complaints carry erasure's text.
    await q.query(`UPDATE complaints SET reporter_erased_at = updated_at WHERE title = '[dihapus atas permintaan pelapor]'`);
    await q.query(`
      CREATE TABLE complaint_lapor_updates (
        complaint_id uuid NOT NULL REFERENCES complaints (id) ON DELETE CASCADE,
        lapor_id varchar(100) NOT NULL,
        status varchar(60) NOT NULL,
        updated_at timestamptz NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (complaint_id, lapor_id, status, updated_at)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE complaint_lapor_updates`);
    await q.query(`
      ALTER TABLE complaints
        DROP COLUMN lapor_status,
        DROP COLUMN lapor_id,
        DROP COLUMN lapor_requested_at,
        DROP COLUMN lapor_forwarded_at,
        DROP COLUMN lapor_failed_reason,
        DROP COLUMN lapor_remote_status,
        DROP COLUMN lapor_remote_updated_at,
        DROP COLUMN lapor_request_event_id,
        DROP COLUMN reporter_erased_at`);
    await q.query(`ALTER TABLE complaint_categories DROP COLUMN forward_to_lapor`);
  }
}
