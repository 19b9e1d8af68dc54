import { randomBytes } from 'crypto';

/** A short unique token for database names and NATS prefixes: never shared between test runs. */
export function uniqueId(prefix = 't'): string {
  return `${prefix}${Date.now().toString(36)}${randomBytes(4).toString('hex')}`;
}
