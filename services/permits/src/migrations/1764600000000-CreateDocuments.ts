import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateDocuments1764600000000 implements MigrationInterface {
  name = 'CreateDocuments1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE document_blobs (key varchar(200) PRIMARY KEY, content bytea NOT NULL)`);
    await q.query(`
      CREATE TABLE application_documents (
        application_id uuid NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
        code varchar(40) NOT NULL,
        content_type varchar(40) NOT NULL,
        size int NOT NULL,
        sha256 char(64) NOT NULL,
        storage_key varchar(200) NOT NULL,
        uploaded_by uuid NOT NULL,
        uploaded_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (application_id, code)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE application_documents`);
    await q.query(`DROP TABLE document_blobs`);
  }
}
