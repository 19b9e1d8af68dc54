import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { RegencyCloudEvent } from '@smart-regency/contracts';
import { DomainError, NATS_CONNECTION, parseEvent } from '@smart-regency/platform';
import { randomUUID } from 'crypto';
import { DeliverPolicy, NatsConnection } from 'nats';
import { DataSource, EntityManager } from 'typeorm';
import { NotificationsConfig } from '../config';
import { DeliveryWorker } from './delivery-worker';
import { FanOut } from './fan-out';
import { ReplayRow, SubscriptionRow, WebhookStore } from './webhook.store';

const BATCH = 500;


/**
 * Replays the stream for one subscription: reads every event since a time with an ordered
 * consumer and queues a delivery for each one the subscription matches (again, if it had one),
 * writing its progress after every batch so admins can follow it.
 */
@Injectable()
export class ReplayRunner implements BeforeApplicationShutdown {
  private readonly logger = new Logger('WebhookReplay');
  private readonly store = new WebhookStore();
  // A replay names its one subscription: the hold period does not apply.
  private readonly fanOut = new FanOut(0);
  private readonly running = new Set<Promise<void>>();
  private readonly readers = new Set<{ stop(): void }>();
  private stopping = false;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly dataSource: DataSource,
    private readonly config: NotificationsConfig,
    private readonly worker: DeliveryWorker,
  ) {}

  /**
   * Records the replay and starts it in the background; refused while one of the subscription runs.
   * `record`: what else the replay's transaction writes (its audit row).
   */
  async start(subscription: SubscriptionRow, since: Date, requestedBy: string | null, record?: (m: EntityManager) => Promise<unknown>): Promise<ReplayRow> {
    const jsm = await this.nc.jetstreamManager();
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
    const nothing = !last || lastTime < since.getTime();
    const task = (nothing ? this.store.replayProgress(this.dataSource, row.id, { total: 0, scanned: 0, queued: 0 }, { status: 'done' }) : this.run(row.id, subscription, since, last))
      .catch((error: Error) => this.logger.error(`replay ${row.id}: ${error.message}`))
      .finally(() => this.running.delete(task));
    this.running.add(task);
    return row;
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    for (const reader of this.readers) reader.stop();
    await Promise.all(this.running);
  }

  private async run(id: string, subscription: SubscriptionRow, since: Date, lastSeq: number): Promise<void> {
    let scanned = 0;
    let queued = 0;
    const consumer = await this.nc.jetstream().consumers.get(this.config.EVENTS_STREAM, {
      // One filter as a string: nats-server 2.9 knows `filter_subject` only.
      filterSubjects: `${this.config.EVENTS_SUBJECT_PREFIX}.>`,
      deliver_policy: DeliverPolicy.StartTime,
      opt_start_time: since.toISOString(),
    });
    const messages = await consumer.consume({ max_messages: BATCH * 2 });
    this.readers.add(messages);
    let batch: RegencyCloudEvent[] = [];
    let total = 0;
    const flush = async (end?: { status: 'done' | 'failed'; error?: string }) => {
      queued += await this.fanOut.apply(this.dataSource, batch, subscription);
      batch = [];
      await this.store.replayProgress(this.dataSource, id, { total, scanned, queued }, end);
      if (queued) this.worker.wake();
    };
    try {
      // Stopped by shutdown, the iteration ends early: that is a failure to report, not the end.
      for await (const msg of messages) {
        scanned++;
        // Up to the last event there was when the replay started; what came later is not replayed.
        total = scanned + Math.max(0, Math.min(msg.info.pending, lastSeq - msg.info.streamSequence));
        const event = parseEvent(msg);
        if (event) batch.push(event);
        const end = msg.info.streamSequence >= lastSeq || msg.info.pending === 0;
        if (batch.length >= BATCH || end) await flush();
        if (end) break;
        if (this.stopping) throw new Error('the service stopped; start the replay again');
      }
      if (this.stopping) throw new Error('the service stopped; start the replay again');
      await flush({ status: 'done' });
    } catch (error) {
      await flush({ status: 'failed', error: (error as Error).message.slice(0, 500) }).catch(() => undefined);
    } finally {
      messages.stop();
      this.readers.delete(messages);
    }
  }
}
