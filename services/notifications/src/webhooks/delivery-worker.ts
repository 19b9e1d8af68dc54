import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AuditTrail, EventRecorder, isDatabaseUnavailable, Metrics, SYSTEM_ACTOR } from '@smart-regency/platform';
import { Counter, Gauge, Histogram } from 'prom-client';
import { DataSource } from 'typeorm';
import { NotificationsConfig, retryDelays } from '../config';
import { SecretSealer, WebhookSigner } from './webhook-secrets';
import { AttemptOutcome, ClaimedDelivery, WebhookStore } from './webhook.store';
import { WebhookSender } from './webhook-sender';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Outcomes are written back in batches of up to this many, or after FLUSH_MS. */
const FLUSH_BATCH = 200;
const FLUSH_MS = 20;
const WAKE_SOON_MS = 5;

/**
 * The last failure as a subscription's disabled reason names it: the receiver's status, or the
 * kind of error. The reason travels in an event that every integrator reads, and in the audit
 * trail: never the receiver's host, address or port, which error messages carry (the delivery
 * log keeps the whole message, for admins).
 */
export function lastFailure(status: number | null, note: string | null): string {
  if (status) return `HTTP ${status}`;
  if (!note) return 'no answer';
  if (/target refused|does not resolve/.test(note)) return 'target refused';
  if (note.startsWith('no answer within')) return 'no answer in time';
  return /^([A-Z][A-Z0-9_]{2,}):/.exec(note)?.[1] ?? 'no answer';
}

/**
 * Sends due deliveries, up to WEBHOOK_CONCURRENCY at once per replica. Rows are claimed with
 * SKIP LOCKED (replicas share the queue) and leased for the attempt's time limit, so a process
 * that dies mid-attempt leaves the row to be tried again (at least once). A failed attempt is
 * retried after the next delay of the schedule; when the schedule runs out the delivery is marked
 * failed and the subscription turned off with the reason, its later deliveries waiting for an
 * admin to turn it back on. New deliveries wake the worker at once (`wake()`); retries are found
 * by polling.
 */
@Injectable()
export class DeliveryWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Webhooks');
  private readonly store = new WebhookStore();
  private readonly signer = new WebhookSigner();
  private readonly sealer: SecretSealer;
  private readonly delays: number[];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly inFlightBySubscription = new Map<string, number>();
  private outcomes: AttemptOutcome[] = [];
  private flushing?: Promise<void>;
  private flushTimer?: NodeJS.Timeout;
  private running = false;
  private loop?: Promise<void>;
  private wakeUp?: () => void;
  private woken = false;
  private soonTimer?: NodeJS.Timeout;
  private readonly attemptsTotal: Counter<'outcome'>;
  private readonly attemptSeconds: Histogram<'outcome'>;
  private readonly commitToDelivery: Histogram;

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: NotificationsConfig,
    private readonly sender: WebhookSender,
    private readonly events: EventRecorder,
    private readonly audit: AuditTrail,
    metrics: Metrics,
  ) {
    this.sealer = new SecretSealer(config.WEBHOOK_SECRET_ENCRYPTION_KEY, config.WEBHOOK_SECRET_ENCRYPTION_KEY_PREVIOUS);
    this.delays = retryDelays(config);
    this.attemptsTotal = new Counter({
      name: 'webhook_attempts_total',
      help: 'Webhook delivery attempts, by outcome (delivered, failed, refused)',
      labelNames: ['outcome'] as const,
      registers: [metrics.registry],
    });
    this.attemptSeconds = new Histogram({
      name: 'webhook_attempt_duration_seconds',
      help: 'Time of one delivery attempt, by outcome',
      labelNames: ['outcome'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [metrics.registry],
    });
    // Read on each scrape (the partial index of pending rows answers it), one query for both gauges.
    let summary: { at: number; value: Promise<{ pending: number; oldestSeconds: number } | undefined> } | undefined;
    const pendingSummary = () => {
      if (!summary || Date.now() - summary.at > 1000) summary = { at: Date.now(), value: this.store.pendingSummary(this.dataSource).catch(() => undefined) };
      return summary.value;
    };
    new Gauge({
      name: 'webhook_deliveries_pending',
      help: 'Deliveries waiting for an attempt or a retry, of active and turned-off subscriptions',
      registers: [metrics.registry],
      async collect() {
        this.set((await pendingSummary())?.pending ?? 0);
      },
    });
    new Gauge({
      name: 'webhook_oldest_pending_seconds',
      help: 'Age of the oldest delivery still waiting (0 when none): an alert on it catches a stuck queue',
      registers: [metrics.registry],
      async collect() {
        this.set((await pendingSummary())?.oldestSeconds ?? 0);
      },
    });
    this.commitToDelivery = new Histogram({
      name: 'webhook_event_to_delivery_seconds',
      help: "From the event's time to its first successful delivery",
      buckets: [0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 5, 30, 300, 3600],
      registers: [metrics.registry],
    });
  }

  onApplicationBootstrap(): void {
    this.running = true;
    this.loop = this.run();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.running = false;
    clearTimeout(this.soonTimer);
    this.wake();
    await this.loop;
    await Promise.all(this.inFlight);
    await this.flush();
    this.sender.close();
  }

  /** New deliveries are queued: look now rather than at the next poll. */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /**
   * Wakes the loop a few milliseconds from now: attempts that end close together free their slots
   * for one claim, not one claim (a database round trip) each.
   */
  private wakeSoon(): void {
    this.soonTimer ??= setTimeout(() => {
      this.soonTimer = undefined;
      this.wake();
    }, WAKE_SOON_MS);
  }

  private async run(): Promise<void> {
    const lease = this.config.WEBHOOK_TIMEOUT_MS + 30_000;
    while (this.running) {
      const room = this.config.WEBHOOK_CONCURRENCY - this.inFlight.size;
      if (room <= 0) {
        await Promise.race(this.inFlight);
        continue;
      }
      this.woken = false;
      let claimed: ClaimedDelivery[] = [];
      try {
        claimed = await this.store.claimDue(this.dataSource, room, lease, this.config.WEBHOOK_CONCURRENCY_PER_SUBSCRIPTION, this.inFlightBySubscription);
      } catch (error) {
        if (!isDatabaseUnavailable(error)) this.logger.error(`claiming deliveries failed: ${(error as Error).message}`);
        await sleep(1000);
        continue;
      }
      for (const delivery of claimed) this.start(delivery);
      // A full claim may have left more behind: claim again as soon as there is room.
      if (claimed.length === room) continue;
      if (!this.woken) await this.idle(claimed.length ? FLUSH_MS : this.config.WEBHOOK_POLL_MS);
    }
  }

  /** Waits until woken, a slot frees up with work possibly waiting, or `ms` pass. */
  private idle(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = () => {
        this.wakeUp = undefined;
        done();
      };
    });
  }

  private start(delivery: ClaimedDelivery): void {
    const sub = delivery.subscription_id;
    this.inFlightBySubscription.set(sub, (this.inFlightBySubscription.get(sub) ?? 0) + 1);
    const task: Promise<void> = this.attempt(delivery)
      .catch((error: Error) => this.logger.error(`delivery ${delivery.id}: ${error.message}`))
      .finally(() => {
        this.inFlight.delete(task);
        const left = (this.inFlightBySubscription.get(sub) ?? 1) - 1;
        if (left > 0) this.inFlightBySubscription.set(sub, left);
        else this.inFlightBySubscription.delete(sub);
        // A subscription at its share may have more waiting: look again, soon.
        if (left + 1 >= this.config.WEBHOOK_CONCURRENCY_PER_SUBSCRIPTION) this.wakeSoon();
      });
    this.inFlight.add(task);
  }

  private async attempt(d: ClaimedDelivery): Promise<void> {
    const started = process.hrtime.bigint();
    const now = new Date();
    let outcome: AttemptOutcome;
    let label: 'delivered' | 'failed' | 'refused';
    try {
      const previous = d.previous_secret_sealed && d.previous_secret_expires_at && new Date(d.previous_secret_expires_at) > now ? this.sealer.open(d.subscription_id, d.previous_secret_sealed) : undefined;
      const signature = this.signer.sign({ current: this.sealer.open(d.subscription_id, d.secret_sealed), previous }, d.event_id, now, d.payload);
      const result = await this.sender.send({
        url: d.url,
        body: d.payload,
        headers: { 'webhook-id': d.event_id, 'webhook-timestamp': String(Math.floor(now.getTime() / 1000)), 'webhook-signature': signature },
      });
      label = result.ok ? 'delivered' : result.refused ? 'refused' : 'failed';
      outcome = {
        id: d.id,
        subscriptionId: d.subscription_id,
        delivered: result.ok,
        status: result.status ?? null,
        note: result.ok ? null : (result.note ?? null),
        nextAttemptAt: result.ok ? null : this.nextAttempt(d.retry_step),
      };
      if (result.gone) void this.disable(d.subscription_id, 'the receiver answered 410 Gone: the endpoint no longer exists');
      if (result.ok) this.observeLatency(d.payload);
    } catch (error) {
      // A secret that does not open (wrong WEBHOOK_SECRET_ENCRYPTION_KEY): nothing was sent.
      label = 'failed';
      outcome = { id: d.id, subscriptionId: d.subscription_id, delivered: false, status: null, note: (error as Error).message.slice(0, 500), nextAttemptAt: this.nextAttempt(d.retry_step) };
    }
    this.attemptsTotal.inc({ outcome: label });
    this.attemptSeconds.observe({ outcome: label }, Number(process.hrtime.bigint() - started) / 1e9);
    this.outcomes.push(outcome);
    if (this.outcomes.length >= FLUSH_BATCH) await this.flush();
    else this.flushTimer ??= setTimeout(() => void this.flush(), FLUSH_MS);
  }

  /** When the next attempt is due after failed step `step` (0-based), or null when the schedule is spent. */
  private nextAttempt(step: number): Date | null {
    if (step >= this.delays.length) return null;
    // ±10 % jitter, so deliveries that failed together do not all come back at once.
    const delay = this.delays[step] * (0.9 + Math.random() * 0.2);
    return new Date(Date.now() + delay);
  }

  private observeLatency(payload: string): void {
    const time = /"time":"([^"]+)"/.exec(payload)?.[1];
    const at = time ? Date.parse(time) : NaN;
    if (!Number.isNaN(at)) this.commitToDelivery.observe(Math.max(0, Date.now() - at) / 1000);
  }

  /** Writes the outcomes gathered so far; subscriptions whose delivery ran out of attempts are turned off. */
  private flush(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const previous = this.flushing ?? Promise.resolve();
    const next = previous.then(async () => {
      const batch = this.outcomes.splice(0);
      if (!batch.length) return;
      for (let attempt = 1; ; attempt++) {
        try {
          const exhausted = await this.store.recordOutcomes(this.dataSource, batch);
          for (const e of exhausted) {
            await this.disable(e.subscription_id, `deliveries kept failing through the whole retry schedule (last: ${lastFailure(e.last_response_status, e.last_error)})`);
          }
          return;
        } catch (error) {
          // Until the database is back: the rows stay leased meanwhile, and are tried again if this process dies.
          if (!isDatabaseUnavailable(error) || attempt > 60) {
            this.logger.error(`recording ${batch.length} delivery outcomes failed: ${(error as Error).message}`);
            return;
          }
          await sleep(1000);
        }
      }
    });
    this.flushing = next.finally(() => {
      if (this.flushing === next) this.flushing = undefined;
    });
    return next;
  }

  /** Turns a subscription off with a reason, as an event and an audit row; its deliveries wait. */
  async disable(subscriptionId: string, reason: string): Promise<void> {
    try {
      await this.dataSource.transaction(async (m) => {
        if (!(await this.store.disable(m, subscriptionId, reason))) return;
        await this.events.record(
          m,
          'notifications.webhook.disabled.v1',
          { webhookId: subscriptionId, reason },
          this.audit.pending({ action: 'webhook.disable', entityType: 'webhook', entityId: subscriptionId, changes: { after: { active: false, disabledReason: reason } }, actor: SYSTEM_ACTOR }),
        );
      });
      this.logger.warn(`webhook ${subscriptionId} turned off: ${reason}`);
    } catch (error) {
      this.logger.error(`turning webhook ${subscriptionId} off failed: ${(error as Error).message}`);
    }
  }
}
