import { randomUUID } from 'node:crypto';
import { ChannelDeliveryResponse, CountedTotal, EXACT_TOTAL_UP_TO, MessageChannelName, MessageLanguage, MessageResponse, MessageStatus, NotificationPreferencesResponse, NotificationResponse, pageWithTotal } from '@smart-regency/contracts';
import { DataSource } from 'typeorm';
import { changed, iso, Sql } from '../sql';

/** The person's read-all mark (`param`: their id): messages created up to it are read. */
const mark = (param = '$1') => `COALESCE((SELECT k.read_all_at FROM inbox_marks k WHERE k.user_id = ${param}), '-infinity'::timestamptz)`;
const MARK = mark();

export interface NewJob {
  eventId: string;
  eventType: string;
  recordId: string;
  data: unknown;
  eventTime: string;
}

export interface JobRow {
  event_id: string;
  event_type: string;
  record_id: string;
  data: Record<string, unknown>;
  event_time: Date;
  attempts: number;
}

export interface NewNotification {
  id: string;
  userId: string;
  eventId: string;
  /** The permit application or complaint; none for a digest. */
  recordId: string | null;
  agencyId: string | null;
  type: string;
  recipientRole: 'applicant' | 'reporter' | 'staff';
  language: MessageLanguage;
  title: string;
  body: string;
  short: string;
  link: string | null;
  inApp: boolean;
  eventTime: string;
  /** The channels to send it on (each becomes a delivery). */
  channels: MessageChannelName[];
}

/** A delivery to store with its message; `leaseMs` when it is handed to a sending slot at once (leased as if claimed). */
export interface NewDelivery {
  id: string;
  notificationId: string;
  userId: string;
  channel: MessageChannelName;
  leaseMs?: number;
}

/** A message stored now, with its text as stored (an erased person's words emptied). */
export interface StoredMessage {
  id: string;
  title: string;
  body: string;
  short: string;
}

export interface PreferencesRow {
  user_id: string;
  email: boolean;
  sms: boolean;
  whatsapp: boolean;
  in_app: boolean;
  language: MessageLanguage;
  staff_instant: boolean;
  staff_daily_digest: boolean;
  last_digest_at: Date | null;
  updated_at: Date;
}

export interface ClaimedMessage {
  id: string;
  notification_id: string;
  user_id: string;
  channel: MessageChannelName;
  attempts: number;
  retry_step: number;
  title: string;
  body: string;
  short: string;
  event_time: Date;
  /** The person's choices as they are now (JSON: dates as strings), null until they chose. */
  prefs: PreferencesRow | null;
}

export interface MessageOutcome {
  id: string;
  status: MessageStatus | 'retry';
  note: string | null;
  providerId?: string;
  nextAt?: Date;
  /** A retry that is not a step of the schedule (identity was away, not the channel): false. */
  step?: boolean;
}

interface NotificationRow {
  id: string;
  type: string;
  title: string;
  body: string;
  link: string | null;
  created_at: Date;
  read_at: Date | null;
}

/** What a message about an erased person's record says instead of quoting them. */
export const ERASED_TEXT = '[dihapus atas permintaan warga]';

const toNotification = (r: NotificationRow): NotificationResponse => ({
  id: r.id,
  type: r.type,
  title: r.title,
  body: r.body,
  ...(r.link ? { link: r.link } : {}),
  createdAt: iso(r.created_at)!,
  ...(r.read_at ? { readAt: iso(r.read_at)! } : {}),
});

/** The defaults until a person chooses: email and the inbox; SMS and WhatsApp only with their consent. */
export function defaultPreferences(): NotificationPreferencesResponse {
  return { channels: { email: true, sms: false, whatsapp: false, inApp: true }, language: 'id', staff: { instant: true, dailyDigest: false } };
}

export function toPreferences(row: PreferencesRow | undefined): NotificationPreferencesResponse {
  if (!row) return defaultPreferences();
  return {
    channels: { email: row.email, sms: row.sms, whatsapp: row.whatsapp, inApp: row.in_app },
    language: row.language,
    staff: { instant: row.staff_instant, dailyDigest: row.staff_daily_digest },
    updatedAt: iso(row.updated_at)!,
  };
}

/** A delivery per channel of each message, waiting for the sender to claim it. */
function deliveriesOf(messages: NewNotification[]): NewDelivery[] {
  return messages.flatMap((n) => n.channels.map((channel) => ({ id: randomUUID(), notificationId: n.id, userId: n.userId, channel })));
}

/** All of the SQL of messages to people. */
export class MessageStore {
  /** Queues events as jobs, once each (a redelivered event finds its job there). */
  async queueJobs(m: Sql, jobs: NewJob[]): Promise<number> {
    if (!jobs.length) return 0;
    const rows = await changed(
      m,
      `INSERT INTO message_jobs (event_id, event_type, record_id, data, event_time)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::jsonb[], $5::timestamptz[])
       ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
      [jobs.map((j) => j.eventId), jobs.map((j) => j.eventType), jobs.map((j) => j.recordId), jobs.map((j) => JSON.stringify(j.data)), jobs.map((j) => j.eventTime)],
    );
    return rows.length;
  }

  /** Due jobs, leased for `leaseMs` (a process that dies mid-job leaves it to another). */
  claimJobs(m: Sql, limit: number, leaseMs: number): Promise<JobRow[]> {
    return changed<JobRow>(
      m,
      `WITH due AS (SELECT event_id FROM message_jobs WHERE status = 'pending' AND next_attempt_at <= now()
                    ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
       UPDATE message_jobs j SET attempts = j.attempts + 1, next_attempt_at = now() + make_interval(secs => $2::float8 / 1000)
       FROM due WHERE j.event_id = due.event_id
       RETURNING j.event_id, j.event_type, j.record_id, j.data, j.event_time, j.attempts`,
      [limit, leaseMs],
    );
  }

  /** Tries the job again after `delayMs`, or (no delay left) dead-letters it with the reason. */
  async failJob(m: Sql, eventId: string, reason: string, delayMs: number | undefined): Promise<void> {
    if (delayMs === undefined) {
      await m.query(`UPDATE message_jobs SET status = 'failed', finished_at = now(), last_error = $2 WHERE event_id = $1`, [eventId, reason]);
    } else {
      await m.query(`UPDATE message_jobs SET next_attempt_at = now() + make_interval(secs => $3::float8 / 1000), last_error = $2 WHERE event_id = $1`, [eventId, reason, delayMs]);
    }
  }

  /**
   * Stores messages, their deliveries and the records' subjects, and marks the jobs they came from
   * done: one statement, so it is atomic without a transaction and costs one round trip. A message
   * made before for the same event, person and type stays as it was (and gets no new deliveries).
   * Returns the ids of the messages stored now.
   */
  async insertMessages(
    m: Sql,
    messages: NewNotification[],
    { subjects = [], finishedJobs = [], deliveries = deliveriesOf(messages) }: { subjects?: Array<{ recordId: string; userId: string }>; finishedJobs?: string[]; deliveries?: NewDelivery[] } = {},
  ): Promise<StoredMessage[]> {
    if (!messages.length && !subjects.length && !finishedJobs.length) return [];
    const col = <K extends keyof NewNotification>(k: K) => messages.map((n) => n[k]);
    // What an erased person wrote (a complaint's title) is not quoted to anyone, even when the
    // record's service has not forgotten it yet. The subjects stored by this statement are not
    // visible to its own reads, so they are looked at in its parameters as well.
    const stored: StoredMessage[] = await m.query(
      `WITH new_subjects AS (SELECT * FROM unnest($16::uuid[], $17::uuid[]) AS s(record_id, user_id)),
            subjects AS (INSERT INTO record_subjects (record_id, user_id) SELECT record_id, user_id FROM new_subjects ON CONFLICT DO NOTHING),
            inserted AS (
              INSERT INTO notifications (id, user_id, event_id, record_id, agency_id, type, recipient_role, language, title, body, short, link, in_app, event_time)
              SELECT x.id, x.user_id, x.event_id, x.record_id, x.agency_id, x.type, x.recipient_role, x.language,
                     CASE WHEN gone.yes THEN $15 ELSE x.title END, CASE WHEN gone.yes THEN $15 ELSE x.body END, CASE WHEN gone.yes THEN $15 ELSE x.short END,
                     x.link, x.in_app, x.event_time
              FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::uuid[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::boolean[], $14::timestamptz[])
                AS x(id, user_id, event_id, record_id, agency_id, type, recipient_role, language, title, body, short, link, in_app, event_time)
              LEFT JOIN LATERAL (
                SELECT true AS yes FROM (SELECT s.user_id FROM record_subjects s WHERE s.record_id = x.record_id
                                         UNION ALL SELECT n.user_id FROM new_subjects n WHERE n.record_id = x.record_id) s
                  JOIN erased_users e ON e.user_id = s.user_id LIMIT 1
              ) gone ON true
              WHERE NOT EXISTS (SELECT 1 FROM erased_users e WHERE e.user_id = x.user_id)
              ON CONFLICT (event_id, user_id, type) DO NOTHING RETURNING id, title, body, short
            ),
            deliveries AS (
              INSERT INTO message_deliveries (id, notification_id, user_id, channel, attempts, next_attempt_at)
              SELECT d.id, d.n, d.u, d.c, CASE WHEN d.lease IS NULL THEN 0 ELSE 1 END, now() + make_interval(secs => COALESCE(d.lease, 0) / 1000)
              FROM unnest($22::uuid[], $18::uuid[], $19::uuid[], $20::text[], $23::float8[]) AS d(id, n, u, c, lease) JOIN inserted i ON i.id = d.n
            ),
            finished AS (UPDATE message_jobs SET status = 'done', finished_at = now(), last_error = NULL WHERE event_id = ANY($21::uuid[]))
       SELECT id, title, body, short FROM inserted`,
      [
        col('id'),
        col('userId'),
        col('eventId'),
        col('recordId'),
        col('agencyId'),
        col('type'),
        col('recipientRole'),
        col('language'),
        col('title'),
        col('body'),
        col('short'),
        col('link'),
        col('inApp'),
        col('eventTime'),
        ERASED_TEXT,
        subjects.map((x) => x.recordId),
        subjects.map((x) => x.userId),
        deliveries.map((d) => d.notificationId),
        deliveries.map((d) => d.userId),
        deliveries.map((d) => d.channel),
        finishedJobs,
        deliveries.map((d) => d.id),
        deliveries.map((d) => d.leaseMs ?? null),
      ],
    );
    return stored;
  }

  async preferences(m: Sql, userIds: string[]): Promise<Map<string, PreferencesRow>> {
    if (!userIds.length) return new Map();
    const rows: PreferencesRow[] = await m.query(`SELECT * FROM notification_preferences WHERE user_id = ANY($1::uuid[])`, [userIds]);
    return new Map(rows.map((r) => [r.user_id, r]));
  }

  async putPreferences(m: Sql, userId: string, p: NotificationPreferencesResponse): Promise<PreferencesRow> {
    const [row] = await m.query(
      `INSERT INTO notification_preferences (user_id, email, sms, whatsapp, in_app, language, staff_instant, staff_daily_digest, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now())
       ON CONFLICT (user_id) DO UPDATE SET email = $2, sms = $3, whatsapp = $4, in_app = $5, language = $6, staff_instant = $7, staff_daily_digest = $8, updated_at = now()
       RETURNING *`,
      [userId, p.channels.email, p.channels.sms, p.channels.whatsapp, p.channels.inApp, p.language, p.staff?.instant ?? true, p.staff?.dailyDigest ?? false],
    );
    return row;
  }

  /** A person turned channels off: what waits on them will not go. A send already under way may still arrive (and then says so). */
  async skipPending(m: Sql, userId: string, channels: MessageChannelName[]): Promise<number> {
    if (!channels.length) return 0;
    const rows = await changed(
      m,
      `UPDATE message_deliveries SET status = 'skipped', last_error = 'the person turned this channel off'
       WHERE user_id = $1 AND status = 'pending' AND channel = ANY($2::text[]) RETURNING id`,
      [userId, channels],
    );
    return rows.length;
  }

  async templates(m: Sql): Promise<Array<{ type: string; language: MessageLanguage; subject: string; body: string; short: string; updated_at: Date }>> {
    return m.query(`SELECT type, language, subject, body, short, updated_at FROM notification_templates`);
  }

  async putTemplate(m: Sql, t: { type: string; language: MessageLanguage; subject: string; body: string; short: string }, by: string): Promise<Date> {
    const [row] = await m.query(
      `INSERT INTO notification_templates (type, language, subject, body, short, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, now())
       ON CONFLICT (type, language) DO UPDATE SET subject = $3, body = $4, short = $5, updated_by = $6, updated_at = now() RETURNING updated_at`,
      [t.type, t.language, t.subject, t.body, t.short, by],
    );
    return row.updated_at;
  }

  /** Due deliveries on one channel, leased for `leaseMs`, with what they carry and their person's choices (`prefs`, null until they chose). */
  claimDeliveries(m: Sql, channel: MessageChannelName, limit: number, leaseMs: number): Promise<ClaimedMessage[]> {
    return changed<ClaimedMessage>(
      m,
      `WITH due AS (SELECT id FROM message_deliveries WHERE status = 'pending' AND channel = $3 AND next_attempt_at <= now()
                    ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
       UPDATE message_deliveries d SET attempts = d.attempts + 1, next_attempt_at = now() + make_interval(secs => $2::float8 / 1000)
       FROM due, notifications n WHERE d.id = due.id AND n.id = d.notification_id
       RETURNING d.id, d.notification_id, d.user_id, d.channel, d.attempts, d.retry_step, n.title, n.body, n.short, n.event_time,
                 (SELECT to_jsonb(p) FROM notification_preferences p WHERE p.user_id = d.user_id) AS prefs`,
      [limit, leaseMs, channel],
    );
  }

  async recordOutcomes(m: Sql, outcomes: MessageOutcome[]): Promise<void> {
    if (!outcomes.length) return;
    await m.query(
      `UPDATE message_deliveries d SET
         status = CASE WHEN o.status = 'retry' THEN 'pending' ELSE o.status END,
         retry_step = CASE WHEN o.status = 'retry' AND o.step THEN d.retry_step + 1 ELSE d.retry_step END,
         next_attempt_at = COALESCE(o.next_at, d.next_attempt_at),
         last_error = o.note,
         provider_id = COALESCE(o.provider_id, d.provider_id),
         delivered_at = CASE WHEN o.status = 'delivered' THEN now() ELSE d.delivered_at END
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::boolean[]) AS o(id, status, note, provider_id, next_at, step)
       WHERE d.id = o.id AND (d.status = 'pending' OR (d.status = 'skipped' AND o.status = 'delivered'))`,
      [outcomes.map((o) => o.id), outcomes.map((o) => o.status), outcomes.map((o) => o.note), outcomes.map((o) => o.providerId ?? null), outcomes.map((o) => o.nextAt ?? null), outcomes.map((o) => o.step !== false)],
    );
  }

  /**
   * A page of the person's inbox, newest first, read in the index's order. `total` is counted up
   * to EXACT_TOTAL_UP_TO + 1 (`totalExact` false past it): counting every message of a person with
   * thousands cost more than the page. A message created up to their read-all mark reads as read
   * then (see markAllRead).
   */
  async inbox(m: Sql, userId: string, unread: boolean, page: number, pageSize: number): Promise<{ items: NotificationResponse[] } & CountedTotal> {
    const offset = (page - 1) * pageSize;
    const where = `n.user_id = $1 AND n.in_app${unread ? ` AND n.read_at IS NULL AND n.created_at > ${MARK}` : ''}`;
    const { rows, ...total } = await pageWithTotal(
      offset,
      pageSize,
      () =>
        m.query(
          `SELECT n.id, n.type, n.title, n.body, n.link, n.created_at, COALESCE(n.read_at, CASE WHEN n.created_at <= ${MARK} THEN ${MARK} END) AS read_at
           FROM notifications n WHERE ${where} ORDER BY n.created_at DESC, n.id DESC LIMIT ${Number(pageSize)} OFFSET ${Number(offset)}`,
          [userId],
        ) as Promise<NotificationRow[]>,
      () => m.query(`SELECT count(*)::int AS n FROM (SELECT 1 FROM notifications n WHERE ${where} LIMIT ${EXACT_TOTAL_UP_TO + 1}) x`, [userId]).then((r: Array<{ n: number }>) => r[0].n),
    );
    return { items: rows.map(toNotification), ...total };
  }

  /** The unread messages: those not read one by one, created after the person's read-all mark (a range of the unread index). */
  async unreadCount(m: Sql, userId: string): Promise<number> {
    const [{ count }] = await m.query(`SELECT count(*)::int AS count FROM notifications n WHERE n.user_id = $1 AND n.in_app AND n.read_at IS NULL AND n.created_at > ${MARK}`, [userId]);
    return count;
  }

  /** Marks one of the person's messages read (again: it stays read when it was, at the read-all mark if that covered it); undefined when it is not theirs. */
  async markRead(m: Sql, userId: string, id: string): Promise<NotificationResponse | undefined> {
    const [row] = await changed<NotificationRow>(
      m,
      `UPDATE notifications n SET read_at = COALESCE(n.read_at, CASE WHEN n.created_at <= ${mark('$2')} THEN ${mark('$2')} END, now())
       WHERE n.id = $1 AND n.user_id = $2 AND n.in_app RETURNING n.id, n.type, n.title, n.body, n.link, n.created_at, n.read_at`,
      [id, userId],
    );
    return row && toNotification(row);
  }

  /**
   * Marks the person's unread messages read; how many this call marked. One row per person moves
   * (their read-all mark, to now): the messages themselves are not written, so the cost does not
   * grow with their number (at 250 requests/s, rewriting thousands of rows and their six indexes
   * on each call queued the calls for tens of seconds). The mark is locked first, so calls at the
   * same moment (two tabs, a double click) count each message once: the later one counts from
   * the earlier one's mark. A message whose composing began before the mark but committed after
   * it is taken as read with the rest.
   */
  async markAllRead(m: DataSource, userId: string): Promise<number> {
    return m.transaction(async (t) => {
      await t.query(`INSERT INTO inbox_marks (user_id, read_all_at) VALUES ($1, '-infinity') ON CONFLICT DO NOTHING`, [userId]);
      const [{ n }] = await t.query(
        `WITH prev AS (SELECT read_all_at AS at FROM inbox_marks WHERE user_id = $1 FOR UPDATE),
              moved AS (UPDATE inbox_marks SET read_all_at = GREATEST(read_all_at, now()) WHERE user_id = $1)
         SELECT count(*)::int AS n FROM notifications n, prev
         WHERE n.user_id = $1 AND n.in_app AND n.read_at IS NULL AND n.created_at > prev.at AND n.created_at <= now()`,
        [userId],
      );
      return n;
    });
  }

  /** Messages about records (staff's view): by role, never by person. `agencyId` limits them to one agency's records. */
  async messages(m: Sql, filter: { recordId?: string; status?: MessageStatus; agencyId?: string }, page: number, pageSize: number): Promise<{ items: MessageResponse[] } & CountedTotal> {
    const params: unknown[] = [];
    const where: string[] = [];
    if (filter.recordId) where.push(`n.record_id = $${params.push(filter.recordId)}`);
    if (filter.agencyId) where.push(`n.agency_id = $${params.push(filter.agencyId)}`);
    if (filter.status) where.push(`EXISTS (SELECT 1 FROM message_deliveries x WHERE x.notification_id = n.id AND x.status = $${params.push(filter.status)})`);
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const offset = (page - 1) * pageSize;
    // The page first, in the order of an index (by record, by agency, or all of them), then each
    // message's deliveries: grouping the join of every message with its deliveries before the
    // LIMIT read and sorted the whole table (11 s at a million messages). Counted up to
    // EXACT_TOTAL_UP_TO + 1, as the other large lists are.
    const { rows, ...total } = await pageWithTotal(
      offset,
      pageSize,
      () =>
        m.query(
          `SELECT n.id, n.type, n.record_id, n.recipient_role, n.event_id, n.created_at,
             COALESCE((SELECT json_agg(json_build_object('channel', d.channel, 'status', d.status, 'attempts', d.attempts, 'lastError', d.last_error,
               'nextAttemptAt', CASE WHEN d.status = 'pending' THEN d.next_attempt_at END, 'deliveredAt', d.delivered_at) ORDER BY d.channel)
               FROM message_deliveries d WHERE d.notification_id = n.id), '[]') AS channels
           FROM notifications n ${clause} ORDER BY n.created_at DESC, n.id DESC LIMIT ${Number(pageSize)} OFFSET ${Number(offset)}`,
          params,
        ),
      () =>
        m
          .query(
            // By status alone (the dead letters): counted on the deliveries' status index, not by probing messages newest first.
            filter.status && where.length === 1
              ? `SELECT count(*)::int AS n FROM (SELECT 1 FROM message_deliveries x WHERE x.status = $1 GROUP BY x.notification_id LIMIT ${EXACT_TOTAL_UP_TO + 1}) x`
              : `SELECT count(*)::int AS n FROM (SELECT 1 FROM notifications n ${clause} LIMIT ${EXACT_TOTAL_UP_TO + 1}) x`,
            params,
          )
          .then((r: Array<{ n: number }>) => r[0].n),
    );
    const items = (rows as Array<{ id: string; type: string; record_id: string | null; recipient_role: MessageResponse['recipientRole']; event_id: string; created_at: Date; channels: Array<Record<string, unknown>> }>).map(
      (r): MessageResponse => ({
        id: r.id,
        type: r.type,
        recordId: r.record_id,
        recipientRole: r.recipient_role,
        eventId: r.event_id,
        createdAt: iso(r.created_at)!,
        channels: r.channels.map(
          (c): ChannelDeliveryResponse => ({
            channel: c.channel as MessageChannelName,
            status: c.status as MessageStatus,
            attempts: c.attempts as number,
            ...(c.lastError ? { lastError: c.lastError as string } : {}),
            ...(c.nextAttemptAt ? { nextAttemptAt: new Date(c.nextAttemptAt as string).toISOString() } : {}),
            ...(c.deliveredAt ? { deliveredAt: new Date(c.deliveredAt as string).toISOString() } : {}),
          }),
        ),
      }),
    );
    return { items, ...total };
  }

  /** Everything held about a person, for their data export. */
  async everythingOf(m: Sql, userId: string): Promise<{ preferences: PreferencesRow | undefined; notifications: NotificationResponse[] }> {
    const [prefs, rows] = await Promise.all([
      m.query(`SELECT * FROM notification_preferences WHERE user_id = $1`, [userId]),
      m.query(
        `SELECT n.id, n.type, n.title, n.body, n.link, n.created_at, COALESCE(n.read_at, CASE WHEN n.created_at <= ${MARK} THEN ${MARK} END) AS read_at
         FROM notifications n WHERE n.user_id = $1 ORDER BY n.created_at, n.id`,
        [userId],
      ),
    ]);
    return { preferences: prefs[0], notifications: (rows as NotificationRow[]).map(toNotification) };
  }

  /** Erasure: the person's messages (their deliveries go with them) and preferences. */
  async erase(m: Sql, userIds: string[]): Promise<void> {
    if (!userIds.length) return;
    await m.query(`INSERT INTO erased_users (user_id) SELECT unnest($1::uuid[]) ON CONFLICT DO NOTHING`, [userIds]);
    await m.query(`DELETE FROM notifications WHERE user_id = ANY($1::uuid[])`, [userIds]);
    // Others' messages about the person's records quoted what they wrote; a message still waiting
    // to go sends the emptied text.
    await m.query(
      `UPDATE notifications SET title = $2, body = $2, short = $2
       WHERE record_id IN (SELECT record_id FROM record_subjects WHERE user_id = ANY($1::uuid[])) AND title <> $2`,
      [userIds, ERASED_TEXT],
    );
    await m.query(`DELETE FROM notification_preferences WHERE user_id = ANY($1::uuid[])`, [userIds]);
    await m.query(`DELETE FROM inbox_marks WHERE user_id = ANY($1::uuid[])`, [userIds]);
  }

  /** Complaints to forward to SP4N-LAPOR!, once per request event. */
  async queueLaporForwards(m: Sql, requests: Array<{ eventId: string; complaintId: string }>): Promise<number> {
    if (!requests.length) return 0;
    const rows = await changed(
      m,
      `INSERT INTO lapor_forwards (request_event_id, complaint_id) SELECT * FROM unnest($1::uuid[], $2::uuid[]) ON CONFLICT DO NOTHING RETURNING request_event_id`,
      [requests.map((r) => r.eventId), requests.map((r) => r.complaintId)],
    );
    return rows.length;
  }

  /** Keeps the read model of deadlines current (the last event of a record in a batch wins). */
  async trackDeadlines(m: Sql, deadlines: Array<{ recordId: string; kind: string; dueAt: string | null }>): Promise<void> {
    if (!deadlines.length) return;
    const last = new Map(deadlines.map((d) => [d.recordId, d]));
    const rows = [...last.values()];
    await m.query(
      `INSERT INTO record_deadlines (record_id, kind, due_at) SELECT * FROM unnest($1::uuid[], $2::text[], $3::timestamptz[])
       ON CONFLICT (record_id) DO UPDATE SET due_at = EXCLUDED.due_at, updated_at = now()`,
      [rows.map((d) => d.recordId), rows.map((d) => d.kind), rows.map((d) => d.dueAt)],
    );
  }

  /** Deadlines passing within `withinMs` not warned of yet: marked warned, in the caller's transaction. */
  claimApproaching(m: Sql, withinMs: number, limit: number): Promise<Array<{ record_id: string; kind: string; due_at: Date }>> {
    return changed(
      m,
      `WITH due AS (SELECT record_id FROM record_deadlines
                    WHERE due_at > now() AND due_at <= now() + make_interval(secs => $1::float8 / 1000) AND warned_due_at IS DISTINCT FROM due_at
                    ORDER BY due_at LIMIT $2 FOR UPDATE SKIP LOCKED)
       UPDATE record_deadlines r SET warned_due_at = r.due_at FROM due WHERE r.record_id = due.record_id RETURNING r.record_id, r.kind, r.due_at`,
      [withinMs, limit],
    );
  }

  /** The staff messages a person got since `since` (their digest). */
  async staffMessagesSince(m: Sql, userId: string, since: Date): Promise<Array<{ title: string; created_at: Date }>> {
    return m.query(
      `SELECT title, created_at FROM notifications WHERE user_id = $1 AND recipient_role = 'staff' AND type <> 'staff.digest' AND created_at > $2 ORDER BY created_at LIMIT 200`,
      [userId, since],
    );
  }

  /** Staff whose daily digest is due (none since `dueBefore`); claims them by moving `last_digest_at`, and says when the one before was. */
  async claimDigests(m: Sql, dueBefore: Date, limit: number): Promise<Array<PreferencesRow & { previous_digest_at: Date | null }>> {
    return changed(
      m,
      `WITH due AS (SELECT user_id, last_digest_at AS previous FROM notification_preferences WHERE staff_daily_digest AND (last_digest_at IS NULL OR last_digest_at < $1)
                    LIMIT $2 FOR UPDATE SKIP LOCKED)
       UPDATE notification_preferences p SET last_digest_at = now() FROM due WHERE p.user_id = due.user_id RETURNING p.*, due.previous AS previous_digest_at`,
      [dueBefore, limit],
    );
  }

  /** How many messages wait on a channel, and how old the oldest is (seconds). */
  async pendingSummary(m: Sql): Promise<{ pending: number; oldestSeconds: number; jobs: number }> {
    const [row] = await m.query(
      `SELECT (SELECT count(*)::int FROM message_deliveries WHERE status = 'pending') AS pending,
              COALESCE((SELECT EXTRACT(EPOCH FROM now() - min(created_at)) FROM message_deliveries WHERE status = 'pending'), 0)::float8 AS oldest,
              (SELECT count(*)::int FROM message_jobs WHERE status = 'pending') AS jobs`,
    );
    return { pending: row.pending, oldestSeconds: row.oldest, jobs: row.jobs };
  }
}
