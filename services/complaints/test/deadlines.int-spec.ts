import { Actor, referenceAgencyId, SUBJECTS } from '@smart-regency/contracts';
import { prefixed } from '@smart-regency/platform';
import { InProcessService, startInProcess } from '@smart-regency/testing';
import { randomUUID } from 'crypto';
import { JSONCodec, Subscription } from 'nats';
import { startComplaints } from '../src/app';
import { ComplaintJobs } from '../src/complaints/complaint-jobs';
import { loadComplaintsConfig } from '../src/config';

const DAY = 86_400_000;
const JAKARTA = 7 * 3_600_000;
/** Jakarta date (YYYY-MM-DD) of an instant, and the day after a date. */
const jakarta = (t: number) => new Date(t + JAKARTA).toISOString().slice(0, 10);
const nextDate = (date: string) => new Date(Date.parse(`${date}T00:00:00Z`) + DAY).toISOString().slice(0, 10);
const weekend = (date: string) => [0, 6].includes(new Date(`${date}T00:00:00Z`).getUTCDay());

/**
 * The deadlines of Perpres 76/2013 and the job that enforces them, with the clock moved by the test
 * (`ComplaintJobs.runOnce(now)`) and a holiday calendar the test chooses. The calendar owner
 * (identity) is played by a NATS responder on the run's prefix; database and broker are real.
 */
describe('complaint deadlines, escalations and auto-close', () => {
  let t: InProcessService;
  let jobs: ComplaintJobs;
  let calendarResponder: Subscription;
  const holidays: string[] = [];
  const reporter: Actor = { id: randomUUID(), roles: ['citizen'] };
  const admin: Actor = { id: randomUUID(), roles: ['admin'] };
  const dlh: Actor = { id: randomUUID(), roles: ['officer'], agencyId: referenceAgencyId('DLH') };

  /** End of the Jakarta day of the n-th working day after `from` (an independent count, not the platform's). */
  const workingDeadline = (from: string | number, n: number) => {
    let date = jakarta(new Date(from).getTime());
    for (let left = n; left > 0; ) {
      date = nextDate(date);
      if (!weekend(date) && !holidays.includes(date)) left--;
    }
    return new Date(Date.parse(`${date}T23:59:59.999+07:00`)).toISOString();
  };
  const at = (iso: string, deltaMs: number) => new Date(new Date(iso).getTime() + deltaMs);
  const row = async (id: string) => (await t.db.query(`SELECT status, due_at, escalated_stages FROM complaints WHERE id = $1`, [id])).rows[0];
  const escalations = async (id: string) =>
    (await t.db.query(`SELECT event->'data' AS data FROM outbox WHERE type = 'complaints.complaint.escalated.v1' AND record_id = $1 ORDER BY seq`, [id])).rows.map((r) => r.data);
  const file = async () =>
    t.rpc.send(
      SUBJECTS.complaints.file,
      { categoryCode: 'waste-environment', title: 'Sampah menumpuk', description: 'Sampah di pasar tidak diangkut seminggu.', location: { lat: 2.578, lng: 99.618 }, visibility: 'public' },
      { actor: reporter },
    );
  const act = (id: string, actor: Actor, action: string, extra: Record<string, unknown> = {}) => t.rpc.send(SUBJECTS.complaints.act, { id, action, ...extra }, { actor });

  beforeAll(async () => {
    // Two holidays among the coming working days, so every deadline below has to skip one.
    let date = jakarta(Date.now());
    for (let weekday = 0; weekday < 9; ) {
      date = nextDate(date);
      if (weekend(date)) continue;
      weekday++;
      if (weekday === 2 || weekday === 7) holidays.push(date);
    }
    t = await startInProcess('complaints', (env) => startComplaints(loadComplaintsConfig({ ...env, JOB_INTERVAL_MS: '3600000' })));
    const codec = JSONCodec<{ data: { year: number }; id: string }>();
    calendarResponder = t.rpc.connection.subscribe(prefixed(t.env.natsPrefix, SUBJECTS.identity.getCalendar), {
      callback: (_err, msg) => {
        const { data, id } = codec.decode(msg.data);
        const response = { year: data.year, holidays: holidays.filter((h) => h.startsWith(String(data.year))).map((h) => ({ date: h, name: 'Libur uji' })) };
        msg.respond(JSONCodec().encode({ response, isDisposed: true, id }));
      },
    });
    jobs = t.service.app.get(ComplaintJobs);
  });

  afterAll(async () => {
    calendarResponder?.unsubscribe();
    await t?.close();
  });

  it('gives 3 working days to verify, 5 to follow up, 10 before auto-close, skipping weekends and holidays, and escalates each miss once', async () => {
    const c = await file();
    expect(c.dueAt).toBe(workingDeadline(c.createdAt, 3));
    expect(c.finalDueAt).toBe(new Date(Date.parse(`${jakarta(new Date(c.createdAt).getTime() + 60 * DAY)}T23:59:59.999+07:00`)).toISOString());

    await jobs.runOnce(at(c.dueAt!, -1000));
    expect(await escalations(c.id)).toEqual([]);
    await jobs.runOnce(at(c.dueAt!, 1000));
    expect(await escalations(c.id)).toEqual([expect.objectContaining({ complaintId: c.id, agencyId: referenceAgencyId('DLH'), stage: 'verification', dueAt: c.dueAt })]);
    await jobs.runOnce(at(c.dueAt!, 2 * DAY));
    expect(await escalations(c.id)).toHaveLength(1);
    expect((await row(c.id)).escalated_stages).toEqual(['verification']);

    await act(c.id, admin, 'verify');
    const disposed = await act(c.id, admin, 'dispose', { agencyId: referenceAgencyId('DLH') });
    expect(disposed.dueAt).toBe(workingDeadline(Date.now(), 5));
    await jobs.runOnce(at(disposed.dueAt!, -1000));
    expect(await escalations(c.id)).toHaveLength(1);
    await jobs.runOnce(at(disposed.dueAt!, 1000));
    expect((await escalations(c.id)).map((e) => e.stage)).toEqual(['verification', 'follow_up']);

    const resolved = await act(c.id, dlh, 'resolve', { note: 'Sudah diangkut.' });
    expect(resolved.dueAt).toBe(workingDeadline(Date.now(), 10));
    await jobs.runOnce(at(resolved.dueAt!, -1000));
    expect((await row(c.id)).status).toBe('resolved');
    const round = await jobs.runOnce(at(resolved.dueAt!, 1000));
    expect(round.closed).toBeGreaterThanOrEqual(1);
    expect((await row(c.id)).status).toBe('closed');
    const [last] = (await t.db.query(`SELECT action, actor_role, actor_id FROM complaint_history WHERE complaint_id = $1 ORDER BY seq DESC LIMIT 1`, [c.id])).rows;
    expect(last).toEqual({ action: 'close', actor_role: 'system', actor_id: null });
    const closedEvent = (await t.db.query(`SELECT event->'data' AS data FROM outbox WHERE record_id = $1 ORDER BY seq DESC LIMIT 1`, [c.id])).rows[0].data;
    expect(closedEvent).toMatchObject({ complaintId: c.id, fromStatus: 'resolved', toStatus: 'closed', action: 'close' });
    // No auto-close escalation: a silent citizen is not the agency's fault.
    expect((await escalations(c.id)).map((e) => e.stage)).toEqual(['verification', 'follow_up']);
  });

  it('escalates the 60-day cap beside the stage, once, even with two replicas running the same round', async () => {
    const c = await file();
    const later = at(c.finalDueAt, 1000);
    const rounds = await Promise.all([jobs.runOnce(later), jobs.runOnce(later)]);
    expect((await escalations(c.id)).map((e) => e.stage).sort()).toEqual(['final', 'verification']);
    expect(rounds.reduce((sum, r) => sum + r.escalated, 0)).toBeGreaterThanOrEqual(2);
    await jobs.runOnce(at(c.finalDueAt, DAY));
    expect(await escalations(c.id)).toHaveLength(2);
    expect((await row(c.id)).escalated_stages.sort()).toEqual(['final', 'verification']);
  });

  it('gives a reopened complaint a fresh follow-up deadline, escalated again if missed', async () => {
    const c = await file();
    await act(c.id, admin, 'verify');
    const disposed = await act(c.id, admin, 'dispose', { agencyId: referenceAgencyId('DLH') });
    await jobs.runOnce(at(disposed.dueAt!, 1000));
    await act(c.id, dlh, 'resolve', { note: 'Sudah diangkut.' });
    const reopened = await act(c.id, reporter, 'reopen');
    expect(reopened.status).toBe('reopened');
    expect(reopened.dueAt).toBe(workingDeadline(Date.now(), 5));
    await jobs.runOnce(at(reopened.dueAt!, 1000));
    expect((await escalations(c.id)).map((e) => e.stage)).toEqual(['follow_up', 'follow_up']);
  });

  it('leaves finished complaints alone', async () => {
    const c = await file();
    await act(c.id, admin, 'reject', { note: 'Bukan kewenangan kabupaten.' });
    await jobs.runOnce(at(c.finalDueAt, DAY));
    expect(await escalations(c.id)).toEqual([]);
    expect((await row(c.id)).status).toBe('rejected');
  });
});
