import { MigrationInterface, QueryRunner } from 'typeorm';

/** Webhook subscriptions, their deliveries (one row per event and subscription), replays, and the record → agency map. */
export class CreateWebhooks1767400000000 implements MigrationInterface {
  name = 'CreateWebhooks1767400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE webhook_subscriptions (
        id uuid PRIMARY KEY,
        url text NOT NULL,
        event_types text[] NOT NULL,
        agency_id uuid,
        description text NOT NULL DEFAULT '',
        active boolean NOT NULL DEFAULT true,
        disabled_reason text,
        disabled_at timestamptz,
        secret_sealed text NOT NULL,
        previous_secret_sealed text,
        previous_secret_expires_at timestamptz,
        failing_since timestamptz,
        last_success_at timestamptz,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        version int NOT NULL DEFAULT 1
      )`);
    await q.query(`CREATE INDEX ix_webhook_subscriptions_created ON webhook_subscriptions (created_at, id)`);
    await q.query(`
      CREATE TABLE webhook_deliveries (
        id uuid PRIMARY KEY,
        subscription_id uuid NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
        event_id uuid NOT NULL,
        event_type varchar(120) NOT NULL,
        event_time timestamptz NOT NULL,
        payload text NOT NULL,
        status varchar(10) NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
        attempts int NOT NULL DEFAULT 0,
        retry_step int NOT NULL DEFAULT 0,
        next_attempt_at timestamptz,
        last_attempt_at timestamptz,
        last_response_status int,
        last_error text,
        delivered_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_webhook_delivery UNIQUE (subscription_id, event_id)
      )`);
    // The worker's queue, per subscription (each gets its share of the attempts): only rows waiting for one.
    await q.query(`CREATE INDEX ix_webhook_deliveries_due ON webhook_deliveries (subscription_id, next_attempt_at) WHERE status = 'pending'`);
    await q.query(`CREATE INDEX ix_webhook_deliveries_list ON webhook_deliveries (subscription_id, status, created_at DESC, id)`);
    await q.query(`CREATE INDEX ix_webhook_deliveries_delivered ON webhook_deliveries (delivered_at) WHERE status = 'delivered'`);
    await q.query(`
      CREATE TABLE webhook_replays (
        id uuid PRIMARY KEY,
        subscription_id uuid NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
        since timestamptz NOT NULL,
        status varchar(10) NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'failed')),
        events_total bigint NOT NULL DEFAULT 0,
        events_scanned bigint NOT NULL DEFAULT 0,
        deliveries_queued bigint NOT NULL DEFAULT 0,
        error text,
        requested_by uuid,
        started_at timestamptz NOT NULL DEFAULT now(),
        heartbeat_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz
      )`);
    await q.query(`CREATE INDEX ix_webhook_replays_subscription ON webhook_replays (subscription_id, started_at DESC)`);
    // Which agencies a record (application, complaint) belongs to, from the events that say so:
    // events that do not carry it (issued, rated) are scoped by it.
    await q.query(`
      CREATE TABLE record_agencies (
        record_id varchar(100) PRIMARY KEY,
        agency_ids uuid[] NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE record_agencies`);
    await q.query(`DROP TABLE webhook_replays`);
    await q.query(`DROP TABLE webhook_deliveries`);
    await q.query(`DROP TABLE webhook_subscriptions`);
  }
}
