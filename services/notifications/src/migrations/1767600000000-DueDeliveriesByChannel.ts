import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each channel claims its own due deliveries (a hanging provider holds up only its channel): the
 * index finds one channel's due rows without walking past another channel's backlog.
 */
export class DueDeliveriesByChannel1767600000000 implements MigrationInterface {
  name = 'DueDeliveriesByChannel1767600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX ix_message_deliveries_channel_due ON message_deliveries (channel, next_attempt_at) WHERE status = 'pending'`);
    await q.query(`DROP INDEX ix_message_deliveries_due`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX ix_message_deliveries_due ON message_deliveries (next_attempt_at) WHERE status = 'pending'`);
    await q.query(`DROP INDEX ix_message_deliveries_channel_due`);
  }
}
