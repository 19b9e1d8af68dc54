import { Actor, ComplaintStatus } from '@smart-regency/contracts';
import { auditChanges, DomainError, PendingEvent } from '@smart-regency/platform';
import type { Complaint, ComplaintComment } from './complaint.entity';

/**
 * What the reporter and the handling staff say about a complaint beside its lifecycle (a comment in
 * the thread, the reporter's rating of the answer), as pure functions in the shape of `decide`: the
 * change, the event and the audit entry, or a DomainError. ComplaintsService loads the complaint and
 * answers 404 to whoever may not see it (or its thread), calls these, and ComplaintsRepository
 * writes the result in one statement. Unit-tested as a table in complaint-feedback.rules.spec.ts.
 */

/** Statuses in which the answer stands, so the reporter may rate it. */
export const RATED_STATUSES: readonly ComplaintStatus[] = ['resolved', 'closed'];

export interface RatingDecision {
  /** The complaint after the rating. */
  next: Complaint;
  event: PendingEvent;
  audit: { action: string; changes: Record<string, unknown> };
}

/**
 * The reporter rates the answer once, after resolution (after the coordinator or the system closed
 * it too). Refused, in this order: anyone but the reporter, a complaint not answered, a second rating.
 */
export function decideRating(c: Complaint, command: { score: number; comment?: string }, actor: Actor): RatingDecision {
  if (c.reporterId !== actor.id) throw new DomainError('COMPLAINTS.NOT_ALLOWED', 'only the reporter rates');
  if (!c.resolvedAt || !RATED_STATUSES.includes(c.status)) throw new DomainError('COMPLAINTS.NOT_RESOLVED', 'rate after the answer');
  if (c.rating !== null) throw new DomainError('COMPLAINTS.ALREADY_RATED', 'already rated');
  const next: Complaint = { ...c, rating: command.score, ratingComment: command.comment ?? null, version: c.version + 1 };
  return {
    next,
    event: { type: 'complaints.complaint.rated.v1', data: { complaintId: c.id, score: command.score } },
    audit: { action: 'complaint.rate', changes: auditChanges(null, next, { only: ['rating', 'ratingComment'] }) },
  };
}

/** A comment as it is stored. */
export type NewComment = Pick<ComplaintComment, 'id' | 'complaintId' | 'authorId' | 'authorRole' | 'body' | 'at'>;

export interface CommentDecision {
  comment: NewComment;
  event: PendingEvent;
  audit: { action: string; changes: Record<string, unknown> };
}

/**
 * A comment in the thread of a complaint the actor is party to (the service answers 404 to anyone
 * else), in any status. The thread shows the reporter as `citizen` and staff by their role; the
 * `commented` event says `owner` for the reporter, never who. Its `at` is the comment's, to the
 * millisecond: notifications finds the comment by it. `id` is the new comment's.
 */
export function decideComment(c: Pick<Complaint, 'id' | 'reporterId' | 'agencyId'>, command: { body: string }, actor: Actor, { now, id }: { now: Date; id: string }): CommentDecision {
  const owner = actor.id === c.reporterId;
  const authorRole = owner ? 'citizen' : actor.roles[0];
  return {
    comment: { id, complaintId: c.id, authorId: actor.id, authorRole, body: command.body, at: now },
    event: {
      type: 'complaints.complaint.commented.v1',
      data: { complaintId: c.id, commentId: id, authorRole: owner ? 'owner' : authorRole, ...(c.agencyId ? { agencyId: c.agencyId } : {}), at: now.toISOString() },
    },
    audit: { action: 'comment.add', changes: { after: { commentId: id, authorRole, body: '[personal]' } } },
  };
}
