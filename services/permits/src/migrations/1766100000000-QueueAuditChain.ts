import { queueAuditChain, unqueueAuditChain } from '@smart-regency/platform';
import { MigrationInterface, QueryRunner } from 'typeorm';

/** A cheaper commit section for the audit chain: an advisory-lock queue and one UPDATE … RETURNING of the head (libs/platform/src/audit). */
export class QueueAuditChain1766100000000 implements MigrationInterface {
  name = 'QueueAuditChain1766100000000';

  async up(q: QueryRunner): Promise<void> {
    await queueAuditChain(q);
  }

  async down(q: QueryRunner): Promise<void> {
    await unqueueAuditChain(q);
  }
}
