import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateReadModels1764300000000 implements MigrationInterface {
  name = 'CreateReadModels1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE complaint_facts (
        complaint_id uuid PRIMARY KEY,
        agency_id uuid,
        category_code varchar(40) NOT NULL,
        visibility varchar(20) NOT NULL,
        status varchar(20) NOT NULL,
        received_at timestamptz NOT NULL,
        resolved_at timestamptz,
        closed_at timestamptz,
        deadline_missed boolean NOT NULL DEFAULT false,
        rating smallint CHECK (rating BETWEEN 1 AND 5)
      )`);
    await q.query(`CREATE INDEX ix_complaint_facts_agency_received ON complaint_facts (agency_id, received_at)`);
    await q.query(`CREATE INDEX ix_complaint_facts_received ON complaint_facts (received_at)`);
    await q.query(`
      CREATE TABLE permit_facts (
        application_id uuid PRIMARY KEY,
        agency_id uuid NOT NULL,
        permit_type_code varchar(40) NOT NULL,
        status varchar(24) NOT NULL,
        submitted_at timestamptz NOT NULL,
        due_at timestamptz,
        decided_at timestamptz,
        issued_at timestamptz,
        deadline_missed boolean NOT NULL DEFAULT false
      )`);
    await q.query(`CREATE INDEX ix_permit_facts_agency_submitted ON permit_facts (agency_id, submitted_at)`);
    await q.query(`CREATE INDEX ix_permit_facts_submitted ON permit_facts (submitted_at)`);
    await q.query(`
      CREATE TABLE projection_state (
        name varchar(60) PRIMARY KEY,
        last_event_id varchar(64),
        last_event_time timestamptz
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE projection_state`);
    await q.query(`DROP TABLE permit_facts`);
    await q.query(`DROP TABLE complaint_facts`);
  }
}
