import { Actor, RegencyCloudEvent, SUBJECTS, WebhookCreatedResponse } from '@smart-regency/contracts';
import { buildEvent, PendingEvent } from '@smart-regency/platform';
import { InProcessService, startInProcess, waitFor, WebhookReceiver, WebhookReceivers } from '@smart-regency/testing';
import { randomUUID } from 'crypto';
import { LookupAddress } from 'dns';
import { JetStreamClient, JetStreamManager } from 'nats';
import { startNotifications } from '../src/app';
import { loadNotificationsConfig } from '../src/config';


const admin: Actor = { id: randomUUID(), roles: ['admin'] };
const auditor: Actor = { id: randomUUID(), roles: ['auditor'] };
const as = (actor: Actor) => ({ actor, lang: 'en' as const });
const AGENCY_A = randomUUID();
const AGENCY_B = randomUUID();

/**
 * Host names the service resolves in this test: only loopback addresses, so that even a broken
 * guard could never send anything off this machine. 127.0.0.1 is allowed (WEBHOOK_ALLOWED_PRIVATE_RANGES);
 * every other loopback address stands in for a private one and must be refused.
 */
const dns: Record<string, string[]> = {
  'receiver.test': ['127.0.0.1'],
  'internal.test': ['127.0.0.3'],
  'mixed.test': ['127.0.0.1', '127.0.0.4'],
};
const resolver = async (host: string): Promise<LookupAddress[]> => {
  const addresses = dns[host];
  if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  return addresses.map((address) => ({ address, family: 4 }));
};

describe('webhooks: Standard Webhooks deliveries from the events stream', () => {
  let t: InProcessService;
  let js: JetStreamClient;
  let jsm: JetStreamManager;
  const receivers = new WebhookReceivers();
  const receiver = (port = 0, host = '127.0.0.1') => receivers.start(port, host);
  const publish = async (...events: PendingEvent[]): Promise<RegencyCloudEvent[]> => {
    const built = events.map((e) => buildEvent(e.type, e.data as never) as unknown as RegencyCloudEvent);
    for (const e of built) await js.publish(`${t.env.eventsPrefix}.${e.type}`, JSON.stringify(e), { msgID: e.id });
    return built;
  };
  const subscribe = (r: WebhookReceiver, body: Record<string, unknown>): Promise<WebhookCreatedResponse> =>
    t.rpc.send(SUBJECTS.notifications.createWebhook, { url: r.url, ...body } as never, as(admin));
  const submitted = (agencyId: string, applicationId = randomUUID()): PendingEvent => ({
    type: 'permits.application.submitted.v1',
    data: { applicationId, number: `PRM-${applicationId.slice(0, 6)}`, permitTypeCode: 'PBG', agencyId, dueAt: new Date(Date.now() + 864e5).toISOString() },
  });
  const issued = (applicationId: string): PendingEvent => ({
    type: 'permits.application.issued.v1',
    data: { applicationId, certificateNumber: `CERT-${applicationId.slice(0, 6)}`, verificationCode: applicationId.slice(0, 12) },
  });
  const received = (complaintId = randomUUID()): PendingEvent => ({
    type: 'complaints.complaint.received.v1',
    data: { complaintId, trackingNumber: `ADU-${complaintId.slice(0, 6)}`, categoryCode: 'jalan', agencyId: AGENCY_A, visibility: 'public', location: { district: 'Aek Kuo' } },
  });
  const deliveries = (id: string, status?: string) => t.rpc.send(SUBJECTS.notifications.listDeliveries, { id, pageSize: 100, ...(status ? { status } : {}) } as never, as(admin));

  beforeAll(async () => {
    t = await startInProcess('notifications', (env) =>
      startNotifications(
        loadNotificationsConfig({ ...env, WEBHOOK_RETRY_SCHEDULE: '0.2,0.4,0.8,1.6,3.2', WEBHOOK_POLL_MS: '100', WEBHOOK_TIMEOUT_MS: '2000', WEBHOOK_SECRET_GRACE_HOURS: '1', WEBHOOK_CONCURRENCY: '8', WEBHOOK_CONCURRENCY_PER_SUBSCRIPTION: '4' }),
        false,
        { resolver },
      ),
    );
    js = t.rpc.connection.jetstream();
    jsm = await t.rpc.connection.jetstreamManager();
  });

  afterAll(async () => {
    await receivers.stopAll();
    await t?.close();
  });

  it('delivers each matching event once, signed, with the event id as webhook-id and the CloudEvent as body', async () => {
    const r = await receiver();
    const hook = await subscribe(r, { eventTypes: ['permits.application.*'], description: 'provincial dashboard' });
    expect(hook.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(hook).toMatchObject({ active: true, agencyId: null, eventTypes: ['permits.application.*'], disabledReason: null });
    r.secrets = { current: hook.secret };
    // The secret is shown once: reading the subscription does not show it.
    expect(await t.rpc.send(SUBJECTS.notifications.getWebhook, { id: hook.id }, as(admin))).not.toHaveProperty('secret');

    const application = randomUUID();
    const [sub, , iss] = await publish(submitted(AGENCY_A, application), received(), issued(application));
    await waitFor('two deliveries', async () => (r.accepted().length >= 2 ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(r.accepted()).toEqual([sub.id, iss.id]);
    for (const [i, e] of [sub, iss].entries()) {
      expect(r.received[i].verifiedWith).toEqual(['current']);
      expect(JSON.parse(r.received[i].body)).toEqual(e);
      expect(Math.abs(Number(r.received[i].timestamp) - Date.now() / 1000)).toBeLessThan(30);
    }
    const log = await deliveries(hook.id);
    expect(log.items.map((d) => [d.eventId, d.status, d.attempts, d.lastResponseStatus])).toEqual(
      expect.arrayContaining([
        [sub.id, 'delivered', 1, 204],
        [iss.id, 'delivered', 1, 204],
      ]),
    );
    expect(log.total).toBe(2);
  });

  it('scopes a subscription to one agency, including events that do not name it (by the record they are about)', async () => {
    const r = await receiver();
    const hook = await subscribe(r, { eventTypes: ['permits.>'], agencyId: AGENCY_B });
    r.secrets = { s: hook.secret };
    const ofA = randomUUID();
    const ofB = randomUUID();
    const [, subB, , issB] = await publish(submitted(AGENCY_A, ofA), submitted(AGENCY_B, ofB), issued(ofA), issued(ofB));
    await waitFor('agency B deliveries', async () => (r.accepted().length >= 2 ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(r.accepted().sort()).toEqual([subB.id, issB.id].sort());
  });

  it('keeps deliveries while the receiver is down and delivers all of them, none twice, once it is back', async () => {
    const r = await receiver();
    const hook = await subscribe(r, { eventTypes: ['complaints.complaint.received'] });
    r.secrets = { s: hook.secret };
    const port = Number(new URL(r.url).port);
    await r.stop();
    const sent = await publish(...Array.from({ length: 5 }, () => received()));
    await waitFor('failed attempts', async () => {
      const log = await deliveries(hook.id);
      return log.total === 5 && log.items.every((d) => d.attempts >= 2 && d.status === 'pending' && d.lastError) ? true : undefined;
    });
    // Ops see the waiting deliveries on /metrics.
    const metrics = await (await fetch(`${t.service.url}/metrics`)).text();
    expect(Number(/^webhook_deliveries_pending\{[^}]*\} (\d+)/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(5);
    expect(Number(/^webhook_oldest_pending_seconds\{[^}]*\} ([\d.e+-]+)/m.exec(metrics)?.[1])).toBeGreaterThan(0);
    expect(metrics).toMatch(/^webhook_attempts_total\{outcome="failed"[^}]*\} [1-9]/m);
    const back = await receiver(port);
    back.secrets = r.secrets;
    await waitFor('all five after the receiver is back', async () => (back.accepted().length >= 5 ? true : undefined), 15000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(back.accepted().sort()).toEqual(sent.map((e) => e.id).sort());
    expect(back.received.every((x) => x.verifiedWith.length === 1)).toBe(true);
    const log = await deliveries(hook.id, 'delivered');
    expect(log.total).toBe(5);
  });

  it('signs with the old and the new secret during the grace period after a rotation', async () => {
    const r = await receiver();
    const hook = await subscribe(r, { eventTypes: ['complaints.*.received'] });
    const rotated = await t.rpc.send(SUBJECTS.notifications.rotateWebhookSecret, { id: hook.id }, as(admin));
    expect(rotated.secret).not.toBe(hook.secret);
    expect(Date.parse(rotated.previousSecretExpiresAt) - Date.now()).toBeGreaterThan(3500_000);
    r.secrets = { old: hook.secret, new: rotated.secret, stranger: 'whsec_' + Buffer.alloc(32, 7).toString('base64') };
    await publish(received());
    await waitFor('a delivery', async () => (r.accepted().length ? true : undefined));
    expect(r.received[0].verifiedWith.sort()).toEqual(['new', 'old']);
    expect(r.received[0].signature.split(' ')).toHaveLength(2);
    expect((await t.rpc.send(SUBJECTS.notifications.getWebhook, { id: hook.id }, as(admin))).previousSecretExpiresAt).toBe(rotated.previousSecretExpiresAt);
  });

  it('turns a subscription that keeps failing off with a reason, keeps what comes meanwhile, and delivers everything when an admin turns it back on', async () => {
    const r = await receiver();
    r.answer = 500;
    const hook = await subscribe(r, { eventTypes: ['complaints.complaint.received.v1'] });
    r.secrets = { s: hook.secret };
    const [first] = await publish(received());
    const off = await waitFor(
      'the subscription to be turned off',
      async () => {
        const h = await t.rpc.send(SUBJECTS.notifications.getWebhook, { id: hook.id }, as(admin));
        return h.active ? undefined : h;
      },
      20000,
    );
    expect(off.disabledReason).toMatch(/whole retry schedule.*HTTP 500/);
    // Every attempt of the schedule was made: the first and one per delay.
    expect(r.received.filter((x) => x.id === first.id)).toHaveLength(6);
    const [failed] = (await deliveries(hook.id)).items;
    expect(failed).toMatchObject({ eventId: first.id, status: 'failed', attempts: 6, lastResponseStatus: 500, lastError: 'receiver says 500', nextAttemptAt: null });

    // The system's decision is an event, for integrators as for everyone.
    const disabled = await waitFor('the disabled event', async () => {
      const msg = await jsm.streams.getMessage(t.env.eventsStream, { last_by_subj: `${t.env.eventsPrefix}.notifications.webhook.disabled.v1` }).catch(() => undefined);
      return msg ? msg.json<RegencyCloudEvent<{ webhookId: string; reason: string }>>() : undefined;
    });
    expect(disabled.data).toEqual({ webhookId: hook.id, reason: off.disabledReason });

    // While off, new events wait; nothing is sent.
    const before = r.received.length;
    const later = await publish(received(), received());
    await waitFor('the waiting deliveries', async () => ((await deliveries(hook.id, 'pending')).total === 2 ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(r.received.length).toBe(before);

    r.answer = 200;
    const on = await t.rpc.send(SUBJECTS.notifications.updateWebhook, { id: hook.id, active: true }, as(admin));
    expect(on).toMatchObject({ active: true, disabledReason: null, disabledAt: null });
    await waitFor('all three', async () => (r.accepted().length >= 3 ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(r.accepted().sort()).toEqual([first.id, ...later.map((e) => e.id)].sort());
  });

  it('collects deliveries for a subscription the system turned off only for WEBHOOK_HOLD_DAYS (7)', async () => {
    const r = await receiver();
    const recent = await subscribe(r, { eventTypes: ['complaints.complaint.received'] });
    const long = await subscribe(r, { eventTypes: ['complaints.complaint.received'] });
    // As the worker leaves them when a schedule runs out, one a day ago and one eight days ago.
    const off = `UPDATE webhook_subscriptions SET active = false, disabled_reason = 'deliveries kept failing', disabled_at = now() - make_interval(days => $2) WHERE id = $1`;
    await t.db.query(off, [recent.id, 1]);
    await t.db.query(off, [long.id, 8]);
    const [e] = await publish(received());
    await waitFor('the held delivery', async () => ((await deliveries(recent.id, 'pending')).items.some((d) => d.eventId === e.id) ? true : undefined));
    expect((await deliveries(long.id)).total).toBe(0);
    expect(r.received).toHaveLength(0);
  });

  it('redelivers one delivery, and replays every matching event since a time with its progress', async () => {
    const r = await receiver();
    const since = new Date(Date.now() - 1000).toISOString();
    const hook = await subscribe(r, { eventTypes: ['permits.application.submitted'] });
    r.secrets = { s: hook.secret };
    const events = await publish(submitted(AGENCY_A), submitted(AGENCY_B), received(), submitted(AGENCY_A));
    const wanted = events.filter((e) => e.type.startsWith('permits')).map((e) => e.id);
    await waitFor('three deliveries', async () => (r.accepted().length >= 3 ? true : undefined));

    const [one] = (await deliveries(hook.id)).items;
    const again = await t.rpc.send(SUBJECTS.notifications.redeliver, { id: hook.id, deliveryId: one.id }, as(admin));
    expect(again).toMatchObject({ id: one.id, status: 'pending' });
    await waitFor('the redelivery', async () => (r.accepted().length >= 4 ? true : undefined));
    expect(r.accepted()[3]).toBe(one.eventId);

    const replay = await t.rpc.send(SUBJECTS.notifications.startReplay, { id: hook.id, since }, as(admin));
    expect(replay).toMatchObject({ webhookId: hook.id, since, status: 'running' });
    const done = await waitFor('the replay to finish', async () => {
      const p = await t.rpc.send(SUBJECTS.notifications.getReplay, { id: hook.id, replayId: replay.id }, as(admin));
      return p.status === 'running' ? undefined : p;
    });
    expect(done).toMatchObject({ status: 'done', deliveriesQueued: 3, error: null });
    expect(done.eventsScanned).toBe(done.eventsTotal);
    expect(done.eventsScanned).toBeGreaterThanOrEqual(4);
    await waitFor('the replayed deliveries', async () => (r.accepted().length >= 7 ? true : undefined));
    // Same webhook-ids as the first time: a receiver that keeps them drops the copies.
    expect(r.accepted().slice(4).sort()).toEqual([...wanted].sort());
    await expect(t.rpc.send(SUBJECTS.notifications.startReplay, { id: hook.id, since: new Date(Date.now() + 60_000).toISOString() }, as(admin))).rejects.toMatchObject({ code: 'NOTIFICATIONS.REPLAY_IN_FUTURE' });
  });

  it('keeps a hanging receiver to its share of the attempts, so the others are not held up', async () => {
    const hanging = await receiver();
    hanging.answer = 'hang';
    const healthy = await receiver();
    const slow = await subscribe(hanging, { eventTypes: ['complaints.complaint.received'] });
    const fast = await subscribe(healthy, { eventTypes: ['complaints.complaint.received'] });
    healthy.secrets = { s: fast.secret };
    const started = Date.now();
    const sent = await publish(...Array.from({ length: 20 }, () => received()));
    // 8 attempts in flight in all, 4 at most for one subscription: without that share the hanging
    // receiver would hold all 8 until the 2 s time limit, again and again.
    await waitFor('the healthy receiver to get all 20', async () => (sent.every((e) => healthy.accepted().includes(e.id)) ? true : undefined), 10000, 20);
    expect(Date.now() - started).toBeLessThan(1800);
    expect(hanging.received.length).toBeLessThanOrEqual(4);
    await t.rpc.send(SUBJECTS.notifications.deleteWebhook, { id: slow.id }, as(admin));
  });

  it('refuses targets in private ranges before connecting, at creation and at each delivery', async () => {
    // Loopback addresses stand in for private ones: 127.0.0.2 is not allowed; a listener there counts connections.
    const trap = await receiver(0, '127.0.0.2');
    const port = new URL(trap.url).port;
    const create = (url: string) => t.rpc.send(SUBJECTS.notifications.createWebhook, { url, eventTypes: ['>'] }, as(admin));
    for (const url of [`http://127.0.0.2:${port}/x`, `http://internal.test:${port}/x`, `http://mixed.test:${port}/x`, `http://[::1]:${port}/x`, `http://[::ffff:127.0.0.2]:${port}/x`, 'http://10.1.2.3/x', 'http://169.254.169.254/latest/meta-data', 'http://nowhere.test/x']) {
      await expect(create(url)).rejects.toMatchObject({ code: 'NOTIFICATIONS.TARGET_REFUSED' });
    }
    await expect(create('ftp://receiver.test/x')).rejects.toMatchObject({ code: 'COMMON.VALIDATION' });

    // A name that resolved to an allowed address at creation and to a refused one later (DNS rebinding).
    dns['rebind.test'] = ['127.0.0.1'];
    const hook = await t.rpc.send(SUBJECTS.notifications.createWebhook, { url: `http://rebind.test:${port}/x`, eventTypes: ['complaints.>'] }, as(admin));
    dns['rebind.test'] = ['127.0.0.2'];
    await publish(received());
    const refused = await waitFor('a refused attempt', async () => {
      const [d] = (await deliveries(hook.id)).items;
      return d?.attempts ? d : undefined;
    });
    expect(refused).toMatchObject({ status: 'pending', lastResponseStatus: null });
    expect(refused.lastError).toMatch(/rebind\.test resolves to 127\.0\.0\.2 is a loopback address/);
    expect(trap.connections).toBe(0);
    await t.rpc.send(SUBJECTS.notifications.deleteWebhook, { id: hook.id }, as(admin));
  });

  it('is for admins only, and validates what it is given', async () => {
    const r = await receiver();
    const body = { url: r.url, eventTypes: ['permits.application.*'] };
    await expect(t.rpc.send(SUBJECTS.notifications.createWebhook, body)).rejects.toMatchObject({ code: 'COMMON.UNAUTHENTICATED' });
    await expect(t.rpc.send(SUBJECTS.notifications.createWebhook, body, as(auditor))).rejects.toMatchObject({ code: 'COMMON.FORBIDDEN' });
    await expect(t.rpc.send(SUBJECTS.notifications.listWebhooks, {}, as(auditor))).rejects.toMatchObject({ code: 'COMMON.FORBIDDEN' });
    for (const eventTypes of [['permits.aplication.*'], ['Permits.>'], ['>.permits'], [], ['permits..x']]) {
      await expect(t.rpc.send(SUBJECTS.notifications.createWebhook, { ...body, eventTypes }, as(admin))).rejects.toMatchObject({ code: 'COMMON.VALIDATION' });
    }
    await expect(t.rpc.send(SUBJECTS.notifications.getWebhook, { id: randomUUID() }, as(admin))).rejects.toMatchObject({ code: 'NOTIFICATIONS.WEBHOOK_NOT_FOUND' });
    const hook = await t.rpc.send(SUBJECTS.notifications.createWebhook, body, as(admin));
    const other = await t.rpc.send(SUBJECTS.notifications.createWebhook, body, as(admin));
    const [d] = (await publish(submitted(AGENCY_A))).map((e) => e.id);
    const delivery = await waitFor('a delivery', async () => (await deliveries(hook.id)).items.find((x) => x.eventId === d));
    // A delivery is found only under its own subscription.
    await expect(t.rpc.send(SUBJECTS.notifications.redeliver, { id: other.id, deliveryId: delivery.id }, as(admin))).rejects.toMatchObject({ code: 'NOTIFICATIONS.DELIVERY_NOT_FOUND' });
    await t.rpc.send(SUBJECTS.notifications.deleteWebhook, { id: hook.id }, as(admin));
    await expect(t.rpc.send(SUBJECTS.notifications.getWebhook, { id: hook.id }, as(admin))).rejects.toMatchObject({ code: 'NOTIFICATIONS.WEBHOOK_NOT_FOUND' });
    const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE subscription_id = $1`, [hook.id]);
    expect(rows[0].n).toBe(0);
    // Secrets are sealed at rest: the database never holds one in the clear.
    const { rows: sealed } = await t.db.query(`SELECT secret_sealed FROM webhook_subscriptions WHERE id = $1`, [other.id]);
    expect(sealed[0].secret_sealed).toMatch(/^v1\./);
    expect(sealed[0].secret_sealed).not.toContain('whsec_');
  });
});
