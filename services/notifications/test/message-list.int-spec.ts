import { Actor, SUBJECTS } from '@smart-regency/contracts';
import { InProcessService, startInProcess } from '@smart-regency/testing';
import { randomUUID } from 'crypto';
import { startNotifications } from '../src/app';
import { loadNotificationsConfig } from '../src/config';

/** Staff's list of messages (GET /notification-messages): its filters, its order, its deliveries and its counted total. */
describe('notification messages: the list staff read', () => {
  let t: InProcessService;
  const admin: Actor = { id: randomUUID(), roles: ['admin'] };
  const agency = randomUUID();
  const other = randomUUID();
  const record = randomUUID();
  const officer: Actor = { id: randomUUID(), roles: ['officer'], agencyId: agency };

  beforeAll(async () => {
    t = await startInProcess('notifications', (env) => startNotifications(loadNotificationsConfig(env), false));
    // 1,200 messages of the agency (every 10th about one record, every 7th failed by email), 30 of another agency.
    await t.db.query(
      `WITH made AS (
         INSERT INTO notifications (id, user_id, event_id, record_id, agency_id, type, recipient_role, language, title, body, short, in_app, event_time, created_at)
         SELECT gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), CASE WHEN g % 10 = 0 THEN $1::uuid ELSE gen_random_uuid() END,
                CASE WHEN g <= 1200 THEN $2::uuid ELSE $3::uuid END, 'complaint.received', 'staff', 'id', 'T' || g, 'B', 'S', true, now(), now() - g * interval '1 second'
         FROM generate_series(1, 1230) g RETURNING id, user_id, title)
       INSERT INTO message_deliveries (id, notification_id, user_id, channel, status, attempts)
       SELECT gen_random_uuid(), id, user_id, c, CASE WHEN c = 'email' AND substr(title, 2)::int % 7 = 0 THEN 'failed' ELSE 'delivered' END, 1
       FROM made, unnest(ARRAY['email', 'sms']) c`,
      [record, agency, other],
    );
  }, 60_000);

  afterAll(() => t?.close());

  const list = (actor: Actor, query: Record<string, unknown> = {}) => t.rpc.send(SUBJECTS.notifications.listMessages, query as never, { actor });

  it('gives the newest first with each channel, and counts to 1,000', async () => {
    const page = await list(admin, { pageSize: 3 });
    expect(page.items).toHaveLength(3);
    expect(page).toMatchObject({ total: 1000, totalExact: false });
    const first = page.items[0];
    expect(first.channels.map((c) => c.channel)).toEqual(['email', 'sms']);
    const times = page.items.map((m) => Date.parse(m.createdAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  it("limits staff to their agency's records, and filters by record and by status", async () => {
    const mine = await list(officer, { pageSize: 100, page: 12 });
    expect(mine).toMatchObject({ total: 1200, totalExact: false });
    expect(mine.items).toHaveLength(100);
    const byRecord = await list(admin, { recordId: record, pageSize: 100 });
    expect(byRecord).toMatchObject({ total: 123, totalExact: true });
    expect(byRecord.items.every((m) => m.recordId === record)).toBe(true);
    const failed = await list(admin, { status: 'failed', pageSize: 100 });
    expect(failed).toMatchObject({ total: Math.floor(1230 / 7), totalExact: true });
    expect(failed.items.every((m) => m.channels.some((c) => c.status === 'failed'))).toBe(true);
    const failedHere = await list(officer, { status: 'failed', pageSize: 100, page: 2 });
    expect(failedHere).toMatchObject({ total: Math.floor(1200 / 7), totalExact: true });
    expect(failedHere.items).toHaveLength(Math.floor(1200 / 7) - 100);
  });
});
