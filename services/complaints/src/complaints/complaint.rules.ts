import { Actor, COMPLAINT_ACTIONS, COMPLAINT_DEADLINES, COMPLAINT_LIFECYCLE, ComplaintAction, ComplaintActorKind, ComplaintStatus } from '@smart-regency/contracts';
import { addWorkingDays, auditChanges, countWorkingDays, DomainError, HolidayCalendar, partiesOf, PendingEvent } from '@smart-regency/platform';
import { complaintParties } from './complaint-access';
import type { Complaint } from './complaint.entity';

/**
 * The rules of a complaint's lifecycle actions, as pure functions: who may act, from which status,
 * what each action changes (deadlines in working days by the regency's calendar), and the history
 * entry, event and audit entry it leads to. ComplaintsService locks the row, calls `decide`, and
 * ComplaintsRepository writes the decision in one statement. Unit-tested as a table in
 * complaint.rules.spec.ts.
 */

/** What the audit trail keeps of a complaint's changes (personal values only as "[personal]"). */
export const AUDITED_FIELDS = ['trackingNumber', 'categoryCode', 'title', 'description', 'location', 'visibility', 'status', 'agencyId', 'dueAt', 'finalDueAt', 'answer', 'resolvedAt', 'closedAt', 'rating', 'ratingComment', 'version'];

/** The fields an action may change. */
export type ComplaintChange = Pick<Complaint, 'status' | 'agencyId' | 'dueAt' | 'answer' | 'resolvedAt' | 'closedAt' | 'escalatedStages' | 'version'>;

export interface ComplaintCommand {
  action: string;
  note?: string;
  agencyId?: string;
  ifMatch?: number;
}

export interface ComplaintDecision {
  action: ComplaintAction;
  from: ComplaintStatus;
  /** The complaint after the action. */
  next: Complaint;
  history: { action: ComplaintAction; fromStatus: ComplaintStatus; toStatus: ComplaintStatus; actorId: string | null; actorRole: string; note: string | null; at: Date };
  event: PendingEvent;
  audit: { action: string; changes: Record<string, unknown> };
}

/** Whether an actor is one of the kinds a transition names (none: the scheduled jobs, `system`). */
export function mayAct(actor: Actor | null, kinds: readonly ComplaintActorKind[], c: Pick<Complaint, 'agencyId' | 'reporterId'>): boolean {
  if (!actor) return kinds.includes('system');
  const parties = partiesOf(actor, complaintParties(c));
  return kinds.some((kind) => (kind === 'coordinator' && parties.includes('coordinator')) || (kind === 'assigned' && parties.includes('agency')) || (kind === 'owner' && parties.includes('owner')));
}

/**
 * Decides one lifecycle action on a complaint as it stands (locked by the caller): the change, or
 * the refusal (a DomainError) when the action is unknown, the version is not the one the caller saw,
 * the status does not allow it, the actor may not take it, or what it needs is missing.
 */
export function decide(c: Complaint, command: ComplaintCommand, actor: Actor | null, { now, calendar }: { now: Date; calendar: HolidayCalendar }): ComplaintDecision {
  const action = command.action as ComplaintAction;
  if (!COMPLAINT_ACTIONS.includes(action)) {
    throw new DomainError('COMPLAINTS.UNKNOWN_ACTION', `unknown action ${command.action}`, [{ field: 'action', message: 'unknown action', rule: 'isIn' }]);
  }
  if (command.ifMatch !== undefined && command.ifMatch !== c.version) {
    throw new DomainError('COMPLAINTS.VERSION_MISMATCH', `version is ${c.version}, not ${command.ifMatch}`);
  }
  const transition = COMPLAINT_LIFECYCLE.find(action, c.status);
  if (!transition) throw new DomainError('COMPLAINTS.INVALID_TRANSITION', `cannot ${action} a complaint that is ${c.status}`);
  if (!mayAct(actor, transition.by, c)) throw new DomainError('COMPLAINTS.NOT_ALLOWED', `${action} is for ${transition.by.join(' or ')}`);

  const next: Complaint = { ...c, escalatedStages: [...c.escalatedStages] };
  switch (action) {
    case 'dispose':
      if (!command.agencyId) throw new DomainError('COMPLAINTS.AGENCY_REQUIRED', 'dispose to which agency?', [{ field: 'agencyId', message: 'required', rule: 'isDefined' }]);
      next.agencyId = command.agencyId;
      next.dueAt = addWorkingDays(now, COMPLAINT_DEADLINES.followUpWorkingDays, calendar);
      break;
    case 'resolve':
      if (!command.note?.trim()) throw new DomainError('COMPLAINTS.ANSWER_REQUIRED', 'the note is the answer', [{ field: 'note', message: 'required', rule: 'isDefined' }]);
      next.answer = command.note;
      next.resolvedAt = now;
      next.dueAt = addWorkingDays(now, COMPLAINT_DEADLINES.autoCloseWorkingDays, calendar);
      break;
    case 'reopen':
      if (!c.resolvedAt || countWorkingDays(c.resolvedAt, now, calendar) > COMPLAINT_DEADLINES.reopenWorkingDays) {
        throw new DomainError('COMPLAINTS.REOPEN_TOO_LATE', `reopen within ${COMPLAINT_DEADLINES.reopenWorkingDays} working days of the answer`);
      }
      next.dueAt = addWorkingDays(now, COMPLAINT_DEADLINES.followUpWorkingDays, calendar);
      next.escalatedStages = next.escalatedStages.filter((s) => s !== 'follow_up');
      break;
    case 'confirm':
    case 'close':
    case 'reject':
      next.closedAt = now;
      next.dueAt = null;
      break;
    default:
      break;
  }
  next.status = COMPLAINT_LIFECYCLE.target(transition);
  next.version = c.version + 1;
  return {
    action,
    from: c.status,
    next,
    history: { action, fromStatus: c.status, toStatus: next.status, actorId: actor?.id ?? null, actorRole: actor ? actor.roles[0] : 'system', note: command.note ?? null, at: now },
    event: {
      type: 'complaints.complaint.status_changed.v1',
      data: {
        complaintId: c.id,
        fromStatus: c.status,
        toStatus: next.status,
        action,
        ...(next.agencyId ? { agencyId: next.agencyId } : {}),
        at: now.toISOString(),
        categoryCode: c.categoryCode,
        visibility: c.visibility,
        ...(c.dueAt ? { stageDueAt: c.dueAt.toISOString() } : {}),
        ...(next.dueAt ? { dueAt: next.dueAt.toISOString() } : {}),
      },
    },
    audit: { action: `complaint.${action}`, changes: { ...auditChanges(c, next, { only: AUDITED_FIELDS }), ...(command.note ? { note: '[personal]' } : {}) } },
  };
}
