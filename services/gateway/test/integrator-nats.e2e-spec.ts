import { SUBJECTS } from '@smart-regency/contracts';
import { Integrator, prefixed, readIntegrators, transferBucketName } from '@smart-regency/platform';
import { busLayoutOf, PrivateNatsServer, REPO_ROOT, TestEnvironment, TestSystem, waitFor } from '@smart-regency/testing';
import { execFileSync } from 'child_process';
import { randomUUID } from 'crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { AckPolicy, connect, DeliverPolicy, JetStreamManager, JSONCodec, JsMsg, NatsConnection, nkeyAuthenticator } from 'nats';
import { tmpdir } from 'os';
import { join } from 'path';
import request from 'supertest';
import { People } from './support';

const codec = JSONCodec<{ id: string; type: string; subject: string; data: Record<string, unknown> }>();

/**
 * The integrators' door on NATS, as docs/events.md tells operators and integrators to use it: the
 * whole system on a nats-server of the test's own (the production permissions, TLS without client
 * certificates, as deploy/compose.integrators.yml runs it), integrators added with
 * `npm run nats:integrator` and a reload while it runs, then reading events with their NKEY seed.
 * Each thing an integrator may not do is tried and refused.
 */
describe('NATS access for integrators', () => {
  let env: TestEnvironment;
  let nats: PrivateNatsServer;
  let system: TestSystem;
  let api: ReturnType<typeof request>;
  let dir: string;
  const people = new People(9700);
  const open: NatsConnection[] = [];
  let registry: Integrator[];
  const seeds: Record<string, string> = {};

  /** The operator's command, on a registry and nats.conf of the test's own. */
  const command = (...args: string[]) =>
    execFileSync(process.execPath, ['libs/platform/dist/nats/integrators.cli.js', ...args], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: dir, REGENCY_INTEGRATORS_FILE: join(dir, 'integrators.json'), REGENCY_NATS_CONF: join(dir, 'nats.conf'), REGENCY_INTEGRATOR_SEED_DIR: join(dir, 'seeds') },
      encoding: 'utf8',
    });
  /** Connects as the integrator does: its seed, its inbox prefix, the CA of the server's certificate. */
  const asIntegrator = async (name: string, seed = seeds[name]) => {
    const nc = await connect({ servers: nats.url, authenticator: nkeyAuthenticator(new TextEncoder().encode(seed)), inboxPrefix: `_INBOX.${name}`, tls: { caFile: nats.tlsFiles!.ca }, maxReconnectAttempts: 0 });
    open.push(nc);
    return nc;
  };
  const asService = async (user: 'reporting' | 'identity') => {
    const nc = await connect({ servers: nats.url, user, pass: nats.passwords[user], inboxPrefix: `_INBOX.${user}`, tls: { caFile: nats.tlsFiles!.ca }, maxReconnectAttempts: 0 });
    open.push(nc);
    return nc;
  };
  const nkeyOf = (name: string) => registry.find((i) => i.name === name)!.nkey;
  const durable = (jsm: JetStreamManager, name: string, filter = `${env.eventsPrefix}.>`) =>
    jsm.consumers.add(env.eventsStream, { durable_name: name, filter_subject: filter, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All });
  /** Every event the durable has for us now, acknowledged. */
  const drain = async (nc: NatsConnection, name: string) => {
    const consumer = await nc.jetstream().consumers.get(env.eventsStream, name);
    const events: Array<ReturnType<typeof codec.decode> & { seq: number }> = [];
    for (;;) {
      const m: JsMsg | null = await consumer.next({ expires: 1000 });
      if (!m) return events;
      events.push({ ...codec.decode(m.data), seq: m.seq });
      await m.ackAck();
    }
  };
  /** Server log lines refusing something to `name` since `before`. */
  const refusedSince = (before: number, name: string) =>
    nats
      .violations()
      .slice(before)
      .filter((l) => l.includes(nkeyOf(name)))
      .join('\n');
  const settle = async (nc: NatsConnection) => {
    await nc.flush().catch(() => undefined);
    await new Promise((r) => setTimeout(r, 300));
  };

  beforeAll(async () => {
    env = new TestEnvironment();
    dir = mkdtempSync(join(tmpdir(), 'regency-integrators-e2e-'));
    writeFileSync(join(dir, 'integrators.json'), '[]\n');
    nats = await PrivateNatsServer.start(busLayoutOf(env), { tls: true, verifyClients: false });
    const each = Object.fromEntries((['gateway', 'identity', 'permits', 'complaints', 'reporting', 'notifications'] as const).map((p) => [p, nats.envFor(p)]));
    system = await TestSystem.start(each, env);
    api = request(system.gatewayUrl);
    await people.signIn(system);
    await people.add('warga');
    // The operator adds two integrators on the running install, then reloads NATS.
    command('add', 'acme', '--consumers', 'acme-identity');
    command('add', 'beta');
    registry = readIntegrators(join(dir, 'integrators.json'));
    for (const { name } of registry) seeds[name] = readFileSync(join(dir, 'seeds', `${name}.nk`), 'utf8').trim();
    await nats.setIntegrators(registry);
  }, 120000);

  afterAll(async () => {
    for (const nc of open) await nc.close().catch(() => undefined);
    await system?.stop();
    await nats?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reads the events of the system through its own durables, filtered or not, with its seed over TLS', async () => {
    expect(command('list')).toMatch(/^acme\tU\w{55}\tacme,acme-identity\t/m);
    const nc = await asIntegrator('acme');
    const jsm = await nc.jetstreamManager();
    expect((await jsm.streams.info(env.eventsStream)).state.messages).toBeGreaterThan(0);
    await durable(jsm, 'acme');
    await durable(jsm, 'acme-identity', `${env.eventsPrefix}.identity.>`);
    // A complaint puts a second service's events in the stream.
    await api
      .post('/api/v1/complaints')
      .set('Authorization', people.bearer.warga)
      .send({ categoryCode: 'waste-environment', title: 'Sampah di pasar', description: 'Sampah menumpuk sejak seminggu.', location: { lat: 2.5, lng: 99.6 }, visibility: 'public' })
      .expect(201);
    let all: Awaited<ReturnType<typeof drain>> = [];
    for (let i = 0; i < 50 && !all.some((e) => e.type.startsWith('complaints.')); i++) all = [...all, ...(await drain(nc, 'acme'))];
    expect(all.find((e) => e.type === 'identity.user.registered.v1' && e.subject === people.ids.warga)?.data).toMatchObject({ userId: people.ids.warga });
    expect(all.some((e) => e.type === 'complaints.complaint.received.v1')).toBe(true);
    const identityOnly = await drain(nc, 'acme-identity');
    expect(identityOnly.length).toBeGreaterThan(0);
    expect(identityOnly.filter((e) => !e.type.startsWith('identity.'))).toEqual([]);
    expect(refusedSince(0, 'acme')).toBe('');
  });

  it('resumes after a reconnect where it left off', async () => {
    const first = await asIntegrator('beta');
    await durable(await first.jetstreamManager(), 'beta');
    const before = await drain(first, 'beta');
    expect(before.length).toBeGreaterThan(0);
    await first.close();
    await people.add('warga2');
    const again = await asIntegrator('beta');
    let after: Awaited<ReturnType<typeof drain>> = [];
    for (let i = 0; i < 50 && after.length === 0; i++) after = await drain(again, 'beta');
    // Only what came after the acknowledged ones, starting with the new registration.
    expect(after[0].seq).toBeGreaterThan(Math.max(...before.map((e) => e.seq)));
    const seen = new Set(before.map((e) => e.id));
    expect(after.filter((e) => seen.has(e.id))).toEqual([]);
    expect(after.find((e) => e.type === 'identity.user.registered.v1')?.subject).toBe(people.ids.warga2);
  });

  it("is refused service requests, publishing events, other streams, unnamed consumers and anyone else's", async () => {
    const nc = await asIntegrator('acme');
    const jsm = await nc.jetstreamManager();
    const js = nc.jetstream();
    let before = nats.violations().length;

    // No request subject: asking identity for the users is refused by the server.
    await expect(nc.request(prefixed(env.natsPrefix, SUBJECTS.identity.listUsers), JSONCodec().encode({ pattern: SUBJECTS.identity.listUsers, data: {}, id: randomUUID() }), { timeout: 1500 })).rejects.toThrow();
    await settle(nc);
    expect(refusedSince(before, 'acme')).toContain(`Publish Violation - Nkey "${nkeyOf('acme')}", Subject "${prefixed(env.natsPrefix, SUBJECTS.identity.listUsers)}"`);

    // No forged event: nothing reaches the stream.
    const last = (await jsm.streams.info(env.eventsStream)).state.last_seq;
    await expect(js.publish(`${env.eventsPrefix}.identity.user.erased.v1`, JSONCodec().encode({ id: randomUUID() }), { timeout: 1500 })).rejects.toThrow();
    expect((await jsm.streams.info(env.eventsStream)).state.last_seq).toBe(last);

    // Only the consumers the registry names, and no unnamed (ephemeral or ordered) one.
    await expect(durable(jsm, 'acme-other')).rejects.toThrow();
    await expect(durable(jsm, 'beta')).rejects.toThrow();
    await expect(jsm.consumers.add(env.eventsStream, { ack_policy: AckPolicy.Explicit })).rejects.toThrow();
    // Not another's durable: reporting's, or the other integrator's.
    for (const other of ['reporting', 'beta']) {
      await expect(js.consumers.get(env.eventsStream, other)).rejects.toThrow();
      nc.publish(`$JS.API.CONSUMER.MSG.NEXT.${env.eventsStream}.${other}`, JSONCodec().encode({ batch: 1 }));
    }
    await expect(jsm.consumers.delete(env.eventsStream, 'beta')).rejects.toThrow();

    // No other stream: dead letters, the transfer object store.
    const transfer = `OBJ_${transferBucketName(env.natsPrefix)}`;
    for (const stream of [env.deadLetterStream, transfer]) {
      await expect(jsm.streams.info(stream)).rejects.toThrow();
      await expect(jsm.consumers.add(stream, { durable_name: 'acme', ack_policy: AckPolicy.Explicit })).rejects.toThrow();
    }
    await expect(jsm.streams.delete(env.eventsStream)).rejects.toThrow();
    await settle(nc);
    const refused = refusedSince(before, 'acme');
    for (const subject of [
      `$JS.API.CONSUMER.CREATE.${env.eventsStream}.acme-other`,
      `$JS.API.CONSUMER.CREATE.${env.eventsStream}.beta`,
      `$JS.API.CONSUMER.CREATE.${env.eventsStream}"`,
      `$JS.API.CONSUMER.MSG.NEXT.${env.eventsStream}.reporting"`,
      `$JS.API.CONSUMER.MSG.NEXT.${env.eventsStream}.beta"`,
      `$JS.API.CONSUMER.DELETE.${env.eventsStream}.beta"`,
      `$JS.API.STREAM.INFO.${env.deadLetterStream}"`,
      `$JS.API.CONSUMER.CREATE.${env.deadLetterStream}.acme`,
      `$JS.API.STREAM.INFO.${transfer}"`,
      `$JS.API.CONSUMER.CREATE.${transfer}.acme`,
      `$JS.API.STREAM.DELETE.${env.eventsStream}"`,
      `${env.eventsPrefix}.identity.user.erased.v1"`,
    ]) {
      expect({ subject, refused: refused.includes(`Publish Violation - Nkey "${nkeyOf('acme')}", Subject "${subject}`) }).toEqual({ subject, refused: true });
    }

    // No eavesdropping: not everything, not the services' subjects, not another's replies.
    before = nats.violations().length;
    for (const subject of ['>', prefixed(env.natsPrefix, 'identity.>'), '_INBOX.gateway.>', '_INBOX.beta.>', `${env.eventsPrefix}.>`]) nc.subscribe(subject);
    await settle(nc);
    expect(refusedSince(before, 'acme').match(/Subscription Violation/g)).toHaveLength(5);
  });

  it("keeps reporting, which may replay the whole stream, off the integrators' durables", async () => {
    const reporting = await asService('reporting');
    const before = nats.violations().length;
    reporting.publish(`$JS.API.CONSUMER.MSG.NEXT.${env.eventsStream}.acme`, JSONCodec().encode({ batch: 1 }));
    reporting.publish(`$JS.API.CONSUMER.DELETE.${env.eventsStream}.acme-identity`);
    await settle(reporting);
    const refused = nats.violations().slice(before).join('\n');
    expect(refused).toContain(`User "reporting", Subject "$JS.API.CONSUMER.MSG.NEXT.${env.eventsStream}.acme"`);
    expect(refused).toContain(`User "reporting", Subject "$JS.API.CONSUMER.DELETE.${env.eventsStream}.acme-identity"`);
  });

  it('runs the example of docs/events.md as the integrator, with the seed file and the CA', async () => {
    await people.add('warga4');
    const printed = execFileSync(process.execPath, ['docs/examples/subscribe-events.js', '--durable=acme-identity', `--filter=${env.eventsPrefix}.identity.>`, '--max=1'], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', NATS_URL: nats.url, NATS_TLS_CA_FILE: nats.tlsFiles!.ca, NATS_USER: 'acme', NATS_NKEY_SEED_FILE: join(dir, 'seeds', 'acme.nk'), EVENTS_STREAM: env.eventsStream },
      encoding: 'utf8',
      timeout: 20000,
    });
    const event = JSON.parse(printed.trim().split('\n')[0]);
    expect(event).toEqual({ seq: expect.any(Number), id: expect.any(String), type: expect.stringMatching(/^identity\./), subject: expect.any(String), time: expect.any(String), data: expect.any(Object) });
  });

  // nats-server does not check where JetStream delivers for a client (nats-io/nats-server#8274): a
  // push consumer's deliver subject, the reply subject of a pull or of an API request. What lands
  // on our subjects that way is stored events or API answers, never the integrator's words, and no
  // answer goes back to it (docs/events.md, "Access"). Should a server refuse it one day, this
  // test fails at the delivery count: then the docs can drop that paragraph.
  it("gains nothing by having JetStream deliver onto the services' subjects", async () => {
    const nc = await asIntegrator('acme');
    const jsm = await nc.jetstreamManager();
    const users = async () => (await api.get('/api/v1/users?pageSize=1').set('Authorization', people.bearer.admin).expect(200)).body.total;
    const before = { users: await users(), identity: system.process('identity').output.length, gateway: system.process('gateway').output.length };
    await jsm.consumers.delete(env.eventsStream, 'acme-identity').catch(() => false);
    // Events pushed into identity's queue group as if they were requests for the users list.
    await jsm.consumers.add(env.eventsStream, {
      durable_name: 'acme-identity',
      deliver_subject: prefixed(env.natsPrefix, SUBJECTS.identity.listUsers),
      deliver_group: 'identity',
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
    });
    // An API answer sent where the gateway listens for revoked sessions.
    nc.publish(`$JS.API.STREAM.INFO.${env.eventsStream}`, undefined, { reply: prefixed(env.natsPrefix, 'identity.revocation.published') });
    await settle(nc);
    await waitFor('the events to be delivered', async () => ((await jsm.consumers.info(env.eventsStream, 'acme-identity')).delivered.consumer_seq > 0 ? true : undefined), 10000);
    await jsm.consumers.delete(env.eventsStream, 'acme-identity');
    await system.process('gateway').waitForOutput(/ignored a revocation that is not one/);
    // Nothing identity handled in the meantime succeeded.
    expect(system.process('identity').records().slice(before.identity).filter((r) => r.outcome === 'ok')).toEqual([]);
    expect(await users()).toBe(before.users);
    expect((await api.get('/health/ready').expect(200)).body.status).toBe('ok');
  });

  it('has refused nothing the system itself does, and the system still answers', async () => {
    await api.get('/api/v1/agencies').expect(200);
    expect((await api.get('/health/ready').expect(200)).body.status).toBe('ok');
    const integratorKeys = registry.map((i) => i.nkey);
    const probes = ['User "reporting", Subject "$JS.API.CONSUMER.MSG.NEXT', 'User "reporting", Subject "$JS.API.CONSUMER.DELETE'];
    expect(nats.violations().filter((l) => !integratorKeys.some((k) => l.includes(k)) && !probes.some((p) => l.includes(p)))).toEqual([]);
  });

  it('once removed and NATS reloaded, an integrator is disconnected and cannot sign in again', async () => {
    const nc = await asIntegrator('beta');
    const closed = nc.closed();
    expect(command('remove', 'beta')).toContain('removed integrator "beta"');
    await nats.setIntegrators(readIntegrators(join(dir, 'integrators.json')));
    await closed;
    await expect(asIntegrator('beta')).rejects.toThrow(/Authorization/i);
    // The other one is untouched.
    const acme = await asIntegrator('acme');
    expect((await (await acme.jetstreamManager()).consumers.info(env.eventsStream, 'acme')).name).toBe('acme');
  });
});
