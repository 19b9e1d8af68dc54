import { IncomingMessage } from 'http';
import { Arrivals } from './arrivals';
import { FakeReply, HttpFake, HttpFakeOptions } from './http-fake';

export interface ProviderMessage {
  channel: string;
  to: string;
  text: string;
  reference: string;
  idempotencyKey?: string;
  /** The id it answered; the same for a repeated Idempotency-Key, as a provider that drops duplicates does. */
  id: string;
}

/**
 * An SMS/WhatsApp gateway provider as the HTTP channel speaks to it: `POST /messages` with
 * `{ channel, to, text, reference }` and a bearer token, answered `{ id }`.
 */
export class FakeMessageProvider extends HttpFake {
  /** Messages it accepted (2xx), in arrival order, repeats included; recorded on arrival, before a `hang`. */
  readonly received = new Arrivals<ProviderMessage>('message');
  /** The field the id is answered in: some providers say `messageId`. */
  idField: 'id' | 'messageId' = 'id';
  private readonly ids = new Map<string, string>();
  private issued = 0;

  constructor(options: HttpFakeOptions) {
    super(options);
  }

  get url(): string {
    return `${this.origin}/messages`;
  }

  get messages(): ProviderMessage[] {
    return this.received.items;
  }

  waitFor(predicate: (m: ProviderMessage) => boolean, timeoutMs?: number): Promise<ProviderMessage> {
    return this.received.waitFor(predicate, timeoutMs);
  }

  waitForCount(n: number, timeoutMs?: number): Promise<ProviderMessage[]> {
    return this.received.waitForCount(n, timeoutMs);
  }

  protected handle(req: IncomingMessage, body: string): FakeReply {
    if (req.method !== 'POST' || req.url !== '/messages') return { status: 404, json: { error: 'not_found' } };
    const message = parse(body);
    if (!message) return { status: 400, json: { error: 'invalid_body' } };
    const idempotencyKey = typeof req.headers['idempotency-key'] === 'string' ? req.headers['idempotency-key'] : undefined;
    const known = idempotencyKey ? this.ids.get(idempotencyKey) : undefined;
    const id = known ?? `msg-${String(++this.issued).padStart(6, '0')}`;
    if (idempotencyKey) this.ids.set(idempotencyKey, id);
    this.received.push({ ...message, idempotencyKey, id });
    return { status: known ? 200 : 202, json: { [this.idField]: id, status: 'queued' } };
  }
}

function parse(body: string): Omit<ProviderMessage, 'id' | 'idempotencyKey'> | undefined {
  try {
    const { channel, to, text, reference } = JSON.parse(body) as Record<string, unknown>;
    if ([channel, to, text, reference].every((v) => typeof v === 'string')) return { channel, to, text, reference } as Omit<ProviderMessage, 'id' | 'idempotencyKey'>;
  } catch {
    // not JSON: answered 400 below
  }
  return undefined;
}
