import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `identity_changed_meanwhile()` fails the statement that calls it (SQLSTATE 40001). A change
 * written as one statement (`services/identity/src/single-statement.ts`) calls it when the row it
 * read first changed before the statement got to it: the statement, its outbox row and its audit
 * row with it, then never happened, and the change is tried again from a fresh read.
 * VOLATILE (the default), so the planner never evaluates it ahead of the CASE that guards it.
 */
export class ChangedMeanwhile1767800000000 implements MigrationInterface {
  name = 'ChangedMeanwhile1767800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION identity_changed_meanwhile() RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
      BEGIN
        RAISE EXCEPTION 'the row changed after it was read' USING ERRCODE = 'serialization_failure';
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION identity_changed_meanwhile()`);
  }
}
