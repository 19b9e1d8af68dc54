import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Messages to people: the events waiting to become messages (jobs), the messages (the in-app inbox
 * and the record of what was sent), one delivery per channel, preferences, admins' templates, and
 * the complaints forwarded to SP4N-LAPOR!. No address is stored: identity is asked at send time.
 */
export class CreateMessages1767500000000 implements MigrationInterface {
  name = 'CreateMessages1767500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE message_jobs (
        event_id uuid PRIMARY KEY,
        event_type text NOT NULL,
        record_id uuid NOT NULL,
        data jsonb NOT NULL,
        event_time timestamptz NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed')),
        attempts int NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz
      )`);
    await q.query(`CREATE INDEX ix_message_jobs_due ON message_jobs (next_attempt_at) WHERE status = 'pending'`);
    await q.query(`CREATE INDEX ix_message_jobs_finished ON message_jobs (finished_at) WHERE status <> 'pending'`);
    await q.query(`
      CREATE TABLE notifications (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL,
        event_id uuid NOT NULL,
        record_id uuid,
        agency_id uuid,
        type text NOT NULL,
        recipient_role text NOT NULL CHECK (recipient_role IN ('applicant', 'reporter', 'staff')),
        language text NOT NULL,
        title text NOT NULL,
        body text NOT NULL,
        short text NOT NULL,
        link text,
        in_app boolean NOT NULL,
        event_time timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        read_at timestamptz,
        UNIQUE (event_id, user_id, type)
      )`);
    await q.query(`CREATE INDEX ix_notifications_inbox ON notifications (user_id, created_at DESC, id) WHERE in_app`);
    await q.query(`CREATE INDEX ix_notifications_unread ON notifications (user_id) WHERE in_app AND read_at IS NULL`);
    await q.query(`CREATE INDEX ix_notifications_record ON notifications (record_id, created_at DESC, id)`);
    await q.query(`CREATE INDEX ix_notifications_agency ON notifications (agency_id, created_at DESC, id)`);
    await q.query(`CREATE INDEX ix_notifications_staff_recent ON notifications (user_id, created_at) WHERE recipient_role = 'staff'`);
    await q.query(`
      CREATE TABLE message_deliveries (
        id uuid PRIMARY KEY,
        notification_id uuid NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
        user_id uuid NOT NULL,
        channel text NOT NULL CHECK (channel IN ('email', 'sms', 'whatsapp')),
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed', 'skipped')),
        attempts int NOT NULL DEFAULT 0,
        retry_step int NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_error text,
        provider_id text,
        delivered_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (notification_id, channel)
      )`);
    // Each channel claims its own due rows (a hanging provider holds up only its channel).
    await q.query(`CREATE INDEX ix_message_deliveries_channel_due ON message_deliveries (channel, next_attempt_at) WHERE status = 'pending'`);
    await q.query(`CREATE INDEX ix_message_deliveries_user ON message_deliveries (user_id)`);
    await q.query(`
      CREATE TABLE notification_preferences (
        user_id uuid PRIMARY KEY,
        email boolean NOT NULL,
        sms boolean NOT NULL,
        whatsapp boolean NOT NULL,
        in_app boolean NOT NULL,
        language text NOT NULL CHECK (language IN ('id', 'en')),
        staff_instant boolean NOT NULL DEFAULT true,
        staff_daily_digest boolean NOT NULL DEFAULT false,
        last_digest_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX ix_notification_preferences_digest ON notification_preferences (last_digest_at) WHERE staff_daily_digest`);
    await q.query(`
      CREATE TABLE notification_templates (
        type text NOT NULL,
        language text NOT NULL CHECK (language IN ('id', 'en')),
        subject text NOT NULL,
        body text NOT NULL,
        short text NOT NULL,
        updated_by uuid,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (type, language)
      )`);
    // A read model of open deadlines, fed by events, for the warnings before a deadline passes.
    await q.query(`
      CREATE TABLE record_deadlines (
        record_id uuid PRIMARY KEY,
        kind text NOT NULL CHECK (kind IN ('permit', 'complaint')),
        due_at timestamptz,
        warned_due_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX ix_record_deadlines_due ON record_deadlines (due_at) WHERE due_at IS NOT NULL`);
    // Ids only: a message composed while its person was being erased is not stored after the erasure.
    await q.query(`CREATE TABLE erased_users (user_id uuid PRIMARY KEY, erased_at timestamptz NOT NULL DEFAULT now())`);
    // Whose records they are (applicant, reporter): staff messages about them quote what the person
    // wrote (a complaint's title), so an erasure empties those too.
    await q.query(`CREATE TABLE record_subjects (record_id uuid NOT NULL, user_id uuid NOT NULL, PRIMARY KEY (record_id, user_id))`);
    await q.query(`CREATE INDEX ix_record_subjects_user ON record_subjects (user_id)`);
    await q.query(`
      CREATE TABLE lapor_forwards (
        request_event_id uuid PRIMARY KEY,
        complaint_id uuid NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'forwarded', 'failed')),
        lapor_id text,
        reported boolean NOT NULL DEFAULT false,
        attempts int NOT NULL DEFAULT 0,
        retry_step int NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_error text,
        remote_status text,
        remote_updated_at text,
        polling boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX ix_lapor_forwards_due ON lapor_forwards (next_attempt_at) WHERE status = 'pending' OR polling OR NOT reported`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE lapor_forwards`);
    await q.query(`DROP TABLE record_subjects`);
    await q.query(`DROP TABLE erased_users`);
    await q.query(`DROP TABLE record_deadlines`);
    await q.query(`DROP TABLE notification_templates`);
    await q.query(`DROP TABLE notification_preferences`);
    await q.query(`DROP TABLE message_deliveries`);
    await q.query(`DROP TABLE notifications`);
    await q.query(`DROP TABLE message_jobs`);
  }
}
