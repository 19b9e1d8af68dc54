import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateApplications1764500000000 implements MigrationInterface {
  name = 'CreateApplications1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SEQUENCE application_number_seq`);
    await q.query(`CREATE SEQUENCE certificate_number_seq`);
    await q.query(`
      CREATE TABLE applications (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        number varchar(40) NOT NULL,
        permit_type_code varchar(40) NOT NULL,
        agency_id uuid NOT NULL,
        issuing_agency_id uuid NOT NULL,
        applicant_id uuid NOT NULL,
        status varchar(24) NOT NULL,
        form_data jsonb NOT NULL DEFAULT '{}',
        location jsonb,
        fee bigint NOT NULL DEFAULT 0,
        sla_working_days int NOT NULL,
        validity_months int NOT NULL DEFAULT 0,
        submitted_at timestamptz,
        due_at timestamptz,
        overdue_notified_at timestamptz,
        decided_at timestamptz,
        issued_at timestamptz,
        certificate_number varchar(60),
        verification_code varchar(40),
        expires_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        version int NOT NULL DEFAULT 1,
        CONSTRAINT uq_applications_number UNIQUE (number),
        CONSTRAINT uq_applications_verification_code UNIQUE (verification_code)
      )`);
    // One index per list the API offers: the citizen's own, each agency's queue by deadline, filters.
    await q.query(`CREATE INDEX ix_applications_applicant ON applications (applicant_id, created_at DESC)`);
    await q.query(`CREATE INDEX ix_applications_agency_queue ON applications (agency_id, status, due_at)`);
    await q.query(`CREATE INDEX ix_applications_issuing_queue ON applications (issuing_agency_id, status, due_at)`);
    await q.query(`CREATE INDEX ix_applications_status_created ON applications (status, created_at DESC)`);
    await q.query(`CREATE INDEX ix_applications_type_created ON applications (permit_type_code, created_at DESC)`);
    await q.query(`CREATE INDEX ix_applications_created ON applications (created_at DESC)`);
    await q.query(`CREATE INDEX ix_applications_open_due ON applications (due_at) WHERE status IN ('submitted', 'verified', 'recommended')`);
    // The overdue job looks only at late applications it has not flagged yet.
    await q.query(
      `CREATE INDEX ix_applications_overdue_pending ON applications (due_at) WHERE status IN ('submitted', 'verified', 'recommended') AND overdue_notified_at IS NULL`,
    );
    await q.query(`CREATE INDEX ix_applications_issued_expiry ON applications (expires_at) WHERE status = 'issued'`);
    await q.query(`
      CREATE TABLE application_history (
        seq bigserial PRIMARY KEY,
        application_id uuid NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
        action varchar(40) NOT NULL,
        from_status varchar(24),
        to_status varchar(24) NOT NULL,
        actor_id uuid,
        actor_role varchar(20) NOT NULL,
        note text,
        at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX ix_application_history_application ON application_history (application_id, seq)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE application_history`);
    await q.query(`DROP TABLE applications`);
    await q.query(`DROP SEQUENCE certificate_number_seq`);
    await q.query(`DROP SEQUENCE application_number_seq`);
  }
}
