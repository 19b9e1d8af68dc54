import { createAuditTables, dropAuditTables } from '@smart-regency/platform';
import { MigrationInterface, QueryRunner } from 'typeorm';

/** The append-only, hash-chained audit trail (libs/platform/src/audit, docs/audit.md). */
export class CreateAuditLog1766000000000 implements MigrationInterface {
  name = 'CreateAuditLog1766000000000';

  async up(q: QueryRunner): Promise<void> {
    await createAuditTables(q);
  }

  async down(q: QueryRunner): Promise<void> {
    await dropAuditTables(q);
  }
}
