import { DynamicModule, Injectable, Module } from '@nestjs/common';
import { ScheduledJob } from '@smart-regency/platform';
import { DataSource } from 'typeorm';
import { NotificationsConfig } from '../config';
import { DeliveryWorker } from './delivery-worker';
import { ReplayRunner } from './replay-runner';
import { Resolver, systemResolver, TargetGuard } from './target-guard';
import { WebhookSender } from './webhook-sender';
import { WebhookStore } from './webhook.store';
import { WebhooksController } from './webhooks.controller';
import { WebhooksService } from './webhooks.service';

/** Resolver of webhook host names; tests provide a stub (no test ever resolves or reaches an outside address). */
export const WEBHOOK_RESOLVER = Symbol('WEBHOOK_RESOLVER');

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
    DeliveryRetention,
  ],
  exports: [DeliveryWorker, TargetGuard],
    };
  }
}
