import { Actor, ComplaintResponse, referenceAgencyId, RegencyCloudEvent, SUBJECTS } from '@smart-regency/contracts';
import { DomainError, prefixed } from '@smart-regency/platform';
import { InProcessService, startInProcess, waitFor } from '@smart-regency/testing';
import { randomUUID } from 'crypto';
import { JetStreamManager, JSONCodec, Subscription } from 'nats';
import { DataSource } from 'typeorm';
import { startComplaints } from '../src/app';
import { loadComplaintsConfig } from '../src/config';
import { PrivacyService } from '../src/privacy/privacy.service';

/*
 * Forwarding to SP4N-LAPOR! and what complaints answers the notifications service, over NATS on a
 * real database and broker: who may forward and when, the category that forwards on verification,
 * the adapter's outcomes and status updates applied once, the `commented` event, the notification
 * context and the LAPOR! report. Events are read back from the run's JetStream stream.
 */
const PUPR = referenceAgencyId('PUPR');
const DLH = referenceAgencyId('DLH');
const PLACE = { lat: 2.5781234, lng: 99.6184987, district: 'Kualuh Hulu', village: 'Aek Kanopan', address: 'Jl. Pasar No. 3' };

const citizen = (): Actor => ({ id: randomUUID(), roles: ['citizen'] });
const admin: Actor = { id: randomUUID(), roles: ['admin'] };
const puprHead: Actor = { id: randomUUID(), roles: ['agency_head'], agencyId: PUPR };
const puprOfficer: Actor = { id: randomUUID(), roles: ['officer'], agencyId: PUPR };
const dlhHead: Actor = { id: randomUUID(), roles: ['agency_head'], agencyId: DLH };
const auditor: Actor = { id: randomUUID(), roles: ['auditor'] };

describe('complaints and SP4N-LAPOR!', () => {
  let t: InProcessService;
  let calendar: Subscription;
  let jsm: JetStreamManager;

  beforeAll(async () => {
    t = await startInProcess('complaints', (env) => startComplaints(loadComplaintsConfig({ ...env, CITIZEN_FILINGS_PER_DAY: '1000' })));
    const codec = JSONCodec<{ data: { year: number }; id: string }>();
    calendar = t.rpc.connection.subscribe(prefixed(t.env.natsPrefix, SUBJECTS.identity.getCalendar), {
      callback: (_err, msg) => {
        const { data, id } = codec.decode(msg.data);
        msg.respond(JSONCodec().encode({ response: { year: data.year, holidays: [] }, isDisposed: true, id }));
      },
    });
    jsm = await t.rpc.connection.jetstreamManager();
  });

  afterAll(async () => {
    calendar?.unsubscribe();
    await t?.close();
  });

  const file = (reporter: Actor, visibility: 'public' | 'anonymous' | 'confidential' = 'public', categoryCode = 'roads-bridges') =>
    t.rpc.send(
      SUBJECTS.complaints.file,
      { categoryCode, title: 'Jembatan gantung putus', description: 'Jembatan gantung di desa putus sejak banjir.', location: PLACE, visibility },
      { actor: reporter },
    );
  const act = (id: string, actor: Actor, action: string, extra: Record<string, unknown> = {}) => t.rpc.send(SUBJECTS.complaints.act, { id, action, ...extra }, { actor });
  const forward = (id: string, actor: Actor, extra: { note?: string; ifMatch?: number } = {}) => t.rpc.send(SUBJECTS.complaints.forwardLapor, { id, ...extra }, { actor });
  const refusal = (promise: Promise<unknown>) =>
    promise.then(
      () => {
        throw new Error('expected a refusal');
      },
      (error: DomainError) => error.code,
    );
  /** The complaint's events as JetStream holds them, once the outbox has sent everything. */
  const eventsOf = async (id: string): Promise<RegencyCloudEvent[]> => {
    await waitFor('the outbox to drain', async () => ((await t.db.query('SELECT count(*)::int AS n FROM outbox WHERE sent_at IS NULL')).rows[0].n === 0 ? true : undefined), 20000);
    const info = await jsm.streams.info(t.env.eventsStream);
    const events: RegencyCloudEvent[] = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
      const event = (await jsm.streams.getMessage(t.env.eventsStream, { seq })).json<RegencyCloudEvent>();
      if (event.subject === id) events.push(event);
    }
    return events;
  };
  const laporEvents = async (id: string) => (await eventsOf(id)).filter((e) => e.type.includes('lapor'));
  const history = async (id: string) =>
    (await t.db.query(`SELECT action, from_status, to_status, actor_id, actor_role, note, at FROM complaint_history WHERE complaint_id = $1 ORDER BY seq`, [id])).rows;
  const requestEventId = async (id: string) => (await t.db.query(`SELECT lapor_request_event_id AS e FROM complaints WHERE id = $1`, [id])).rows[0].e as string;
  const audited = async (id: string) => {
    await t.db.query('SELECT audit_chain_pending(100000, true)');
    return (await t.db.query(`SELECT action, actor_id, actor_roles, changes FROM audit_log WHERE entity_id = $1 ORDER BY seq`, [id])).rows;
  };
  /** A PUPR complaint the coordinator verified and disposed to PUPR. */
  const disposed = async (reporter = citizen(), visibility: 'public' | 'anonymous' | 'confidential' = 'public') => {
    const c = await file(reporter, visibility);
    await act(c.id, admin, 'verify');
    return act(c.id, admin, 'dispose', { agencyId: PUPR });
  };

  it("lets the head of the complaint's agency and a coordinator forward it, and nobody else", async () => {
    const reporter = citizen();
    const c = await disposed(reporter);
    expect(await refusal(forward(c.id, puprOfficer))).toBe('COMMON.FORBIDDEN');
    expect(await refusal(forward(c.id, reporter))).toBe('COMMON.FORBIDDEN');
    expect(await refusal(forward(c.id, auditor))).toBe('COMMON.FORBIDDEN');
    // Another agency's head does not see it: as if it did not exist.
    expect(await refusal(forward(c.id, dlhHead))).toBe('COMPLAINTS.COMPLAINT_NOT_FOUND');
    expect(await refusal(forward(randomUUID(), admin))).toBe('COMPLAINTS.COMPLAINT_NOT_FOUND');
    expect(await refusal(forward(c.id, puprHead, { ifMatch: c.version - 1 }))).toBe('COMPLAINTS.VERSION_MISMATCH');
    expect(await laporEvents(c.id)).toEqual([]);

    const forwarded = await forward(c.id, puprHead, { note: 'Jembatan provinsi: perlu penanganan provinsi.', ifMatch: c.version });
    expect(forwarded).toMatchObject({ status: 'dispositioned', version: c.version + 1, lapor: { status: 'requested', requestedAt: expect.any(String) } });
    expect(forwarded.lapor).not.toHaveProperty('laporId');
    const entries = await history(c.id);
    expect(entries.at(-1)).toMatchObject({ action: 'forward_lapor', from_status: 'dispositioned', to_status: 'dispositioned', actor_id: puprHead.id, actor_role: 'agency_head', note: 'Jembatan provinsi: perlu penanganan provinsi.' });
    const [requested] = await laporEvents(c.id);
    expect(requested).toMatchObject({ type: 'complaints.complaint.lapor_forward_requested.v1', data: { complaintId: c.id, agencyId: PUPR, requestedBy: 'agency_head', at: forwarded.lapor!.requestedAt } });
    expect(await requestEventId(c.id)).toBe(requested.id);
    const [row] = (await audited(c.id)).filter((r) => r.action === 'complaint.forward_lapor');
    expect(row).toMatchObject({ actor_id: puprHead.id, changes: { after: { laporStatus: 'requested' }, note: '[personal]', requestedBy: 'agency_head' } });
    expect(JSON.stringify(row)).not.toContain('provinsi');

    // Everyone who sees the complaint sees where it stands with LAPOR!.
    for (const viewer of [reporter, puprOfficer, auditor, admin]) {
      expect((await t.rpc.send(SUBJECTS.complaints.get, { id: c.id }, { actor: viewer })).lapor).toMatchObject({ status: 'requested' });
    }
    const listed = await t.rpc.send(SUBJECTS.complaints.list, { pageSize: 100 }, { actor: puprOfficer });
    expect(listed.items.find((x) => x.id === c.id)?.lapor).toMatchObject({ status: 'requested' });

    // A coordinator forwards too (a complaint still waiting for verification, here).
    const fresh = await file(citizen());
    expect((await forward(fresh.id, admin)).lapor).toMatchObject({ status: 'requested' });
    expect((await laporEvents(fresh.id))[0].data).toMatchObject({ requestedBy: 'admin' });
    expect((await history(fresh.id)).at(-1)).toMatchObject({ action: 'forward_lapor', actor_role: 'admin', note: null });
  });

  it('refuses a second forward while one waits or has succeeded, and a rejected complaint; allows one after a failure', async () => {
    const c = await disposed();
    await forward(c.id, puprHead);
    expect(await refusal(forward(c.id, admin))).toBe('COMPLAINTS.LAPOR_ALREADY_FORWARDED');
    const first = await requestEventId(c.id);

    expect(await t.rpc.send(SUBJECTS.complaints.recordLaporForward, { complaintId: c.id, requestEventId: first, ok: false, reason: 'SP4N-LAPOR! menjawab 503 lima kali' })).toEqual({ applied: true });
    const failed = await t.rpc.send(SUBJECTS.complaints.get, { id: c.id }, { actor: puprHead });
    expect(failed.lapor).toMatchObject({ status: 'failed', failedReason: 'SP4N-LAPOR! menjawab 503 lima kali' });
    expect((await history(c.id)).at(-1)).toMatchObject({ action: 'lapor_forward_failed', note: 'SP4N-LAPOR! menjawab 503 lima kali', actor_id: null, actor_role: 'system' });

    const again = await forward(c.id, puprHead, { ifMatch: failed.version });
    expect(again.lapor).toEqual({ status: 'requested', requestedAt: expect.any(String) });
    const second = await requestEventId(c.id);
    expect(second).not.toBe(first);
    // The first request's answer, arriving late: it answers nothing that waits.
    expect(await t.rpc.send(SUBJECTS.complaints.recordLaporForward, { complaintId: c.id, requestEventId: first, ok: true, laporId: 'LAPOR-LATE' })).toEqual({ applied: false });
    expect(await t.rpc.send(SUBJECTS.complaints.recordLaporForward, { complaintId: c.id, requestEventId: second, ok: true, laporId: 'LAPOR-2026-77' })).toEqual({ applied: true });
    expect(await refusal(forward(c.id, admin))).toBe('COMPLAINTS.LAPOR_ALREADY_FORWARDED');
    expect((await laporEvents(c.id)).map((e) => e.type)).toEqual([
      'complaints.complaint.lapor_forward_requested.v1',
      'complaints.complaint.lapor_forward_failed.v1',
      'complaints.complaint.lapor_forward_requested.v1',
      'complaints.complaint.lapor_forwarded.v1',
    ]);

    const rejected = await file(citizen());
    await act(rejected.id, admin, 'reject', { note: 'Bukan kewenangan kabupaten.' });
    expect(await refusal(forward(rejected.id, admin))).toBe('COMPLAINTS.INVALID_TRANSITION');
    // A closed complaint may still go: the citizen may want the national record.
    const closed = await disposed();
    await act(closed.id, puprOfficer, 'resolve', { note: 'Sudah diperbaiki.' });
    await act(closed.id, admin, 'close');
    expect((await forward(closed.id, admin)).lapor).toMatchObject({ status: 'requested' });
  });

  it("applies the adapter's outcome once: a repeat changes nothing, records nothing", async () => {
    const c = await disposed();
    await forward(c.id, puprHead);
    const requestId = await requestEventId(c.id);
    const outcome = { complaintId: c.id, requestEventId: requestId, ok: true, laporId: 'LAPOR-2026-000123' };
    const answers = await Promise.all([1, 2, 3].map(() => t.rpc.send(SUBJECTS.complaints.recordLaporForward, outcome)));
    expect(answers.filter((a) => a.applied)).toHaveLength(1);
    expect(await t.rpc.send(SUBJECTS.complaints.recordLaporForward, outcome)).toEqual({ applied: false });
    expect(await t.rpc.send(SUBJECTS.complaints.recordLaporForward, { ...outcome, ok: false, laporId: undefined, reason: 'late failure' })).toEqual({ applied: false });

    const seen = await t.rpc.send(SUBJECTS.complaints.get, { id: c.id }, { actor: admin });
    expect(seen.lapor).toEqual({ status: 'forwarded', laporId: 'LAPOR-2026-000123', requestedAt: expect.any(String), forwardedAt: expect.any(String) });
    expect(seen.status).toBe('dispositioned');
    const forwardedEntries = (await history(c.id)).filter((h) => h.action === 'lapor_forwarded');
    expect(forwardedEntries).toEqual([expect.objectContaining({ note: expect.stringContaining('LAPOR-2026-000123'), actor_role: 'system' })]);
    const forwarded = (await laporEvents(c.id)).filter((e) => e.type === 'complaints.complaint.lapor_forwarded.v1');
    expect(forwarded).toHaveLength(1);
    expect(forwarded[0].data).toEqual({ complaintId: c.id, laporId: 'LAPOR-2026-000123', at: seen.lapor!.forwardedAt });
    const rows = (await audited(c.id)).filter((r) => r.action === 'complaint.lapor_forwarded');
    expect(rows).toEqual([expect.objectContaining({ actor_id: null, actor_roles: ['system'], changes: expect.objectContaining({ after: { laporStatus: 'forwarded', laporId: 'LAPOR-2026-000123' } }) })]);

    await expect(t.rpc.send(SUBJECTS.complaints.recordLaporForward, { ...outcome, complaintId: randomUUID() })).rejects.toMatchObject({ code: 'COMPLAINTS.COMPLAINT_NOT_FOUND' });
    await expect(t.rpc.send(SUBJECTS.complaints.recordLaporForward, { complaintId: c.id, requestEventId: requestId, ok: true })).rejects.toMatchObject({ code: 'COMMON.VALIDATION' });
  });

  it('applies each status the national channel reports once, for the complaint it has by that id', async () => {
    const c = await disposed();
    await forward(c.id, admin);
    await t.rpc.send(SUBJECTS.complaints.recordLaporForward, { complaintId: c.id, requestEventId: await requestEventId(c.id), ok: true, laporId: 'LAPOR-9' });
    const update = { complaintId: c.id, laporId: 'LAPOR-9', status: 'diproses', statusText: 'Sedang diproses instansi', response: 'Tim PUPR provinsi dijadwalkan ke lokasi.', updatedAt: '2026-12-07T03:00:00.000Z' };
    expect(await t.rpc.send(SUBJECTS.complaints.recordLaporUpdate, update)).toEqual({ applied: true });
    expect(await t.rpc.send(SUBJECTS.complaints.recordLaporUpdate, update)).toEqual({ applied: false });
    // The same instant written another way is the same report.
    expect(await t.rpc.send(SUBJECTS.complaints.recordLaporUpdate, { ...update, updatedAt: '2026-12-07T10:00:00+07:00' })).toEqual({ applied: false });
    // A new status, then an older one arriving late: both in the history, the newest stays.
    expect(await t.rpc.send(SUBJECTS.complaints.recordLaporUpdate, { ...update, status: 'selesai', statusText: 'Selesai', response: undefined, updatedAt: '2026-12-08T03:00:00.000Z' })).toEqual({ applied: true });
    expect(await t.rpc.send(SUBJECTS.complaints.recordLaporUpdate, { ...update, status: 'diterima', statusText: undefined, response: undefined, updatedAt: '2026-12-06T03:00:00.000Z' })).toEqual({ applied: true });

    const updates = (await history(c.id)).filter((h) => h.action === 'lapor_update');
    expect(updates.map((h) => h.note)).toEqual(['Sedang diproses instansi\n\nTim PUPR provinsi dijadwalkan ke lokasi.', 'Selesai', 'diterima']);
    const seen = await t.rpc.send(SUBJECTS.complaints.get, { id: c.id }, { actor: puprHead });
    expect(seen).toMatchObject({ status: 'dispositioned', lapor: { status: 'forwarded', laporId: 'LAPOR-9', remoteStatus: 'selesai' } });
    const events = (await laporEvents(c.id)).filter((e) => e.type === 'complaints.complaint.lapor_updated.v1');
    expect(events.map((e) => e.data)).toEqual(['diproses', 'selesai', 'diterima'].map((status) => ({ complaintId: c.id, laporId: 'LAPOR-9', status, at: expect.any(String) })));
    expect((await audited(c.id)).filter((r) => r.action === 'complaint.lapor_update')).toHaveLength(3);

    await expect(t.rpc.send(SUBJECTS.complaints.recordLaporUpdate, { ...update, laporId: 'LAPOR-OTHER' })).rejects.toMatchObject({ code: 'COMPLAINTS.COMPLAINT_NOT_FOUND' });
    await expect(t.rpc.send(SUBJECTS.complaints.recordLaporUpdate, { ...update, complaintId: randomUUID() })).rejects.toMatchObject({ code: 'COMPLAINTS.COMPLAINT_NOT_FOUND' });
    // Not forwarded yet: no LAPOR! id to match.
    const waiting = await disposed();
    await forward(waiting.id, admin);
    await expect(t.rpc.send(SUBJECTS.complaints.recordLaporUpdate, { ...update, complaintId: waiting.id })).rejects.toMatchObject({ code: 'COMPLAINTS.COMPLAINT_NOT_FOUND' });
  });

  it('forwards the complaints of a category that says so when the coordinator verifies them, in the same change', async () => {
    const code = 'bridges-national';
    const created = await t.rpc.send(SUBJECTS.complaints.createCategory, { code, name: 'Jembatan nasional', description: 'Jembatan di jalan nasional.', agencyId: PUPR, forwardToLapor: true }, { actor: admin });
    expect(created).toMatchObject({ code, forwardToLapor: true });
    const listed = await t.rpc.send(SUBJECTS.complaints.listCategories, { pageSize: 100 });
    expect(listed.items.find((x) => x.code === code)).toMatchObject({ forwardToLapor: true });
    expect(listed.items.find((x) => x.code === 'roads-bridges')).toMatchObject({ forwardToLapor: false });

    const c = await file(citizen(), 'public', code);
    expect(c).not.toHaveProperty('lapor');
    const verified = await act(c.id, admin, 'verify');
    expect(verified).toMatchObject({ status: 'verified', version: 2, lapor: { status: 'requested' } });
    expect((await history(c.id)).map((h) => [h.action, h.actor_role, h.actor_id])).toEqual([
      ['file', 'citizen', expect.any(String)],
      ['verify', 'admin', admin.id],
      ['forward_lapor', 'category', null],
    ]);
    const events = await eventsOf(c.id);
    expect(events.map((e) => e.type)).toEqual(['complaints.complaint.received.v1', 'complaints.complaint.status_changed.v1', 'complaints.complaint.lapor_forward_requested.v1']);
    expect(events[2].data).toMatchObject({ complaintId: c.id, agencyId: PUPR, requestedBy: 'category', at: (events[1].data as { at: string }).at });
    expect(await requestEventId(c.id)).toBe(events[2].id);
    expect((await audited(c.id)).map((r) => r.action)).toEqual(expect.arrayContaining(['complaint.verify', 'complaint.forward_lapor']));

    // Already forwarded by hand before verification: not again.
    const early = await file(citizen(), 'public', code);
    await forward(early.id, admin);
    await act(early.id, admin, 'verify');
    expect((await laporEvents(early.id)).map((e) => (e.data as { requestedBy: string }).requestedBy)).toEqual(['admin']);

    // Switched off: verification forwards nothing.
    expect(await t.rpc.send(SUBJECTS.complaints.updateCategory, { code, forwardToLapor: false }, { actor: admin })).toMatchObject({ forwardToLapor: false, active: true });
    const later = await file(citizen(), 'public', code);
    expect(await act(later.id, admin, 'verify')).not.toHaveProperty('lapor');
    expect(await laporEvents(later.id)).toEqual([]);
  });

  it('keeps the LAPOR! state off the public routes', async () => {
    const c = await disposed(citizen(), 'anonymous');
    await forward(c.id, admin);
    await t.rpc.send(SUBJECTS.complaints.recordLaporForward, { complaintId: c.id, requestEventId: await requestEventId(c.id), ok: true, laporId: 'LAPOR-PUBLIC-1' });
    const one = await t.rpc.send(SUBJECTS.complaints.getPublic, { trackingNumber: c.trackingNumber });
    const page = await t.rpc.send(SUBJECTS.complaints.listPublic, { trackingNumbers: c.trackingNumber });
    expect(page.items).toHaveLength(1);
    for (const shown of [one, page.items[0]]) {
      expect(shown).not.toHaveProperty('lapor');
      expect(JSON.stringify(shown)).not.toMatch(/LAPOR-PUBLIC-1|lapor/i);
    }
  });

  it('publishes a `commented` event for every comment, saying which side wrote it and never who', async () => {
    const reporter = citizen();
    const c = await disposed(reporter);
    const mine = await t.rpc.send(SUBJECTS.complaints.addComment, { id: c.id, body: 'Kapan diperbaiki, Pak?' }, { actor: reporter });
    const theirs = await t.rpc.send(SUBJECTS.complaints.addComment, { id: c.id, body: 'Minggu depan tim turun ke lokasi.' }, { actor: puprOfficer });
    const events = (await eventsOf(c.id)).filter((e) => e.type === 'complaints.complaint.commented.v1');
    expect(events.map((e) => e.data)).toEqual([
      { complaintId: c.id, commentId: mine.id, authorRole: 'owner', agencyId: PUPR, at: mine.at },
      { complaintId: c.id, commentId: theirs.id, authorRole: 'officer', agencyId: PUPR, at: theirs.at },
    ]);
    const text = JSON.stringify(events);
    for (const secret of [reporter.id, puprOfficer.id, 'Kapan', 'Minggu depan']) expect(text).not.toContain(secret);
    expect((await audited(c.id)).filter((r) => r.action === 'comment.add')).toHaveLength(2);
  });

  describe('the notification context', () => {
    type Extra = { at?: string; action?: string; commentId?: string };
    /** Notifications asks for a batch of events at once; most tests ask for one. */
    const askAll = async (requests: Array<{ recordId: string; eventType: string } & Extra>) => (await t.rpc.send(SUBJECTS.complaints.notificationContext, { requests })).contexts;
    const ask = async (recordId: string, eventType: string, extra: Extra = {}) => {
      const contexts = await askAll([{ recordId, eventType, ...extra }]);
      expect(contexts).toHaveLength(1);
      return contexts[0];
    };

    it.each(['public', 'anonymous', 'confidential'] as const)('names the reporter of a %s complaint by id only, and the agency whose staff to tell', async (visibility) => {
      const reporter = citizen();
      const c = await disposed(reporter, visibility);
      const context = await ask(c.id, 'complaints.complaint.escalated.v1');
      expect(context).toEqual({
        found: true,
        agencyId: PUPR,
        recipients: [{ userId: reporter.id, role: 'reporter' }],
        variables: { trackingNumber: c.trackingNumber, title: c.title, category: 'Jalan dan jembatan', status: 'dispositioned', dueAt: c.dueAt, finalDueAt: c.finalDueAt },
        visibility,
        link: `/complaints/${c.id}`,
      });
      // No place, no description: nothing of the report beyond its title.
      expect(JSON.stringify(context)).not.toMatch(/Kualuh|Aek Kanopan|Pasar|2\.578|banjir/);
    });

    it("gives the note of the change an event names: a resolution's answer", async () => {
      const reporter = citizen();
      const c = await disposed(reporter);
      await act(c.id, puprOfficer, 'start');
      await act(c.id, puprOfficer, 'resolve', { note: 'Jembatan sudah diperbaiki dan dibuka kembali.' });
      await act(c.id, reporter, 'reopen');
      await act(c.id, puprOfficer, 'resolve', { note: 'Pagar pengaman jembatan juga dipasang.' });
      const events = (await eventsOf(c.id)).filter((e) => (e.data as { action?: string }).action === 'resolve');
      expect(events).toHaveLength(2);
      const notes = [];
      for (const e of events) {
        const { at, action } = e.data as { at: string; action: string };
        notes.push((await ask(c.id, e.type, { at, action })).variables.note);
      }
      expect(notes).toEqual(['Jembatan sudah diperbaiki dan dibuka kembali.', 'Pagar pengaman jembatan juga dipasang.']);
      const started = (await eventsOf(c.id)).find((e) => (e.data as { action?: string }).action === 'start')!;
      const { at, action } = started.data as { at: string; action: string };
      expect((await ask(c.id, started.type, { at, action })).variables).not.toHaveProperty('note');
    });

    it("gives staff's comments to the reporter, and does not tell the reporter of their own", async () => {
      const reporter = citizen();
      const c = await disposed(reporter);
      const staff = await t.rpc.send(SUBJECTS.complaints.addComment, { id: c.id, body: 'Mohon kirim foto terbaru.' }, { actor: puprOfficer });
      const own = await t.rpc.send(SUBJECTS.complaints.addComment, { id: c.id, body: 'Foto sudah saya unggah.' }, { actor: reporter });
      const type = 'complaints.complaint.commented.v1';
      for (const byId of [true, false]) {
        const told = await ask(c.id, type, byId ? { commentId: staff.id, at: staff.at } : { at: staff.at });
        expect(told).toMatchObject({ recipients: [{ userId: reporter.id, role: 'reporter' }], variables: { comment: 'Mohon kirim foto terbaru.' } });
        const notTold = await ask(c.id, type, byId ? { commentId: own.id, at: own.at } : { at: own.at });
        expect(notTold.recipients).toEqual([]);
        expect(notTold.variables).not.toHaveProperty('comment');
        expect(notTold.agencyId).toBe(PUPR);
      }
    });

    it('gives LAPOR! events their id and status, and a failure its reason', async () => {
      const c = await disposed();
      await forward(c.id, puprHead);
      await t.rpc.send(SUBJECTS.complaints.recordLaporForward, { complaintId: c.id, requestEventId: await requestEventId(c.id), ok: false, reason: 'Layanan LAPOR! tidak tersedia' });
      await forward(c.id, puprHead);
      await t.rpc.send(SUBJECTS.complaints.recordLaporForward, { complaintId: c.id, requestEventId: await requestEventId(c.id), ok: true, laporId: 'LAPOR-55' });
      const events = await laporEvents(c.id);
      const failed = events.find((e) => e.type === 'complaints.complaint.lapor_forward_failed.v1')!;
      const forwarded = events.find((e) => e.type === 'complaints.complaint.lapor_forwarded.v1')!;
      expect((await ask(c.id, failed.type, { at: (failed.data as { at: string }).at })).variables).toMatchObject({ note: 'Layanan LAPOR! tidak tersedia', laporStatus: 'forwarded' });
      expect((await ask(c.id, forwarded.type, { at: (forwarded.data as { at: string }).at })).variables).toMatchObject({ laporId: 'LAPOR-55', laporStatus: 'forwarded' });
      expect((await ask(c.id, 'complaints.complaint.status_changed.v1')).variables).not.toHaveProperty('laporId');
    });

    it('tells nobody of an erased reporter, and nothing of an unknown complaint', async () => {
      const reporter = citizen();
      const c = await disposed(reporter);
      await t.service.app.get(DataSource).transaction((m) => t.service.app.get(PrivacyService).erase(m, reporter.id));
      const context = await ask(c.id, 'complaints.complaint.escalated.v1');
      expect(context).toMatchObject({ found: true, agencyId: PUPR, recipients: [] });
      expect(await ask(randomUUID(), 'complaints.complaint.received.v1')).toEqual({ found: false, recipients: [], variables: {} });
      // A service account filing through Open311 reads no messages.
      const integrator: Actor = { id: randomUUID(), roles: ['integrator'] };
      const open311 = await file(integrator);
      expect((await ask(open311.id, 'complaints.complaint.received.v1')).recipients).toEqual([]);
    });

    it('answers a batch in the order asked: comments, notes and unknown complaints each in their place', async () => {
      const reporter = citizen();
      const c = await disposed(reporter);
      const other = await disposed();
      const staff = await t.rpc.send(SUBJECTS.complaints.addComment, { id: c.id, body: 'Tim sudah dijadwalkan.' }, { actor: puprOfficer });
      const own = await t.rpc.send(SUBJECTS.complaints.addComment, { id: c.id, body: 'Terima kasih.' }, { actor: reporter });
      await act(other.id, puprOfficer, 'start', { note: 'Petugas berangkat.' });
      const started = (await eventsOf(other.id)).find((e) => (e.data as { action?: string }).action === 'start')!;
      const { at, action } = started.data as { at: string; action: string };
      const commented = 'complaints.complaint.commented.v1';
      const contexts = await askAll([
        { recordId: c.id, eventType: commented, commentId: own.id, at: own.at },
        { recordId: other.id, eventType: started.type, at, action },
        { recordId: randomUUID(), eventType: commented, at: staff.at },
        { recordId: c.id, eventType: commented, commentId: staff.id, at: staff.at },
      ]);
      expect(contexts.map((x) => [x.found, x.recipients.length, x.variables.trackingNumber, x.variables.comment, x.variables.note])).toEqual([
        [true, 0, c.trackingNumber, undefined, undefined],
        [true, 1, other.trackingNumber, undefined, 'Petugas berangkat.'],
        [false, 0, undefined, undefined, undefined],
        [true, 1, c.trackingNumber, 'Tim sudah dijadwalkan.', undefined],
      ]);
      const refused = await t.rpc.send(SUBJECTS.complaints.notificationContext, { requests: [] }).then(
        () => null,
        (e: DomainError) => e,
      );
      expect(refused).toMatchObject({ code: 'COMMON.VALIDATION', details: [expect.objectContaining({ field: 'requests' })] });
    });
  });

  describe('the LAPOR! report', () => {
    const report = (complaintId: string) => t.rpc.send(SUBJECTS.complaints.laporReport, { complaintId });

    it('places each complaint as the public list does, never names the reporter, and names the agency by code', async () => {
      const reporter = citizen();
      const [open, anonymous, confidential] = await Promise.all((['public', 'anonymous', 'confidential'] as const).map((v) => disposed(reporter, v)));
      const base = { found: true, title: 'Jembatan gantung putus', description: 'Jembatan gantung di desa putus sejak banjir.', category: 'Jalan dan jembatan (roads-bridges)', agencyCode: 'PUPR' };
      const expectations: Array<[ComplaintResponse, object]> = [
        [open, { ...base, visibility: 'public', location: PLACE }],
        [anonymous, { ...base, visibility: 'anonymous', location: { lat: 2.578, lng: 99.618, district: 'Kualuh Hulu', village: 'Aek Kanopan' } }],
        [confidential, { ...base, visibility: 'confidential', location: { district: 'Kualuh Hulu' } }],
      ];
      for (const [c, expected] of expectations) {
        const answer = await report(c.id);
        expect(answer).toEqual({ ...expected, reference: c.id, trackingNumber: c.trackingNumber, submittedAt: c.createdAt });
        expect(JSON.stringify(answer)).not.toContain(reporter.id);
      }
      const listed = await t.rpc.send(SUBJECTS.complaints.getPublic, { trackingNumber: anonymous.trackingNumber });
      expect((await report(anonymous.id)).location).toMatchObject({ lat: listed.lat, lng: listed.lng });

      // An agency added after install has no code complaints knows.
      const elsewhere = await file(citizen());
      await act(elsewhere.id, admin, 'verify');
      await act(elsewhere.id, admin, 'dispose', { agencyId: randomUUID() });
      expect(await report(elsewhere.id)).not.toHaveProperty('agencyCode');
      expect(await report(randomUUID())).toMatchObject({ found: false });
    });
  });
});
