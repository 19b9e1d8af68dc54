import { DynamicModule, Injectable, Module, OnModuleInit } from '@nestjs/common';
import { EventConsumer, EventsRuntime, ScheduledJob } from '@smart-regency/platform';
import { DataSource } from 'typeorm';
import { NotificationsConfig } from '../config';
import { DeliveryWorker } from './delivery-worker';
import { FanOut } from './fan-out';
import { ReplayRunner } from './replay-runner';
import { Resolver, systemResolver, TargetGuard } from './target-guard';
import { WebhookSender } from './webhook-sender';
import { WebhookStore } from './webhook.store';
import { WebhooksController } from './webhooks.controller';
import { WebhooksService } from './webhooks.service';

/** Durable consumer name; also the inbox key, so it stays stable across releases. */
export const NOTIFICATIONS_CONSUMER = 'notifications';

/** Resolver of webhook host names; tests provide a stub (no test ever resolves or reaches an outside address). */
export const WEBHOOK_RESOLVER = Symbol('WEBHOOK_RESOLVER');

/** Turns the whole events stream into deliveries, a batch per transaction, and wakes the worker after each. */
@Injectable()
export class WebhookConsumer implements OnModuleInit {
  consumer?: EventConsumer;

  constructor(
    private readonly events: EventsRuntime,
    private readonly worker: DeliveryWorker,
    private readonly config: NotificationsConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    const fanOut = new FanOut(this.config.WEBHOOK_HOLD_DAYS);
    this.consumer = await this.events.consume({
      name: NOTIFICATIONS_CONSUMER,
      batchHandler: async (events, manager) => void (await fanOut.apply(manager, events)),
      // After the commit, so the rows exist when the worker looks.
      afterCommit: () => this.worker.wake(),
      batchSize: 500,
      maxDeliver: 10,
    });
  }
}

/** Deletes delivered rows past WEBHOOK_DELIVERY_RETENTION_DAYS, hourly. */
@Injectable()
export class DeliveryRetention extends ScheduledJob {
  private readonly store = new WebhookStore();

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: NotificationsConfig,
  ) {
    super('WebhookRetention', 3600_000);
  }

  async runOnce(): Promise<number> {
    let total = 0;
    for (let n = -1; n !== 0; total += n) n = await this.store.purgeDelivered(this.dataSource, this.config.WEBHOOK_DELIVERY_RETENTION_DAYS);
    if (total) this.logger.log(`deleted ${total} delivered webhook rows older than ${this.config.WEBHOOK_DELIVERY_RETENTION_DAYS} days`);
    return total;
  }
}

@Module({})
export class WebhooksModule {
  /** `resolver`: how webhook host names resolve (the system's; a stub in tests). */
  static forRoot(resolver: Resolver = systemResolver): DynamicModule {
    return {
      module: WebhooksModule,
      controllers: [WebhooksController],
      providers: [
    { provide: WEBHOOK_RESOLVER, useValue: resolver },
    {
      provide: TargetGuard,
      useFactory: (config: NotificationsConfig, resolver: Resolver) => new TargetGuard(config.WEBHOOK_ALLOWED_PRIVATE_RANGES, !!config.WEBHOOK_ALLOW_HTTP, resolver),
      inject: [NotificationsConfig, WEBHOOK_RESOLVER],
    },
    {
      provide: WebhookSender,
      useFactory: (config: NotificationsConfig, guard: TargetGuard) => new WebhookSender(guard, config.WEBHOOK_TIMEOUT_MS, config.WEBHOOK_MAX_RESPONSE_BYTES, config.WEBHOOK_CONCURRENCY),
      inject: [NotificationsConfig, TargetGuard],
    },
    DeliveryWorker,
    ReplayRunner,
    WebhooksService,
    WebhookConsumer,
    DeliveryRetention,
  ],
  exports: [DeliveryWorker, WebhookConsumer, TargetGuard],
    };
  }
}
