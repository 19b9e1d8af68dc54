import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddHolderName1764700000000 implements MigrationInterface {
  name = 'AddHolderName1764700000000';

  async up(q: QueryRunner): Promise<void> {
    // The holder's name as printed on the certificate, taken from identity at issuance.
    await q.query(`ALTER TABLE applications ADD COLUMN holder_name varchar(120)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE applications DROP COLUMN holder_name`);
  }
}
