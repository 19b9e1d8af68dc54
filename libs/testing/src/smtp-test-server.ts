import { simpleParser } from 'mailparser';
import { Socket } from 'net';
import { SMTPServer, type SMTPServerError } from 'smtp-server';
import { Arrivals } from './arrivals';

export interface ReceivedMail {
  /** The From header's address. */
  from?: string;
  /** The envelope's recipients: where the server really delivered it. */
  to: string[];
  subject?: string;
  text?: string;
  messageId?: string;
  /** Header lines by lower-case name, values as they arrived (the first of repeated ones). */
  headers: Record<string, string>;
  /** The id it answered in `250 Ok: queued as …`, as Postfix does. */
  queueId: string;
}

export interface SmtpTestServerOptions {
  /** With credentials, AUTH is required and only these are accepted; without, there is no AUTH. */
  user?: string;
  password?: string;
  port?: number;
  /**
   * Keep the subject and headers only, read without a MIME parser: for benchmarks, where parsing
   * every mail would cost the load generator more than the system under test.
   */
  headersOnly?: boolean;
}

/**
 * A real SMTP server (smtp-server) on 127.0.0.1 without TLS, that parses and keeps what it accepts.
 * It refuses on demand (`failNext`, `rejectRecipient`) and can stop (connections refused) and start
 * again on the same port.
 */
export class SmtpTestServer {
  readonly received = new Arrivals<ReceivedMail>('mail');
  /** Messages whose data it read and refused with failNext. */
  refused = 0;
  private server?: SMTPServer;
  private port: number;
  private readonly sockets = new Set<Socket>();
  private readonly failures: number[] = [];
  private readonly rejected = new Map<string, number>();

  constructor(private readonly options: SmtpTestServerOptions = {}) {
    this.port = options.port ?? 0;
  }

  get host(): string {
    return '127.0.0.1';
  }

  get boundPort(): number {
    return this.port;
  }

  get mails(): ReceivedMail[] {
    return this.received.items;
  }

  waitFor(predicate: (mail: ReceivedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail> {
    return this.received.waitFor(predicate, timeoutMs);
  }

  waitForCount(n: number, timeoutMs?: number): Promise<ReceivedMail[]> {
    return this.received.waitForCount(n, timeoutMs);
  }

  /** The next `n` messages are refused after their data with `code` (a temporary 4xx by default). */
  failNext(n: number, code = 451): void {
    for (let i = 0; i < n; i++) this.failures.push(code);
  }

  /** RCPT TO this address is refused with `code` (a permanent 5xx by default) from now on. */
  rejectRecipient(address: string, code = 550): void {
    this.rejected.set(address.toLowerCase(), code);
  }

  async start(): Promise<void> {
    const auth = this.options.user !== undefined;
    const server = new SMTPServer({
      logger: false,
      secure: false,
      // Tests reach no resolver; a reverse lookup per connection would only add its timeout.
      disableReverseLookup: true,
      disabledCommands: auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
      authOptional: !auth,
      allowInsecureAuth: true,
      size: 10 * 1024 * 1024,
      onAuth: (credentials, _session, callback) => {
        if (credentials.username === this.options.user && credentials.password === this.options.password) return callback(null, { user: credentials.username });
        callback(smtpError('Invalid username or password', 535));
      },
      onRcptTo: (address, _session, callback) => {
        const code = this.rejected.get(address.address.toLowerCase());
        // Worded as real servers word it, quoting the address: clients must not log this text.
        callback(code ? smtpError(`${code >= 500 ? '5.1.1' : '4.2.1'} <${address.address}>: Recipient address rejected`, code) : undefined);
      },
      onData: (stream, session, callback) => {
        if (this.options.headersOnly) return this.keepHeaders(stream, session.envelope.rcptTo.map((r) => r.address), callback);
        simpleParser(stream)
          .then((parsed) => {
            const code = this.failures.shift();
            if (code) {
              this.refused++;
              return callback(smtpError(`${code >= 500 ? '5.7.1' : '4.3.0'} Message refused, try again later`, code));
            }
            const queueId = `Q${String(this.mails.length + 1).padStart(6, '0')}`;
            const headers: Record<string, string> = {};
            for (const { key, line } of parsed.headerLines) headers[key] ??= line.slice(line.indexOf(':') + 1).trim();
            this.received.push({
              from: parsed.from?.value[0]?.address,
              to: session.envelope.rcptTo.map((r) => r.address),
              subject: parsed.subject,
              text: parsed.text,
              messageId: parsed.messageId,
              headers,
              queueId,
            });
            callback(null, `Ok: queued as ${queueId}`);
          })
          .catch(() => callback(smtpError('Unparseable message', 554)));
      },
    });
    server.on('error', () => undefined);
    server.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(this.port, this.host, () => resolve());
    });
    this.port = (server.server.address() as { port: number }).port;
    this.server = server;
  }

  /** Goes away at once, as a crashed server does (open connections dropped), until started again. */
  private keepHeaders(stream: NodeJS.ReadableStream, to: string[], callback: (error?: Error | null, message?: string) => void): void {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('error', () => callback(smtpError('Unreadable message', 554)));
    stream.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const head = raw.slice(0, raw.search(/\r?\n\r?\n/) >>> 0);
      const headers: Record<string, string> = {};
      for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).toLowerCase()] ??= line.slice(colon + 1).trim();
      }
      const queueId = `Q${String(this.mails.length + 1).padStart(6, '0')}`;
      this.received.push({ to, subject: headers.subject, messageId: headers['message-id'], headers, queueId });
      callback(null, `Ok: queued as ${queueId}`);
    });
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

function smtpError(message: string, responseCode: number): SMTPServerError {
  return Object.assign(new Error(message), { responseCode });
}
