import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateServiceAccounts1764900000000 implements MigrationInterface {
  name = 'CreateServiceAccounts1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE service_accounts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name varchar(100) NOT NULL,
        client_id varchar(40) NOT NULL,
        secret_hash varchar(64) NOT NULL,
        scopes text[] NOT NULL,
        active boolean NOT NULL DEFAULT true,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_service_accounts_client_id UNIQUE (client_id)
      )`);
    // Open311 authenticates by api_key (the secret), so the hash is looked up too.
    await q.query(`CREATE INDEX ix_service_accounts_secret_hash ON service_accounts (secret_hash)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE service_accounts`);
  }
}
