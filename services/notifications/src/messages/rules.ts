import { RegencyCloudEvent } from '@smart-regency/contracts';
import { DEADLINE_APPROACHING } from './deadlines';
import { MessageType } from './message-types';

/**
 * Who hears of an event: `record` is the citizen the record is about (its applicant or reporter),
 * `agency` the officers and head of the agency whose queue it is in, `admins` the regency's
 * coordinators (who verify and dispose complaints).
 */
export interface Intent {
  type: MessageType;
  to: 'record' | 'agency' | 'admins';
}

type Data = Record<string, unknown>;
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

function permitStatusChanged(d: Data): Intent[] {
  const action = str(d.action);
  const to = str(d.toStatus);
  if (action === 'request-revision') return [{ type: 'permit.revision_requested', to: 'record' }];
  if (to === 'rejected') return [{ type: 'permit.rejected', to: 'record' }];
  if (to === 'revoked') return [{ type: 'permit.revoked', to: 'record' }];
  if (to === 'awaiting_payment') return [{ type: 'permit.awaiting_payment', to: 'record' }];
  // Approved without a fee: the citizen hears, the issuing agency has work. After a payment: work only.
  if (to === 'approved' && action === 'approve') return [{ type: 'permit.approved', to: 'record' }, { type: 'staff.permit.new_work', to: 'agency' }];
  if (to === 'approved') return [{ type: 'staff.permit.new_work', to: 'agency' }];
  // A resubmission is back in the technical agency's queue; a recommendation moves to the issuing one.
  if (action === 'resubmit' || to === 'recommended') return [{ type: 'staff.permit.new_work', to: 'agency' }];
  return [];
}

function complaintStatusChanged(d: Data): Intent[] {
  const to = str(d.toStatus);
  switch (to) {
    case 'resolved':
      return [{ type: 'complaint.responded', to: 'record' }];
    case 'closed':
      return [{ type: 'complaint.closed', to: 'record' }];
    case 'dispositioned':
      return [
        { type: 'complaint.status_changed', to: 'record' },
        { type: 'staff.complaint.new_work', to: 'agency' },
      ];
    // The reporter reopened it: they know; the agency has work again.
    case 'reopened':
      return [{ type: 'staff.complaint.new_work', to: 'agency' }];
    case 'verified':
    case 'in_progress':
    case 'rejected':
      return [{ type: 'complaint.status_changed', to: 'record' }];
    default:
      return [];
  }
}

/** The messages an event leads to (none for most events). Pure: the table of who hears what. */
export function intentsFor(event: Pick<RegencyCloudEvent, 'type' | 'data'>): Intent[] {
  const d = (event.data ?? {}) as Data;
  switch (event.type) {
    case 'permits.application.submitted.v1':
      return [
        { type: 'permit.submitted', to: 'record' },
        { type: 'staff.permit.new_work', to: 'agency' },
      ];
    case 'permits.application.status_changed.v1':
      return permitStatusChanged(d);
    case 'permits.application.issued.v1':
      return [{ type: 'permit.issued', to: 'record' }];
    case 'permits.application.overdue.v1':
      return [{ type: 'staff.permit.overdue', to: 'agency' }];
    case 'complaints.complaint.received.v1':
      return [
        { type: 'complaint.received', to: 'record' },
        { type: 'staff.complaint.new_work', to: 'admins' },
      ];
    case 'complaints.complaint.status_changed.v1':
      return complaintStatusChanged(d);
    case 'complaints.complaint.commented.v1':
      // Staff answering is a response to the citizen; the reporter writing is news for the agency.
      return str(d.authorRole) === 'owner' ? [{ type: 'staff.complaint.comment', to: 'agency' }] : [{ type: 'complaint.responded', to: 'record' }];
    case 'complaints.complaint.escalated.v1':
      return [
        { type: 'staff.complaint.escalated', to: 'agency' },
        { type: 'staff.complaint.escalated', to: 'admins' },
      ];
    case 'complaints.complaint.lapor_forwarded.v1':
      return [{ type: 'complaint.forwarded_lapor', to: 'record' }];
    case 'complaints.complaint.lapor_updated.v1':
      return [{ type: 'complaint.lapor_update', to: 'record' }];
    case DEADLINE_APPROACHING:
      return [{ type: d.kind === 'permit' ? 'staff.permit.due_soon' : 'staff.complaint.due_soon', to: 'agency' }];
    default:
      return [];
  }
}

/** Which service answers the notification context of an event. */
export function contextServiceOf(type: string, data: Record<string, unknown> = {}): 'permits' | 'complaints' | undefined {
  if (type === DEADLINE_APPROACHING) return data.kind === 'permit' ? 'permits' : 'complaints';
  if (type.startsWith('permits.')) return 'permits';
  if (type.startsWith('complaints.')) return 'complaints';
  return undefined;
}
