import { ACTOR_HEADER, CALLER_SIGNATURE_HEADER, REQUEST_ID_HEADER, SUBJECTS } from '@smart-regency/contracts';
import { CallerSigner, prefixed } from '@smart-regency/platform';
import { busLayoutOf, PrivateNatsServer, REPO_ROOT, TEST_PDF, TestEnvironment, TestSystem } from '@smart-regency/testing';
import { spawn } from 'child_process';
import { randomUUID } from 'crypto';
import { connect, headers as natsHeaders, JSONCodec, NatsConnection } from 'nats';
import request from 'supertest';
import { People, submittedReklame } from './support';

const codec = JSONCodec<unknown>();
const ADMIN = { id: randomUUID(), roles: ['admin'] };

/**
 * The whole system on a nats-server of the test's own, run with the production permissions
 * (deploy/nats): every process as its own NATS user. Everything the API offers still works and the
 * server logs no violation; then each kind of intruder on the bus is refused.
 */
describe('NATS users and permissions', () => {
  let env: TestEnvironment;
  let nats: PrivateNatsServer;
  let system: TestSystem;
  let api: ReturnType<typeof request>;
  const people = new People(9100);
  const { bearer, agencies } = people;
  const open: NatsConnection[] = [];

  const as = async (user?: 'gateway' | 'identity' | 'permits' | 'complaints' | 'reporting' | 'notifications', password?: string) => {
    const nc = await connect({ servers: nats.url, ...(user ? { user, pass: password ?? nats.passwords[user], inboxPrefix: `_INBOX.${user}` } : {}), maxReconnectAttempts: 0 });
    open.push(nc);
    return nc;
  };
  /** A request in Nest's wire format, as the gateway sends it. */
  const ask = async (nc: NatsConnection, subject: string, data: unknown, headers?: Record<string, string>) => {
    const h = natsHeaders();
    h.set(REQUEST_ID_HEADER, randomUUID());
    for (const [k, v] of Object.entries(headers ?? {})) h.set(k, v);
    const reply = await nc.request(prefixed(env.natsPrefix, subject), codec.encode({ pattern: subject, data, id: randomUUID() }), { timeout: 3000, headers: h });
    return codec.decode(reply.data) as { response?: unknown; err?: { code: string } };
  };

  beforeAll(async () => {
    env = new TestEnvironment();
    nats = await PrivateNatsServer.start(busLayoutOf(env));
    const each = Object.fromEntries((['gateway', 'identity', 'permits', 'complaints', 'reporting', 'notifications'] as const).map((p) => [p, nats.envFor(p)]));
    system = await TestSystem.start(each, env);
    api = request(system.gatewayUrl);
    await people.signIn(system);
    await people.add('warga');
    await people.add('pupr', { roles: ['officer'], agency: 'PUPR' });
    await people.add('loket', { roles: ['officer'], agency: 'DPMPTSP' });
    await people.add('kadis', { roles: ['agency_head'], agency: 'DPMPTSP' });
  }, 120000);

  afterAll(async () => {
    for (const nc of open) await nc.close().catch(() => undefined);
    await system?.stop();
    await nats?.destroy();
  });

  it('runs every part of the system with each process as its own NATS user, and the server refuses nothing', async () => {
    try {
      await everyPart();
    } catch (error) {
      // What the server refused is the first thing to read when a step fails here.
      throw new Error(`${(error as Error).message}\nNATS refused:\n${nats.violations().join('\n')}`);
    }
    expect(nats.violations()).toEqual([]);
  });

  async function everyPart(): Promise<void> {
    // Permits: draft, documents (object store), submit, staff steps, issue (asks identity for the holder's name), certificate.
    const submitted = await submittedReklame(api, bearer.warga);
    let v = submitted.version;
    const act = (who: string, action: string) =>
      api.post(`/api/v1/permit-applications/${submitted.id}/actions`).set('Authorization', bearer[who]).set('If-Match', `"${v++}"`).send({ action }).expect(200);
    for (const [who, action] of [['pupr', 'verify'], ['pupr', 'recommend'], ['kadis', 'approve'], ['loket', 'record-payment'], ['loket', 'issue']]) await act(who, action);
    const pdf = await api.get(`/api/v1/permit-applications/${submitted.id}/certificate`).set('Authorization', bearer.warga).buffer(true).expect(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');

    // Complaints: filing, an attachment, lists; reporting from the event stream; audit; data rights.
    const complaint = (
      await api
        .post('/api/v1/complaints')
        .set('Authorization', bearer.warga)
        .send({ categoryCode: 'waste-environment', title: 'Sampah di pasar', description: 'Sampah menumpuk sejak seminggu.', location: { lat: 2.5, lng: 99.6 }, visibility: 'public' })
        .expect(201)
    ).body;
    await api.post(`/api/v1/complaints/${complaint.id}/attachments`).set('Authorization', bearer.warga).set('Content-Type', 'application/pdf').send(TEST_PDF).expect(201);
    await api.get('/api/v1/public/complaints?pageSize=100').expect(200);
    await api.get('/api/v1/agencies').expect(200);
    // Reporting reads the events stream through its durable consumer: the filing shows up there.
    for (let i = 0; i < 50; i++) {
      const summary = (await api.get(`/api/v1/reports/summary`).set('Authorization', bearer.admin).expect(200)).body;
      if (summary.complaints.received >= 1) break;
      if (i === 49) throw new Error(`reporting never saw the filing: ${JSON.stringify(summary.complaints)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    await api.get('/api/v1/audit/verify').set('Authorization', bearer.admin).expect(200);
    await api.get('/api/v1/me/data-export').set('Authorization', bearer.warga).expect(200);
    await api.delete('/api/v1/me').set('Authorization', bearer.warga).send({ password: people.passwords.warga }).expect(202);
    expect((await api.get('/health/ready').expect(200)).body.status).toBe('ok');
    expect(agencies.PUPR).toBeDefined();

    // Reporting's rebuild replays the whole stream as the reporting user, and finishes.
    const rebuild = spawn(process.execPath, ['services/reporting/dist/rebuild.js'], { cwd: REPO_ROOT, env: { PATH: process.env.PATH ?? '', ...system.process('reporting').env, LOG_LEVEL: 'warn' } });
    let printed = '';
    rebuild.stdout.on('data', (d) => (printed += d));
    rebuild.stderr.on('data', (d) => (printed += d));
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => rebuild.kill('SIGKILL'), 60000);
      rebuild.once('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    if (code !== 0) throw new Error(`the rebuild exited ${code}:\n${printed.slice(-2000)}`);
  }

  it('refuses a connection without a user, and a wrong password', async () => {
    await expect(as()).rejects.toThrow(/Authorization/i);
    await expect(as('identity', 'not-the-password')).rejects.toThrow(/Authorization/i);
  });

  it('keeps each process to its own subjects: no reading of users by another service, no forged events, no eavesdropping', async () => {
    const reporting = await as('reporting');
    // Reporting may not ask identity for the users list at all (the server drops the request).
    await expect(ask(reporting, SUBJECTS.identity.listUsers, {}, { [ACTOR_HEADER]: JSON.stringify(ADMIN) })).rejects.toThrow();
    // Permits may not publish identity's events: a forged erasure would wipe a citizen everywhere.
    const permits = await as('permits');
    const js = permits.jetstream();
    await expect(js.publish(`${env.eventsPrefix}.identity.user.erased.v1`, codec.encode({ id: randomUUID() }))).rejects.toThrow();
    // Reporting may replay the stream, but not pull (and so take away) another service's events.
    const before = nats.violations().length;
    reporting.publish(`$JS.API.CONSUMER.MSG.NEXT.${env.eventsStream}.permits-user-erased`, codec.encode({ batch: 1 }));
    await reporting.flush();
    await new Promise((r) => setTimeout(r, 300));
    expect(nats.violations().slice(before).join('\n')).toMatch(/Publish Violation.*reporting.*permits-user-erased/);
    // Nobody but identity may listen on identity's subjects, nor read another process's replies.
    const gateway = await as('gateway');
    const violationsBefore = nats.violations().length;
    gateway.subscribe(prefixed(env.natsPrefix, 'identity.>'));
    gateway.subscribe('_INBOX.identity.>');
    await gateway.flush();
    await new Promise((r) => setTimeout(r, 300));
    expect(nats.violations().length).toBeGreaterThanOrEqual(violationsBefore + 2);
    expect(nats.violations().join('\n')).toMatch(/Subscription Violation|Permissions Violation for Subscription/i);
  });

  it("keeps the subjects notifications asks about people to notifications: the gateway's user cannot ask them at all", async () => {
    // No caller is checked there (a service asks as itself): the server's permissions are the guard.
    const internal: Array<[string, unknown]> = [
      [SUBJECTS.identity.contacts, { userIds: [people.ids.pupr] }],
      [SUBJECTS.identity.agencyStaff, { agencyId: agencies.PUPR }],
      [SUBJECTS.permits.notificationContext, { requests: [{ recordId: randomUUID(), eventType: 'permits.application.submitted.v1' }] }],
    ];
    const gateway = await as('gateway');
    const before = nats.violations().length;
    for (const [subject, data] of internal) await expect(ask(gateway, subject, data, { [ACTOR_HEADER]: JSON.stringify(ADMIN) })).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 300));
    const refused = nats.violations().slice(before).join('\n');
    for (const [subject] of internal) expect(refused).toMatch(new RegExp(`Publish Violation.*gateway.*${subject.replace(/\./g, '\\.')}`));

    // Notifications, as itself, is answered.
    const notifications = await as('notifications');
    const contacts = (await ask(notifications, SUBJECTS.identity.contacts, { userIds: [people.ids.pupr] })).response as { contacts: Array<{ userId: string; active: boolean }> };
    expect(contacts.contacts).toEqual([expect.objectContaining({ userId: people.ids.pupr, active: true })]);
    const staff = (await ask(notifications, SUBJECTS.identity.agencyStaff, { agencyId: agencies.PUPR })).response as { contacts: Array<{ userId: string }> };
    expect(staff.contacts.map((c) => c.userId)).toContain(people.ids.pupr);
    expect((await ask(notifications, SUBJECTS.permits.notificationContext, internal[2][1])).response).toEqual({ contexts: [{ found: false, recipients: [], variables: {} }] });
  });

  it('refuses a caller the gateway did not sign, even from the gateway user', async () => {
    const gateway = await as('gateway');
    const forged = await ask(gateway, SUBJECTS.identity.listUsers, {}, { [ACTOR_HEADER]: JSON.stringify(ADMIN) });
    expect(forged.err?.code).toBe('COMMON.UNAUTHENTICATED');
    expect(forged.response).toBeUndefined();
    const wrongKey = natsHeaders();
    wrongKey.set(REQUEST_ID_HEADER, randomUUID());
    wrongKey.set(ACTOR_HEADER, JSON.stringify(ADMIN));
    new CallerSigner('a-key-that-is-not-the-installs-own-0123456789').sign(SUBJECTS.identity.listUsers, wrongKey);
    const signedWrong = await ask(gateway, SUBJECTS.identity.listUsers, {}, { [ACTOR_HEADER]: wrongKey.get(ACTOR_HEADER), [CALLER_SIGNATURE_HEADER]: wrongKey.get(CALLER_SIGNATURE_HEADER), [REQUEST_ID_HEADER]: wrongKey.get(REQUEST_ID_HEADER) });
    expect(signedWrong.err?.code).toBe('COMMON.UNAUTHENTICATED');
    // Without any caller the admin subject is refused too: deny by default.
    expect((await ask(gateway, SUBJECTS.identity.listUsers, {})).err?.code).toBe('COMMON.UNAUTHENTICATED');
  });
});
