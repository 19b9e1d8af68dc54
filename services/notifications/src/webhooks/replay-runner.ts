import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { RegencyCloudEvent } from '@smart-regency/contracts';
import { DomainError, NATS_CONNECTION, parseEvent } from '@smart-regency/platform';
import { randomUUID } from 'crypto';
import { AckPolicy, DeliverPolicy, JetStreamManager, NatsConnection } from 'nats';
import { DataSource, EntityManager } from 'typeorm';
import { NotificationsConfig } from '../config';
import { DeliveryWorker } from './delivery-worker';
import { FanOut } from './fan-out';
import { REPLAY_STALE_MS, ReplayRow, SubscriptionRow, WebhookStore } from './webhook.store';

/** Events read and queued per step of a replay (and the most a replay holds at once). */
const BATCH = 500;
/** How often a waiting replay says it is still alive (well inside REPLAY_STALE_MS). */
const HEARTBEAT_MS = Math.floor(REPLAY_STALE_MS / 4);

interface Job {
  id: string;
  subscription: SubscriptionRow;
  since: Date;
  lastSeq: number;
}

/**
 * The subject filter that reads only what a subscription can want, when one filter can say it
 * (nats-server 2.9 takes one): a single pattern that ends in a version or `>` means the same as a
 * NATS subject (`*` one token, `>` one or more). Otherwise every event, matched one by one.
 */
export function replayFilter(prefix: string, eventTypes: string[]): string {
  if (eventTypes.length === 1) {
    const [pattern] = eventTypes;
    const last = pattern.split('.').pop() ?? '';
    if (last === '>' || /^v\d+$/.test(last)) return `${prefix}.${pattern}`;
  }
  return `${prefix}.>`;
}

/**
 * Replays the stream for one subscription as a bounded job: the replay is recorded (running) and
 * answered at once; at most WEBHOOK_REPLAY_CONCURRENCY read the stream at a time in this process
 * (the others wait their turn, bounded by the one-replay-per-subscription rule), each through a
 * consumer filtered to the subscription's events where one filter can say them, holding one batch
 * at a time and writing its progress after each. Thousands of replays started at once (one per
 * subscription) each held a consumer and its buffer: 3.7 GB (bench/README.md).
 */
@Injectable()
export class ReplayRunner implements BeforeApplicationShutdown {
  private readonly logger = new Logger('WebhookReplay');
  private readonly store = new WebhookStore();
  // A replay names its one subscription: the hold period does not apply.
  private readonly fanOut = new FanOut(0);
  private readonly waiting: Job[] = [];
  private readonly running = new Set<Promise<void>>();
  private readonly readers = new Set<{ stop(): void }>();
  private heartbeat?: NodeJS.Timeout;
  private stopping = false;
  // One manager for the process: each new one asks the server for the account's JetStream first.
  private manager?: Promise<JetStreamManager>;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly dataSource: DataSource,
    private readonly config: NotificationsConfig,
    private readonly worker: DeliveryWorker,
  ) {}

  /**
   * Records the replay and queues it; refused while one of the subscription runs.
   * `record`: what else the replay's transaction writes (its audit row).
   */
  async start(subscription: SubscriptionRow, since: Date, requestedBy: string | null, record?: (m: EntityManager) => Promise<unknown>): Promise<ReplayRow> {
    if (this.stopping) throw new DomainError('COMMON.SERVICE_UNAVAILABLE', 'the service is stopping; start the replay again');
    const jsm = await this.jsm();
    const info = await jsm.streams.info(this.config.EVENTS_STREAM);
    const last = info.state.last_seq;
    const lastTime = info.state.last_ts ? Date.parse(info.state.last_ts) : 0;
    // Under the subscription's row lock: requests at once cannot each find none running and all start.
    const row = await this.dataSource.transaction(async (m) => {
      if (!(await this.store.findSubscription(m, subscription.id, true))) throw new DomainError('NOTIFICATIONS.WEBHOOK_NOT_FOUND', `no webhook ${subscription.id}`);
      if (await this.store.runningReplay(m, subscription.id)) throw new DomainError('NOTIFICATIONS.REPLAY_RUNNING', `a replay of webhook ${subscription.id} is running`);
      await record?.(m);
      return this.store.insertReplay(m, { id: randomUUID(), subscriptionId: subscription.id, since: since.toISOString(), requestedBy });
    });
    if (!last || lastTime < since.getTime()) {
      await this.store.replayProgress(this.dataSource, row.id, { total: 0, scanned: 0, queued: 0 }, { status: 'done' });
      return row;
    }
    this.waiting.push({ id: row.id, subscription, since, lastSeq: last });
    this.pump();
    return row;
  }

  private jsm(): Promise<JetStreamManager> {
    this.manager ??= this.nc.jetstreamManager().catch((error: Error) => {
      this.manager = undefined;
      throw error;
    });
    return this.manager;
  }

  /** How many replays wait for their turn, and how many read the stream now. */
  get load(): { waiting: number; running: number } {
    return { waiting: this.waiting.length, running: this.running.size };
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    for (const reader of this.readers) reader.stop();
    const left = this.waiting.splice(0);
    await Promise.all(left.map((job) => this.end(job.id, { total: 0, scanned: 0, queued: 0 }, 'the service stopped; start the replay again')));
    this.tick();
    await Promise.all(this.running);
  }

  /** Starts waiting replays while there is room, and keeps the waiting ones alive. */
  private pump(): void {
    while (!this.stopping && this.running.size < this.config.WEBHOOK_REPLAY_CONCURRENCY && this.waiting.length) {
      const job = this.waiting.shift()!;
      const task: Promise<void> = this.run(job)
        .catch((error: Error) => this.logger.error(`replay ${job.id}: ${error.message}`))
        .finally(() => {
          this.running.delete(task);
          this.pump();
        });
      this.running.add(task);
    }
    this.tick();
  }

  private tick(): void {
    if (this.waiting.length && !this.stopping) {
      this.heartbeat ??= setInterval(() => {
        const ids = this.waiting.map((j) => j.id);
        if (ids.length) {
          void this.dataSource
            .query(`UPDATE webhook_replays SET heartbeat_at = now() WHERE id = ANY($1::uuid[]) AND status = 'running'`, [ids])
            .catch((error: Error) => this.logger.warn(`replay heartbeat: ${error.message}`));
        }
      }, HEARTBEAT_MS).unref();
    } else if (this.heartbeat) {
      clearInterval(this.heartbeat);
      this.heartbeat = undefined;
    }
  }

  private end(id: string, progress: { total: number; scanned: number; queued: number }, error?: string): Promise<void> {
    return this.store.replayProgress(this.dataSource, id, progress, error ? { status: 'failed', error: error.slice(0, 500) } : { status: 'done' }).catch((e: Error) => {
      this.logger.error(`replay ${id}: could not record its end: ${e.message}`);
    });
  }

  private async run({ id, subscription, since, lastSeq }: Job): Promise<void> {
    let scanned = 0;
    let queued = 0;
    let total = 0;
    const jsm = await this.jsm();
    // An ephemeral consumer of its own: it says how many events match before any is read (none:
    // done at once), and goes away by itself if this process dies.
    const created = await jsm.consumers.add(this.config.EVENTS_STREAM, {
      filter_subject: replayFilter(this.config.EVENTS_SUBJECT_PREFIX, subscription.event_types),
      deliver_policy: DeliverPolicy.StartTime,
      opt_start_time: since.toISOString(),
      ack_policy: AckPolicy.None,
      inactive_threshold: 60_000_000_000,
      mem_storage: true,
    });
    const name = created.name;
    try {
      if (created.num_pending === 0) return await this.end(id, { total, scanned, queued });
      const consumer = await this.nc.jetstream().consumers.get(this.config.EVENTS_STREAM, name);
      const messages = await consumer.consume({ max_messages: BATCH });
      this.readers.add(messages);
      let batch: RegencyCloudEvent[] = [];
      const flush = async () => {
        queued += await this.fanOut.apply(this.dataSource, batch, subscription);
        batch = [];
        await this.store.replayProgress(this.dataSource, id, { total, scanned, queued });
        if (queued) this.worker.wake();
      };
      try {
        // Stopped by shutdown, the iteration ends early: that is a failure to report, not the end.
        for await (const msg of messages) {
          // Up to the last event there was when the replay started; what came later is not replayed.
          if (msg.info.streamSequence > lastSeq) break;
          scanned++;
          total = scanned + Math.max(0, Math.min(msg.info.pending, lastSeq - msg.info.streamSequence));
          const event = parseEvent(msg);
          if (event) batch.push(event);
          const end = msg.info.streamSequence >= lastSeq || msg.info.pending === 0;
          if (batch.length >= BATCH || end) await flush();
          if (end) break;
          if (this.stopping) break;
        }
        if (this.stopping) throw new Error('the service stopped; start the replay again');
        await flush();
        total = scanned;
        await this.end(id, { total, scanned, queued });
      } catch (error) {
        await this.end(id, { total, scanned, queued }, (error as Error).message);
      } finally {
        messages.stop();
        this.readers.delete(messages);
      }
    } finally {
      await jsm.consumers.delete(this.config.EVENTS_STREAM, name).catch(() => undefined);
    }
  }
}
