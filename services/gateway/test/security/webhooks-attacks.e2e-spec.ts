import { RegencyCloudEvent } from '@smart-regency/contracts';
import { TestSystem, waitFor, WebhookReceiver, WebhookReceivers } from '@smart-regency/testing';
import { randomUUID } from 'crypto';
import { Client } from 'pg';
import request from 'supertest';
import { People } from '../support';

/**
 * The webhooks through the gateway, as the people around them would attack them: everyone but an
 * admin reaching for a route, an integrator hoping for more than the events carry, anyone looking
 * for a secret after it was shown once. Receivers are on 127.0.0.1 only.
 */
const TIMEOUT_MS = 1000;
const LEASE_MS = TIMEOUT_MS + 30_000;

describe('webhooks under attack, through the gateway', () => {
  let system: TestSystem;
  let api: ReturnType<typeof request>;
  let notifications: Client;
  const people = new People(9470);
  const { bearer, ids } = people;
  const receivers = new WebhookReceivers();

  const receiver = () => receivers.start();
  const subscribe = async (r: WebhookReceiver, eventTypes: string[]) => {
    const hook = (await api.post('/api/v1/webhooks').set('Authorization', bearer.admin).send({ url: r.url, eventTypes }).expect(201)).body;
    r.secrets = { s: hook.secret };
    return hook;
  };
  const verified = (r: WebhookReceiver) => r.received.filter((x) => x.verifiedWith.length).map((x) => ({ raw: x.body, event: JSON.parse(x.body) as RegencyCloudEvent<Record<string, unknown>> }));
  /** `count:md5` of every row of the notifications tables a refused request must leave alone. */
  const fingerprint = async () => {
    const out: Record<string, string> = {};
    for (const table of ['webhook_subscriptions', 'webhook_deliveries', 'webhook_replays', 'audit_log', 'outbox']) {
      const { rows } = await notifications.query(`SELECT count(*)::int AS n, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS h FROM ${table} t`);
      out[table] = `${rows[0].n}:${rows[0].h}`;
    }
    return out;
  };

  beforeAll(async () => {
    // A short time limit, so the lease of an attempt (time limit + 30 s) runs out within a test.
    system = await TestSystem.start({ notifications: { WEBHOOK_TIMEOUT_MS: String(TIMEOUT_MS) } });
    api = request(system.gatewayUrl);
    notifications = new Client({ connectionString: system.process('notifications').env.DATABASE_URL });
    await notifications.connect();
    await people.signIn(system);
    await people.add('warga');
    await people.add('petugas', { roles: ['officer'], agency: 'DLH' });
    await people.add('kadis', { roles: ['agency_head'], agency: 'DLH' });
    await people.add('auditor', { roles: ['auditor'] });
    const account = (await api.post('/api/v1/service-accounts').set('Authorization', bearer.admin).send({ name: 'Dasbor Provinsi', scopes: ['events:read', 'reports:read', 'open311:write'] }).expect(201)).body;
    const token = (await api.post('/api/v1/auth/token').type('form').send({ grant_type: 'client_credentials', client_id: account.clientId, client_secret: account.clientSecret }).expect(200)).body;
    bearer.integrator = `Bearer ${token.access_token}`;
  }, 180000);

  afterAll(async () => {
    await receivers.stopAll();
    await notifications?.end();
    await system?.stop();
  });

  it('answers every webhook route 401 without a valid token and 403 to everyone but an admin; nothing changes', async () => {
    const r = await receiver();
    const hook = await subscribe(r, ['complaints.complaint.received']);
    const replay = (await api.post(`/api/v1/webhooks/${hook.id}/replay`).set('Authorization', bearer.admin).send({ since: new Date(Date.now() - 60_000).toISOString() }).expect(202)).body;
    const routes: Array<[string, string, Record<string, unknown>?]> = [
      ['POST', '/api/v1/webhooks', { url: r.url, eventTypes: ['>'] }],
      ['GET', '/api/v1/webhooks'],
      ['GET', `/api/v1/webhooks/${hook.id}`],
      ['PATCH', `/api/v1/webhooks/${hook.id}`, { url: 'http://receiver.test:1/attacker' }],
      ['DELETE', `/api/v1/webhooks/${hook.id}`],
      ['POST', `/api/v1/webhooks/${hook.id}/rotate-secret`],
      ['GET', `/api/v1/webhooks/${hook.id}/deliveries`],
      ['POST', `/api/v1/webhooks/${hook.id}/deliveries/${randomUUID()}/redeliver`],
      ['POST', `/api/v1/webhooks/${hook.id}/replay`, { since: new Date(0).toISOString() }],
      ['GET', `/api/v1/webhooks/${hook.id}/replays/${replay.id}`],
    ];
    const send = (method: string, path: string, authorization?: string, body?: Record<string, unknown>) => {
      const req = api[method.toLowerCase() as 'get'](path);
      if (authorization) req.set('Authorization', authorization);
      return body ? req.send(body) : req;
    };
    await waitFor('the replay to end', async () => ((await send('GET', `/api/v1/webhooks/${hook.id}/replays/${replay.id}`, bearer.admin)).body.status === 'running' ? undefined : true));
    // The relay and the audit chainer finish with the subscription's and the replay's rows first.
    let last = '';
    const before = await waitFor(
      'the notifications tables to settle',
      async () => {
        const now = JSON.stringify(await fingerprint());
        const settled = now === last;
        last = now;
        return settled ? JSON.parse(now) : undefined;
      },
      15000,
      300,
    );
    const [, payload] = bearer.admin.split('.');
    const forged = `Bearer eyJhbGciOiJub25lIn0.${payload}.`;
    for (const [method, path, body] of routes) {
      for (const authorization of [undefined, 'Bearer not-a-token', forged, 'Basic YWRtaW46YWRtaW4=']) {
        const res = await send(method, path, authorization, body);
        expect({ route: `${method} ${path}`, authorization, status: res.status }).toEqual({ route: `${method} ${path}`, authorization, status: 401 });
      }
      for (const who of ['warga', 'petugas', 'kadis', 'auditor', 'integrator']) {
        const res = await send(method, path, bearer[who], body);
        expect({ who, route: `${method} ${path}`, status: res.status, code: res.body.code }).toEqual({ who, route: `${method} ${path}`, status: 403, code: 'COMMON.FORBIDDEN' });
      }
    }
    expect(await fingerprint()).toEqual(before);
  });

  it('takes the webhook id from the path only: a body naming another one is refused', async () => {
    const r = await receiver();
    const a = await subscribe(r, ['complaints.complaint.received']);
    const b = await subscribe(r, ['complaints.complaint.received']);
    await api.patch(`/api/v1/webhooks/${a.id}`).set('Authorization', bearer.admin).send({ id: b.id, description: 'bukan milikmu' }).expect(400);
    await api.post(`/api/v1/webhooks/${a.id}/replay`).set('Authorization', bearer.admin).send({ id: b.id, since: new Date(0).toISOString() }).expect(400);
    await api.get(`/api/v1/webhooks/${a.id}/deliveries?id=${b.id}`).set('Authorization', bearer.admin).expect(400);
    const untouched = (await api.get(`/api/v1/webhooks/${b.id}`).set('Authorization', bearer.admin).expect(200)).body;
    expect(untouched).toMatchObject({ description: '', updatedAt: b.updatedAt });
  });

  it('sends integrators only what each event carries: no reporter, title, description or address; a confidential place as its district, an anonymous point rounded', async () => {
    const r = await receiver();
    await subscribe(r, ['>']);
    const filed: Record<string, { id: string }> = {};
    const secretWords = { title: 'JUDUL-RAHASIA-WEBHOOK', description: 'ISI-RAHASIA-WEBHOOK tetangga saya membuang limbah', address: 'Jl. Rumah Pelapor No. 7' };
    for (const visibility of ['public', 'anonymous', 'confidential']) {
      filed[visibility] = (
        await api
          .post('/api/v1/complaints')
          .set('Authorization', bearer.warga)
          .send({ categoryCode: 'waste-environment', title: `${secretWords.title} ${visibility}`, description: secretWords.description, location: { lat: 2.5781234, lng: 99.6187654, address: secretWords.address, district: 'Kualuh Hulu' }, visibility })
          .expect(201)
      ).body;
    }
    // A citizen who registers now: the registration event reaches the subscriber too.
    await people.add('baru');
    const received = await waitFor(
      'the three complaints and the registration',
      async () => {
        const events = verified(r);
        const complaints = Object.fromEntries(Object.entries(filed).map(([v, c]) => [v, events.find((e) => e.event.type === 'complaints.complaint.received.v1' && e.event.subject === c.id)]));
        const registered = events.find((e) => e.event.type === 'identity.user.registered.v1' && e.event.subject === ids.baru);
        return Object.values(complaints).every(Boolean) && registered ? { complaints, events } : undefined;
      },
      20000,
    );
    for (const { raw } of received.events) {
      for (const word of [...people.personal.warga, ...people.personal.baru, secretWords.title, 'ISI-RAHASIA', secretWords.address, ids.warga]) expect(raw).not.toContain(word);
    }
    expect(received.complaints.public!.event.data.location).toEqual({ lat: 2.5781234, lng: 99.6187654, district: 'Kualuh Hulu' });
    expect(received.complaints.anonymous!.event.data.location).toEqual({ lat: 2.578, lng: 99.619, district: 'Kualuh Hulu' });
    expect(received.complaints.confidential!.event.data.location).toEqual({ district: 'Kualuh Hulu' });
  });

  it('shows a secret once: in no later answer, audit entry, event or the OpenAPI document', async () => {
    const watcher = await receiver();
    await subscribe(watcher, ['notifications.>']);
    const r = await receiver();
    const hook = await subscribe(r, ['complaints.complaint.received']);
    const rotated = (await api.post(`/api/v1/webhooks/${hook.id}/rotate-secret`).set('Authorization', bearer.admin).expect(200)).body;
    const secrets = [hook.secret, rotated.secret].map((s: string) => s.slice('whsec_'.length));
    await waitFor('the lifecycle events', async () => (verified(watcher).filter((e) => e.event.subject === hook.id).length >= 2 ? true : undefined), 15000);
    const answers = [
      await api.get('/api/v1/webhooks?pageSize=100').set('Authorization', bearer.admin).expect(200),
      await api.get(`/api/v1/webhooks/${hook.id}`).set('Authorization', bearer.admin).expect(200),
      await api.get(`/api/v1/webhooks/${hook.id}/deliveries`).set('Authorization', bearer.admin).expect(200),
      await api.get(`/api/v1/audit?service=notifications&entityId=${hook.id}`).set('Authorization', bearer.admin).expect(200),
      await api.get(`/api/v1/audit?service=notifications&entityId=${hook.id}`).set('Authorization', bearer.auditor).expect(200),
      await api.get('/docs/openapi.json').expect(200),
    ];
    for (const res of answers) for (const s of secrets) expect(res.text).not.toContain(s);
    for (const { raw } of verified(watcher)) expect(raw).not.toMatch(/whsec_/);
    expect(answers[1].body).not.toHaveProperty('secret');
  });

  it('sends again, with the same webhook-id, a delivery whose process was killed mid-attempt, once its lease is over (at least once)', async () => {
    const r = await receiver();
    r.answer = 'hang';
    const hook = await subscribe(r, ['complaints.complaint.received']);
    const complaint = (
      await api
        .post('/api/v1/complaints')
        .set('Authorization', bearer.warga)
        .send({ categoryCode: 'waste-environment', title: 'Parit tersumbat', description: 'Parit tersumbat sampah sejak seminggu.', location: { lat: 2.57, lng: 99.61 }, visibility: 'public' })
        .expect(201)
    ).body;
    await waitFor('the first attempt to reach the receiver', async () => (r.received.length ? true : undefined), 15000);
    const killedAt = Date.now();
    const service = system.process('notifications');
    await service.stop('SIGKILL');
    const [row] = (await notifications.query(`SELECT status, attempts, next_attempt_at FROM webhook_deliveries WHERE subscription_id = $1`, [hook.id])).rows;
    expect(row).toMatchObject({ status: 'pending', attempts: 1 });
    expect(new Date(row.next_attempt_at).getTime() - killedAt).toBeGreaterThan(LEASE_MS - 5000);
    r.answer = 204;
    await service.start();
    await waitFor('the delivery after the lease', async () => (r.accepted().length ? true : undefined), LEASE_MS + 20000, 250);
    expect(Date.now() - killedAt).toBeGreaterThan(LEASE_MS - 5000);
    expect(r.received.map((x) => x.id)).toEqual([r.received[0].id, r.received[0].id]);
    expect(JSON.parse(r.received[1].body)).toMatchObject({ subject: complaint.id });
    expect(r.received[1].verifiedWith).toEqual(['s']);
    // Outcomes are written in batches (every 20 ms): the row follows the receiver's answer.
    const after = await waitFor('the delivery to be recorded', async () => {
      const [row] = (await notifications.query(`SELECT status, attempts FROM webhook_deliveries WHERE subscription_id = $1`, [hook.id])).rows;
      return row.status === 'pending' ? undefined : row;
    }, 5000, 20);
    expect(after).toEqual({ status: 'delivered', attempts: 2 });
  }, LEASE_MS + 60000);
});
