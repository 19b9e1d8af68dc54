import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Throttling by client address and by account + address (docs/auth.md) replaces the per-account
 * lockout, which let anyone lock anyone out. Keys are HMACs: the table holds no address or identifier.
 * Ended sessions are read back by revoked_at for gateways that start later.
 */
export class SignInThrottles1767200000000 implements MigrationInterface {
  name = 'SignInThrottles1767200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE auth_throttles (
        key varchar(100) PRIMARY KEY,
        failures int NOT NULL,
        last_at timestamptz NOT NULL,
        blocked_until timestamptz
      )`);
    await q.query(`CREATE INDEX ix_auth_throttles_last_at ON auth_throttles (last_at)`);
    await q.query(`ALTER TABLE users DROP COLUMN failed_login_count, DROP COLUMN locked_until`);
    await q.query(`CREATE INDEX ix_refresh_tokens_revoked_at ON refresh_tokens (revoked_at) WHERE revoked_at IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_refresh_tokens_revoked_at`);
    await q.query(`ALTER TABLE users ADD COLUMN failed_login_count int NOT NULL DEFAULT 0, ADD COLUMN locked_until timestamptz`);
    await q.query(`DROP TABLE auth_throttles`);
  }
}
