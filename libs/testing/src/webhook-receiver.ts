import { createServer, IncomingMessage, Server } from 'http';
import { AddressInfo, Socket } from 'net';
import { Webhook } from 'standardwebhooks';

export interface Received {
  id: string;
  timestamp: string;
  signature: string;
  body: string;
  path: string;
  /** The secrets (by name) the signature verified with, using the standardwebhooks library. */
  verifiedWith: string[];
  /** What the receiver answered. */
  answered: number | 'hang';
}

/**
 * A webhook receiver on 127.0.0.1, as an integrator would run one: it verifies every delivery with
 * the `standardwebhooks` library against the secrets it knows, and answers what the test says.
 */
export class WebhookReceiver {
  readonly received: Received[] = [];
  /** TCP connections accepted, verified or not: the proof that a refused target was never connected to. */
  connections = 0;
  secrets: Record<string, string> = {};
  /** What to answer: a status, or 'hang' (never answer). */
  answer: number | 'hang' = 204;
  private server?: Server;
  private readonly sockets = new Set<Socket>();

  constructor(
    private port = 0,
    private readonly host = '127.0.0.1',
  ) {}

  get url(): string {
    return `http://${this.host}:${this.port}/hooks/regency`;
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => void this.handle(req).then((status) => {
      if (status === 'hang') return;
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status >= 400 ? `receiver says ${status}` : '');
    }));
    server.on('connection', (socket) => {
      this.connections++;
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

  /** Goes away (connections refused) until started again on the same port. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  }

  private async handle(req: IncomingMessage): Promise<number | 'hang'> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const headers = { 'webhook-id': String(req.headers['webhook-id']), 'webhook-timestamp': String(req.headers['webhook-timestamp']), 'webhook-signature': String(req.headers['webhook-signature']) };
    const verifiedWith = Object.entries(this.secrets)
      .filter(([, secret]) => {
        try {
          new Webhook(secret).verify(body, headers);
          return true;
        } catch {
          return false;
        }
      })
      .map(([name]) => name);
    const answered = this.answer;
    this.received.push({ id: headers['webhook-id'], timestamp: headers['webhook-timestamp'], signature: headers['webhook-signature'], body, path: req.url ?? '', verifiedWith, answered });
    return answered;
  }

  /** The webhook-ids of the deliveries it accepted (2xx), in arrival order: duplicates show as repeats. */
  accepted(): string[] {
    return this.received.filter((r) => typeof r.answered === 'number' && r.answered < 300).map((r) => r.id);
  }
}

/** The receivers (and other servers) a suite starts, all stopped at its end. */
export class WebhookReceivers {
  private readonly started: Array<{ stop(): Promise<void> }> = [];

  /** A new receiver on `host:port` (a free port by default), already listening. */
  async start(port = 0, host = '127.0.0.1'): Promise<WebhookReceiver> {
    const r = new WebhookReceiver(port, host);
    await r.start();
    return this.track(r);
  }

  /** Stops `server` with the others at the end. */
  track<T extends { stop(): Promise<void> }>(server: T): T {
    this.started.push(server);
    return server;
  }

  async stopAll(): Promise<void> {
    for (const s of this.started.splice(0)) await s.stop();
  }
}
