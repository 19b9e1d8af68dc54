import { Actor } from '@smart-regency/contracts';
import { canSee, partiesOf } from '@smart-regency/platform';
import type { Complaint } from './complaint.entity';

/**
 * Who may see what of a complaint, from the platform's one rule (`partiesOf`): the reporter owns it,
 * the staff of the agency it is assigned to handle it, admins coordinate, auditors read.
 */
export function complaintParties(c: Pick<Complaint, 'reporterId' | 'agencyId'>) {
  return { ownerId: c.reporterId, agencyId: c.agencyId };
}

/** The reporter, handling staff, coordinators and auditors see a complaint. */
export function canSeeComplaint(actor: Actor, c: Pick<Complaint, 'reporterId' | 'agencyId'>): boolean {
  return canSee(actor, complaintParties(c));
}

/** The thread (comments, attachments) is between the reporter, the handling staff and the coordinators: auditors read the record, not the conversation. */
export function inThread(actor: Actor, c: Pick<Complaint, 'reporterId' | 'agencyId'>): boolean {
  return partiesOf(actor, complaintParties(c)).some((party) => party !== 'auditor');
}

/** Who reported: shown to all who see the complaint, but for an anonymous one only to those in its thread. */
export function showsReporter(actor: Actor, c: Pick<Complaint, 'reporterId' | 'agencyId' | 'visibility'>): boolean {
  return c.visibility !== 'anonymous' || inThread(actor, c);
}
