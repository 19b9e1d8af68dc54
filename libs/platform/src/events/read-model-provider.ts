import { Provider } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { RpcClient } from '../nats/rpc-client';
import { EventsRuntime } from './events.module';

/** A service's copy of another service's data, kept from its events by a durable consumer of its own. */
export type ReadModelType<T> = new (db: DataSource, rpc: RpcClient, runtime: EventsRuntime, consumer: string) => T;

/** The Nest provider of a read model whose durable consumer is `consumer` (`<service>-<what>`). */
export function readModelProvider<T>(type: ReadModelType<T>, consumer: string): Provider {
  return {
    provide: type,
    useFactory: (db: DataSource, rpc: RpcClient, runtime: EventsRuntime) => new type(db, rpc, runtime, consumer),
    inject: [DataSource, RpcClient, EventsRuntime],
  };
}
