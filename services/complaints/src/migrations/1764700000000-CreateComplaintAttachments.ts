import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateComplaintAttachments1764700000000 implements MigrationInterface {
  name = 'CreateComplaintAttachments1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE complaint_blobs (key varchar(200) PRIMARY KEY, content bytea NOT NULL)`);
    await q.query(`
      CREATE TABLE complaint_attachments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        complaint_id uuid NOT NULL REFERENCES complaints (id) ON DELETE CASCADE,
        content_type varchar(40) NOT NULL,
        size int NOT NULL CHECK (size > 0),
        sha256 char(64) NOT NULL,
        file_name varchar(100),
        storage_key varchar(200) NOT NULL,
        uploaded_by uuid NOT NULL,
        uploader_role varchar(20) NOT NULL,
        uploaded_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX ix_complaint_attachments_complaint ON complaint_attachments (complaint_id, uploaded_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE complaint_attachments`);
    await q.query(`DROP TABLE complaint_blobs`);
  }
}
