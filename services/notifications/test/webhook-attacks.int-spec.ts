import { Actor, DeliveryResponse, RegencyCloudEvent, SUBJECTS, WebhookCreatedResponse } from '@smart-regency/contracts';
import { buildEvent, PendingEvent } from '@smart-regency/platform';
import { InProcessService, startInProcess, waitFor, WebhookReceiver, WebhookReceivers } from '@smart-regency/testing';
import { randomUUID } from 'crypto';
import { LookupAddress } from 'dns';
import { createServer, Server, Socket } from 'net';
import { JetStreamClient } from 'nats';
import { gzipSync } from 'zlib';
import { startNotifications } from '../src/app';
import { loadNotificationsConfig } from '../src/config';

/**
 * Attacks on the webhooks, from the outside in: a phished admin aiming deliveries at private
 * addresses, a receiver that answers with hostile bytes, a poisoned event on the stream. Every
 * byte goes to 127.0.0.1; other loopback addresses (127.0.0.2) stand in for private targets, with
 * a listener there counting connections (none may be made). No name is ever resolved by DNS: the
 * service has a stub resolver that answers from `dns` below.
 */

const admin: Actor = { id: randomUUID(), roles: ['admin'] };
const as = (actor: Actor) => ({ actor, lang: 'en' as const });
const TIMEOUT_MS = 1500;

const dns: Record<string, string[]> = { 'receiver.test': ['127.0.0.1'] };
const resolver = async (host: string): Promise<LookupAddress[]> => {
  const addresses = dns[host];
  if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};

/**
 * A receiver that speaks raw TCP on 127.0.0.1: once a request has arrived (its head at least) it
 * does what `script` says with the socket, byte by byte if it likes.
 */
class HostileReceiver {
  connections = 0;
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  port = 0;

  constructor(private readonly script: (socket: Socket, every: (ms: number, f: () => void) => void) => void) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks/hostile`;
  }

  async start(): Promise<this> {
    this.server = createServer((socket) => {
      this.connections++;
      this.sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => this.sockets.delete(socket));
      let started = false;
      let head = '';
      socket.on('data', (chunk) => {
        head += chunk.toString('latin1');
        if (started || !head.includes('\r\n\r\n')) return;
        started = true;
        this.script(socket, (ms, f) => {
          const timer = setInterval(() => (socket.destroyed ? clearInterval(timer) : f()), ms);
          this.timers.add(timer);
        });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

describe('webhooks under attack', () => {
  let t: InProcessService;
  let js: JetStreamClient;
  const receivers = new WebhookReceivers();
  const receiver = (port = 0, host = '127.0.0.1') => receivers.start(port, host);
  const hostile = async (script: ConstructorParameters<typeof HostileReceiver>[0]) => receivers.track(await new HostileReceiver(script).start());
  const publishRaw = async (type: string, body: string | Uint8Array, msgID: string = randomUUID()) => {
    await js.publish(`${t.env.eventsPrefix}.${type}`, body, { msgID });
  };
  const publish = async (...events: PendingEvent[]): Promise<RegencyCloudEvent[]> => {
    const built = events.map((e) => buildEvent(e.type, e.data as never) as unknown as RegencyCloudEvent);
    for (const e of built) await publishRaw(e.type, JSON.stringify(e), e.id);
    return built;
  };
  const created: string[] = [];
  const create = async (url: string, eventTypes: string[], extra: Record<string, unknown> = {}): Promise<WebhookCreatedResponse> => {
    const hook = await t.rpc.send(SUBJECTS.notifications.createWebhook, { url, eventTypes, ...extra } as never, as(admin));
    created.push(hook.id);
    return hook;
  };
  const remove = (id: string) => t.rpc.send(SUBJECTS.notifications.deleteWebhook, { id }, as(admin)).then(() => created.splice(created.indexOf(id), 1));
  const deliveries = async (id: string): Promise<DeliveryResponse[]> => (await t.rpc.send(SUBJECTS.notifications.listDeliveries, { id, pageSize: 100 } as never, as(admin))).items;
  /** The delivery of `eventId` to subscription `id` once `done` says it is where it should be. */
  const deliveryOf = (id: string, eventId: string, done: (d: DeliveryResponse) => boolean, timeoutMs = 10000) =>
    waitFor(`delivery of ${eventId} to ${id}`, async () => (await deliveries(id)).find((d) => d.eventId === eventId && done(d)), timeoutMs);
  let complaintTypes = 0;
  /** A complaint event of its own event-type pattern's reach: `rated` (no agency, no personal data). */
  const rated = (complaintId = randomUUID()): PendingEvent => ({ type: 'complaints.complaint.rated.v1', data: { complaintId, score: 1 + (complaintTypes++ % 5) } });

  beforeAll(async () => {
    t = await startInProcess('notifications', (env) =>
      startNotifications(
        loadNotificationsConfig({ ...env, WEBHOOK_RETRY_SCHEDULE: '3,3,3', WEBHOOK_POLL_MS: '100', WEBHOOK_TIMEOUT_MS: String(TIMEOUT_MS), WEBHOOK_MAX_RESPONSE_BYTES: '4096', WEBHOOK_CONCURRENCY: '32', WEBHOOK_CONCURRENCY_PER_SUBSCRIPTION: '4' }),
        false,
        { resolver },
      ),
    );
    js = t.rpc.connection.jetstream();
  });

  afterAll(async () => {
    // Nothing is sent after a test: its subscriptions go before its receivers.
    for (const id of [...created]) await remove(id).catch(() => undefined);
    await receivers.stopAll();
    await t?.close();
  });

  describe('a receiver that answers with hostile bytes', () => {
    it('records an answer holding a NUL byte, and the other outcomes written with it', async () => {
      // PostgreSQL text cannot hold U+0000: one such answer used to fail the whole batch of
      // outcomes, so the receiver's delivery was retried forever (never failed, never turned off)
      // and every delivery of other receivers in the same batch was sent again after its lease.
      const answer = 'bad\u0000answer\u001b[31m';
      const nul = await hostile((s) => s.end(`HTTP/1.1 500 Oops\r\ncontent-type: text/plain\r\ncontent-length: ${answer.length}\r\nconnection: close\r\n\r\n${answer}`));
      const healthy = await receiver();
      const bad = await create(nul.url, ['complaints.complaint.rated']);
      const good = await create(healthy.url, ['complaints.complaint.rated']);
      healthy.secrets = { s: good.secret };
      const [event] = await publish(rated());
      const failed = await deliveryOf(bad.id, event.id, (d) => d.attempts > 0 && (d.lastResponseStatus !== null || d.lastError !== null), 5000);
      expect(failed).toMatchObject({ status: 'pending', lastResponseStatus: 500, lastError: 'badanswer[31m' });
      await deliveryOf(good.id, event.id, (d) => d.status === 'delivered', 5000);
      expect(healthy.accepted()).toEqual([event.id]);
      await remove(bad.id);
      await remove(good.id);
    });

    it('ends every attempt within the time limit, whatever the receiver does, and follows no redirect', async () => {
      const trap = await receiver(0, '127.0.0.2');
      const endless = 'x'.repeat(16384);
      const scripts: Record<string, ConstructorParameters<typeof HostileReceiver>[0]> = {
        redirect: (s) => s.end(`HTTP/1.1 307 Temporary Redirect\r\nlocation: http://127.0.0.2:${new URL(trap.url).port}/x\r\ncontent-length: 0\r\n\r\n`),
        'endless error body': (s, every) => {
          s.write('HTTP/1.1 500 No\r\ntransfer-encoding: chunked\r\n\r\n');
          every(1, () => s.write(`${endless.length.toString(16)}\r\n${endless}\r\n`));
        },
        'status line byte by byte': (s, every) => {
          const line = 'HTTP/1.1 200 OK\r\nx-slow: ' + 'y'.repeat(1000);
          let i = 0;
          every(50, () => s.write(line[i++ % line.length]));
        },
        'headers, then nothing': (s) => s.write('HTTP/1.1 500 Later\r\ncontent-length: 1000\r\n\r\n'),
        'huge headers': (s) => s.end(`HTTP/1.1 500 No\r\n${Array.from({ length: 200 }, (_, i) => `x-h${i}: ${'z'.repeat(1000)}\r\n`).join('')}\r\n`),
        'endless 1xx': (s, every) => every(20, () => s.write('HTTP/1.1 102 Processing\r\n\r\n')),
        'switching protocols': (s) => s.write('HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: upgrade\r\n\r\n'),
        'closes mid-body': (s) => s.end('HTTP/1.1 503 Busy\r\ncontent-length: 1000\r\n\r\nonly a part'),
        'gzip bomb': (s) => {
          const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024));
          s.end(Buffer.concat([Buffer.from(`HTTP/1.1 500 No\r\ncontent-encoding: gzip\r\ncontent-length: ${bomb.length}\r\n\r\n`), bomb]));
        },
        'not http': (s) => s.end('SSH-2.0-OpenSSH_9.6\r\n'),
      };
      const subs: Array<[string, HostileReceiver, WebhookCreatedResponse]> = [];
      for (const [name, script] of Object.entries(scripts)) {
        const h = await hostile(script);
        subs.push([name, h, await create(h.url, ['complaints.complaint.rated'])]);
      }
      const healthy = await receiver();
      const good = await create(healthy.url, ['complaints.complaint.rated']);
      healthy.secrets = { s: good.secret };
      const started = Date.now();
      const [event] = await publish(rated());
      const outcomes: Record<string, Partial<DeliveryResponse>> = {};
      for (const [name, , sub] of subs) {
        const d = await deliveryOf(sub.id, event.id, (x) => x.status !== 'pending' || x.lastError !== null || x.lastResponseStatus !== null, TIMEOUT_MS + 5000).catch(async () => {
          throw new Error(`${name}: ${JSON.stringify(await deliveries(sub.id))}`);
        });
        expect({ name, attempts: d.attempts, status: d.status }).toEqual({ name, attempts: 1, status: 'pending' });
        outcomes[name] = { lastResponseStatus: d.lastResponseStatus, lastError: d.lastError };
      }
      // All attempts ended by the time limit (and the outcomes are written shortly after).
      expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 3000);
      expect(outcomes).toEqual({
        redirect: { lastResponseStatus: 307, lastError: 'redirects are not followed (HTTP 307)' },
        'endless error body': { lastResponseStatus: 500, lastError: expect.stringMatching(/^x{500}$/) },
        'status line byte by byte': { lastResponseStatus: null, lastError: `no answer within ${TIMEOUT_MS} ms` },
        'headers, then nothing': { lastResponseStatus: null, lastError: `no answer within ${TIMEOUT_MS} ms` },
        'huge headers': { lastResponseStatus: null, lastError: expect.stringMatching(/HPE_HEADER_OVERFLOW/) },
        'endless 1xx': { lastResponseStatus: null, lastError: `no answer within ${TIMEOUT_MS} ms` },
        // Node drops the socket of an unasked-for upgrade without a word: the time limit ends the attempt.
        'switching protocols': { lastResponseStatus: null, lastError: `no answer within ${TIMEOUT_MS} ms` },
        'closes mid-body': { lastResponseStatus: 503, lastError: 'only a part' },
        // Not inflated: what is stored are the compressed bytes, up to 500 characters.
        'gzip bomb': { lastResponseStatus: 500, lastError: expect.any(String) },
        'not http': { lastResponseStatus: null, lastError: expect.stringMatching(/HPE_/) },
      });
      for (const o of Object.values(outcomes)) expect(o.lastError!.length).toBeLessThanOrEqual(500);
      expect(trap.connections).toBe(0);
      // Meanwhile the others are served.
      await deliveryOf(good.id, event.id, (d) => d.status === 'delivered');
      for (const [, , sub] of subs) await remove(sub.id);
      await remove(good.id);
    });

    it('lets no receiver keep delivery slots past the time limit (32 slots, 4 per subscription: eight receivers answering 101)', async () => {
      const upgraders: HostileReceiver[] = [];
      for (let i = 0; i < 8; i++) {
        const h = await hostile((s) => s.write('HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: upgrade\r\n\r\n'));
        upgraders.push(h);
        await create(h.url, ['complaints.complaint.rated']);
      }
      await publish(rated(), rated(), rated(), rated());
      await waitFor('every slot taken', async () => (upgraders.reduce((n, h) => n + h.connections, 0) >= 32 ? true : undefined));
      const healthy = await receiver();
      const good = await create(healthy.url, ['complaints.complaint.rated']);
      const [event] = await publish(rated());
      // Each slot is free again at the time limit, and the healthy receiver gets its delivery.
      await deliveryOf(good.id, event.id, (d) => d.status === 'delivered', TIMEOUT_MS + 5000);
    });

    it('drops a 2xx that then hangs at the time limit, and tries it again (at least once)', async () => {
      const h = await hostile((s) => s.write('HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\nsome'));
      const sub = await create(h.url, ['complaints.complaint.rated']);
      const started = Date.now();
      const [event] = await publish(rated());
      const d = await deliveryOf(sub.id, event.id, (x) => x.status !== 'pending' || x.lastError !== null, TIMEOUT_MS + 5000);
      expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 3000);
      expect(d).toMatchObject({ status: 'pending', lastResponseStatus: null, lastError: `no answer within ${TIMEOUT_MS} ms`, attempts: 1 });
      await remove(sub.id);
    });
  });

  describe('a phished admin aiming deliveries at private addresses', () => {
    let trap: WebhookReceiver;
    let port: string;

    beforeAll(async () => {
      // Stands in for a private service: nothing may connect to it.
      trap = await receiver(0, '127.0.0.2');
      port = new URL(trap.url).port;
    });

    afterEach(() => expect(trap.connections).toBe(0));

    const refusal = (url: string) =>
      create(url, ['complaints.complaint.rated']).then(
        () => 'created',
        (error: { code?: string }) => error.code,
      );

    it('refuses every spelling of a private address in the URL, before any connection', async () => {
      const spellings = [
        'http://127.0.0.2:P/x',
        'http://127.2:P/x',
        'http://2130706434:P/x',
        'http://0x7f.0.0.2:P/x',
        'http://0x7f000002:P/x',
        'http://0177.0.0.2:P/x',
        'http://127.0.0.2.:P/x',
        'http://a@127.0.0.2:P/x',
        'http://receiver.test:P@127.0.0.2:P/x',
        'http://0:P/x',
        'http://0.0.0.0:P/x',
        'http://[::]:P/x',
        'http://[::1]:P/x',
        'http://[::ffff:127.0.0.2]:P/x',
        'http://[0:0:0:0:0:ffff:7f00:2]:P/x',
        'http://[::ffff:0:7f00:2]:P/x',
        'http://[64:ff9b::7f00:2]:P/x',
        'http://[64:ff9b:1::7f00:2]:P/x',
        'http://[2002:7f00:2::]:P/x',
        'http://[2001:0:7f00:2::]:P/x',
        'http://[fd00::7f00:2]:P/x',
        'http://[fe80::1]:P/x',
        // IPv4-compatible (deprecated): ipaddr.js calls ::7f00:2 unicast; some stacks route it to 127.0.0.2.
        'http://[::127.0.0.2]:P/x',
        'http://[::7f00:2]:P/x',
        'http://[::a9fe:a9fe]/latest/meta-data',
        'http://169.254.169.254/latest/meta-data',
        'http://[::ffff:a9fe:a9fe]/latest/meta-data',
        'http://localhost:P/x',
      ];
      const answers = Object.fromEntries(await Promise.all(spellings.map(async (u) => [u, await refusal(u.replace(/:P\b/g, `:${port}`))])));
      // The validator (class-validator's isURL) refuses some spellings first (400 either way); the guard the rest.
      const refused = expect.stringMatching(/^(COMMON\.VALIDATION|NOTIFICATIONS\.TARGET_REFUSED)$/);
      expect(answers).toEqual(Object.fromEntries(spellings.map((u) => [u, refused])));
      // Zone ids, full-width digits, other schemes, URLs past 2000 characters.
      for (const url of [`http://[fe80::1%25lo]:${port}/x`, `http://１２７.０.０.２:${port}/x`, 'file:///etc/passwd', 'gopher://127.0.0.1:70/', `http://127.0.0.1:${port}/${'a'.repeat(2000)}`]) {
        expect([url, await refusal(url)]).toEqual([url, refused]);
      }
    });

    it('refuses a name when any address it resolves to is private, whatever its spelling or family', async () => {
      Object.assign(dns, {
        'compat.test': ['::7f00:2'],
        'mapped.test': ['::ffff:127.0.0.2'],
        'both.test': ['127.0.0.1', '::ffff:7f00:2'],
        'v6.test': ['127.0.0.1', '::1'],
        'zero.test': ['0.0.0.0'],
        'hex.test': ['0x7f.0.0.2'],
        'long.test': ['2130706434'],
        'scoped.test': ['fe80::1%lo'],
        'nothing.test': [],
        'garbage.test': ['not-an-address'],
      });
      for (const name of ['compat', 'mapped', 'both', 'v6', 'zero', 'hex', 'long', 'scoped', 'nothing', 'garbage', 'unknown']) {
        expect([name, await refusal(`http://${name}.test:${port}/x`)]).toEqual([name, 'NOTIFICATIONS.TARGET_REFUSED']);
      }
    });

    it('refuses at each attempt a name that turned private after the subscription was saved', async () => {
      const forms = ['127.0.0.2', '::ffff:127.0.0.2', '::7f00:2', '0.0.0.0', '::', '::1', 'fe80::1%lo', '169.254.169.254'];
      const hooks: Array<[string, WebhookCreatedResponse]> = [];
      for (const [i, form] of forms.entries()) {
        dns[`flip${i}.test`] = ['127.0.0.1'];
        hooks.push([form, await create(`http://flip${i}.test:${port}/x`, ['complaints.complaint.rated'])]);
        dns[`flip${i}.test`] = [form];
      }
      const [event] = await publish(rated());
      for (const [form, hook] of hooks) {
        const d = await deliveryOf(hook.id, event.id, (x) => x.lastError !== null);
        expect([form, d.lastResponseStatus, d.lastError]).toEqual([form, null, expect.stringMatching(/target refused/)]);
      }
    });

    it('never reuses a kept-alive connection for another address: a name moved to a private address after a delivery gets nothing new', async () => {
      // The receiver and a trap share a port number on 127.0.0.1 and 127.0.0.2. The receiver's port
      // is chosen free first: the describe's trap port could meanwhile be another socket's on 127.0.0.1.
      const r = await receiver(0, '127.0.0.1');
      const shared = new URL(r.url).port;
      const sameTrap = await receiver(Number(shared), '127.0.0.2');
      dns['moving.test'] = ['127.0.0.1'];
      const hook = await create(`http://moving.test:${shared}/x`, ['complaints.complaint.rated']);
      const [first] = await publish(rated());
      await deliveryOf(hook.id, first.id, (d) => d.status === 'delivered');
      dns['moving.test'] = ['127.0.0.2'];
      const [second] = await publish(rated());
      // Either the kept-alive socket to 127.0.0.1 carries it, or a new connection is refused: never 127.0.0.2.
      const d = await deliveryOf(hook.id, second.id, (x) => x.status === 'delivered' || x.lastError !== null);
      expect(d.status === 'delivered' ? r.accepted() : d.lastError).toEqual(d.status === 'delivered' ? [first.id, second.id] : expect.stringMatching(/target refused/));
      expect(sameTrap.connections).toBe(0);
      await remove(hook.id);
      await r.stop();
      await sameTrap.stop();
    });
  });

  describe('what the system tells others about a failing receiver', () => {
    it('names no host, address or port of the receiver in the disabled event (every integrator reads it) nor in the audit trail', async () => {
      const watcher = await receiver();
      const w = await create(watcher.url, ['notifications.webhook.disabled']);
      watcher.secrets = { s: w.secret };
      // A port nobody listens on, and a name that moved to a private address.
      const gone = await receiver();
      const closedPort = new URL(gone.url).port;
      await gone.stop();
      dns['dashboard.sumut.internal'] = ['127.0.0.1'];
      const refusedConnection = await create(`http://dashboard.sumut.internal:${closedPort}/hooks/x`, ['complaints.complaint.escalated']);
      dns['partner-secret.test'] = ['127.0.0.1'];
      const refusedTarget = await create(`http://partner-secret.test:${closedPort}/hooks/x`, ['complaints.complaint.escalated']);
      dns['partner-secret.test'] = ['10.20.1.5'];
      await publish({ type: 'complaints.complaint.escalated.v1', data: { complaintId: randomUUID(), agencyId: randomUUID(), stage: 'head', dueAt: new Date().toISOString() } });
      const disabled = await waitFor(
        'both turned off',
        async () => {
          const events = watcher.received.filter((x) => x.verifiedWith.length).map((x) => JSON.parse(x.body) as RegencyCloudEvent<{ webhookId: string; reason: string }>);
          const of = (id: string) => events.find((e) => e.data.webhookId === id);
          return of(refusedConnection.id) && of(refusedTarget.id) ? events : undefined;
        },
        30000,
        200,
      );
      const leaks = /dashboard|sumut|partner|127\.0\.0|10\.20|ECONNREFUSED .*:|:\d{2,5}\b/;
      for (const e of disabled) expect(e.data.reason).not.toMatch(leaks);
      const ours = disabled.filter((e) => [refusedConnection.id, refusedTarget.id].includes(e.data.webhookId));
      expect(ours.map((e) => [e.data.webhookId, e.data.reason]).sort()).toEqual(
        [
          [refusedConnection.id, 'deliveries kept failing through the whole retry schedule (last: ECONNREFUSED)'],
          [refusedTarget.id, 'deliveries kept failing through the whole retry schedule (last: target refused)'],
        ].sort(),
      );
      const rows = await waitFor('both audit rows', async () => {
        const { rows } = await t.db.query(`SELECT changes::text AS changes FROM audit_log WHERE action = 'webhook.disable' AND entity_id = ANY($1)`, [[refusedConnection.id, refusedTarget.id]]);
        return rows.length === 2 ? rows : undefined;
      });
      for (const row of rows) expect(row.changes).not.toMatch(leaks);
      // The admin still finds the detail in the delivery log.
      const [d] = await deliveries(refusedTarget.id);
      expect(d.lastError).toMatch(/partner-secret\.test resolves to 10\.20\.1\.5/);
    });
  });

  describe('what the audit trail keeps of a URL', () => {
    it('keeps no token a URL carries in its path, query or userinfo, and still records a change of path', async () => {
      const r = await receiver();
      const port = new URL(r.url).port;
      // Many receivers take their credential in the path (Slack, Teams, Zapier…); the auditor reads the trail, which cannot be edited.
      const hook = await create(`http://user:pa55word@receiver.test:${port}/services/T0KEN-PATH-1/B00?sig=T0KEN-QUERY`, ['complaints.complaint.rated']);
      await t.rpc.send(SUBJECTS.notifications.updateWebhook, { id: hook.id, url: `http://receiver.test:${port}/services/T0KEN-PATH-2/B00` }, as(admin));
      // Only the query changes: still a change someone made, to be audited.
      await t.rpc.send(SUBJECTS.notifications.updateWebhook, { id: hook.id, url: `http://receiver.test:${port}/services/T0KEN-PATH-2/B00?sig=T0KEN-QUERY-2` }, as(admin));
      const rows = await waitFor('the create and update rows', async () => {
        const { rows } = await t.db.query(`SELECT action, changes FROM audit_log WHERE entity_id = $1 ORDER BY seq`, [hook.id]);
        return rows.length === 3 ? rows : undefined;
      });
      expect(rows.map((x) => x.action)).toEqual(['webhook.create', 'webhook.update', 'webhook.update']);
      expect(JSON.stringify(rows)).not.toMatch(/T0KEN|pa55word|user:/);
      // Each change of path or query is still a change: before and after differ.
      for (const row of rows.slice(1)) {
        expect(row.changes.before.url).toEqual(expect.stringContaining(`http://receiver.test:${port}/`));
        expect(row.changes.after.url).not.toBe(row.changes.before.url);
      }
    });
  });

  describe('a poisoned event on the stream', () => {
    it('never reaches a receiver unless it is a CloudEvent the fan-out can store, and the events after it go on', async () => {
      const r = await receiver();
      const hook = await create(r.url, ['complaints.complaint.rated']);
      r.secrets = { s: hook.secret };
      const type = 'complaints.complaint.rated.v1';
      const valid = () => buildEvent(type, { complaintId: randomUUID(), score: 3 }) as unknown as Record<string, unknown>;
      const poisons: Record<string, string | Uint8Array> = {
        'not JSON': 'not json at all {',
        'a JSON array': '[1,2,3]',
        'no id': JSON.stringify({ ...valid(), id: undefined }),
        'an id that is no uuid': JSON.stringify({ ...valid(), id: 'x' }),
        'a type that is no text': JSON.stringify({ ...valid(), type: 42 }),
        'a time that is no time': JSON.stringify({ ...valid(), time: 'yesterday' }),
        'a time that does not exist': JSON.stringify({ ...valid(), time: '2026-02-30T00:00:00Z' }),
        'no time': JSON.stringify({ ...valid(), time: undefined }),
        'an agency that is no uuid': JSON.stringify({ ...valid(), data: { complaintId: randomUUID(), score: 1, agencyId: 'PUPR' } }),
        'binary': new Uint8Array([0, 255, 254, 0, 1]),
      };
      for (const [name, body] of Object.entries(poisons)) await publishRaw(type, body, `poison-${name}-${randomUUID()}`);
      const [good] = await publish(rated());
      await waitFor('the good event after the poisoned ones', async () => (r.accepted().includes(good.id) ? true : undefined), 15000);
      // What did reach the receiver is a signed JSON object with a uuid id and the subscribed type.
      for (const x of r.received) {
        const e = JSON.parse(x.body);
        expect({ id: e.id, type: e.type, verified: x.verifiedWith }).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), type, verified: ['s'] });
      }
      // Only one poison passed, as it was on the stream: PostgreSQL takes 'yesterday' for a time.
      // Only a service can publish events (NATS permissions), and they build every time themselves.
      expect(r.received.map((x) => JSON.parse(x.body).time).filter((time) => Number.isNaN(Date.parse(time)))).toEqual(['yesterday']);
      await remove(hook.id);
    });

    it('delivers a huge event (near the 1 MiB NATS limit) without trouble', async () => {
      const r = await receiver();
      const hook = await create(r.url, ['complaints.complaint.rated']);
      const event = buildEvent('complaints.complaint.rated.v1', { complaintId: randomUUID(), score: 2 });
      await publishRaw(event.type, JSON.stringify({ ...event, padding: 'p'.repeat(900_000) }), event.id);
      await waitFor('the huge event', async () => (r.accepted().includes(event.id) ? true : undefined), 15000);
      await remove(hook.id);
    });
  });

  describe('admins only, and nothing else reached through the webhooks', () => {
    it('answers every webhook subject FORBIDDEN to every role but admin, and UNAUTHENTICATED without a caller', async () => {
      const r = await receiver();
      const hook = await create(r.url, ['complaints.complaint.rated']);
      const id = hook.id;
      const calls: Array<[string, Record<string, unknown>]> = [
        [SUBJECTS.notifications.createWebhook, { url: r.url, eventTypes: ['>'] }],
        [SUBJECTS.notifications.listWebhooks, {}],
        [SUBJECTS.notifications.getWebhook, { id }],
        [SUBJECTS.notifications.updateWebhook, { id, url: 'http://receiver.test:1/attacker' }],
        [SUBJECTS.notifications.deleteWebhook, { id }],
        [SUBJECTS.notifications.rotateWebhookSecret, { id }],
        [SUBJECTS.notifications.listDeliveries, { id }],
        [SUBJECTS.notifications.redeliver, { id, deliveryId: randomUUID() }],
        [SUBJECTS.notifications.startReplay, { id, since: new Date(0).toISOString() }],
        [SUBJECTS.notifications.getReplay, { id, replayId: randomUUID() }],
      ];
      const agency = randomUUID();
      const callers: Actor[] = [
        { id: randomUUID(), roles: ['citizen'] },
        { id: randomUUID(), roles: ['officer'], agencyId: agency },
        { id: randomUUID(), roles: ['agency_head'], agencyId: agency },
        { id: randomUUID(), roles: ['auditor'] },
        { id: randomUUID(), roles: ['integrator'] },
        { id: randomUUID(), roles: [] },
        { id: randomUUID(), roles: ['Admin', 'admin '] as never },
      ];
      for (const [subject, payload] of calls) {
        const send = (ctx?: ReturnType<typeof as>) => t.rpc.send(subject as never, payload as never, ctx).then(() => 'answered', (e: { code?: string }) => e.code);
        expect([subject, await send()]).toEqual([subject, 'COMMON.UNAUTHENTICATED']);
        for (const actor of callers) expect([subject, actor.roles, await send(as(actor))]).toEqual([subject, actor.roles, 'COMMON.FORBIDDEN']);
      }
      const still = await t.rpc.send(SUBJECTS.notifications.getWebhook, { id }, as(admin));
      expect(still).toMatchObject({ url: hook.url, updatedAt: hook.updatedAt, previousSecretExpiresAt: null });
      await remove(id);
    });

    it('finds deliveries and replays only under their own subscription, and none of a deleted one', async () => {
      const r = await receiver();
      const a = await create(r.url, ['complaints.complaint.rated']);
      const b = await create(r.url, ['complaints.complaint.rated']);
      const [event] = await publish(rated());
      const delivery = await deliveryOf(a.id, event.id, (d) => d.status === 'delivered');
      const replay = await t.rpc.send(SUBJECTS.notifications.startReplay, { id: a.id, since: new Date(Date.now() - 5000).toISOString() }, as(admin));
      const code = (p: Promise<unknown>) => p.then(() => 'answered', (e: { code?: string }) => e.code);
      expect(await code(t.rpc.send(SUBJECTS.notifications.getReplay, { id: b.id, replayId: replay.id }, as(admin)))).toBe('NOTIFICATIONS.REPLAY_NOT_FOUND');
      expect(await code(t.rpc.send(SUBJECTS.notifications.redeliver, { id: b.id, deliveryId: delivery.id }, as(admin)))).toBe('NOTIFICATIONS.DELIVERY_NOT_FOUND');
      expect((await deliveries(b.id)).map((d) => d.id)).not.toContain(delivery.id);
      await remove(a.id);
      for (const call of [
        t.rpc.send(SUBJECTS.notifications.getReplay, { id: a.id, replayId: replay.id }, as(admin)),
        t.rpc.send(SUBJECTS.notifications.startReplay, { id: a.id, since: new Date(0).toISOString() }, as(admin)),
        t.rpc.send(SUBJECTS.notifications.redeliver, { id: a.id, deliveryId: delivery.id }, as(admin)),
        t.rpc.send(SUBJECTS.notifications.listDeliveries, { id: a.id }, as(admin)),
        t.rpc.send(SUBJECTS.notifications.rotateWebhookSecret, { id: a.id }, as(admin)),
        t.rpc.send(SUBJECTS.notifications.updateWebhook, { id: a.id, active: true }, as(admin)),
      ]) {
        expect(await code(call)).toMatch(/^NOTIFICATIONS\.(WEBHOOK|REPLAY)_NOT_FOUND$/);
      }
      const { rows } = await t.db.query(`SELECT (SELECT count(*)::int FROM webhook_deliveries WHERE subscription_id = $1) AS d, (SELECT count(*)::int FROM webhook_replays WHERE subscription_id = $1) AS r`, [a.id]);
      expect(rows[0]).toEqual({ d: 0, r: 0 });
      await remove(b.id);
    });

    it('runs one replay of a subscription at a time, even when asked many times at once, and from any time in the past', async () => {
      const r = await receiver();
      const hook = await create(r.url, ['complaints.complaint.rated']);
      const code = (p: Promise<unknown>) => p.then(() => 'started', (e: { code?: string }) => e.code);
      const since = new Date(0).toISOString();
      const answers = await Promise.all(Array.from({ length: 5 }, () => code(t.rpc.send(SUBJECTS.notifications.startReplay, { id: hook.id, since }, as(admin)))));
      // A short stream can be replayed before the last of the five is answered: another may then
      // start, but never while one runs.
      const started = answers.filter((a) => a === 'started').length;
      expect(started).toBeGreaterThanOrEqual(1);
      expect(answers.filter((a) => a !== 'started')).toEqual(Array(5 - started).fill('NOTIFICATIONS.REPLAY_RUNNING'));
      await waitFor('the replays to end', async () => {
        const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM webhook_replays WHERE subscription_id = $1 AND status = 'running'`, [hook.id]);
        return rows[0].n === 0 ? true : undefined;
      });
      const { rows } = await t.db.query(`SELECT started_at, finished_at FROM webhook_replays WHERE subscription_id = $1 ORDER BY started_at`, [hook.id]);
      expect(rows).toHaveLength(started);
      for (let i = 1; i < rows.length; i++) expect(rows[i].started_at.getTime()).toBeGreaterThanOrEqual(rows[i - 1].finished_at.getTime());
      await remove(hook.id);
    });

    it('validates what it is given: null agency, unknown fields, empty and oversized lists, a PATCH of nothing', async () => {
      const r = await receiver();
      const code = (p: Promise<unknown>) => p.then(() => 'answered', (e: { code?: string }) => e.code);
      const base = { url: r.url, eventTypes: ['complaints.complaint.rated'] };
      for (const bad of [
        { ...base, agencyId: null },
        { ...base, agencyId: 'PUPR' },
        { ...base, secret: 'whsec_' + Buffer.alloc(32).toString('base64') },
        { ...base, secretSealed: 'v1.x' },
        { ...base, id: randomUUID() },
        { ...base, eventTypes: [] },
        { ...base, eventTypes: Array(51).fill('>') },
        { ...base, eventTypes: ['*'] },
        { ...base, eventTypes: ['complaints.>.rated'] },
        { ...base, eventTypes: 'complaints.>' },
        { ...base, description: 'd'.repeat(501) },
        { ...base, active: 'yes' },
        { ...base, url: ['http://receiver.test/'] },
      ]) {
        expect([bad, await code(t.rpc.send(SUBJECTS.notifications.createWebhook, bad as never, as(admin)))]).toEqual([bad, 'COMMON.VALIDATION']);
      }
      const hook = await create(r.url, ['complaints.complaint.rated'], { agencyId: randomUUID() });
      for (const bad of [{ url: null }, { eventTypes: null }, { eventTypes: [] }, { description: null }, { active: null }, { secret_sealed: 'v1.x' }, { version: 99 }]) {
        expect([bad, await code(t.rpc.send(SUBJECTS.notifications.updateWebhook, { id: hook.id, ...bad } as never, as(admin)))]).toEqual([bad, 'COMMON.VALIDATION']);
      }
      const same = await t.rpc.send(SUBJECTS.notifications.updateWebhook, { id: hook.id }, as(admin));
      expect(same.updatedAt).toBe(hook.updatedAt);
      const unscoped = await t.rpc.send(SUBJECTS.notifications.updateWebhook, { id: hook.id, agencyId: null }, as(admin));
      expect(unscoped.agencyId).toBeNull();
      await remove(hook.id);
    });

    it('sends nothing with a sealed secret moved to another subscription (a database write cannot sign as another)', async () => {
      const r = await receiver();
      const victim = await create(r.url, ['complaints.complaint.rated']);
      const attacker = await create(r.url, ['complaints.complaint.rated'], { active: false });
      await t.db.query(`UPDATE webhook_subscriptions SET secret_sealed = (SELECT secret_sealed FROM webhook_subscriptions WHERE id = $1), active = true WHERE id = $2`, [victim.id, attacker.id]);
      r.secrets = { victim: victim.secret };
      const [event] = await publish(rated());
      const d = await deliveryOf(attacker.id, event.id, (x) => x.lastError !== null);
      expect(d).toMatchObject({ status: 'pending', lastResponseStatus: null, lastError: expect.stringMatching(/cannot be decrypted/) });
      await deliveryOf(victim.id, event.id, (x) => x.status === 'delivered');
      // Only the victim's own delivery arrived, signed with its own secret.
      expect(r.received.map((x) => x.verifiedWith)).toEqual([['victim']]);
      await remove(victim.id);
      await remove(attacker.id);
    });

    it('keeps no secret in the clear anywhere in its database', async () => {
      const r = await receiver();
      const hook = await create(r.url, ['complaints.complaint.rated']);
      const rotated = await t.rpc.send(SUBJECTS.notifications.rotateWebhookSecret, { id: hook.id }, as(admin));
      await publish(rated());
      await waitFor('a delivery', async () => (r.received.length ? true : undefined));
      const { rows: tables } = await t.db.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`);
      for (const { table_name } of tables) {
        const { rows } = await t.db.query(`SELECT coalesce(string_agg(t::text, '|'), '') AS dump FROM "${table_name}" t`);
        for (const secret of [hook.secret, rotated.secret]) {
          const key = secret.slice('whsec_'.length);
          expect([table_name, rows[0].dump.includes(key) || rows[0].dump.includes('whsec_')]).toEqual([table_name, false]);
        }
      }
      await remove(hook.id);
    });
  });
});
