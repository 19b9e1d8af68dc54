import { createHash } from 'crypto';
import { createTransport, type NodemailerError, type SMTPPoolOptions, type SMTPPoolSentMessageInfo, type Transporter } from 'nodemailer';
import { MessageChannel, OutboundMessage, SendOutcome } from './channel';

export interface EmailChannelOptions {
  host: string;
  port: number;
  /** Implicit TLS from the first byte (usually port 465). */
  secure: boolean;
  /** Refuse to send unless the server upgrades with STARTTLS (usually port 587). */
  requireTls: boolean;
  user?: string;
  password?: string;
  /** `Kabupaten Contoh <noreply@contoh.go.id>` */
  from: string;
  /** Each of connect, greeting and a silent socket, and the whole send. */
  timeoutMs: number;
  /** False only for a relay with a private certificate inside the regency's network. */
  tlsRejectUnauthorized?: boolean;
}

/**
 * Plain-text mail over a pooled SMTP connection. The Message-ID is derived from the message's
 * reference, so a retried message arrives with the same id and a mail client or a reader of the
 * logs can spot the duplicate.
 */
export class EmailChannel implements MessageChannel {
  readonly name = 'email' as const;
  private readonly transport: Transporter<SMTPPoolSentMessageInfo, SMTPPoolOptions>;
  private closed = false;
  private readonly inFlight = new Set<Promise<SendOutcome>>();

  constructor(private readonly options: EmailChannelOptions) {
    this.transport = createTransport({
      pool: true,
      // A new connection costs a handshake (and TLS); servers commonly allow far more than nodemailer's 100 per connection.
      maxConnections: 5,
      maxMessages: 1000,
      host: options.host,
      port: options.port,
      secure: options.secure,
      requireTLS: options.requireTls,
      auth: options.user ? { user: options.user, pass: options.password ?? '' } : undefined,
      connectionTimeout: options.timeoutMs,
      greetingTimeout: options.timeoutMs,
      socketTimeout: options.timeoutMs,
      // Closed sockets go at once instead of lingering for the server's FIN: shutdown stays prompt.
      socketCloseTimeout: 0,
      // One quick retry on a fresh connection covers a pooled socket the server dropped while idle;
      // every other retry is the pipeline's, which sees and logs each attempt.
      maxRequeues: 1,
      tls: { rejectUnauthorized: options.tlsRejectUnauthorized ?? true },
      disableFileAccess: true,
      disableUrlAccess: true,
      logger: false,
    });
    // An 'error' event without a listener would end the process; failures reach send() anyway.
    this.transport.on('error', () => undefined);
  }

  send(message: OutboundMessage): Promise<SendOutcome> {
    const sending = this.attempt(message).catch((error: NodemailerError): SendOutcome => outcomeOf(error, this.options.timeoutMs));
    this.inFlight.add(sending);
    void sending.finally(() => this.inFlight.delete(sending));
    return sending;
  }

  /** Takes no new messages, waits for those under way, then closes the pool's connections. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.inFlight]);
    this.transport.close();
  }

  private async attempt(message: OutboundMessage): Promise<SendOutcome> {
    if (this.closed) return { ok: false, permanent: false, reason: 'smtp: channel closed' };
    // One bare address: nodemailer would read a list ("a@x.id, b@y.id") or a display name out of it.
    if (!/^[^\s@,;<>"()]+@[^\s@,;<>"()]+$/.test(message.to)) return { ok: false, permanent: true, reason: 'smtp: invalid address' };
    // The whole send's limit, cleared once it is done (AbortSignal.timeout would fire, and build its error, after every mail).
    const limit = new AbortController();
    const timer = setTimeout(() => limit.abort(new DOMException('no answer in time', 'TimeoutError')), this.options.timeoutMs);
    const info = await this.transport
      .sendMail({
        from: this.options.from,
        to: message.to,
        subject: message.subject ?? '',
        text: message.text,
        messageId: messageIdOf(message.reference),
        headers: { 'X-Regency-Reference': message.reference },
        signal: limit.signal,
      })
      .finally(() => clearTimeout(timer));
    if (info.accepted.length === 0) return { ok: false, permanent: true, reason: 'smtp: recipient refused' };
    return { ok: true, providerId: info.serverMessageId ?? queueIdIn(info.response) ?? info.messageId };
  }
}

/** The relay's queue id from `250 2.0.0 Ok: queued as 4Fj2Kx3Vz9z1` (Postfix and most MTAs): what its logs know the mail by. */
function queueIdIn(response: string | undefined): string | undefined {
  return /\bqueued as ([A-Za-z0-9._-]{1,100})\s*$/.exec(response ?? '')?.[1];
}

/** `<reference@smart-regency>`, or a hash of the reference when it is not a valid id-left (RFC 5322 §3.6.4). */
export function messageIdOf(reference: string): string {
  const left = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(reference) && reference.length <= 200 ? reference : createHash('sha256').update(reference).digest('hex').slice(0, 40);
  return `<${left}@smart-regency>`;
}

/**
 * A failed send as an outcome. A 5xx reply refuses the message or its recipient for good; 4xx
 * replies, lost connections and timeouts are worth another try. Refused credentials are our
 * configuration, not the message: they are retried so that nothing is lost while an admin fixes
 * them. The reason holds codes only, never the server's text, which quotes the address.
 */
export function outcomeOf(error: NodemailerError, timeoutMs: number): SendOutcome {
  const code = error?.code ?? '';
  const reply = error?.responseCode;
  const stage = typeof error?.command === 'string' && /^[A-Z]+( [A-Z]+)?$/.test(error.command) && !['API', 'CONN'].includes(error.command) ? ` at ${error.command}` : '';
  if (code === 'EAUTH' || code === 'ENOAUTH') return { ok: false, permanent: false, reason: `smtp: authentication failed${reply ? ` (${reply})` : ''}` };
  if (reply && reply >= 400) {
    const enhanced = /^\d{3}[ -](\d\.\d{1,3}\.\d{1,3})\b/.exec(error.response ?? '')?.[1];
    return { ok: false, permanent: error.permanent ?? (reply >= 500 && reply !== 503), reason: `smtp: ${reply}${enhanced ? ` ${enhanced}` : ''}${stage}` };
  }
  // An address nodemailer cannot put on an envelope is refused before any server sees it.
  if (code === 'EENVELOPE') return { ok: false, permanent: true, reason: 'smtp: invalid address' };
  if (code === 'EABORT' || error?.name === 'AbortError' || error?.name === 'TimeoutError') return { ok: false, permanent: false, reason: `smtp: no answer within ${timeoutMs} ms` };
  if (code === 'ETIMEDOUT') return { ok: false, permanent: false, reason: `smtp: timeout${error.timeoutType ? ` (${error.timeoutType})` : ''}` };
  const cause = error?.originalCode && /^[A-Z0-9_]{1,40}$/.test(error.originalCode) ? ` (${error.originalCode})` : '';
  return { ok: false, permanent: false, reason: `smtp: ${/^E[A-Z0-9_]{1,40}$/.test(code) ? code : 'error'}${cause}` };
}
