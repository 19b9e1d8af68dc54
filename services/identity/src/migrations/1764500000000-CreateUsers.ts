import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateUsers1764500000000 implements MigrationInterface {
  name = 'CreateUsers1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        nik_hash varchar(64),
        nik_masked varchar(16),
        full_name varchar(120) NOT NULL,
        email varchar(254) NOT NULL,
        phone varchar(20),
        password_hash varchar(200) NOT NULL,
        roles text[] NOT NULL,
        agency_id uuid,
        active boolean NOT NULL DEFAULT true,
        consent_version varchar(20),
        consent_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        version int NOT NULL DEFAULT 1,
        CONSTRAINT uq_users_nik_hash UNIQUE (nik_hash),
        CONSTRAINT uq_users_email UNIQUE (email),
        CONSTRAINT uq_users_phone UNIQUE (phone)
      )`);
    await q.query(`CREATE INDEX ix_users_agency_id ON users (agency_id)`);
    await q.query(`CREATE INDEX ix_users_roles ON users USING gin (roles)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE users`);
  }
}
