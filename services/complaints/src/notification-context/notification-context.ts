import { ComplaintStatus, ContextRecipient, NotificationContext, NotificationContextRequest, Visibility } from '@smart-regency/contracts';
import { LAPOR_HISTORY_ACTIONS } from '../lapor/lapor.rules';

export const COMMENTED = 'complaints.complaint.commented.v1';

/** What a message about a complaint is made of: never the reporter's identity, the place or the description. */
export interface ContextRow {
  id: string;
  trackingNumber: string;
  title: string;
  categoryCode: string;
  status: ComplaintStatus;
  agencyId: string | null;
  dueAt: Date | null;
  finalDueAt: Date;
  reporterId: string;
  reporterErasedAt: Date | null;
  visibility: Visibility;
  laporStatus: string | null;
  laporId: string | null;
  laporRemoteStatus: string | null;
  /** The note of the history entry the event describes (by action, nearest its `at`). */
  note: string | null;
  /** The comment a `commented` event names, when found. */
  commentAuthorId: string | null;
  commentBody: string | null;
  /** The role that filed the complaint (its first history entry). */
  filedBy: string | null;
}

/** The history action whose entry an event describes: its own `action`, or the LAPOR! step its type names. */
export function historyActionOf(request: Pick<NotificationContextRequest, 'action' | 'eventType'>): string | null {
  return request.action ?? LAPOR_HISTORY_ACTIONS[request.eventType as keyof typeof LAPOR_HISTORY_ACTIONS] ?? null;
}

/**
 * The context of one event: the reporter to tell (by id; identity gives the contact) unless erased,
 * filed by an integrator for someone (Open311: a service account reads no messages) or the writer
 * of the comment the event is about; the agency whose staff to tell; the template's values.
 */
export function notificationContextOf(row: ContextRow, request: Pick<NotificationContextRequest, 'eventType'>, categoryName: string): NotificationContext {
  const variables: Record<string, string> = {
    trackingNumber: row.trackingNumber,
    title: row.title,
    category: categoryName,
    status: row.status,
    ...(row.dueAt ? { dueAt: row.dueAt.toISOString() } : {}),
    finalDueAt: row.finalDueAt.toISOString(),
  };
  if (row.note) variables.note = row.note;
  let reporterWrote = false;
  if (request.eventType === COMMENTED) {
    reporterWrote = row.commentAuthorId !== null && row.commentAuthorId === row.reporterId;
    // What staff wrote goes to the reporter; what the reporter wrote stays in the thread.
    if (row.commentBody !== null && !reporterWrote) variables.comment = row.commentBody;
  }
  if (request.eventType in LAPOR_HISTORY_ACTIONS && row.laporStatus) {
    variables.laporStatus = row.laporStatus;
    if (row.laporId) variables.laporId = row.laporId;
    if (row.laporRemoteStatus) variables.laporRemoteStatus = row.laporRemoteStatus;
  }
  const tellsReporter = !reporterWrote && !row.reporterErasedAt && row.filedBy !== 'integrator';
  const recipients: ContextRecipient[] = tellsReporter ? [{ userId: row.reporterId, role: 'reporter' }] : [];
  return {
    found: true,
    ...(row.agencyId ? { agencyId: row.agencyId } : {}),
    recipients,
    variables,
    visibility: row.visibility,
    link: `/complaints/${row.id}`,
  };
}

/** Nothing to tell anyone: the complaint does not exist (or was erased). */
export const notFound = (): NotificationContext => ({ found: false, recipients: [], variables: {} });
