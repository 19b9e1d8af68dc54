import { Actor, RegencyCloudEvent, SUBJECTS } from '@smart-regency/contracts';
import { buildEvent } from '@smart-regency/platform';
import { InProcessService, startInProcess, waitFor, WebhookReceivers } from '@smart-regency/testing';
import { randomUUID } from 'crypto';
import { startNotifications } from '../src/app';
import { loadNotificationsConfig } from '../src/config';

const admin: Actor = { id: randomUUID(), roles: ['admin'] };
const as = (actor: Actor) => ({ actor, lang: 'en' as const });

/**
 * Replays as a bounded job: many started at once (one per subscription) read the stream at most
 * WEBHOOK_REPLAY_CONCURRENCY at a time, each through a consumer of its own, and every one of them
 * still finishes with every matching event queued. Thousands started at once each held a consumer
 * and its buffer (3.7 GB in the routes bench).
 */
describe('webhook replays: a bounded job', () => {
  let t: InProcessService;
  const receivers = new WebhookReceivers();
  const CONCURRENCY = 2;
  const EVENTS = 120;

  beforeAll(async () => {
    t = await startInProcess('notifications', (env) =>
      startNotifications(loadNotificationsConfig({ ...env, WEBHOOK_REPLAY_CONCURRENCY: String(CONCURRENCY), WEBHOOK_POLL_MS: '100' }), false),
    );
  }, 60_000);

  afterAll(async () => {
    await receivers.stopAll();
    await t?.close();
  });

  it('reads with at most WEBHOOK_REPLAY_CONCURRENCY consumers at once, and queues every matching event for each replay', async () => {
    const js = t.rpc.connection.jetstream();
    const jsm = await t.rpc.connection.jetstreamManager();
    const since = new Date(Date.now() - 1000).toISOString();
    for (let i = 0; i < EVENTS; i++) {
      const rated = buildEvent('complaints.complaint.rated.v1', { complaintId: randomUUID(), score: 1 + (i % 5) } as never) as unknown as RegencyCloudEvent;
      await js.publish(`${t.env.eventsPrefix}.${rated.type}`, JSON.stringify(rated), { msgID: rated.id });
      // Events no replay wants, between them.
      const other = buildEvent('complaints.complaint.rated.v1', { complaintId: randomUUID(), score: 3 } as never) as unknown as RegencyCloudEvent;
      await js.publish(`${t.env.eventsPrefix}.identity.agency.changed.v1`, JSON.stringify({ ...other, type: 'identity.agency.changed.v1' }), { msgID: `${other.id}-x` });
    }
    const names = async () => {
      const out: string[] = [];
      for await (const c of jsm.consumers.list(t.env.eventsStream)) out.push(c.name);
      return out;
    };
    const before = new Set(await names());
    const r = await receivers.start();
    // Subscribed after the events: only the replays queue deliveries. Versioned, `>`, and one
    // pattern no single subject filter can say (read in full and matched one by one).
    const patterns = [...Array(8).fill(['complaints.complaint.rated.v1']), ['complaints.>'], ['complaints.complaint.rated'], ['*.complaint.rated.v1', 'permits.>']];
    const hooks = await Promise.all(patterns.map((eventTypes) => t.rpc.send(SUBJECTS.notifications.createWebhook, { url: r.url, eventTypes } as never, as(admin))));
    let most = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        most = Math.max(most, (await names()).filter((n) => !before.has(n)).length);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const replays = await Promise.all(hooks.map((h) => t.rpc.send(SUBJECTS.notifications.startReplay, { id: h.id, since }, as(admin))));
    expect(replays.map((x) => x.status)).toEqual(Array(hooks.length).fill('running'));
    const ended = await waitFor(
      'every replay to end',
      async () => {
        const now = await Promise.all(replays.map((x) => t.rpc.send(SUBJECTS.notifications.getReplay, { id: x.webhookId, replayId: x.id }, as(admin))));
        return now.every((x) => x.status !== 'running') ? now : undefined;
      },
      60_000,
    );
    sampling = false;
    await sampler;
    expect(ended.map((x) => [x.status, x.error, x.deliveriesQueued])).toEqual(Array(hooks.length).fill(['done', null, EVENTS]));
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(CONCURRENCY);
    // Their consumers are gone.
    expect((await names()).filter((n) => !before.has(n))).toEqual([]);
  }, 120_000);
});
