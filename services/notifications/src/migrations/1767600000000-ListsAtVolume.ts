import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes in the order the lists read (bench/README.md, issue 20: a citizen with thousands of
 * messages, a million in the table), the inbox's read-all mark, and the subscriptions' event types
 * searchable (a live event finds its subscriptions without reading all of them).
 */
export class ListsAtVolume1767600000000 implements MigrationInterface {
  name = 'ListsAtVolume1767600000000';

  async up(q: QueryRunner): Promise<void> {
    // The inbox is newest first with id as tie-break, both descending: the old index (id ascending)
    // made PostgreSQL sort every message of the person's newest second.
    await q.query(`DROP INDEX ix_notifications_inbox`);
    await q.query(`CREATE INDEX ix_notifications_inbox ON notifications (user_id, created_at DESC, id DESC) WHERE in_app`);
    // The unread ones in the same order (a list of them, their count since the read-all mark).
    await q.query(`DROP INDEX ix_notifications_unread`);
    await q.query(`CREATE INDEX ix_notifications_unread ON notifications (user_id, created_at DESC, id DESC) WHERE in_app AND read_at IS NULL`);
    // Staff's list of messages: newest first, over all of them, by record or by agency.
    await q.query(`CREATE INDEX ix_notifications_recent ON notifications (created_at DESC, id DESC)`);
    await q.query(`DROP INDEX ix_notifications_record`);
    await q.query(`CREATE INDEX ix_notifications_record ON notifications (record_id, created_at DESC, id DESC)`);
    await q.query(`DROP INDEX ix_notifications_agency`);
    await q.query(`CREATE INDEX ix_notifications_agency ON notifications (agency_id, created_at DESC, id DESC)`);
    // Messages by the status of a delivery (the dead letters: status=failed).
    await q.query(`CREATE INDEX ix_message_deliveries_status ON message_deliveries (status, notification_id)`);
    // "Mark all read" is one row per person: every message of theirs created up to read_all_at is read
    // (at read_all_at, unless read before). One bounded write, however many messages they have.
    await q.query(`
      CREATE TABLE inbox_marks (
        user_id uuid PRIMARY KEY,
        read_all_at timestamptz NOT NULL
      )`);
    // A subscription's deliveries, newest first, whatever their status.
    await q.query(`CREATE INDEX ix_webhook_deliveries_recent ON webhook_deliveries (subscription_id, created_at DESC, id)`);
    // The subscriptions that name an event's type (or a pattern that can match it).
    await q.query(`CREATE INDEX ix_webhook_subscriptions_types ON webhook_subscriptions USING gin (event_types)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_webhook_subscriptions_types`);
    await q.query(`DROP INDEX ix_webhook_deliveries_recent`);
    await q.query(`DROP TABLE inbox_marks`);
    await q.query(`DROP INDEX ix_message_deliveries_status`);
    await q.query(`DROP INDEX ix_notifications_agency`);
    await q.query(`CREATE INDEX ix_notifications_agency ON notifications (agency_id, created_at DESC, id)`);
    await q.query(`DROP INDEX ix_notifications_record`);
    await q.query(`CREATE INDEX ix_notifications_record ON notifications (record_id, created_at DESC, id)`);
    await q.query(`DROP INDEX ix_notifications_recent`);
    await q.query(`DROP INDEX ix_notifications_unread`);
    await q.query(`CREATE INDEX ix_notifications_unread ON notifications (user_id) WHERE in_app AND read_at IS NULL`);
    await q.query(`DROP INDEX ix_notifications_inbox`);
    await q.query(`CREATE INDEX ix_notifications_inbox ON notifications (user_id, created_at DESC, id) WHERE in_app`);
  }
}
