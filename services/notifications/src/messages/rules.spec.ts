import { intentsFor } from './rules';

const said = (type: string, data: Record<string, unknown> = {}) => intentsFor({ type, data }).map((i) => `${i.type}→${i.to}`);

describe('who hears of an event', () => {
  it.each([
    ['permits.application.submitted.v1', {}, ['permit.submitted→record', 'staff.permit.new_work→agency']],
    ['permits.application.status_changed.v1', { action: 'request-revision', toStatus: 'revision_requested' }, ['permit.revision_requested→record']],
    ['permits.application.status_changed.v1', { action: 'resubmit', toStatus: 'submitted' }, ['staff.permit.new_work→agency']],
    ['permits.application.status_changed.v1', { action: 'verify', toStatus: 'verified' }, []],
    ['permits.application.status_changed.v1', { action: 'recommend', toStatus: 'recommended' }, ['staff.permit.new_work→agency']],
    ['permits.application.status_changed.v1', { action: 'approve', toStatus: 'approved' }, ['permit.approved→record', 'staff.permit.new_work→agency']],
    ['permits.application.status_changed.v1', { action: 'approve', toStatus: 'awaiting_payment' }, ['permit.awaiting_payment→record']],
    ['permits.application.status_changed.v1', { action: 'record-payment', toStatus: 'approved' }, ['staff.permit.new_work→agency']],
    ['permits.application.status_changed.v1', { action: 'reject', toStatus: 'rejected' }, ['permit.rejected→record']],
    ['permits.application.status_changed.v1', { action: 'revoke', toStatus: 'revoked' }, ['permit.revoked→record']],
    ['permits.application.status_changed.v1', { action: 'withdraw', toStatus: 'withdrawn' }, []],
    ['permits.application.status_changed.v1', { action: 'issue', toStatus: 'issued' }, []],
    ['permits.application.issued.v1', {}, ['permit.issued→record']],
    ['permits.application.overdue.v1', {}, ['staff.permit.overdue→agency']],
    ['complaints.complaint.received.v1', {}, ['complaint.received→record', 'staff.complaint.new_work→admins']],
    ['complaints.complaint.status_changed.v1', { toStatus: 'verified' }, ['complaint.status_changed→record']],
    ['complaints.complaint.status_changed.v1', { toStatus: 'rejected' }, ['complaint.status_changed→record']],
    ['complaints.complaint.status_changed.v1', { toStatus: 'dispositioned' }, ['complaint.status_changed→record', 'staff.complaint.new_work→agency']],
    ['complaints.complaint.status_changed.v1', { toStatus: 'in_progress' }, ['complaint.status_changed→record']],
    ['complaints.complaint.status_changed.v1', { toStatus: 'resolved' }, ['complaint.responded→record']],
    ['complaints.complaint.status_changed.v1', { toStatus: 'reopened' }, ['staff.complaint.new_work→agency']],
    ['complaints.complaint.status_changed.v1', { toStatus: 'closed' }, ['complaint.closed→record']],
    ['complaints.complaint.commented.v1', { authorRole: 'officer' }, ['complaint.responded→record']],
    ['complaints.complaint.commented.v1', { authorRole: 'owner' }, ['staff.complaint.comment→agency']],
    ['complaints.complaint.escalated.v1', {}, ['staff.complaint.escalated→agency', 'staff.complaint.escalated→admins']],
    ['complaints.complaint.lapor_forwarded.v1', {}, ['complaint.forwarded_lapor→record']],
    ['complaints.complaint.lapor_updated.v1', {}, ['complaint.lapor_update→record']],
    ['complaints.complaint.lapor_forward_requested.v1', {}, []],
    ['complaints.complaint.rated.v1', {}, []],
    ['identity.user.registered.v1', {}, []],
    ['notifications.webhook.created.v1', {}, []],
  ])('%s %j', (type, data, expected) => {
    expect(said(type, data)).toEqual(expected);
  });

  it('treats a missing payload as an event that tells no one anything it cannot back', () => {
    expect(intentsFor({ type: 'permits.application.status_changed.v1', data: undefined as unknown as Record<string, unknown> })).toEqual([]);
  });
});
