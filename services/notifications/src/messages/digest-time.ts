import { createHash } from 'node:crypto';

const WIB_OFFSET_MS = 7 * 3600_000;

/** The last time the digest hour passed (WIB), as an instant. */
export function lastDigestHour(now: Date, hour: number): Date {
  const wib = new Date(now.getTime() + WIB_OFFSET_MS);
  const at = Date.UTC(wib.getUTCFullYear(), wib.getUTCMonth(), wib.getUTCDate(), hour) - WIB_OFFSET_MS;
  return new Date(at <= now.getTime() ? at : at - 86_400_000);
}

/** A stable id for one person's digest of one day: the same digest is never stored twice. */
export function digestEventId(userId: string, day: Date): string {
  const h = createHash('sha256').update(`digest:${userId}:${day.toISOString()}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
