import { CountedTotal, DeliveryResponse, DeliveryStatus, EXACT_TOTAL_UP_TO, pageWithTotal, ReplayResponse, WebhookResponse } from '@smart-regency/contracts';
import { EntityManager } from 'typeorm';

import { changed, iso, Sql } from '../sql';

export type { Sql };

export interface SubscriptionRow {
  id: string;
  url: string;
  event_types: string[];
  agency_id: string | null;
  description: string;
  active: boolean;
  disabled_reason: string | null;
  disabled_at: Date | null;
  secret_sealed: string;
  previous_secret_sealed: string | null;
  previous_secret_expires_at: Date | null;
  failing_since: Date | null;
  created_at: Date;
  updated_at: Date;
  version: number;
}

export interface DeliveryRow {
  id: string;
  subscription_id: string;
  event_id: string;
  event_type: string;
  event_time: Date;
  status: DeliveryStatus;
  attempts: number;
  last_attempt_at: Date | null;
  last_response_status: number | null;
  last_error: string | null;
  next_attempt_at: Date | null;
  delivered_at: Date | null;
  created_at: Date;
}

export interface ReplayRow {
  id: string;
  subscription_id: string;
  since: Date;
  status: 'running' | 'done' | 'failed';
  events_total: string;
  events_scanned: string;
  deliveries_queued: string;
  error: string | null;
  started_at: Date;
  heartbeat_at: Date;
  finished_at: Date | null;
}


export function toWebhookResponse(s: SubscriptionRow): WebhookResponse {
  return {
    id: s.id,
    url: s.url,
    eventTypes: s.event_types,
    agencyId: s.agency_id,
    description: s.description,
    active: s.active,
    disabledReason: s.disabled_reason,
    disabledAt: iso(s.disabled_at),
    previousSecretExpiresAt: s.previous_secret_expires_at && s.previous_secret_expires_at > new Date() ? iso(s.previous_secret_expires_at) : null,
    createdAt: iso(s.created_at)!,
    updatedAt: iso(s.updated_at)!,
  };
}

export function toDeliveryResponse(d: DeliveryRow): DeliveryResponse {
  return {
    id: d.id,
    eventId: d.event_id,
    eventType: d.event_type,
    eventTime: iso(d.event_time)!,
    status: d.status,
    attempts: d.attempts,
    lastAttemptAt: iso(d.last_attempt_at),
    lastResponseStatus: d.last_response_status,
    lastError: d.last_error,
    nextAttemptAt: d.status === 'pending' ? iso(d.next_attempt_at) : null,
    deliveredAt: iso(d.delivered_at),
    createdAt: iso(d.created_at)!,
  };
}

/** A replay that has not written progress for this long died with its process. */
export const REPLAY_STALE_MS = 120_000;

export function toReplayResponse(r: ReplayRow, now = new Date()): ReplayResponse {
  const stale = r.status === 'running' && now.getTime() - new Date(r.heartbeat_at).getTime() > REPLAY_STALE_MS;
  return {
    id: r.id,
    webhookId: r.subscription_id,
    since: iso(r.since)!,
    status: stale ? 'failed' : r.status,
    eventsTotal: Number(r.events_total),
    eventsScanned: Number(r.events_scanned),
    deliveriesQueued: Number(r.deliveries_queued),
    error: stale ? 'interrupted: the process running it stopped; start it again' : r.error,
    startedAt: iso(r.started_at)!,
    finishedAt: iso(r.finished_at),
  };
}

const DELIVERY_COLUMNS = `id, subscription_id, event_id, event_type, event_time, status, attempts, last_attempt_at, last_response_status, last_error, next_attempt_at, delivered_at, created_at`;

/** New deliveries: one per (subscription, event), in the given order. */
export interface NewDelivery {
  subscriptionId: string;
  eventId: string;
  eventType: string;
  eventTime: string;
  payload: string;
}

/** A delivery claimed for an attempt, with what the attempt needs. */
export interface ClaimedDelivery {
  id: string;
  subscription_id: string;
  event_id: string;
  payload: string;
  attempts: number;
  retry_step: number;
  url: string;
  secret_sealed: string;
  previous_secret_sealed: string | null;
  previous_secret_expires_at: Date | null;
}

/** The outcome of one attempt, written back in batches. */
export interface AttemptOutcome {
  id: string;
  subscriptionId: string;
  delivered: boolean;
  status: number | null;
  note: string | null;
  /** Pending again at this time, or null when delivered or out of attempts. */
  nextAttemptAt: Date | null;
}

/** All of notifications' SQL about webhooks. */
export class WebhookStore {
  async insertSubscription(m: Sql, s: { id: string; url: string; eventTypes: string[]; agencyId: string | null; description: string; active: boolean; secretSealed: string; createdBy: string | null }): Promise<SubscriptionRow> {
    const [row] = await m.query(
      `INSERT INTO webhook_subscriptions (id, url, event_types, agency_id, description, active, secret_sealed, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
      [s.id, s.url, s.eventTypes, s.agencyId, s.description, s.active, s.secretSealed, s.createdBy],
    );
    return row;
  }

  async countSubscriptions(m: Sql): Promise<number> {
    const [row] = await m.query(`SELECT count(*)::int AS n FROM webhook_subscriptions`);
    return row.n;
  }

  async listSubscriptions(m: Sql, active: boolean | undefined, skip: number, take: number): Promise<{ rows: SubscriptionRow[]; total: number }> {
    const where = active === undefined ? '' : 'WHERE active = $3';
    const params: unknown[] = [take, skip, ...(active === undefined ? [] : [active])];
    const rows = await m.query(`SELECT * FROM webhook_subscriptions ${where} ORDER BY created_at, id LIMIT $1 OFFSET $2`, params);
    const [count] = await m.query(`SELECT count(*)::int AS n FROM webhook_subscriptions ${active === undefined ? '' : 'WHERE active = $1'}`, active === undefined ? [] : [active]);
    return { rows, total: count.n };
  }

  async findSubscription(m: Sql, id: string, lock = false): Promise<SubscriptionRow | undefined> {
    const [row] = await m.query(`SELECT * FROM webhook_subscriptions WHERE id = $1 ${lock ? 'FOR UPDATE' : ''}`, [id]);
    return row;
  }

  async updateSubscription(m: Sql, id: string, changes: Partial<Record<keyof SubscriptionRow, unknown>>): Promise<SubscriptionRow> {
    const keys = Object.keys(changes);
    const sets = keys.map((k, i) => `${k} = $${i + 2}`);
    const [row] = await changed<SubscriptionRow>(
      m,
      `UPDATE webhook_subscriptions SET ${[...sets, 'updated_at = now()', 'version = version + 1'].join(', ')} WHERE id = $1 RETURNING *`,
      [id, ...keys.map((k) => changes[k as keyof SubscriptionRow])],
    );
    return row;
  }

  async deleteSubscription(m: Sql, id: string): Promise<void> {
    await m.query(`DELETE FROM webhook_subscriptions WHERE id = $1`, [id]);
  }

  /**
   * Subscriptions that take new deliveries: active ones, and those the system turned off less than
   * `heldDays` ago (their deliveries wait for the admin). After that nothing more is queued for a
   * receiver that may never come back; a replay fetches the rest from the stream.
   */
  async receivingSubscriptions(m: Sql, heldDays: number, patterns: string[]): Promise<Array<Pick<SubscriptionRow, 'id' | 'event_types' | 'agency_id'>>> {
    // `patterns`: those that can match the batch's event types (patternsMatching), through the
    // index on event_types; the caller still matches each event exactly.
    return m.query(
      `SELECT id, event_types, agency_id FROM webhook_subscriptions
       WHERE event_types && $2::text[] AND (active OR (disabled_reason IS NOT NULL AND disabled_at > now() - make_interval(days => $1)))`,
      [heldDays, patterns],
    );
  }

  /** Remembers which agencies each record belongs to, from events that say so. */
  async rememberAgencies(m: Sql, records: Map<string, string[]>): Promise<void> {
    if (!records.size) return;
    await m.query(
      `INSERT INTO record_agencies (record_id, agency_ids)
       SELECT r, string_to_array(a, ',')::uuid[] FROM unnest($1::text[], $2::text[]) AS t(r, a)
       ON CONFLICT (record_id) DO UPDATE SET agency_ids = EXCLUDED.agency_ids, updated_at = now()`,
      [[...records.keys()], [...records.values()].map((a) => a.join(','))],
    );
  }

  async agenciesOf(m: Sql, recordIds: string[]): Promise<Map<string, string[]>> {
    if (!recordIds.length) return new Map();
    const rows: Array<{ record_id: string; agency_ids: string[] }> = await m.query(`SELECT record_id, agency_ids FROM record_agencies WHERE record_id = ANY($1)`, [recordIds]);
    return new Map(rows.map((r) => [r.record_id, r.agency_ids]));
  }

  /**
   * Queues deliveries. `again`: a replay, so a delivery that exists is queued once more;
   * otherwise an existing one is left as it is. Returns how many rows were queued.
   */
  async queueDeliveries(m: Sql, deliveries: NewDelivery[], again = false): Promise<number> {
    if (!deliveries.length) return 0;
    const rows: unknown[] = await m.query(
      `INSERT INTO webhook_deliveries (id, subscription_id, event_id, event_type, event_time, payload, next_attempt_at)
       SELECT gen_random_uuid(), s, e, t, tm, p, now() FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::timestamptz[], $5::text[]) AS x(s, e, t, tm, p)
       ON CONFLICT (subscription_id, event_id) DO ${again ? `UPDATE SET status = 'pending', next_attempt_at = now(), retry_step = 0` : 'NOTHING'}
       RETURNING id`,
      [deliveries.map((d) => d.subscriptionId), deliveries.map((d) => d.eventId), deliveries.map((d) => d.eventType), deliveries.map((d) => d.eventTime), deliveries.map((d) => d.payload)],
    );
    return rows.length;
  }

  /**
   * Claims up to `limit` due deliveries of active subscriptions for an attempt, at most
   * `perSubscription` in flight for each (`inFlight`: what this process has in flight, by
   * subscription), so a slow or hanging receiver cannot take every slot from the others. The
   * attempt is counted and the row leased until `leaseMs` from now, so a process that dies
   * mid-attempt leaves it to be tried again after the lease (at least once).
   */
  async claimDue(m: Sql, limit: number, leaseMs: number, perSubscription: number, inFlight: Map<string, number>): Promise<ClaimedDelivery[]> {
    return changed<ClaimedDelivery>(
      m,
      // The subscriptions with something pending, one index probe each (a loose scan of the due
      // index): a claim does not visit the thousands of subscriptions that wait for nothing.
      `WITH RECURSIVE busy (id, n) AS (SELECT * FROM unnest($3::uuid[], $4::int[])),
       waiting (id) AS (
         (SELECT subscription_id FROM webhook_deliveries WHERE status = 'pending' ORDER BY subscription_id LIMIT 1)
         UNION ALL
         SELECT (SELECT d.subscription_id FROM webhook_deliveries d WHERE d.status = 'pending' AND d.subscription_id > w.id ORDER BY d.subscription_id LIMIT 1)
         FROM waiting w WHERE w.id IS NOT NULL),
       candidates AS (
         SELECT c.id, c.next_attempt_at FROM waiting w
         JOIN webhook_subscriptions s ON s.id = w.id
         LEFT JOIN busy b ON b.id = s.id
         CROSS JOIN LATERAL (
           SELECT d.id, d.next_attempt_at FROM webhook_deliveries d
           WHERE d.subscription_id = s.id AND d.status = 'pending' AND d.next_attempt_at <= now()
           ORDER BY d.next_attempt_at LIMIT GREATEST(0, $5 - COALESCE(b.n, 0))) c
         WHERE s.active
         ORDER BY c.next_attempt_at LIMIT $1),
       due AS (SELECT d.id FROM webhook_deliveries d WHERE d.id IN (SELECT id FROM candidates) AND d.status = 'pending' FOR UPDATE SKIP LOCKED)
       UPDATE webhook_deliveries d
       SET next_attempt_at = now() + make_interval(secs => $2::float8 / 1000), attempts = d.attempts + 1, last_attempt_at = now()
       FROM due, webhook_subscriptions s
       WHERE d.id = due.id AND s.id = d.subscription_id
       RETURNING d.id, d.subscription_id, d.event_id, d.payload, d.attempts, d.retry_step, s.url, s.secret_sealed, s.previous_secret_sealed, s.previous_secret_expires_at`,
      [limit, leaseMs, [...inFlight.keys()], [...inFlight.values()], perSubscription],
    );
  }

  /** How many deliveries wait, and how long the oldest has waited (seconds). */
  async pendingSummary(m: Sql): Promise<{ pending: number; oldestSeconds: number }> {
    const [row] = await m.query(
      `SELECT count(*)::int AS pending, COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)::float8 AS oldest FROM webhook_deliveries WHERE status = 'pending'`,
    );
    return { pending: row.pending, oldestSeconds: row.oldest };
  }

  /**
   * Writes a batch of attempt outcomes in one statement; returns the subscriptions whose delivery
   * ran out of attempts (to be turned off).
   */
  async recordOutcomes(m: Sql, outcomes: AttemptOutcome[]): Promise<Array<{ subscription_id: string; last_response_status: number | null; last_error: string | null }>> {
    if (!outcomes.length) return [];
    const updated = await changed<{ subscription_id: string; status: string; last_response_status: number | null; last_error: string | null }>(
      m,
      `UPDATE webhook_deliveries d SET
         status = CASE WHEN o.delivered THEN 'delivered' WHEN o.next_at IS NULL THEN 'failed' ELSE 'pending' END,
         delivered_at = CASE WHEN o.delivered THEN now() ELSE d.delivered_at END,
         next_attempt_at = o.next_at,
         retry_step = CASE WHEN o.delivered THEN d.retry_step ELSE d.retry_step + 1 END,
         last_response_status = o.status,
         last_error = o.note
       FROM unnest($1::uuid[], $2::boolean[], $3::int[], $4::text[], $5::timestamptz[]) AS o(id, delivered, status, note, next_at)
       WHERE d.id = o.id AND d.status = 'pending'
       RETURNING d.subscription_id, d.status, d.last_response_status, d.last_error`,
      [outcomes.map((o) => o.id), outcomes.map((o) => o.delivered), outcomes.map((o) => o.status), outcomes.map((o) => o.note), outcomes.map((o) => o.nextAttemptAt)],
    );
    const succeeded = [...new Set(outcomes.filter((o) => o.delivered).map((o) => o.subscriptionId))];
    const failing = [...new Set(outcomes.filter((o) => !o.delivered).map((o) => o.subscriptionId))];
    if (succeeded.length) {
      await m.query(
        `UPDATE webhook_subscriptions SET failing_since = NULL, last_success_at = now()
         WHERE id = ANY($1) AND (failing_since IS NOT NULL OR last_success_at IS NULL OR last_success_at < now() - interval '1 minute')`,
        [succeeded],
      );
    }
    if (failing.length) await m.query(`UPDATE webhook_subscriptions SET failing_since = now() WHERE id = ANY($1) AND failing_since IS NULL`, [failing]);
    return updated.filter((u) => u.status === 'failed');
  }

  /** Turns a subscription off for a reason the system found; false when it was already off. */
  async disable(m: Sql, id: string, reason: string): Promise<boolean> {
    const rows = await changed(
      m,
      `UPDATE webhook_subscriptions SET active = false, disabled_reason = $2, disabled_at = now(), updated_at = now(), version = version + 1
       WHERE id = $1 AND active RETURNING id`,
      [id, reason],
    );
    return rows.length > 0;
  }

  /** After a re-enable: what waited or failed goes now, with a fresh retry schedule. */
  async requeueUndelivered(m: Sql, subscriptionId: string): Promise<number> {
    const rows = await changed(
      m,
      `UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = now(), retry_step = 0
       WHERE subscription_id = $1 AND status IN ('pending', 'failed') RETURNING id`,
      [subscriptionId],
    );
    return rows.length;
  }

  /** A page of a subscription's deliveries, newest first, counted up to EXACT_TOTAL_UP_TO + 1 (a live receiver has millions). */
  async listDeliveries(m: Sql, subscriptionId: string, status: DeliveryStatus | undefined, skip: number, take: number): Promise<{ rows: DeliveryRow[] } & CountedTotal> {
    const filter = status ? 'AND status = $2' : '';
    const params = [subscriptionId, ...(status ? [status] : [])];
    return pageWithTotal(
      skip,
      take,
      () => m.query(`SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries WHERE subscription_id = $1 ${filter} ORDER BY created_at DESC, id LIMIT ${Number(take)} OFFSET ${Number(skip)}`, params) as Promise<DeliveryRow[]>,
      () => m.query(`SELECT count(*)::int AS n FROM (SELECT 1 FROM webhook_deliveries WHERE subscription_id = $1 ${filter} LIMIT ${EXACT_TOTAL_UP_TO + 1}) x`, params).then((r: Array<{ n: number }>) => r[0].n),
    );
  }

  async redeliver(m: Sql, subscriptionId: string, deliveryId: string): Promise<DeliveryRow | undefined> {
    const [row] = await changed<DeliveryRow>(
      m,
      `UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = now(), retry_step = 0
       WHERE id = $1 AND subscription_id = $2 RETURNING ${DELIVERY_COLUMNS}`,
      [deliveryId, subscriptionId],
    );
    return row;
  }

  async insertReplay(m: Sql, r: { id: string; subscriptionId: string; since: string; requestedBy: string | null }): Promise<ReplayRow> {
    const [row] = await m.query(
      // Started when it is written (after the subscription's lock and the check that none runs), not when its transaction began.
      `INSERT INTO webhook_replays (id, subscription_id, since, requested_by, started_at, heartbeat_at) VALUES ($1, $2, $3, $4, clock_timestamp(), clock_timestamp()) RETURNING *`,
      [r.id, r.subscriptionId, r.since, r.requestedBy],
    );
    return row;
  }

  async runningReplay(m: Sql, subscriptionId: string): Promise<ReplayRow | undefined> {
    const [row] = await m.query(
      `SELECT * FROM webhook_replays WHERE subscription_id = $1 AND status = 'running' AND heartbeat_at > now() - make_interval(secs => $2::float8 / 1000) LIMIT 1`,
      [subscriptionId, REPLAY_STALE_MS],
    );
    return row;
  }

  async findReplay(m: Sql, subscriptionId: string, replayId: string): Promise<ReplayRow | undefined> {
    const [row] = await m.query(`SELECT * FROM webhook_replays WHERE id = $1 AND subscription_id = $2`, [replayId, subscriptionId]);
    return row;
  }

  async replayProgress(
    m: Sql,
    id: string,
    progress: { total: number; scanned: number; queued: number },
    end?: { status: 'done' | 'failed'; error?: string },
  ): Promise<void> {
    await m.query(
      `UPDATE webhook_replays SET events_total = $2, events_scanned = $3, deliveries_queued = $4, heartbeat_at = now()
         ${end ? `, status = $5, error = $6, finished_at = now()` : ''}
       WHERE id = $1`,
      [id, progress.total, progress.scanned, progress.queued, ...(end ? [end.status, end.error ?? null] : [])],
    );
  }

  /** Deletes delivered rows older than the retention; returns how many. */
  async purgeDelivered(m: Sql, olderThanDays: number, limit = 10_000): Promise<number> {
    const rows = await changed(
      m,
      `DELETE FROM webhook_deliveries WHERE id IN (
         SELECT id FROM webhook_deliveries WHERE status = 'delivered' AND delivered_at < now() - make_interval(days => $1) LIMIT $2)
       RETURNING id`,
      [olderThanDays, limit],
    );
    return rows.length;
  }
}

export type { EntityManager };
