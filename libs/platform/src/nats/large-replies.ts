import type { NatsConnection } from 'nats';

/** Header of a reply whose body waits in the transfer object store under this name. */
export const LARGE_REPLY_HEADER = 'x-reply-object';

// Room for the reply's headers and subject inside the server's max_payload.
const HEADROOM_BYTES = 16 * 1024;
const DEFAULT_MAX_PAYLOAD = 1024 * 1024;

/** The largest body a reply (or request) may carry inline on this connection. */
export function largeReplyThreshold(nc: NatsConnection): number {
  const max = nc.info?.max_payload ?? DEFAULT_MAX_PAYLOAD;
  return Math.max(1024, max - HEADROOM_BYTES);
}
