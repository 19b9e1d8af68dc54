import { MessageChannel, OutboundMessage, SendOutcome } from './channel';
import { exchange, failureOf, isHeaderToken, jsonObject } from '@smart-regency/platform';

export interface HttpMessageChannelOptions {
  name: 'sms' | 'whatsapp';
  /** The provider's endpoint that takes one message per POST. */
  url: string;
  token: string;
  timeoutMs: number;
  /** Bytes of the provider's answer read at most (default 64 KiB); only its id is needed. */
  maxResponseBytes?: number;
}

/**
 * SMS or WhatsApp through a regency's gateway provider: one JSON POST per message, with the
 * message's reference as Idempotency-Key so that a provider can drop a retried duplicate.
 */
export class HttpMessageChannel implements MessageChannel {
  readonly name: 'sms' | 'whatsapp';
  private closed = false;
  private readonly inFlight = new Set<Promise<SendOutcome>>();

  constructor(private readonly options: HttpMessageChannelOptions) {
    this.name = options.name;
  }

  send(message: OutboundMessage): Promise<SendOutcome> {
    const sending = this.attempt(message).catch((): SendOutcome => ({ ok: false, permanent: false, reason: `${this.name}: unexpected failure` }));
    this.inFlight.add(sending);
    void sending.finally(() => this.inFlight.delete(sending));
    return sending;
  }

  /** Takes no new messages and waits for those under way (each ends by its timeout at the latest). */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.inFlight]);
  }

  private async attempt(message: OutboundMessage): Promise<SendOutcome> {
    if (this.closed) return { ok: false, permanent: false, reason: `${this.name}: channel closed` };
    const to = normalizeIndonesianPhone(message.to);
    // Refused here rather than paid for at the provider; the reason must not quote the number.
    if (!to) return { ok: false, permanent: true, reason: `${this.name}: not an Indonesian mobile number` };
    if (!isHeaderToken(message.reference)) return { ok: false, permanent: true, reason: `${this.name}: reference unfit for Idempotency-Key` };
    const result = await exchange(
      this.options.url,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${this.options.token}`,
          'idempotency-key': message.reference,
          'content-type': 'application/json',
          accept: 'application/json',
          'user-agent': 'smart-regency-notifications/1',
        },
        body: JSON.stringify({ channel: this.name, to, text: message.text, reference: message.reference }),
        timeoutMs: this.options.timeoutMs,
        maxResponseBytes: this.options.maxResponseBytes ?? 65536,
      },
      `${this.name} provider`,
    );
    if (!result.ok) return result;
    const { answer } = result;
    if (answer.status < 200 || answer.status >= 300) return failureOf(answer, `${this.name} provider`);
    const json = jsonObject(answer.body);
    const id = json?.id ?? json?.messageId;
    return typeof id === 'string' || typeof id === 'number' ? { ok: true, providerId: String(id).slice(0, 200) } : { ok: true };
  }
}

/**
 * `+62…` for a plausible Indonesian mobile number written the usual ways (`0812-3456-7890`,
 * `+62 812 3456 7890`, `62812…`, `+62 (0)812…`), else undefined. Mobile numbers are 08 and 8 to
 * 11 more digits; landlines (021…) and other countries are not mobiles we can text.
 */
export function normalizeIndonesianPhone(raw: string): string | undefined {
  if (typeof raw !== 'string' || raw.length > 40) return undefined;
  const compact = raw.trim().replace(/[\s.()-]/g, '');
  const national = /^(?:\+62|0062|62)0?(\d+)$/.exec(compact)?.[1] ?? /^0(\d+)$/.exec(compact)?.[1];
  return national !== undefined && /^8[1-9]\d{7,10}$/.test(national) ? `+62${national}` : undefined;
}
