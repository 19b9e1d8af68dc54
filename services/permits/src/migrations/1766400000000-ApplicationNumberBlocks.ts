import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each `nextval` of the application-number sequence reserves a block of 50 numbers for the process
 * that called it (`SequenceBlocks`), so creating a draft knows its number before its one statement.
 * Numbers stay unique; a restart leaves the rest of a block unused.
 */
export class ApplicationNumberBlocks1766400000000 implements MigrationInterface {
  name = 'ApplicationNumberBlocks1766400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER SEQUENCE application_number_seq INCREMENT BY 50`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER SEQUENCE application_number_seq INCREMENT BY 1`);
  }
}
