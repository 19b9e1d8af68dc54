import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateCalendar1764800000000 implements MigrationInterface {
  name = 'CreateCalendar1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE calendar_years (
        year int PRIMARY KEY,
        source varchar(20) NOT NULL,
        updated_by uuid,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE holidays (
        date date PRIMARY KEY,
        year int NOT NULL REFERENCES calendar_years (year) ON DELETE CASCADE,
        name varchar(120) NOT NULL,
        CONSTRAINT ck_holidays_year CHECK (extract(year FROM date) = year)
      )`);
    await q.query(`CREATE INDEX ix_holidays_year ON holidays (year)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE holidays`);
    await q.query(`DROP TABLE calendar_years`);
  }
}
