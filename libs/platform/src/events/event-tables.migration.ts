import { MigrationInterface, QueryRunner } from 'typeorm';
import type { DatabaseSchema } from '../database/database';
import { CreateIdempotencyKeys1764450000000 } from '../database/idempotency';

/**
 * The outbox (events written in the same transaction as the change they describe) and the inbox
 * (events a consumer has processed, written in the same transaction as its effect). Every service
 * that publishes or consumes events lists this migration.
 */
export class CreateEventTables1764400000000 implements MigrationInterface {
  name = 'CreateEventTables1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE outbox (
        seq bigserial PRIMARY KEY,
        id uuid NOT NULL,
        type varchar(120) NOT NULL,
        record_id varchar(100) NOT NULL,
        event jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        sent_at timestamptz,
        attempts int NOT NULL DEFAULT 0,
        last_error text,
        CONSTRAINT uq_outbox_id UNIQUE (id)
      )`);
    await q.query(`CREATE INDEX ix_outbox_pending ON outbox (seq) WHERE sent_at IS NULL`);
    await q.query(`CREATE INDEX ix_outbox_sent_at ON outbox (sent_at) WHERE sent_at IS NOT NULL`);
    await q.query(`
      CREATE TABLE processed_events (
        consumer varchar(100) NOT NULL,
        event_id uuid NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, event_id)
      )`);
    await q.query(`CREATE INDEX ix_processed_events_processed_at ON processed_events (processed_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE processed_events`);
    await q.query(`DROP TABLE outbox`);
  }
}

/**
 * Every service has the outbox and inbox tables (so any of them can publish and consume events)
 * and the idempotency keys of its creating writes.
 */
export function withEventTables(schema: DatabaseSchema): DatabaseSchema {
  return {
    ...schema,
    migrations: [...(schema.migrations as unknown[]), CreateEventTables1764400000000, CreateIdempotencyKeys1764450000000] as DatabaseSchema['migrations'],
  };
}
