import { connect, NatsConnection } from 'nats';
import { backoff, RetryLogger } from '../bootstrap/retry';

export interface NatsConnectOptions {
  url: string;
  name: string;
}

/**
 * Connects to NATS, retrying with backoff until it answers (saying why while it waits); once
 * connected the client reconnects by itself forever, so a NATS restart never kills a service.
 */
export async function connectNats(options: NatsConnectOptions, logger: RetryLogger): Promise<NatsConnection> {
  return backoff(
    `NATS at ${options.url}`,
    () =>
      connect({
        servers: options.url.split(','),
        name: options.name,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 1000,
        pingInterval: 10000,
        // nats.js builds an Error with a stack per request for async traces; measurable at load (bench/).
        noAsyncTraces: true,
      }),
    logger,
  );
}

export function prefixed(prefix: string, subject: string): string {
  return prefix ? `${prefix}.${subject}` : subject;
}
