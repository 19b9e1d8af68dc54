import { DynamicModule, Global, Inject, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { NatsConnection } from 'nats';

export const NATS_CONNECTION = Symbol('NATS_CONNECTION');
export const NATS_PREFIX = Symbol('NATS_PREFIX');

/** Tracks whether the shared connection is up, for readiness checks. */
@Injectable()
export class NatsState implements OnApplicationShutdown {
  private readonly logger = new Logger('NATS');
  private connected = true;

  constructor(@Inject(NATS_CONNECTION) private readonly nc: NatsConnection) {
    void this.watch();
  }

  private async watch(): Promise<void> {
    for await (const status of this.nc.status()) {
      if (status.type === 'disconnect') {
        this.connected = false;
        this.logger.warn(`disconnected from ${status.data}; reconnecting`);
      } else if (status.type === 'reconnect') {
        this.connected = true;
        this.logger.log(`reconnected to ${status.data}`);
      }
    }
  }

  get isConnected(): boolean {
    return this.connected && !this.nc.isClosed();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.nc.isClosed()) return;
    // drain() lets messages already received finish and flushes what we published.
    await this.nc.drain().catch(() => this.nc.close());
  }
}

@Global()
@Module({})
export class NatsModule {
  static forConnection(connection: NatsConnection, prefix: string): DynamicModule {
    return {
      module: NatsModule,
      providers: [
        { provide: NATS_CONNECTION, useValue: connection },
        { provide: NATS_PREFIX, useValue: prefix },
        NatsState,
      ],
      exports: [NATS_CONNECTION, NATS_PREFIX, NatsState],
    };
  }
}
