import { connect, ConnectionOptions, NatsConnection } from 'nats';
import { backoff, RetryLogger } from '../bootstrap/retry';
import type { CommonConfig } from '../config/config';

export interface NatsConnectOptions {
  url: string;
  name: string;
  user?: string;
  password?: string;
  tls?: { caFile?: string; certFile?: string; keyFile?: string };
}

/** Connection options of a process from its configuration: servers, its NATS user, TLS. */
export function natsOptionsOf(config: CommonConfig, name: string): NatsConnectOptions {
  const tls = { caFile: config.NATS_TLS_CA_FILE, certFile: config.NATS_TLS_CERT_FILE, keyFile: config.NATS_TLS_KEY_FILE };
  return {
    url: config.NATS_URL,
    name,
    user: config.NATS_USER,
    password: config.NATS_PASSWORD,
    ...(tls.caFile || tls.certFile || tls.keyFile ? { tls } : {}),
  };
}

/** Where a process receives its replies: `_INBOX.<NATS user>.…` (its name without one), so NATS permissions keep each user to its own. */
export function inboxPrefixOf(name: string): string {
  return `_INBOX.${name}`;
}

/**
 * Connects to NATS, retrying with backoff until it answers (saying why while it waits); once
 * connected the client reconnects by itself forever, so a NATS restart never kills a service.
 */
export async function connectNats(options: NatsConnectOptions, logger: RetryLogger): Promise<NatsConnection> {
  const settings: ConnectionOptions = {
    servers: options.url.split(','),
    name: options.name,
    inboxPrefix: inboxPrefixOf(options.user ?? options.name),
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1000,
    pingInterval: 10000,
    // nats.js builds an Error with a stack per request for async traces; measurable at load (bench/).
    noAsyncTraces: true,
    ...(options.user ? { user: options.user, pass: options.password } : {}),
    ...(options.tls ? { tls: options.tls } : {}),
  };
  return backoff(`NATS at ${options.url}`, () => connect(settings), logger);
}

export function prefixed(prefix: string, subject: string): string {
  return prefix ? `${prefix}.${subject}` : subject;
}
