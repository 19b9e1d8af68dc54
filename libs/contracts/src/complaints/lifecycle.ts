import { Lifecycle, TransitionRow } from '../common/lifecycle';

/**
 * The complaint lifecycle as data (SP4N-LAPOR!-style): status × action → status, and who may act.
 */
export const COMPLAINT_STATUSES = ['received', 'verified', 'dispositioned', 'in_progress', 'resolved', 'reopened', 'closed', 'rejected'] as const;
export type ComplaintStatus = (typeof COMPLAINT_STATUSES)[number];

export const COMPLAINT_ACTIONS = ['verify', 'reject', 'dispose', 'start', 'resolve', 'reopen', 'confirm', 'close'] as const;
export type ComplaintAction = (typeof COMPLAINT_ACTIONS)[number];

/**
 * - `coordinator`: an admin (the regency's complaint coordinator);
 * - `assigned`: an officer or agency head of the agency the complaint was disposed to;
 * - `owner`: the citizen who filed it;
 * - `system`: the scheduled job (auto-close).
 */
export type ComplaintActorKind = 'coordinator' | 'assigned' | 'owner' | 'system';

/** A row of the complaint lifecycle (the shared shape). */
export type ComplaintTransition = TransitionRow<ComplaintStatus, ComplaintAction, ComplaintActorKind>;

export const COMPLAINT_TRANSITIONS: readonly ComplaintTransition[] = [
  { action: 'verify', from: ['received'], to: 'verified', by: ['coordinator'] },
  { action: 'reject', from: ['received', 'verified'], to: 'rejected', by: ['coordinator'] },
  { action: 'dispose', from: ['verified'], to: 'dispositioned', by: ['coordinator'] },
  { action: 'start', from: ['dispositioned', 'reopened'], to: 'in_progress', by: ['assigned'] },
  { action: 'resolve', from: ['dispositioned', 'in_progress', 'reopened'], to: 'resolved', by: ['assigned'] },
  { action: 'reopen', from: ['resolved'], to: 'reopened', by: ['owner'] },
  { action: 'confirm', from: ['resolved'], to: 'closed', by: ['owner'] },
  { action: 'close', from: ['resolved'], to: 'closed', by: ['coordinator', 'system'] },
];

/** Statuses in which someone still owes the citizen something. */
export const COMPLAINT_OPEN_STATUSES: readonly ComplaintStatus[] = ['received', 'verified', 'dispositioned', 'in_progress', 'reopened'];

/** Deadlines in working days (Perpres 76/2013) and the calendar-day cap. */
export const COMPLAINT_DEADLINES = {
  verificationWorkingDays: 3,
  followUpWorkingDays: 5,
  autoCloseWorkingDays: 10,
  reopenWorkingDays: 10,
  finalCalendarDays: 60,
} as const;

/** Which deadline a status runs against (the stage named in escalation events). */
export function complaintStage(status: ComplaintStatus): 'verification' | 'follow_up' | 'auto_close' | null {
  if (status === 'received' || status === 'verified') return 'verification';
  if (status === 'dispositioned' || status === 'in_progress' || status === 'reopened') return 'follow_up';
  if (status === 'resolved') return 'auto_close';
  return null;
}

export const COMPLAINT_LIFECYCLE = new Lifecycle(COMPLAINT_STATUSES, COMPLAINT_ACTIONS, COMPLAINT_TRANSITIONS);

export function complaintTransitionFor(action: ComplaintAction, from: ComplaintStatus): ComplaintTransition | undefined {
  return COMPLAINT_LIFECYCLE.find(action, from);
}
