import { BeforeApplicationShutdown, DynamicModule, Global, Inject, Injectable, Logger, Module, OnApplicationBootstrap } from '@nestjs/common';
import { JetStreamClient, JetStreamManager, NatsConnection } from 'nats';
import { DataSource, EntityManager } from 'typeorm';
import type { ServiceConfig } from '../config/config';
import { Metrics } from '../metrics/metrics';
import { NATS_CONNECTION } from '../nats/nats.module';
import { BatchEventHandler, EventConsumer, EventHandler } from './event-consumer';
import { EventRecorder } from './event-recorder';
import { OutboxRelay } from './outbox-relay';
import { OutboxCommitSubscriber, OutboxWake } from './outbox-wake';

export const EVENTS_CONFIG = Symbol('EVENTS_CONFIG');

export interface ConsumerRegistration {
  name: string;
  filterSubject?: string;
  /** One event per transaction; or give `batchHandler` (see EventConsumerOptions). */
  handler?: EventHandler;
  batchHandler?: BatchEventHandler;
  batchSize?: number;
  batchWaitMs?: number;
  transactionStart?: (manager: EntityManager) => Promise<void>;
  afterCommit?: () => void;
  maxDeliver?: number;
  /** Events handled at once (default 8): keep it low for work that holds a connection while it waits on someone else. */
  concurrency?: number;
}

/**
 * Runs the outbox relay for the service's database and any event consumers it registers; both
 * stop before the NATS connection drains and the database pool closes.
 */
@Injectable()
export class EventsRuntime implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Events');
  readonly relay: OutboxRelay;
  private readonly consumers: EventConsumer[] = [];
  private jsm?: JetStreamManager;
  private readonly js: JetStreamClient;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(EVENTS_CONFIG) private readonly config: ServiceConfig,
    private readonly dataSource: DataSource,
    private readonly metrics: Metrics,
    recorder: EventRecorder,
  ) {
    this.js = nc.jetstream();
    this.relay = new OutboxRelay({
      databaseUrl: config.DATABASE_URL,
      js: this.js,
      subjectPrefix: config.EVENTS_SUBJECT_PREFIX,
      retentionHours: config.OUTBOX_RETENTION_HOURS,
      metrics,
      logger: this.logger,
    });
    // Writes wake the relay after their commit (OutboxWake): single statements through
    // recorder.committed(), transactions through the subscriber at their commit.
    const wake = new OutboxWake(dataSource, this.relay, this.logger);
    const committed = () => wake.committed();
    recorder.onCommitted(committed);
    dataSource.subscribers.push(new OutboxCommitSubscriber(committed));
  }

  /** Adds a durable consumer of the events stream; call from a module's onModuleInit. */
  async consume(registration: ConsumerRegistration): Promise<EventConsumer> {
    this.jsm ??= await this.nc.jetstreamManager();
    const consumer = new EventConsumer({
      ...registration,
      filterSubject: registration.filterSubject && `${this.config.EVENTS_SUBJECT_PREFIX}.${registration.filterSubject}`,
      stream: this.config.EVENTS_STREAM,
      deadLetterPrefix: this.config.DEADLETTER_SUBJECT_PREFIX,
      js: this.js,
      jsm: this.jsm,
      dataSource: this.dataSource,
      metrics: this.metrics,
    });
    this.consumers.push(consumer);
    return consumer;
  }

  async onApplicationBootstrap(): Promise<void> {
    this.relay.start();
    for (const consumer of this.consumers) await consumer.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all([this.relay.stop(), ...this.consumers.map((c) => c.stop())]);
  }
}

@Global()
@Module({})
export class EventsModule {
  static forService(config: ServiceConfig): DynamicModule {
    return {
      module: EventsModule,
      providers: [{ provide: EVENTS_CONFIG, useValue: config }, EventRecorder, EventsRuntime],
      exports: [EventRecorder, EventsRuntime],
    };
  }
}
