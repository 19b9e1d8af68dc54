import { Injectable, Module, OnModuleInit } from '@nestjs/common';
import { EventConsumer, EventsRuntime } from '@smart-regency/platform';
import { EntityManager } from 'typeorm';
import { ReportingConfig } from '../config';
import { ProjectionStore } from './projection.store';

/** Durable consumer name; also the inbox key, so it stays stable across releases. */
export const REPORTING_CONSUMER = 'reporting';
/** Events applied in one transaction at most. */
export const PROJECTION_BATCH_SIZE = 500;
/**
 * Every projection transaction holds this advisory lock shared; the rebuild takes it exclusively
 * for its final catch-up and table swap, so no batch straddles the swap.
 */
export const PROJECTION_LOCK_KEY = 0x72707274;

export const takeProjectionLock = (m: Pick<EntityManager, 'query'>) => m.query('SELECT pg_advisory_xact_lock_shared($1)', [PROJECTION_LOCK_KEY]);

/** Feeds the read models from the whole events stream, a batch per transaction. */
@Injectable()
export class ProjectionConsumer implements OnModuleInit {
  consumer?: EventConsumer;

  constructor(
    private readonly events: EventsRuntime,
    private readonly config: ReportingConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    const store = new ProjectionStore();
    this.consumer = await this.events.consume({
      name: REPORTING_CONSUMER,
      batchHandler: (events, manager, sequences) => store.apply(manager, events, sequences),
      batchSize: PROJECTION_BATCH_SIZE,
      batchWaitMs: this.config.PROJECTION_BATCH_WAIT_MS,
      transactionStart: async (manager) => void (await takeProjectionLock(manager)),
    });
  }
}

@Module({ providers: [ProjectionConsumer], exports: [ProjectionConsumer] })
export class ProjectionModule {}
