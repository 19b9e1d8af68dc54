import { REFERENCE_AGENCIES } from '@smart-regency/contracts';
import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateAgencies1764300000000 implements MigrationInterface {
  name = 'CreateAgencies1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE agencies (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        code varchar(32) NOT NULL,
        name varchar(200) NOT NULL,
        kind varchar(20) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_agencies_code UNIQUE (code)
      )`);
    await q.query(`CREATE INDEX ix_agencies_kind ON agencies (kind)`);
    for (const a of REFERENCE_AGENCIES) {
      await q.query(`INSERT INTO agencies (id, code, name, kind) VALUES ($1, $2, $3, $4)`, [a.id, a.code, a.name, a.kind]);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE agencies`);
  }
}
