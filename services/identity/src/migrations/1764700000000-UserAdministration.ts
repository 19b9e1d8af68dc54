import { MigrationInterface, QueryRunner } from 'typeorm';

export class UserAdministration1764700000000 implements MigrationInterface {
  name = 'UserAdministration1764700000000';

  async up(q: QueryRunner): Promise<void> {
    // Access tokens issued before this instant are refused by the gateway (disable, role change).
    await q.query(`ALTER TABLE users ADD COLUMN sessions_revoked_at timestamptz`);
    await q.query(`CREATE INDEX ix_users_sessions_revoked_at ON users (sessions_revoked_at) WHERE sessions_revoked_at IS NOT NULL`);
    await q.query(`CREATE INDEX ix_users_active ON users (active)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_users_active`);
    await q.query(`ALTER TABLE users DROP COLUMN sessions_revoked_at`);
  }
}
