import { Actor, COMPLAINT_STATUSES, ComplaintStatus, referenceAgencyId } from '@smart-regency/contracts';
import { randomUUID } from 'crypto';
import { agencyCodeOf, decideForward, decideOutcome, decideUpdate, forwardingRole, forwardRefusal, LaporSubject, laporStateOf, laporUpdateNote } from './lapor.rules';

const PUPR = referenceAgencyId('PUPR');
const AT = new Date('2026-12-07T03:00:00.000Z');

const complaint = (over: Partial<LaporSubject> = {}): LaporSubject => ({
  id: randomUUID(),
  status: 'verified',
  agencyId: PUPR,
  categoryCode: 'roads-bridges',
  laporStatus: null,
  laporId: null,
  laporRequestedAt: null,
  laporForwardedAt: null,
  laporFailedReason: null,
  laporRemoteStatus: null,
  laporRemoteUpdatedAt: null,
  laporRequestEventId: null,
  ...over,
});
const person = (roles: string[], agencyId?: string): Actor => ({ id: randomUUID(), roles: roles as Actor['roles'], ...(agencyId ? { agencyId } : {}) });

describe('who may forward a complaint to SP4N-LAPOR!', () => {
  it.each([
    ['a coordinator', 'admin', person(['admin'])],
    ["the head of the complaint's agency", 'agency_head', person(['agency_head'], PUPR)],
    ["another agency's head", null, person(['agency_head'], referenceAgencyId('DLH'))],
    ["an officer of the complaint's agency", null, person(['officer'], PUPR)],
    ['an auditor', null, person(['auditor'])],
    ['a citizen', null, person(['citizen'])],
    ['an agency head without an agency', null, person(['agency_head'])],
  ])('%s → %s', (_who, role, actor) => {
    expect(forwardingRole(actor, complaint())).toBe(role);
  });
});

describe('when a complaint may be forwarded', () => {
  const table: Array<[ComplaintStatus, string | null]> = COMPLAINT_STATUSES.map((s) => [s, s === 'rejected' ? 'COMPLAINTS.INVALID_TRANSITION' : null]);
  it.each(table)('never forwarded, %s → %s', (status, code) => {
    expect(forwardRefusal(complaint({ status }))?.code ?? null).toBe(code);
  });

  it.each([
    ['requested', 'COMPLAINTS.LAPOR_ALREADY_FORWARDED'],
    ['forwarded', 'COMPLAINTS.LAPOR_ALREADY_FORWARDED'],
    ['failed', null],
  ] as const)('after a forward that is %s → %s', (laporStatus, code) => {
    expect(forwardRefusal(complaint({ laporStatus }))?.code ?? null).toBe(code);
  });
});

describe('the steps of a forward', () => {
  it('asks on behalf of a person, with their note in the history and no note in the audit row', () => {
    const head = person(['agency_head'], PUPR);
    const c = complaint();
    const change = decideForward(c, { kind: 'person', actor: head, role: 'agency_head' }, 'Perlu penanganan provinsi', AT);
    expect(change.set).toEqual({ laporStatus: 'requested', laporRequestedAt: AT, laporForwardedAt: null, laporFailedReason: null });
    expect(change.remembersEvent).toBe(true);
    expect(change.history).toEqual({ action: 'forward_lapor', note: 'Perlu penanganan provinsi', actorId: head.id, actorRole: 'agency_head' });
    expect(change.event).toEqual({
      type: 'complaints.complaint.lapor_forward_requested.v1',
      data: { complaintId: c.id, agencyId: PUPR, requestedBy: 'agency_head', at: AT.toISOString() },
    });
    expect(change.audit).toMatchObject({ action: 'complaint.forward_lapor', actor: head, changes: { after: { laporStatus: 'requested' }, note: '[personal]', requestedBy: 'agency_head' } });
    expect(JSON.stringify(change.audit)).not.toContain('provinsi');
  });

  it('asks on behalf of the category on verification, naming no person', () => {
    const admin = person(['admin']);
    const change = decideForward(complaint({ laporStatus: 'failed', laporFailedReason: 'timeout' }), { kind: 'category', actor: admin }, undefined, AT);
    expect(change.history).toMatchObject({ action: 'forward_lapor', actorId: null, actorRole: 'category', note: expect.stringContaining('roads-bridges') });
    expect(change.event.data).toMatchObject({ requestedBy: 'category' });
    expect(change.set).toMatchObject({ laporStatus: 'requested', laporFailedReason: null });
  });

  it("applies the adapter's outcome once, and only to the request waiting", () => {
    const requestEventId = randomUUID();
    const waiting = complaint({ laporStatus: 'requested', laporRequestedAt: AT, laporRequestEventId: requestEventId });
    const ok = decideOutcome(waiting, { complaintId: waiting.id, requestEventId, ok: true, laporId: 'LAPOR-123' }, AT)!;
    expect(ok.set).toEqual({ laporStatus: 'forwarded', laporId: 'LAPOR-123', laporForwardedAt: AT, laporFailedReason: null });
    expect(ok.history).toMatchObject({ action: 'lapor_forwarded', note: expect.stringContaining('LAPOR-123'), actorId: null, actorRole: 'system' });
    expect(ok.event).toEqual({ type: 'complaints.complaint.lapor_forwarded.v1', data: { complaintId: waiting.id, laporId: 'LAPOR-123', at: AT.toISOString() } });

    const failed = decideOutcome(waiting, { complaintId: waiting.id, requestEventId, ok: false, reason: 'HTTP 503 after 5 attempts' }, AT)!;
    expect(failed.set).toEqual({ laporStatus: 'failed', laporFailedReason: 'HTTP 503 after 5 attempts' });
    expect(failed.history).toMatchObject({ action: 'lapor_forward_failed', note: 'HTTP 503 after 5 attempts' });
    expect(failed.event.data).toMatchObject({ reason: 'HTTP 503 after 5 attempts' });
    expect(JSON.stringify(failed.audit)).not.toContain('HTTP 503');

    // A repeat (the outcome is known), or the answer to another request: nothing.
    expect(decideOutcome({ ...waiting, ...ok.set }, { complaintId: waiting.id, requestEventId, ok: true, laporId: 'LAPOR-123' }, AT)).toBeNull();
    expect(decideOutcome({ ...waiting, ...failed.set }, { complaintId: waiting.id, requestEventId, ok: false, reason: 'again' }, AT)).toBeNull();
    expect(decideOutcome(waiting, { complaintId: waiting.id, requestEventId: randomUUID(), ok: true, laporId: 'LAPOR-9' }, AT)).toBeNull();
  });

  it('keeps the newest status the national channel reported, and a history entry for each', () => {
    const forwarded = complaint({ laporStatus: 'forwarded', laporId: 'LAPOR-1', laporRemoteStatus: 'selesai', laporRemoteUpdatedAt: new Date('2026-12-07T02:00:00Z') });
    const older = decideUpdate(forwarded, { complaintId: forwarded.id, laporId: 'LAPOR-1', status: 'diproses', updatedAt: '2026-12-07T01:00:00Z' }, AT);
    expect(older.set).toEqual({});
    expect(older.history).toMatchObject({ action: 'lapor_update', note: 'diproses' });
    expect(older.event.data).toEqual({ complaintId: forwarded.id, laporId: 'LAPOR-1', status: 'diproses', at: AT.toISOString() });
    const newer = decideUpdate(forwarded, { complaintId: forwarded.id, laporId: 'LAPOR-1', status: 'ditutup', statusText: 'Ditutup', updatedAt: '2026-12-07T02:30:00Z' }, AT);
    expect(newer.set).toEqual({ laporRemoteStatus: 'ditutup', laporRemoteUpdatedAt: new Date('2026-12-07T02:30:00Z') });
  });

  it('writes a status note from its text and answer, else the bare status', () => {
    expect(laporUpdateNote({ status: 'proses', statusText: 'Sedang diproses', response: 'Tim sudah ke lokasi.' })).toBe('Sedang diproses\n\nTim sudah ke lokasi.');
    expect(laporUpdateNote({ status: 'proses', response: '  ' })).toBe('proses');
  });
});

describe('the LAPOR! state on a complaint', () => {
  it('is absent until asked, and shows a reason only while failed', () => {
    expect(laporStateOf(complaint())).toBeUndefined();
    expect(laporStateOf(complaint({ laporStatus: 'requested', laporRequestedAt: AT }))).toEqual({ status: 'requested', requestedAt: AT.toISOString() });
    expect(laporStateOf(complaint({ laporStatus: 'failed', laporRequestedAt: AT, laporFailedReason: 'timeout' }))).toEqual({ status: 'failed', requestedAt: AT.toISOString(), failedReason: 'timeout' });
    expect(laporStateOf(complaint({ laporStatus: 'forwarded', laporRequestedAt: AT, laporForwardedAt: AT, laporId: 'L-1', laporRemoteStatus: 'proses', laporFailedReason: 'old' }))).toEqual({
      status: 'forwarded',
      laporId: 'L-1',
      remoteStatus: 'proses',
      requestedAt: AT.toISOString(),
      forwardedAt: AT.toISOString(),
    });
  });

  it('names the handling agency by code when it is a reference agency', () => {
    expect(agencyCodeOf(PUPR)).toBe('PUPR');
    expect(agencyCodeOf(randomUUID())).toBeUndefined();
    expect(agencyCodeOf(null)).toBeUndefined();
  });
});
