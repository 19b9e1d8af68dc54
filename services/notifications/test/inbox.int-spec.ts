import { Actor, SUBJECTS } from '@smart-regency/contracts';
import { InProcessService, startInProcess } from '@smart-regency/testing';
import { randomUUID } from 'crypto';
import { startNotifications } from '../src/app';
import { loadNotificationsConfig } from '../src/config';

/**
 * The in-app inbox under the load a person can make: marking everything read from two tabs, or
 * with a double click, at the same moment. At 250 requests/s the same person's read-alls locked
 * the same rows in different orders and PostgreSQL ended one of them as a deadlock (a 500).
 */
describe('inbox: read-all at the same moment', () => {
  let t: InProcessService;
  const person: Actor = { id: randomUUID(), roles: ['citizen'] };
  const UNREAD = 3000;

  beforeAll(async () => {
    t = await startInProcess('notifications', (env) => startNotifications(loadNotificationsConfig(env), false));
    // Messages as the composer stores them, straight into the table: only the inbox is under test.
    await t.db.query(
      `INSERT INTO notifications (id, user_id, event_id, type, recipient_role, language, title, body, short, in_app, event_time)
       SELECT gen_random_uuid(), $1, gen_random_uuid(), 'complaint.received', 'reporter', 'id', 'Pengaduan diterima', 'Isi', 'Singkat', true, now() - g * interval '1 second'
         FROM generate_series(1, $2::int) g`,
      [person.id, UNREAD],
    );
  }, 60_000);

  afterAll(() => t?.close());

  it('marks every message once, answers every call, and leaves nothing unread', async () => {
    const calls = Array.from({ length: 12 }, () => t.rpc.send(SUBJECTS.notifications.markAllRead, {}, { actor: person }));
    const answers = await Promise.allSettled(calls);
    expect(answers.filter((a) => a.status === 'rejected')).toEqual([]);
    const marked = answers.map((a) => (a as PromiseFulfilledResult<{ marked: number }>).value.marked);
    expect(marked.reduce((a, b) => a + b, 0)).toBe(UNREAD);
    expect(await t.rpc.send(SUBJECTS.notifications.unreadCount, {}, { actor: person })).toEqual({ count: 0 });
    const unread = await t.rpc.send(SUBJECTS.notifications.listMine, { unread: true }, { actor: person });
    expect([unread.items.length, unread.total]).toEqual([0, 0]);
    const all = await t.rpc.send(SUBJECTS.notifications.listMine, { pageSize: 100 }, { actor: person });
    expect(all.items.filter((n) => !n.readAt)).toEqual([]);
    expect(all).toMatchObject({ total: 1000, totalExact: false });
    expect((await t.rpc.send(SUBJECTS.notifications.markAllRead, {}, { actor: person })).marked).toBe(0);
  });

  it('counts what came after the read-all as unread, and a message read one by one as read once', async () => {
    const before = await t.rpc.send(SUBJECTS.notifications.listMine, { pageSize: 1 }, { actor: person });
    const older = before.items[0];
    // Read again one by one: it keeps the time the read-all gave it.
    expect((await t.rpc.send(SUBJECTS.notifications.markRead, { id: older.id }, { actor: person })).readAt).toBe(older.readAt);
    await t.db.query(
      `INSERT INTO notifications (id, user_id, event_id, type, recipient_role, language, title, body, short, in_app, event_time)
       SELECT gen_random_uuid(), $1, gen_random_uuid(), 'complaint.received', 'reporter', 'id', 'Baru', 'Isi', 'Singkat', true, now() FROM generate_series(1, 3)`,
      [person.id],
    );
    expect(await t.rpc.send(SUBJECTS.notifications.unreadCount, {}, { actor: person })).toEqual({ count: 3 });
    const unread = await t.rpc.send(SUBJECTS.notifications.listMine, { unread: true }, { actor: person });
    expect(unread).toMatchObject({ total: 3, totalExact: true });
    expect(unread.items.every((n) => n.title === 'Baru' && !n.readAt)).toBe(true);
    const one = await t.rpc.send(SUBJECTS.notifications.markRead, { id: unread.items[0].id }, { actor: person });
    expect(one.readAt).toBeDefined();
    expect(await t.rpc.send(SUBJECTS.notifications.unreadCount, {}, { actor: person })).toEqual({ count: 2 });
    expect((await t.rpc.send(SUBJECTS.notifications.markAllRead, {}, { actor: person })).marked).toBe(2);
    expect(await t.rpc.send(SUBJECTS.notifications.unreadCount, {}, { actor: person })).toEqual({ count: 0 });
  });
});
