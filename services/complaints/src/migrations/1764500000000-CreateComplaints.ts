import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateComplaints1764500000000 implements MigrationInterface {
  name = 'CreateComplaints1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SEQUENCE complaint_number_seq`);
    await q.query(`
      CREATE TABLE complaints (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tracking_number varchar(40) NOT NULL,
        category_code varchar(40) NOT NULL,
        reporter_id uuid NOT NULL,
        title varchar(200) NOT NULL,
        description text NOT NULL,
        location jsonb NOT NULL,
        district varchar(100),
        visibility varchar(20) NOT NULL CHECK (visibility IN ('public', 'anonymous', 'confidential')),
        status varchar(20) NOT NULL,
        agency_id uuid,
        due_at timestamptz,
        final_due_at timestamptz NOT NULL,
        escalated_stages text[] NOT NULL DEFAULT '{}',
        answer text,
        resolved_at timestamptz,
        closed_at timestamptz,
        rating smallint CHECK (rating BETWEEN 1 AND 5),
        rating_comment text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        version int NOT NULL DEFAULT 1,
        CONSTRAINT uq_complaints_tracking_number UNIQUE (tracking_number)
      )`);
    await q.query(`CREATE INDEX ix_complaints_reporter ON complaints (reporter_id, created_at DESC)`);
    await q.query(`CREATE INDEX ix_complaints_agency_queue ON complaints (agency_id, status, due_at)`);
    await q.query(`CREATE INDEX ix_complaints_status_created ON complaints (status, created_at DESC)`);
    await q.query(`CREATE INDEX ix_complaints_category_created ON complaints (category_code, created_at DESC)`);
    await q.query(`CREATE INDEX ix_complaints_created ON complaints (created_at DESC)`);
    await q.query(`CREATE INDEX ix_complaints_public ON complaints (created_at DESC) WHERE visibility <> 'confidential'`);
    await q.query(`CREATE INDEX ix_complaints_due ON complaints (due_at) WHERE status IN ('received', 'verified', 'dispositioned', 'in_progress', 'reopened', 'resolved')`);
    await q.query(`
      CREATE TABLE complaint_history (
        seq bigserial PRIMARY KEY,
        complaint_id uuid NOT NULL REFERENCES complaints (id) ON DELETE CASCADE,
        action varchar(40) NOT NULL,
        from_status varchar(20),
        to_status varchar(20) NOT NULL,
        actor_id uuid,
        actor_role varchar(20) NOT NULL,
        note text,
        at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX ix_complaint_history_complaint ON complaint_history (complaint_id, seq)`);
    await q.query(`
      CREATE TABLE complaint_comments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        complaint_id uuid NOT NULL REFERENCES complaints (id) ON DELETE CASCADE,
        author_id uuid NOT NULL,
        author_role varchar(20) NOT NULL,
        body text NOT NULL,
        at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX ix_complaint_comments_complaint ON complaint_comments (complaint_id, at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE complaint_comments`);
    await q.query(`DROP TABLE complaint_history`);
    await q.query(`DROP TABLE complaints`);
    await q.query(`DROP SEQUENCE complaint_number_seq`);
  }
}
