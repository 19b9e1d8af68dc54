import { Injectable, OnModuleInit } from '@nestjs/common';
import { EventConsumer, EventsRuntime } from '@smart-regency/platform';
import { NotificationsConfig } from './config';
import { LaporForwarder } from './lapor/lapor-forwarder';
import { MessageComposer } from './messages/composer';
import { MessageIntake } from './messages/intake';
import { DeliveryWorker } from './webhooks/delivery-worker';
import { FanOut } from './webhooks/fan-out';

/** Durable consumer name; also the inbox key, so it stays stable across releases. */
export const NOTIFICATIONS_CONSUMER = 'notifications';

/**
 * Reads the whole events stream, a batch per transaction with its inbox rows: webhook deliveries,
 * jobs for messages to people and LAPOR! forwards are queued exactly when their event is consumed.
 * The workers are woken after the commit, so the rows exist when they look.
 */
@Injectable()
export class NotificationsConsumer implements OnModuleInit {
  consumer?: EventConsumer;

  constructor(
    private readonly events: EventsRuntime,
    private readonly webhooks: DeliveryWorker,
    private readonly composer: MessageComposer,
    private readonly lapor: LaporForwarder,
    private readonly config: NotificationsConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    const fanOut = new FanOut(this.config.WEBHOOK_HOLD_DAYS);
    const intake = new MessageIntake();
    let queued = { jobs: 0, forwards: 0 };
    this.consumer = await this.events.consume({
      name: NOTIFICATIONS_CONSUMER,
      batchHandler: async (events, manager) => {
        await fanOut.apply(manager, events);
        queued = await intake.apply(manager, events);
      },
      afterCommit: () => {
        this.webhooks.wake();
        if (queued.jobs) this.composer.wake();
        if (queued.forwards) this.lapor.wake();
      },
      batchSize: 500,
      maxDeliver: 10,
    });
  }
}
