import { deadlineOf, warningId } from './deadlines';
import { contextServiceOf, intentsFor } from './rules';

const id = '0b7c6a0e-1111-4111-8111-111111111111';
const due = '2026-12-08T09:00:00.000Z';

describe('the deadlines staff are warned of', () => {
  it.each([
    ['permits.application.submitted.v1', { dueAt: due }, { kind: 'permit', dueAt: due }],
    ['permits.application.status_changed.v1', { toStatus: 'verified', dueAt: due }, { kind: 'permit', dueAt: due }],
    ['permits.application.status_changed.v1', { toStatus: 'approved', dueAt: due }, { kind: 'permit', dueAt: due }],
    // The citizen's turn, or decided: no deadline of staff runs.
    ['permits.application.status_changed.v1', { toStatus: 'revision_requested', dueAt: due }, { kind: 'permit', dueAt: null }],
    ['permits.application.status_changed.v1', { toStatus: 'awaiting_payment', dueAt: due }, { kind: 'permit', dueAt: null }],
    ['permits.application.status_changed.v1', { toStatus: 'issued' }, { kind: 'permit', dueAt: null }],
    ['complaints.complaint.received.v1', { dueAt: due }, { kind: 'complaint', dueAt: due }],
    ['complaints.complaint.status_changed.v1', { toStatus: 'dispositioned', dueAt: due }, { kind: 'complaint', dueAt: due }],
    ['complaints.complaint.status_changed.v1', { toStatus: 'resolved', dueAt: due }, { kind: 'complaint', dueAt: null }],
    ['complaints.complaint.status_changed.v1', { toStatus: 'closed' }, { kind: 'complaint', dueAt: null }],
    ['complaints.complaint.status_changed.v1', { toStatus: 'in_progress', dueAt: 'not a date' }, { kind: 'complaint', dueAt: null }],
  ])('%s %j', (type, data, expected) => {
    expect(deadlineOf({ type, subject: id, data })).toEqual({ recordId: id, ...expected });
  });

  it('says nothing for events about no deadline', () => {
    expect(deadlineOf({ type: 'complaints.complaint.rated.v1', subject: id, data: { score: 5 } })).toBeUndefined();
    expect(deadlineOf({ type: 'permits.application.overdue.v1', subject: id, data: { dueAt: due } })).toBeUndefined();
  });

  it('warns the agency once per record and deadline, asking the record’s own service', () => {
    const warning = { type: 'notifications.deadline.approaching.v1', data: { kind: 'complaint' } };
    expect(intentsFor(warning)).toEqual([{ type: 'staff.complaint.due_soon', to: 'agency' }]);
    expect(intentsFor({ ...warning, data: { kind: 'permit' } })).toEqual([{ type: 'staff.permit.due_soon', to: 'agency' }]);
    expect(contextServiceOf(warning.type, { kind: 'permit' })).toBe('permits');
    expect(contextServiceOf(warning.type, { kind: 'complaint' })).toBe('complaints');
    expect(warningId(id, new Date(due))).toBe(warningId(id, new Date(due)));
    expect(warningId(id, new Date(due))).not.toBe(warningId(id, new Date('2026-12-09T09:00:00.000Z')));
  });
});
