import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each issued application's signed certificate, rendered and signed once and then served as
 * stored (its bytes here, backed up with the rest, and their SHA-256). The primary key is what
 * makes "once" hold: a second attempt inserts nothing.
 */
export class StoredCertificates1767400000000 implements MigrationInterface {
  name = 'StoredCertificates1767400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE application_certificates (
        application_id uuid PRIMARY KEY REFERENCES applications (id) ON DELETE CASCADE,
        certificate_number varchar(60) NOT NULL,
        content bytea NOT NULL,
        size int NOT NULL CHECK (size = octet_length(content)),
        sha256 char(64) NOT NULL,
        signer varchar(200) NOT NULL,
        signed_at timestamptz NOT NULL DEFAULT now()
      )`);
    // A signed PDF is compressed already: stored out of line as it is, not compressed again.
    await q.query(`ALTER TABLE application_certificates ALTER COLUMN content SET STORAGE EXTERNAL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE application_certificates`);
  }
}
