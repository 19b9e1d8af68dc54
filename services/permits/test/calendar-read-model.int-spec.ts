import { Actor, referenceAgencyId, SUBJECTS } from '@smart-regency/contracts';
import { addWorkingDays, buildEvent, calendarOf, isWorkingDay, jakartaDate, prefixed } from '@smart-regency/platform';
import { InProcessService, startInProcess, waitFor } from '@smart-regency/testing';
import { randomUUID } from 'crypto';
import { JSONCodec, Subscription } from 'nats';
import { startPermits } from '../src/app';
import { loadPermitsConfig } from '../src/config';

/*
 * Identity off the write path: permits keeps its own copy of the regency's calendar from identity's
 * `identity.calendar.changed.v1` events. Identity is asked for a year only when permits has never
 * seen it; a submission's deadline then follows the events, not a question per write.
 */
describe("permits' copy of the calendar (real PostgreSQL and NATS)", () => {
  let t: InProcessService;
  const identity: Subscription[] = [];
  const asked: number[] = [];
  const codec = JSONCodec<{ id: string; data?: { year: number } }>();
  const admin: Actor = { id: randomUUID(), roles: ['admin'] };
  const citizen: Actor = { id: randomUUID(), roles: ['citizen'] };

  beforeAll(async () => {
    t = await startInProcess('permits', (env) => startPermits(loadPermitsConfig({ ...env, CITIZEN_DRAFTS_PER_DAY: '1000' })));
    const answer = (subject: string, respond: (request: { year?: number }) => unknown) =>
      identity.push(
        t.rpc.connection.subscribe(prefixed(t.env.natsPrefix, subject), {
          callback: (_error, msg) => {
            const request = codec.decode(msg.data) as unknown as { id: string; data?: { year?: number } };
            msg.respond(JSONCodec().encode({ response: respond(request.data ?? {}), id: request.id }));
          },
        }),
      );
    // identity, as permits asks it: a calendar with no holidays (counted), and a holder's name.
    answer(SUBJECTS.identity.getCalendar, ({ year }) => (asked.push(year!), { year, holidays: [] }));
    answer(SUBJECTS.identity.holderName, () => ({ fullName: 'Rahmawati Siregar' }));
    await t.rpc.send(
      SUBJECTS.permits.createPermitType,
      { code: 'KAL', name: 'Izin kalender', agencyId: referenceAgencyId('PUPR'), requiredDocuments: [], formFields: [], slaWorkingDays: 3, fee: 0, validityMonths: 12 },
      { actor: admin },
    );
  });

  afterAll(async () => {
    for (const s of identity) s.unsubscribe();
    await t?.close();
  });

  const submit = async () => {
    const draft = await t.rpc.send(SUBJECTS.permits.createApplication, { permitTypeCode: 'KAL', formData: {} }, { actor: citizen });
    const submitted = await t.rpc.send(SUBJECTS.permits.submitApplication, { id: draft.id }, { actor: citizen });
    return { submittedAt: new Date(submitted.submittedAt!), dueAt: new Date(submitted.dueAt!) };
  };

  it('asks identity for a year once, then takes every change from the events', async () => {
    const first = await submit();
    const year = Number(jakartaDate(first.submittedAt).slice(0, 4));
    expect([...asked].sort()).toEqual([year - 1, year, year + 1]);
    expect(first.dueAt).toEqual(addWorkingDays(first.submittedAt, 3, calendarOf([])));
    await submit();
    expect(asked).toHaveLength(3);

    // Identity makes the next working day a holiday (an admin's correction): an event, no question.
    let day = new Date(first.submittedAt);
    do day = new Date(day.getTime() + 86_400_000);
    while (!isWorkingDay(jakartaDate(day), calendarOf([])));
    const holiday = jakartaDate(day);
    const holidayYear = Number(holiday.slice(0, 4));
    const event = buildEvent('identity.calendar.changed.v1', { year: holidayYear, holidays: [holiday] });
    await t.rpc.connection.jetstream().publish(`${t.env.eventsPrefix}.${event.type}`, JSON.stringify(event), { msgID: event.id });
    await waitFor('the calendar event to be kept', async () => {
      const { rows } = await t.db.query(`SELECT holidays::text[] AS holidays FROM calendar_years WHERE year = $1`, [holidayYear]);
      return rows[0]?.holidays.includes(holiday) ? true : undefined;
    });

    const after = await submit();
    expect(after.dueAt).toEqual(addWorkingDays(after.submittedAt, 3, calendarOf([holiday])));
    expect(after.dueAt.getTime()).toBeGreaterThan(addWorkingDays(after.submittedAt, 3, calendarOf([])).getTime());
    expect(asked).toHaveLength(3);
  });
});
