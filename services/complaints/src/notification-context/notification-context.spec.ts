import { randomUUID } from 'node:crypto';
import { ContextRow, historyActionOf, notificationContextOf } from './notification-context';

const REPORTER = randomUUID();
const STAFF = randomUUID();
const AGENCY = randomUUID();

const row = (over: Partial<ContextRow> = {}): ContextRow => ({
  id: randomUUID(),
  trackingNumber: 'ADU-2026-000042',
  title: 'Jalan berlubang',
  categoryCode: 'roads-bridges',
  status: 'in_progress',
  agencyId: AGENCY,
  dueAt: new Date('2026-12-10T09:00:00Z'),
  finalDueAt: new Date('2026-12-20T09:00:00Z'),
  reporterId: REPORTER,
  reporterErasedAt: null,
  visibility: 'public',
  laporStatus: null,
  laporId: null,
  laporRemoteStatus: null,
  note: null,
  commentAuthorId: null,
  commentBody: null,
  filedBy: 'citizen',
  ...over,
});

const STATUS_CHANGED = { eventType: 'complaints.complaint.status_changed.v1' };
const COMMENTED = { eventType: 'complaints.complaint.commented.v1' };
const FORWARDED = { eventType: 'complaints.complaint.lapor_forwarded.v1' };

describe('notificationContextOf (complaints)', () => {
  it('tells the reporter by id, names the agency, and gives the values of the message as strings', () => {
    const r = row({ note: 'Sudah ditambal.' });
    expect(notificationContextOf(r, STATUS_CHANGED, 'Jalan dan jembatan')).toEqual({
      found: true,
      agencyId: AGENCY,
      recipients: [{ userId: REPORTER, role: 'reporter' }],
      variables: { trackingNumber: r.trackingNumber, title: r.title, category: 'Jalan dan jembatan', status: 'in_progress', dueAt: '2026-12-10T09:00:00.000Z', finalDueAt: '2026-12-20T09:00:00.000Z', note: 'Sudah ditambal.' },
      visibility: 'public',
      link: `/complaints/${r.id}`,
    });
  });

  it.each([
    ['an erased reporter', row({ reporterErasedAt: new Date() }), STATUS_CHANGED, 0],
    ['a complaint an integrator filed (Open311)', row({ filedBy: 'integrator' }), STATUS_CHANGED, 0],
    ["the reporter's own comment", row({ commentAuthorId: REPORTER, commentBody: 'Terima kasih' }), COMMENTED, 0],
    ["staff's comment", row({ commentAuthorId: STAFF, commentBody: 'Mohon foto' }), COMMENTED, 1],
    ['a comment not found', row(), COMMENTED, 1],
    ['a complaint with no filing entry', row({ filedBy: null }), STATUS_CHANGED, 1],
  ])('tells the reporter of %s: %p recipients', (_what, r, request, told) => {
    expect(notificationContextOf(r, request, 'x').recipients).toHaveLength(told);
  });

  it("gives staff's comment to the reporter and never the reporter's own, nor a comment on another event", () => {
    expect(notificationContextOf(row({ commentAuthorId: STAFF, commentBody: 'Mohon foto' }), COMMENTED, 'x').variables.comment).toBe('Mohon foto');
    expect(notificationContextOf(row({ commentAuthorId: REPORTER, commentBody: 'Terima kasih' }), COMMENTED, 'x').variables).not.toHaveProperty('comment');
    expect(notificationContextOf(row({ commentAuthorId: STAFF, commentBody: 'Mohon foto' }), STATUS_CHANGED, 'x').variables).not.toHaveProperty('comment');
  });

  it('gives LAPOR! values to LAPOR! events only', () => {
    const r = row({ laporStatus: 'forwarded', laporId: 'LAPOR-9', laporRemoteStatus: 'Diproses' });
    expect(notificationContextOf(r, FORWARDED, 'x').variables).toMatchObject({ laporStatus: 'forwarded', laporId: 'LAPOR-9', laporRemoteStatus: 'Diproses' });
    expect(notificationContextOf(r, STATUS_CHANGED, 'x').variables).not.toHaveProperty('laporId');
  });

  it('leaves out what is not there: no agency before disposition, no dueAt without one', () => {
    const context = notificationContextOf(row({ agencyId: null, dueAt: null, status: 'received' }), STATUS_CHANGED, 'x');
    expect(context).not.toHaveProperty('agencyId');
    expect(context.variables).not.toHaveProperty('dueAt');
    expect(Object.values(context.variables).every((v) => typeof v === 'string')).toBe(true);
  });
});

describe('historyActionOf', () => {
  it("is the event's action, else the LAPOR! step its type names, else none", () => {
    expect(historyActionOf({ eventType: 'complaints.complaint.status_changed.v1', action: 'resolve' })).toBe('resolve');
    expect(historyActionOf({ eventType: 'complaints.complaint.lapor_forward_failed.v1' })).toBe('lapor_forward_failed');
    expect(historyActionOf({ eventType: 'complaints.complaint.escalated.v1' })).toBeNull();
  });
});
