import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Document bytes follow their documents. Until now a replaced document's earlier version stayed in
 * `document_blobs` for good (no row referred to it any more, erasure did not find it); this deletes
 * every such blob once (uploads now delete the version they replace). The locks make it safe while
 * older replicas still upload: uploads write the blob, then the document row, so taking
 * document_blobs first waits for those in flight and holds back new ones until this commits.
 * The index lets erasure delete an application's every version by key prefix.
 */
export class DocumentBlobVersions1766610000000 implements MigrationInterface {
  name = 'DocumentBlobVersions1766610000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX ix_document_blobs_key_prefix ON document_blobs (key text_pattern_ops)`);
    await q.query(`LOCK TABLE document_blobs IN SHARE ROW EXCLUSIVE MODE`);
    await q.query(`LOCK TABLE application_documents IN SHARE ROW EXCLUSIVE MODE`);
    await q.query(`DELETE FROM document_blobs b WHERE NOT EXISTS (SELECT 1 FROM application_documents d WHERE d.storage_key = b.key)`);
  }

  async down(q: QueryRunner): Promise<void> {
    // The deleted versions were referenced by nothing; there is nothing to put back.
    await q.query(`DROP INDEX ix_document_blobs_key_prefix`);
  }
}
