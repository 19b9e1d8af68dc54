import { Logger } from '@nestjs/common';
import { RegencyCloudEvent } from '@smart-regency/contracts';
import {
  AckPolicy,
  ConsumerConfig,
  ConsumerMessages,
  DeliverPolicy,
  headers as natsHeaders,
  JetStreamClient,
  JetStreamManager,
  JsMsg,
  nanos,
} from 'nats';
import { DataSource, EntityManager } from 'typeorm';
import { isDatabaseUnavailable } from '../errors/database-errors';
import { Metrics } from '../metrics/metrics';

export type EventHandler = (event: RegencyCloudEvent, manager: EntityManager) => Promise<void>;
/**
 * Handles several new events (stream order, duplicates already removed by the inbox) in one
 * transaction; `sequences[i]` is the stream sequence of `events[i]`.
 */
export type BatchEventHandler = (events: RegencyCloudEvent[], manager: EntityManager, sequences: number[]) => Promise<void>;

export interface EventConsumerOptions {
  /** Durable consumer name; also the inbox key, so it must stay stable across releases. */
  name: string;
  stream: string;
  /** e.g. `events.permits.>`; empty for the whole stream. */
  filterSubject?: string;
  /** Dead letters go to `<deadLetterPrefix>.<name>.<event type>`. */
  deadLetterPrefix: string;
  js: JetStreamClient;
  jsm: JetStreamManager;
  dataSource: DataSource;
  /** One event per transaction. Needed unless `batchHandler` is given. */
  handler?: EventHandler;
  /**
   * Batched mode: the messages in hand (up to `batchSize`) are handled in one transaction, with
   * one inbox insert; they are acknowledged after its commit. Stream order is kept, so each
   * record's events stay in order. A failing batch falls back to one event per transaction, so a
   * bad event is retried and dead-lettered alone.
   */
  batchHandler?: BatchEventHandler;
  /** Most messages in one batch (default 500). */
  batchSize?: number;
  /**
   * Batched mode: once a message is in hand, wait up to this long (default 0) for more before the
   * transaction, unless a full batch is already there. Fewer, larger transactions for a consumer
   * whose readers can wait that long.
   */
  batchWaitMs?: number;
  /** Runs first in every effect transaction (e.g. to take a lock that a maintenance job also takes). */
  transactionStart?: (manager: EntityManager) => Promise<void>;
  /** Runs after each effect transaction that handled new events has committed (e.g. to wake a worker that reads what it wrote). */
  afterCommit?: () => void;
  /** Deliveries before a failing event is dead-lettered. */
  maxDeliver?: number;
  ackWaitMs?: number;
  /**
   * Events handled at once (default 8, keep it within the database pool). Events of one record
   * (CloudEvent `subject`) are still handled one after another, in stream order.
   */
  concurrency?: number;
  /** Where a new consumer starts: all history (default) or from a time. */
  startTime?: Date;
  metrics?: Metrics;
  logger?: Pick<Logger, 'log' | 'warn' | 'error'>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A stream message's CloudEvent, or null when it is not one (it is dead-lettered or skipped). */
export function parseEvent(msg: Pick<JsMsg, 'json'>): RegencyCloudEvent | null {
  try {
    const event = msg.json<RegencyCloudEvent>();
    return event?.id && event.type ? event : null;
  } catch {
    return null;
  }
}

/**
 * A durable pull consumer with explicit acks. The consumer's effect and the event id go into the
 * inbox (`processed_events`) in one transaction, so a redelivered or republished event is skipped.
 * A failing event is retried with growing delays, then moved to the dead-letter subject and
 * terminated so the consumer goes on. Survives NATS restarts by re-attaching to its durable.
 */
export class EventConsumer {
  private messages?: ConsumerMessages;
  private stopping = false;
  private loop?: Promise<void>;
  private lagTimer?: NodeJS.Timeout;
  private readonly maxDeliver: number;
  private readonly concurrency: number;
  private readonly logger: Pick<Logger, 'log' | 'warn' | 'error'>;

  constructor(private readonly options: EventConsumerOptions) {
    this.maxDeliver = options.maxDeliver ?? 5;
    this.concurrency = Math.max(1, options.concurrency ?? 8);
    if (!options.handler && !options.batchHandler) throw new Error(`consumer ${options.name} needs a handler or a batchHandler`);
    this.logger = options.logger ?? new Logger(`EventConsumer:${options.name}`);
  }

  async start(): Promise<void> {
    await this.ensureConsumer();
    this.stopping = false;
    this.loop ??= this.run();
    this.lagTimer = setInterval(() => void this.reportLag(), 5000);
    this.lagTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.lagTimer);
    this.messages?.stop();
    await this.loop;
    this.loop = undefined;
  }

  private consumerConfig(): Partial<ConsumerConfig> {
    return {
      durable_name: this.options.name,
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(this.options.ackWaitMs ?? 30000),
      // The server's own limit sits one above ours, so our dead-lettering always runs first.
      max_deliver: this.maxDeliver + 1,
      max_ack_pending: 1000,
      ...(this.options.filterSubject ? { filter_subject: this.options.filterSubject } : {}),
      ...(this.options.startTime
        ? { deliver_policy: DeliverPolicy.StartTime, opt_start_time: this.options.startTime.toISOString() }
        : { deliver_policy: DeliverPolicy.All }),
    };
  }

  private async ensureConsumer(): Promise<void> {
    try {
      await this.options.jsm.consumers.info(this.options.stream, this.options.name);
    } catch (error) {
      if ((error as { code?: string }).code !== '404') throw error;
      await this.options.jsm.consumers.add(this.options.stream, this.consumerConfig());
    }
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      try {
        const consumer = await this.options.js.consumers.get(this.options.stream, this.options.name);
        this.messages = await consumer.consume({ max_messages: this.options.batchHandler ? Math.max(256, this.options.batchSize ?? 500) : 256 });
        await (this.options.batchHandler ? this.dispatchBatches(this.messages) : this.dispatch(this.messages));
      } catch (error) {
        if (this.stopping) break;
        this.logger.warn(`consumer ${this.options.name}: ${(error as Error).message}; re-attaching`);
        await sleep(1000);
        await this.ensureConsumer().catch(() => undefined);
      }
    }
  }

  /**
   * Handles up to `concurrency` messages at once (one transaction and ack each is mostly waiting
   * on PostgreSQL and NATS), chaining the events of each record so their order holds.
   */
  private async dispatch(messages: AsyncIterable<JsMsg>): Promise<void> {
    const inFlight = new Set<Promise<void>>();
    const lastOfRecord = new Map<string, Promise<void>>();
    try {
      for await (const msg of messages) {
        while (inFlight.size >= this.concurrency) await Promise.race(inFlight);
        const event = parseEvent(msg);
        const key = event?.subject ?? `#${msg.info.streamSequence}`;
        const previous = lastOfRecord.get(key) ?? Promise.resolve();
        const task: Promise<void> = previous
          .then(() => this.handle(msg, event))
          .catch((error: Error) => this.logger.error(`consumer ${this.options.name}: ${error.message}`))
          .finally(() => {
            inFlight.delete(task);
            if (lastOfRecord.get(key) === task) lastOfRecord.delete(key);
          });
        inFlight.add(task);
        lastOfRecord.set(key, task);
        if (this.stopping) break;
      }
    } finally {
      await Promise.all(inFlight);
    }
  }

  /**
   * Batched mode: a reader queues what the server delivers; the handler takes everything queued
   * (up to batchSize) at once, so batches grow with the backlog and a lone event is not delayed.
   */
  private async dispatchBatches(messages: AsyncIterable<JsMsg>): Promise<void> {
    const queue: JsMsg[] = [];
    let done = false;
    let wake: (() => void) | undefined;
    const reader = (async () => {
      try {
        for await (const msg of messages) {
          queue.push(msg);
          wake?.();
          if (this.stopping) break;
        }
      } finally {
        done = true;
        wake?.();
      }
    })();
    const batchSize = Math.max(1, this.options.batchSize ?? 500);
    const waitMs = Math.max(0, this.options.batchWaitMs ?? 0);
    for (;;) {
      if (!queue.length) {
        if (done) break;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        continue;
      }
      if (waitMs > 0 && queue.length < batchSize && !done && !this.stopping) {
        // Let the batch fill: until it is full, the reader ends, or the wait is over.
        const until = Date.now() + waitMs;
        while (queue.length < batchSize && !done && !this.stopping && Date.now() < until) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, until - Date.now());
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          wake = undefined;
        }
      }
      await this.handleBatch(queue.splice(0, batchSize)).catch((error: Error) => this.logger.error(`consumer ${this.options.name}: ${error.message}`));
    }
    await reader;
  }

  /** Processes messages in one transaction: one inbox insert, the batch handler, then the acks. */
  async handleBatch(msgs: JsMsg[]): Promise<void> {
    const good: Array<{ msg: JsMsg; event: RegencyCloudEvent }> = [];
    for (const msg of msgs) {
      const event = parseEvent(msg);
      if (event) good.push({ msg, event });
      else await this.deadLetter(msg, undefined, new Error('not a CloudEvent'));
    }
    if (!good.length) return;
    let processed = 0;
    for (let attempt = 1; ; attempt++) {
      try {
        processed = await this.applyBatch(good);
        break;
      } catch (error) {
        if (isDatabaseUnavailable(error)) {
          if (await this.waitForDatabase(error, good.map((g) => g.msg), attempt)) continue;
          for (const { msg } of good) msg.nak();
          return;
        }
        this.logger.warn(`batch of ${good.length} failed (${(error as Error).message}); handling its events one by one`);
        for (const { msg, event } of good) await this.handle(msg, event);
        return;
      }
    }
    if (processed) this.options.afterCommit?.();
    this.options.metrics?.eventsConsumed.inc({ consumer: this.options.name, outcome: 'processed' }, processed);
    if (good.length > processed) this.options.metrics?.eventsConsumed.inc({ consumer: this.options.name, outcome: 'duplicate' }, good.length - processed);
    await Promise.all(good.map(({ msg }) => this.ack(msg)));
  }

  /** One transaction: the inbox insert, then the batch handler with the events new to the inbox; resolves how many were new. */
  private async applyBatch(good: Array<{ msg: JsMsg; event: RegencyCloudEvent }>): Promise<number> {
    return this.options.dataSource.transaction(async (manager) => {
      await this.options.transactionStart?.(manager);
      const ids = [...new Set(good.map((g) => g.event.id))];
      const inserted: Array<{ event_id: string }> = await manager.query(
        `INSERT INTO processed_events (consumer, event_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING RETURNING event_id`,
        [this.options.name, ids],
      );
      const fresh = new Set(inserted.map((r) => r.event_id));
      const events: RegencyCloudEvent[] = [];
      const sequences: number[] = [];
      for (const { msg, event } of good) {
        // The first copy of each new event, in stream order.
        if (fresh.delete(event.id)) {
          events.push(event);
          sequences.push(msg.info.streamSequence);
        }
      }
      if (events.length) await this.options.batchHandler!(events, manager, sequences);
      return events.length;
    });
  }

  /** Processes one message: effect + inbox in one transaction, then ack. */
  async handle(msg: JsMsg, parsed: RegencyCloudEvent | null = parseEvent(msg)): Promise<void> {
    const event = parsed;
    if (!event) {
      await this.deadLetter(msg, undefined, new Error('not a CloudEvent'));
      return;
    }
    for (let attempt = 1; ; attempt++) {
      try {
        const fresh = await this.options.dataSource.transaction(async (manager) => {
          await this.options.transactionStart?.(manager);
          const inserted = await manager.query(
            `INSERT INTO processed_events (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING event_id`,
            [this.options.name, event.id],
          );
          if (!inserted.length) return false;
          if (this.options.handler) await this.options.handler(event, manager);
          else await this.options.batchHandler!([event], manager, [msg.info.streamSequence]);
          return true;
        });
        if (fresh) this.options.afterCommit?.();
        this.options.metrics?.eventsConsumed.inc({ consumer: this.options.name, outcome: fresh ? 'processed' : 'duplicate' });
        await this.ack(msg);
        return;
      } catch (error) {
        if (isDatabaseUnavailable(error)) {
          if (await this.waitForDatabase(error, [msg], attempt)) continue;
          msg.nak();
          return;
        }
        if (msg.info.redeliveryCount >= this.maxDeliver) {
          await this.deadLetter(msg, event, error as Error);
        } else {
          this.options.metrics?.eventsConsumed.inc({ consumer: this.options.name, outcome: 'retried' });
          this.logger.warn(`event ${event.type} ${event.id} failed (delivery ${msg.info.redeliveryCount}): ${(error as Error).message}`);
          msg.nak(Math.min(250 * 2 ** msg.info.redeliveryCount, 30000));
        }
        return;
      }
    }
  }

  /**
   * The database is away, which is no fault of the events: keep the messages (working() holds
   * their ack deadline) and try them again after a pause, until it is back. Naks would spend
   * deliveries and dead-letter good events after ~8 s of outage. False once stopping (the caller
   * naks, so the next process takes them).
   */
  private async waitForDatabase(error: unknown, msgs: JsMsg[], attempt: number): Promise<boolean> {
    if (this.stopping) return false;
    if (attempt === 1 || attempt % 12 === 0) {
      this.logger.warn(`consumer ${this.options.name}: the database is unavailable (${(error as Error).message}); holding ${msgs.length} event(s) until it is back`);
    }
    for (const msg of msgs) {
      try {
        msg.working();
      } catch {
        // NATS away as well: the deadline may pass and the server redeliver; the inbox skips the copy.
      }
    }
    // Within the ack deadline, so the server does not redeliver what is held.
    await sleep(Math.min(250 * 2 ** (attempt - 1), 5000, (this.options.ackWaitMs ?? 30000) / 2));
    return !this.stopping;
  }

  /** The acknowledgement after the commit; a crash between the two is covered by the inbox. */
  protected async ack(msg: JsMsg): Promise<void> {
    await msg.ackAck();
  }

  private async deadLetter(msg: JsMsg, event: RegencyCloudEvent | undefined, error: Error): Promise<void> {
    const h = natsHeaders();
    h.set('Regency-Original-Subject', msg.subject);
    h.set('Regency-Original-Sequence', String(msg.info.streamSequence));
    h.set('Regency-Consumer', this.options.name);
    h.set('Regency-Error', error.message.slice(0, 500).replace(/[\r\n]+/g, ' '));
    const type = event?.type ?? 'unparseable';
    await this.options.js.publish(`${this.options.deadLetterPrefix}.${this.options.name}.${type}`, msg.data, {
      headers: h,
      msgID: `${this.options.name}:${event?.id ?? msg.info.streamSequence}`,
    });
    msg.term();
    this.options.metrics?.eventsConsumed.inc({ consumer: this.options.name, outcome: 'dead_lettered' });
    this.logger.error(
      `dead-lettered ${type} ${event?.id ?? `#${msg.info.streamSequence}`} after ${msg.info.redeliveryCount} deliveries: ${error.message}`,
    );
  }

  private async reportLag(): Promise<void> {
    try {
      const info = await this.options.jsm.consumers.info(this.options.stream, this.options.name);
      this.options.metrics?.consumerPending.set({ consumer: this.options.name }, info.num_pending + info.num_ack_pending);
    } catch {
      // NATS unavailable: the gauge keeps its last value until it is back.
    }
  }
}
