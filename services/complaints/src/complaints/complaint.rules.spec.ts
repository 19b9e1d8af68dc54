import { Actor, COMPLAINT_ACTIONS, COMPLAINT_STATUSES, ComplaintAction, ComplaintStatus } from '@smart-regency/contracts';
import { calendarOf, DomainError } from '@smart-regency/platform';
import { randomUUID } from 'node:crypto';
import type { Complaint } from './complaint.entity';
import { decide } from './complaint.rules';

/* A fixed clock and calendar: Monday 7 December 2026, 10:00 WIB; no holidays unless a test names them. */
const NOW = new Date('2026-12-07T03:00:00Z');
const NO_HOLIDAYS = calendarOf([]);
const days = (n: number) => new Date(NOW.getTime() + n * 86_400_000);

const AGENCY = randomUUID();
const OTHER_AGENCY = randomUUID();
const REPORTER = randomUUID();

const complaint = (status: ComplaintStatus, over: Partial<Complaint> = {}): Complaint =>
  ({
    id: randomUUID(),
    trackingNumber: 'LPR-2026-000001',
    categoryCode: 'roads-bridges',
    reporterId: REPORTER,
    title: 'Jalan berlubang',
    description: 'Lubang besar di depan pasar.',
    location: { district: 'Kualuh Hulu' },
    district: 'Kualuh Hulu',
    visibility: 'public',
    status,
    agencyId: AGENCY,
    dueAt: days(2),
    finalDueAt: days(50),
    escalatedStages: [],
    answer: status === 'resolved' || status === 'closed' ? 'Sudah ditambal.' : null,
    resolvedAt: status === 'resolved' || status === 'closed' ? days(-1) : null,
    closedAt: null,
    rating: null,
    ratingComment: null,
    createdAt: days(-10),
    updatedAt: days(-1),
    version: 4,
    ...over,
  }) as Complaint;

/** Who may try: the rules see roles, agencies and ids, nothing else. */
const ROLES: Record<string, Actor | null> = {
  coordinator: { id: randomUUID(), roles: ['admin'] },
  assignedOfficer: { id: randomUUID(), roles: ['officer'], agencyId: AGENCY },
  assignedHead: { id: randomUUID(), roles: ['agency_head'], agencyId: AGENCY },
  otherAgencyOfficer: { id: randomUUID(), roles: ['officer'], agencyId: OTHER_AGENCY },
  reporter: { id: REPORTER, roles: ['citizen'] },
  otherCitizen: { id: randomUUID(), roles: ['citizen'] },
  auditor: { id: randomUUID(), roles: ['auditor'] },
  system: null,
};

/**
 * The rules as the product states them (PRODUCT.md, SP4N-LAPOR!-style), written out here apart from
 * the transition table: for each action, the statuses it starts from, where it leads, and who may
 * take it. Everything not listed is refused.
 */
const EXPECTED: Record<ComplaintAction, { from: Partial<Record<ComplaintStatus, ComplaintStatus>>; by: string[] }> = {
  verify: { from: { received: 'verified' }, by: ['coordinator'] },
  reject: { from: { received: 'rejected', verified: 'rejected' }, by: ['coordinator'] },
  dispose: { from: { verified: 'dispositioned' }, by: ['coordinator'] },
  start: { from: { dispositioned: 'in_progress', reopened: 'in_progress' }, by: ['assignedOfficer', 'assignedHead'] },
  resolve: { from: { dispositioned: 'resolved', in_progress: 'resolved', reopened: 'resolved' }, by: ['assignedOfficer', 'assignedHead'] },
  reopen: { from: { resolved: 'reopened' }, by: ['reporter'] },
  confirm: { from: { resolved: 'closed' }, by: ['reporter'] },
  close: { from: { resolved: 'closed' }, by: ['coordinator', 'system'] },
};

const outcome = (c: Complaint, action: string, actor: Actor | null, extra: { note?: string; agencyId?: string } = { note: 'Catatan', agencyId: OTHER_AGENCY }) => {
  try {
    return decide(c, { action, ...extra }, actor, { now: NOW, calendar: NO_HOLIDAYS }).next.status;
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
};

describe('complaint rules: every action × status × role', () => {
  const cases = COMPLAINT_ACTIONS.flatMap((action) => COMPLAINT_STATUSES.flatMap((status) => Object.keys(ROLES).map((role) => [action, status, role] as const)));

  it.each(cases)('%s from %s by %s', (action, status, role) => {
    const to = EXPECTED[action].from[status];
    const expected = !to ? 'COMPLAINTS.INVALID_TRANSITION' : EXPECTED[action].by.includes(role) ? to : 'COMPLAINTS.NOT_ALLOWED';
    expect(outcome(complaint(status), action, ROLES[role])).toBe(expected);
  });

  it('covers every action and status (the table above is complete)', () => {
    expect(cases).toHaveLength(COMPLAINT_ACTIONS.length * COMPLAINT_STATUSES.length * Object.keys(ROLES).length);
  });
});

describe('complaint rules: what each action changes', () => {
  const coordinator = ROLES.coordinator;
  const officer = ROLES.assignedOfficer;

  it('disposes to an agency with a follow-up deadline of 5 working days (the weekend skipped)', () => {
    const d = decide(complaint('verified'), { action: 'dispose', agencyId: OTHER_AGENCY }, coordinator, { now: NOW, calendar: NO_HOLIDAYS });
    expect(d.next).toMatchObject({ status: 'dispositioned', agencyId: OTHER_AGENCY, version: 5 });
    // Monday + 5 working days = the next Monday.
    expect(d.next.dueAt!.toISOString().slice(0, 10)).toBe('2026-12-14');
    expect(d.event).toMatchObject({ type: 'complaints.complaint.status_changed.v1', data: { fromStatus: 'verified', toStatus: 'dispositioned', action: 'dispose', agencyId: OTHER_AGENCY, at: NOW.toISOString(), stageDueAt: days(2).toISOString() } });
    expect(d.history).toEqual({ action: 'dispose', fromStatus: 'verified', toStatus: 'dispositioned', actorId: coordinator!.id, actorRole: 'admin', note: null, at: NOW });
    expect(d.audit).toMatchObject({ action: 'complaint.dispose', changes: { after: expect.objectContaining({ status: 'dispositioned', agencyId: OTHER_AGENCY }) } });
  });

  it('needs an agency to dispose to, and an answer to resolve', () => {
    expect(outcome(complaint('verified'), 'dispose', coordinator, {})).toBe('COMPLAINTS.AGENCY_REQUIRED');
    expect(outcome(complaint('in_progress'), 'resolve', officer, {})).toBe('COMPLAINTS.ANSWER_REQUIRED');
    expect(outcome(complaint('in_progress'), 'resolve', officer, { note: '   ' })).toBe('COMPLAINTS.ANSWER_REQUIRED');
  });

  it('keeps the answer, starts the 10-working-day auto-close clock, and marks the note personal in the trail', () => {
    const d = decide(complaint('in_progress'), { action: 'resolve', note: 'Sudah ditambal.' }, officer, { now: NOW, calendar: NO_HOLIDAYS });
    expect(d.next).toMatchObject({ status: 'resolved', answer: 'Sudah ditambal.', resolvedAt: NOW });
    expect(d.next.dueAt!.toISOString().slice(0, 10)).toBe('2026-12-21');
    expect(d.audit.changes.note).toBe('[personal]');
    expect(JSON.stringify(d.audit)).not.toContain('Sudah ditambal');
  });

  it('lets the reporter reopen within 10 working days of the answer, holidays not counted, and clears the follow-up escalation', () => {
    const reporter = ROLES.reporter;
    // Answered on Monday 23 November: 10 working days end on Monday 7 December.
    const answeredOn = (iso: string) => complaint('resolved', { resolvedAt: new Date(iso), escalatedStages: ['verification', 'follow_up'] });
    const inTime = decide(answeredOn('2026-11-23T03:00:00Z'), { action: 'reopen' }, reporter, { now: NOW, calendar: NO_HOLIDAYS });
    expect(inTime.next.escalatedStages).toEqual(['verification']);
    expect(inTime.next.dueAt!.toISOString().slice(0, 10)).toBe('2026-12-14');
    // One working day earlier is one too many…
    expect(outcome(answeredOn('2026-11-20T03:00:00Z'), 'reopen', reporter)).toBe('COMPLAINTS.REOPEN_TOO_LATE');
    // …unless a holiday falls in between.
    const withHoliday = decide(answeredOn('2026-11-20T03:00:00Z'), { action: 'reopen' }, reporter, { now: NOW, calendar: calendarOf(['2026-12-01']) });
    expect(withHoliday.next.status).toBe('reopened');
    // Sixteen calendar days over two weekends: more than 10 working days, whatever day it is run.
    expect(outcome(complaint('resolved', { resolvedAt: days(-16) }), 'reopen', reporter)).toBe('COMPLAINTS.REOPEN_TOO_LATE');
    expect(outcome(complaint('resolved', { resolvedAt: null }), 'reopen', reporter)).toBe('COMPLAINTS.REOPEN_TOO_LATE');
  });

  it('closes with the time and no deadline left, whether confirmed, closed or rejected', () => {
    for (const [status, action, actor] of [
      ['resolved', 'confirm', ROLES.reporter],
      ['resolved', 'close', null],
      ['received', 'reject', coordinator],
    ] as const) {
      const d = decide(complaint(status), { action }, actor, { now: NOW, calendar: NO_HOLIDAYS });
      expect(d.next).toMatchObject({ closedAt: NOW, dueAt: null });
      expect(d.event.data).not.toHaveProperty('dueAt');
      expect(d.history.actorRole).toBe(actor ? actor.roles[0] : 'system');
    }
  });

  it('refuses an unknown action and a version the caller did not see, and leaves the complaint as it was', () => {
    const c = complaint('received');
    const before = structuredClone(c);
    expect(outcome(c, 'delete', coordinator)).toBe('COMPLAINTS.UNKNOWN_ACTION');
    expect(() => decide(c, { action: 'verify', ifMatch: 3 }, coordinator, { now: NOW, calendar: NO_HOLIDAYS })).toThrow(expect.objectContaining({ code: 'COMPLAINTS.VERSION_MISMATCH' }));
    decide(c, { action: 'verify', ifMatch: 4 }, coordinator, { now: NOW, calendar: NO_HOLIDAYS });
    expect(c).toEqual(before);
  });
});
