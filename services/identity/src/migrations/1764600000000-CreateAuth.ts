import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateAuth1764600000000 implements MigrationInterface {
  name = 'CreateAuth1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE signing_keys (
        kid varchar(64) PRIMARY KEY,
        alg varchar(10) NOT NULL,
        public_jwk jsonb NOT NULL,
        private_jwk jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX ix_signing_keys_created_at ON signing_keys (created_at DESC)`);
    await q.query(`
      CREATE TABLE refresh_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        family_id uuid NOT NULL,
        token_hash varchar(64) NOT NULL,
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        revoked_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_refresh_tokens_token_hash UNIQUE (token_hash)
      )`);
    await q.query(`CREATE INDEX ix_refresh_tokens_family_id ON refresh_tokens (family_id)`);
    await q.query(`CREATE INDEX ix_refresh_tokens_user_id ON refresh_tokens (user_id)`);
    await q.query(`
      CREATE TABLE login_events (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid REFERENCES users (id) ON DELETE SET NULL,
        success boolean NOT NULL,
        ip varchar(64),
        reason varchar(30) NOT NULL,
        at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX ix_login_events_user_id_at ON login_events (user_id, at)`);
    await q.query(`ALTER TABLE users ADD COLUMN failed_login_count int NOT NULL DEFAULT 0`);
    await q.query(`ALTER TABLE users ADD COLUMN locked_until timestamptz`);
    await q.query(`ALTER TABLE users ADD COLUMN last_login_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users DROP COLUMN last_login_at, DROP COLUMN locked_until, DROP COLUMN failed_login_count`);
    await q.query(`DROP TABLE login_events`);
    await q.query(`DROP TABLE refresh_tokens`);
    await q.query(`DROP TABLE signing_keys`);
  }
}
