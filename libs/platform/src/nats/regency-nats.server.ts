import { ServerNats } from '@nestjs/microservices';
import { NatsConnection, Subscription } from 'nats';
import { prefixed } from './connection';

export interface RegencyNatsServerOptions {
  connection: NatsConnection;
  /** Subject prefix of this install or test run. */
  prefix: string;
  /** Queue group: every replica of a service uses the same one, so each request is handled once. */
  queue: string;
  /** How long close() waits for in-flight requests. */
  graceMs: number;
}

/**
 * Nest's NATS transport, adjusted for us: subjects carry the install's prefix, every handler joins
 * the service's queue group, the connection is shared with the rest of the service, and close()
 * stops taking requests, then waits for the ones in flight before returning.
 */
export class RegencyNatsServer extends ServerNats {
  private inFlight = 0;
  private idle: (() => void) | null = null;
  private readonly subs: Subscription[] = [];

  constructor(private readonly regency: RegencyNatsServerOptions) {
    super({ queue: regency.queue });
  }

  override createNatsClient(): Promise<NatsConnection> {
    return Promise.resolve(this.regency.connection) as never;
  }

  override bindEvents(client: NatsConnection): void {
    for (const [channel, handler] of this.messageHandlers) {
      const sub = client.subscribe(prefixed(this.regency.prefix, channel), {
        queue: handler.extras?.queue ?? this.regency.queue,
        callback: this.getMessageHandler(channel).bind(this),
      });
      this.subs.push(sub);
    }
  }

  get inFlightCount(): number {
    return this.inFlight;
  }

  override async handleMessage(channel: string, natsMsg: Parameters<ServerNats['handleMessage']>[1]): Promise<unknown> {
    // messageHandlers.has(): getHandlerByPattern() tries JSON.parse on every string pattern and throws.
    if (!natsMsg.reply || !this.messageHandlers.has(channel)) return super.handleMessage(channel, natsMsg);
    this.inFlight++;
    try {
      return await super.handleMessage(channel, natsMsg);
    } catch (error) {
      this.done();
      throw error;
    }
  }

  override getPublisher(natsMsg: Parameters<ServerNats['getPublisher']>[0], id: string, ctx: Parameters<ServerNats['getPublisher']>[2]) {
    const publish = super.getPublisher(natsMsg, id, ctx);
    return (response: { isDisposed?: boolean }) => {
      const result = publish(response);
      if (response.isDisposed) this.done();
      return result;
    };
  }

  private done(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    if (this.inFlight === 0 && this.idle) this.idle();
  }

  override async close(): Promise<void> {
    for (const sub of this.subs.splice(0)) sub.unsubscribe();
    if (this.inFlight > 0) {
      await Promise.race([
        new Promise<void>((resolve) => (this.idle = resolve)),
        new Promise<void>((resolve) => setTimeout(resolve, this.regency.graceMs).unref()),
      ]);
    }
    // The connection belongs to NatsModule, which drains it when the application shuts down.
  }
}
