import { RegencyCloudEvent } from '@smart-regency/contracts';
import { createHash } from 'node:crypto';

/** The job type (never published) of a warning that a record's deadline is about to pass. */
export const DEADLINE_APPROACHING = 'notifications.deadline.approaching.v1';

export interface Deadline {
  recordId: string;
  kind: 'permit' | 'complaint';
  /** The deadline staff now work against, or null when none runs (decided, waiting on the citizen, closed). */
  dueAt: string | null;
}

/** Permit statuses in which an agency owes the next step. */
const PERMIT_STAFF_TURN = new Set(['submitted', 'verified', 'recommended', 'approved']);
/** Complaint statuses in which someone at the regency owes the next step. */
const COMPLAINT_STAFF_TURN = new Set(['received', 'verified', 'dispositioned', 'in_progress', 'reopened']);

const str = (v: unknown) => (typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? v : null);

/** The deadline an event sets for its record (undefined when it says nothing about one). Pure. */
export function deadlineOf(event: Pick<RegencyCloudEvent, 'type' | 'subject' | 'data'>): Deadline | undefined {
  const d = (event.data ?? {}) as Record<string, unknown>;
  const recordId = event.subject;
  switch (event.type) {
    case 'permits.application.submitted.v1':
      return { recordId, kind: 'permit', dueAt: str(d.dueAt) };
    case 'permits.application.status_changed.v1':
      return { recordId, kind: 'permit', dueAt: PERMIT_STAFF_TURN.has(String(d.toStatus)) ? str(d.dueAt) : null };
    case 'complaints.complaint.received.v1':
      return { recordId, kind: 'complaint', dueAt: str(d.dueAt) };
    case 'complaints.complaint.status_changed.v1':
      return { recordId, kind: 'complaint', dueAt: COMPLAINT_STAFF_TURN.has(String(d.toStatus)) ? str(d.dueAt) : null };
    default:
      return undefined;
  }
}

/** One warning per record and deadline: a stable id, so a warning is never sent twice. */
export function warningId(recordId: string, dueAt: Date): string {
  const h = createHash('sha256').update(`deadline:${recordId}:${dueAt.toISOString()}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
