import { MigrationInterface, QueryRunner } from 'typeorm';

/** Erasure (UU 27/2022 PDP): when an account was anonymised; its personal columns are emptied then. */
export class UserErasure1765200000000 implements MigrationInterface {
  name = 'UserErasure1765200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users ADD COLUMN erased_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users DROP COLUMN erased_at`);
  }
}
