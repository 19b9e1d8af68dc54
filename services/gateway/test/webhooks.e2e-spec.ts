import { RegencyCloudEvent } from '@smart-regency/contracts';
import { TestSystem, waitFor, WebhookReceiver, WebhookReceivers } from '@smart-regency/testing';
import request from 'supertest';
import { People } from './support';

/**
 * Webhooks as an admin and an integrator use them: subscriptions over REST, deliveries fed by
 * the real write path (a citizen files a complaint through the gateway), verified with the
 * `standardwebhooks` library by a receiver on 127.0.0.1.
 */
describe('webhooks through the gateway', () => {
  let system: TestSystem;
  let api: ReturnType<typeof request>;
  const people = new People(9400);
  const { bearer, agencies } = people;
  const receivers = new WebhookReceivers();

  const receiver = () => receivers.start();
  const file = (who: string) =>
    api
      .post('/api/v1/complaints')
      .set('Authorization', bearer[who])
      .send({ categoryCode: 'waste-environment', title: 'Jalan berlubang', description: 'Lubang besar di depan sekolah, mohon diperbaiki.', location: { lat: 2.578, lng: 99.618, district: 'Kualuh Hulu' }, visibility: 'public' })
      .expect(201);
  const events = (r: WebhookReceiver) => r.received.filter((x) => x.verifiedWith.length).map((x) => JSON.parse(x.body) as RegencyCloudEvent<Record<string, unknown>>);

  beforeAll(async () => {
    system = await TestSystem.start();
    api = request(system.gatewayUrl);
    await people.signIn(system);
    await people.add('warga');
    await people.add('kadis', { roles: ['agency_head'], agency: 'PUPR' });
  }, 120000);

  afterAll(async () => {
    await receivers.stopAll();
    await system?.stop();
  });

  it('delivers a complaint filed through the API to a subscriber, signed, and shows the delivery to the admin', async () => {
    const r = await receiver();
    const created = await api
      .post('/api/v1/webhooks')
      .set('Authorization', bearer.admin)
      .send({ url: r.url, eventTypes: ['complaints.complaint.received'], description: 'Koran Labura, meja data' })
      .expect(201);
    expect(created.body).toMatchObject({ url: r.url, eventTypes: ['complaints.complaint.received'], active: true, agencyId: null });
    expect(created.body.secret).toMatch(/^whsec_/);
    r.secrets = { s: created.body.secret };

    const complaint = (await file('warga')).body;
    await waitFor('the delivery', async () => (events(r).length ? true : undefined), 15000);
    const [event] = events(r);
    expect(event).toMatchObject({ type: 'complaints.complaint.received.v1', subject: complaint.id, data: { complaintId: complaint.id, trackingNumber: complaint.trackingNumber } });
    expect(r.received[0].id).toBe(event.id);
    // Nothing personal travels: the event carries ids, never the reporter.
    expect(r.received[0].body).not.toContain(people.personal.warga[1]);

    const one = await api.get(`/api/v1/webhooks/${created.body.id}`).set('Authorization', bearer.admin).expect(200);
    expect(one.body).not.toHaveProperty('secret');
    // Outcomes are written in batches (every 20 ms): the log follows the receiver's answer.
    const log = await waitFor('the delivery in the log', async () => {
      const res = await api.get(`/api/v1/webhooks/${created.body.id}/deliveries?status=delivered`).set('Authorization', bearer.admin).expect(200);
      return res.body.total ? res : undefined;
    });
    expect(log.body).toMatchObject({ total: 1, items: [{ eventId: event.id, eventType: 'complaints.complaint.received.v1', status: 'delivered', attempts: 1, lastResponseStatus: 204 }] });

    const replay = await api.post(`/api/v1/webhooks/${created.body.id}/replay`).set('Authorization', bearer.admin).send({ since: new Date(Date.now() - 3600_000).toISOString() }).expect(202);
    const done = await waitFor('the replay', async () => {
      const p = await api.get(`/api/v1/webhooks/${created.body.id}/replays/${replay.body.id}`).set('Authorization', bearer.admin).expect(200);
      return p.body.status === 'done' ? p.body : undefined;
    });
    expect(done.deliveriesQueued).toBe(1);
    await waitFor('the replayed delivery', async () => (r.accepted().length === 2 ? true : undefined));
    expect(r.accepted()).toEqual([event.id, event.id]);
  });

  it('announces its own lifecycle as events, which a webhook can follow', async () => {
    const watcher = await receiver();
    const w = await api.post('/api/v1/webhooks').set('Authorization', bearer.admin).send({ url: watcher.url, eventTypes: ['notifications.webhook.*'] }).expect(201);
    watcher.secrets = { s: w.body.secret };
    const target = await receiver();
    const hook = (await api.post('/api/v1/webhooks').set('Authorization', bearer.admin).send({ url: target.url, eventTypes: ['permits.>'], agencyId: agencies.PUPR }).expect(201)).body;
    await api.patch(`/api/v1/webhooks/${hook.id}`).set('Authorization', bearer.admin).send({ description: 'Dinas PUPR dashboard', eventTypes: ['permits.application.*'] }).expect(200);
    const rotated = await api.post(`/api/v1/webhooks/${hook.id}/rotate-secret`).set('Authorization', bearer.admin).expect(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    await api.delete(`/api/v1/webhooks/${hook.id}`).set('Authorization', bearer.admin).expect(204);
    await api.get(`/api/v1/webhooks/${hook.id}`).set('Authorization', bearer.admin).expect(404);

    const ofHook = () => events(watcher).filter((e) => e.subject === hook.id);
    await waitFor('four lifecycle events', async () => (ofHook().length >= 4 ? true : undefined), 15000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const seen = ofHook();
    expect(seen.map((e) => e.type)).toEqual(['notifications.webhook.created.v1', 'notifications.webhook.updated.v1', 'notifications.webhook.secret_rotated.v1', 'notifications.webhook.deleted.v1']);
    expect(seen[0].data).toEqual({ webhookId: hook.id, eventTypes: ['permits.>'], agencyId: agencies.PUPR, active: true });
    expect(seen[1].data).toEqual({ webhookId: hook.id, changed: ['description', 'eventTypes'], active: true });
    // Neither the URL nor a secret is in any event.
    for (const x of watcher.received) expect(x.body).not.toMatch(/whsec_|127\.0\.0\.1/);

    // The audit trail has every change, by whom.
    const audit = await api.get(`/api/v1/audit?service=notifications&entityId=${hook.id}`).set('Authorization', bearer.admin).expect(200);
    expect(audit.body.items.map((i: { action: string }) => i.action).sort()).toEqual(['webhook.create', 'webhook.delete', 'webhook.rotate_secret', 'webhook.update']);
  });

  it('refuses everyone but admins, bad subscriptions with a clear 400, and private targets', async () => {
    const r = await receiver();
    const body = { url: r.url, eventTypes: ['>'] };
    await api.get('/api/v1/webhooks').expect(401);
    for (const who of ['warga', 'kadis']) {
      await api.get('/api/v1/webhooks').set('Authorization', bearer[who]).expect(403);
      await api.post('/api/v1/webhooks').set('Authorization', bearer[who]).send(body).expect(403);
    }
    const bad = await api.post('/api/v1/webhooks').set('Authorization', bearer.admin).send({ url: 'javascript:alert(1)', eventTypes: ['permits.aplication.*', 'x..y'], agencyId: 'PUPR', extra: 1 }).expect(400);
    expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['agencyId', 'eventTypes', 'extra', 'url']);
    expect(bad.body.errors.find((e: { field: string }) => e.field === 'eventTypes').message).toBe('event type pattern "permits.aplication.*" matches no event type of the catalogue');

    const refused = await api.post('/api/v1/webhooks').set('Authorization', bearer.admin).send({ ...body, url: 'http://169.254.169.254/latest/meta-data/' }).expect(400);
    expect(refused.body).toMatchObject({ code: 'NOTIFICATIONS.TARGET_REFUSED', errors: [{ field: 'url' }] });
    await api.post('/api/v1/webhooks').set('Authorization', bearer.admin).send({ ...body, url: 'http://10.0.0.8:8080/hook' }).expect(400);
    await api.get('/api/v1/webhooks/not-a-uuid').set('Authorization', bearer.admin).expect(400);
    await api.post(`/api/v1/webhooks/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}/replay`).set('Authorization', bearer.admin).send({ since: 'yesterday' }).expect(400);
  });
});
