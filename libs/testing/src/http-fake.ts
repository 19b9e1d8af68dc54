import { createServer, IncomingMessage, Server, ServerResponse } from 'http';
import { AddressInfo, Socket } from 'net';
import { Arrivals } from './arrivals';

export interface FakeReply {
  status: number;
  json?: unknown;
  headers?: Record<string, string>;
}

export interface HttpFakeOptions {
  /** The bearer token it accepts; any other gets 401. */
  token: string;
  /** The whole Authorization header it accepts instead of the bearer token (e.g. HTTP Basic). */
  authorization?: string;
  /** A fixed port (default: a free one, kept across stop and start). */
  port?: number;
  host?: string;
}

const MAX_REQUEST_BYTES = 1 << 20;

/**
 * The part the fake providers share: a real HTTP server on 127.0.0.1 that checks a bearer token,
 * answers scripted failures (`failNext`) and slowness (`hang`), and can be stopped (connections
 * refused) and started again on the same port.
 */
export abstract class HttpFake {
  /** Every request that got past reading its body, with what it was answered. */
  readonly requests: Array<{ method: string; path: string; status: number }> = [];
  /** Each oversized answer once it ended: `completed` false when the client hung up before the end. */
  readonly oversized = new Arrivals<{ sent: number; total: number; completed: boolean }>('oversized answer');
  private server?: Server;
  private port: number;
  private readonly host: string;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly failures: Array<{ status: number; retryAfterSeconds?: number }> = [];
  private delayMs = 0;
  private oversize = 0;

  constructor(private readonly options: HttpFakeOptions) {
    this.port = options.port ?? 0;
    this.host = options.host ?? '127.0.0.1';
  }

  get origin(): string {
    return `http://${this.host}:${this.port}`;
  }

  /**
   * The next `n` requests with a valid token are answered `status` (with Retry-After when given). The
   * answer quotes the request back, as real providers' errors do, so tests can see that a client's
   * logged reason does not repeat it.
   */
  failNext(n: number, status = 503, retryAfterSeconds?: number): void {
    for (let i = 0; i < n; i++) this.failures.push({ status, retryAfterSeconds });
  }

  /** Every answer waits `ms` first (0: answer at once again); a slow provider. */
  hang(ms: number): void {
    this.delayMs = ms;
  }

  /** Successful answers stream `bytes` of body (0: normal again), to prove clients bound what they read. */
  oversizeAnswers(bytes: number): void {
    this.oversize = bytes;
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      // A client that hangs up mid-request is its own business; the fake keeps serving.
      this.serve(req, res).catch(() => res.destroy());
    });
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.host, () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Goes away (connections refused, hanging answers dropped) until started again on the same port. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    if (!server) return;
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  }

  /** The answer to an authorized request that no scripted failure took. */
  protected abstract handle(req: IncomingMessage, body: string): FakeReply | Promise<FakeReply>;

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    let reply: FakeReply;
    if (body === undefined) reply = { status: 413, json: { error: 'too_large' } };
    else if (req.headers.authorization !== (this.options.authorization ?? `Bearer ${this.options.token}`)) reply = { status: 401, json: { error: 'unauthorized' } };
    else reply = this.scriptedFailure(body) ?? (await this.handle(req, body));
    this.requests.push({ method: req.method ?? '', path: req.url ?? '', status: reply.status });
    if (this.delayMs <= 0) return this.answer(res, reply);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!res.destroyed) this.answer(res, reply).catch(() => res.destroy());
    }, this.delayMs);
    this.timers.add(timer);
  }

  private scriptedFailure(body: string): FakeReply | undefined {
    const failure = this.failures.shift();
    if (!failure) return undefined;
    const headers = failure.retryAfterSeconds === undefined ? undefined : { 'retry-after': String(failure.retryAfterSeconds) };
    return { status: failure.status, headers, json: { error: `fake_${failure.status}`, message: `could not take ${body}` } };
  }

  private async answer(res: ServerResponse, reply: FakeReply): Promise<void> {
    const headers = { 'content-type': 'application/json', ...reply.headers };
    if (this.oversize > 0 && reply.status < 300) return this.streamOversize(res, reply, headers);
    res.writeHead(reply.status, headers).end(reply.json === undefined ? '' : JSON.stringify(reply.json));
  }

  // Writes with backpressure, so what it counts is what the client (or the kernel's buffers) took.
  private async streamOversize(res: ServerResponse, reply: FakeReply, headers: Record<string, string>): Promise<void> {
    const total = this.oversize;
    const chunk = Buffer.alloc(64 * 1024, 'x');
    res.writeHead(reply.status, headers);
    let sent = 0;
    let gone = false;
    res.on('close', () => (gone = true));
    res.write(JSON.stringify(reply.json).slice(0, -1) + ',"pad":"');
    while (!gone && sent < total) {
      sent += chunk.length;
      if (!res.write(chunk)) await drainedOrClosed(res);
    }
    if (!gone) res.end('"}');
    this.oversized.push({ sent, total, completed: !gone });
  }
}

function drainedOrClosed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
