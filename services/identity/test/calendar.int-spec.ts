import { SUBJECTS } from '@smart-regency/contracts';
import { addWorkingDays, calendarOf, DomainError, jakartaDate } from '@smart-regency/platform';
import { InProcessService, startInProcess } from '@smart-regency/testing';
import { startIdentity } from '../src/app';
import { holidaysOf } from '../src/calendar/holidays.seed';
import { loadIdentityConfig } from '../src/config';

describe('working-day calendar', () => {
  let t: InProcessService;
  const admin = { id: '00000000-0000-4000-8000-000000000001', roles: ['admin' as const] };
  const year = Number(jakartaDate(new Date()).slice(0, 4));

  beforeAll(async () => {
    t = await startInProcess('identity', (env) => startIdentity(loadIdentityConfig(env)));
  });

  afterAll(() => t?.close());

  it('is seeded for the previous, the current and the next year, from the years the shipped table holds', async () => {
    for (const y of [year - 1, year, year + 1]) {
      const calendar = await t.rpc.send(SUBJECTS.identity.getCalendar, { year: y });
      expect(calendar.holidays).toEqual(holidaysOf(y));
      if (holidaysOf(y).length) expect(calendar.holidays.map((h) => h.date)).toContain(`${y}-08-17`);
    }
    expect(holidaysOf(2026).length).toBeGreaterThan(0);
    expect((await t.rpc.send(SUBJECTS.identity.getCalendar, { year: 2026 })).holidays).toEqual(holidaysOf(2026));
    expect((await t.rpc.send(SUBJECTS.identity.getCalendar, { year: year + 5 })).holidays).toEqual([]);
  });

  it('lets an admin replace a year, which then drives deadlines', async () => {
    const holidays = [
      { date: `${year + 1}-12-25`, name: 'Hari Raya Natal' },
      { date: `${year + 1}-01-01`, name: 'Tahun Baru Masehi' },
    ];
    const saved = await t.rpc.send(SUBJECTS.identity.putCalendar, { year: year + 1, holidays }, { actor: admin });
    expect(saved.holidays.map((h) => h.date)).toEqual([`${year + 1}-01-01`, `${year + 1}-12-25`]);
    const calendar = calendarOf(saved.holidays.map((h) => h.date));
    // From 31 Dec (Jakarta) one working day skips New Year's Day.
    const deadline = addWorkingDays(new Date(`${year}-12-31T03:00:00Z`), 1, calendar);
    expect(deadline.toISOString()).toBe(new Date(`${year + 1}-01-0${new Date(Date.UTC(year + 1, 0, 2)).getUTCDay() === 6 ? 4 : new Date(Date.UTC(year + 1, 0, 2)).getUTCDay() === 0 ? 3 : 2}T16:59:59.999Z`).toISOString());

    // An emptied year stays empty after a restart instead of being re-seeded.
    await t.rpc.send(SUBJECTS.identity.putCalendar, { year, holidays: [] }, { actor: admin });
    const svc = t.service.app.get((await import('../src/calendar/calendar.service')).CalendarService);
    expect(await svc.seed(year)).toBe(false);
    expect((await t.rpc.send(SUBJECTS.identity.getCalendar, { year })).holidays).toEqual([]);
  });

  it('keeps concurrent replacements of a year in order: the days, the audit rows and the last event agree', async () => {
    // A year nobody wrote yet (all start by inserting it) and one that exists (all update it).
    for (const y of [year + 7, year - 1]) {
      const versions = Array.from({ length: 12 }, (_, k) => [
        { date: `${y}-01-01`, name: `Tahun Baru ${k}` },
        ...(k % 2 ? [{ date: `${y}-08-17`, name: 'Hari Kemerdekaan' }] : [{ date: `${y}-03-0${1 + (k % 9)}`, name: `Cuti ${k}` }]),
      ]);
      await Promise.all(versions.map((holidays) => t.rpc.send(SUBJECTS.identity.putCalendar, { year: y, holidays }, { actor: admin })));
      const stored = (await t.rpc.send(SUBJECTS.identity.getCalendar, { year: y })).holidays;
      expect(versions.map((v) => JSON.stringify([...v].sort((a, b) => a.date.localeCompare(b.date))))).toContain(JSON.stringify(stored));
      const { rows: events } = await t.db.query(`SELECT event->'data' AS data FROM outbox WHERE type = 'identity.calendar.changed.v1' AND event->'data'->>'year' = $1 ORDER BY seq`, [String(y)]);
      expect(events.at(-1).data.holidays).toEqual(stored.map((h) => h.date));
      // Every replacement wrote once: its audit row and its event, none twice and none lost.
      const { rows: audited } = await t.db.query(
        `SELECT count(*)::int AS n FROM (SELECT entity_id FROM audit_pending UNION ALL SELECT entity_id FROM audit_log) a WHERE entity_id = $1`,
        [String(y)],
      );
      expect(audited[0].n).toBe(versions.length);
      expect(events.length).toBeGreaterThanOrEqual(versions.length);
    }
  });

  it('refuses dates outside the year, impossible dates and duplicates, naming each', async () => {
    const error: DomainError = await t.rpc
      .send(
        SUBJECTS.identity.putCalendar,
        {
          year,
          holidays: [
            { date: `${year + 1}-01-01`, name: 'Next year' },
            { date: `${year}-02-30`, name: 'No such day' },
            { date: `${year}-05-01`, name: 'Hari Buruh' },
            { date: `${year}-05-01`, name: 'Again' },
          ],
        },
        { actor: admin },
      )
      .catch((e) => e);
    expect(error.code).toBe('IDENTITY.INVALID_CALENDAR');
    expect(error.details!.map((d) => d.field)).toEqual(['holidays[0].date', 'holidays[1].date', 'holidays[3].date']);
    const malformed: DomainError = await t.rpc.send(SUBJECTS.identity.putCalendar, { year, holidays: [{ date: '1 Mei', name: 'x' }] } as never, { actor: admin }).catch((e) => e);
    expect(malformed.code).toBe('COMMON.VALIDATION');
  });
});
