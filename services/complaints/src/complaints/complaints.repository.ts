import { Injectable } from '@nestjs/common';
import { Actor } from '@smart-regency/contracts';
import { AuditEntry, AuditTrail, DailyLimit, EventRecorder, queryIn, WriteStatement } from '@smart-regency/platform';
import { EntityManager } from 'typeorm';
import { Complaint } from './complaint.entity';
import { CommentDecision, RatingDecision } from './complaint-feedback.rules';
import { ComplaintDecision } from './complaint.rules';

/** The audit row's record, subject and actor (`auditOf`: an anonymous reporter is not named). */
type AuditedAs = Pick<AuditEntry, 'entityType' | 'entityId' | 'subjectId' | 'actor'>;

/**
 * Writes what the rules decided, each as one statement (named parameters): the change, its event
 * in the outbox and its audit row together, or nothing.
 */
@Injectable()
export class ComplaintsRepository {
  constructor(
    private readonly events: EventRecorder,
    private readonly audit: AuditTrail,
  ) {}

  /**
   * A lifecycle action, in the caller's transaction (the complaint is locked by then): the changed
   * fields, the history entry (at the event's `at`, so that notifications finds the entry an event
   * names), the event and the audit row.
   */
  async commitAction(m: EntityManager, decision: ComplaintDecision, audit: AuditedAs): Promise<Pick<Complaint, 'updatedAt' | 'version'>> {
    const { next: c, history } = decision;
    const w = new WriteStatement()
      .with(
        'u',
        `UPDATE complaints SET status = :status, agency_id = :agencyId::uuid, due_at = :dueAt::timestamptz, answer = :answer, resolved_at = :resolvedAt::timestamptz,
                closed_at = :closedAt::timestamptz, escalated_stages = :escalatedStages::text[], updated_at = now(), version = version + 1
          WHERE id = :id::uuid RETURNING id, status, updated_at, version`,
        { status: c.status, agencyId: c.agencyId, dueAt: c.dueAt, answer: c.answer, resolvedAt: c.resolvedAt, closedAt: c.closedAt, escalatedStages: c.escalatedStages, id: c.id },
      )
      .with(
        'h',
        `INSERT INTO complaint_history (complaint_id, action, from_status, to_status, actor_id, actor_role, note, at)
         SELECT id, :action, :fromStatus, status, :actorId::uuid, :actorRole, :note, :at::timestamptz FROM u`,
        { ...history },
      );
    w.record(this.events, [decision.event], this.audit.pending({ action: decision.audit.action, ...audit, changes: decision.audit.changes }));
    const { text, values } = w.select(`updated_at AS "updatedAt", version FROM u`);
    const [stored] = await queryIn<Pick<Complaint, 'updatedAt' | 'version'>>(m, text, values);
    this.events.committed(m);
    return stored;
  }

  /** A rating, in the caller's transaction (the complaint is locked by then): the rating and a new version, the event and the audit row. */
  async commitRating(m: EntityManager, decision: RatingDecision, audit: AuditedAs): Promise<Pick<Complaint, 'updatedAt' | 'version'>> {
    const { next: c } = decision;
    const w = new WriteStatement().with(
      'u',
      `UPDATE complaints SET rating = :rating, rating_comment = :ratingComment, updated_at = now(), version = version + 1
        WHERE id = :id::uuid RETURNING updated_at, version`,
      { rating: c.rating, ratingComment: c.ratingComment, id: c.id },
    );
    w.record(this.events, [decision.event], this.audit.pending({ action: decision.audit.action, ...audit, changes: decision.audit.changes }));
    const { text, values } = w.select(`updated_at AS "updatedAt", version FROM u`);
    const [stored] = await queryIn<Pick<Complaint, 'updatedAt' | 'version'>>(m, text, values);
    this.events.committed(m);
    return stored;
  }

  /**
   * A comment, with its event and audit row, as a statement of its own (no transaction needed):
   * it takes one of the author's comments for the day (`limit`), or fails whole with the 429.
   */
  async commitComment(m: EntityManager, decision: CommentDecision, audit: AuditedAs, { limit, author }: { limit: DailyLimit; author: Actor }): Promise<void> {
    const { comment } = decision;
    const w = new WriteStatement();
    const allowed = limit.condition(author, w.ref('authorId', comment.authorId), w.values);
    w.with(
      'cm',
      `INSERT INTO complaint_comments (id, complaint_id, author_id, author_role, body, at)
       SELECT :id::uuid, :complaintId::uuid, :authorId::uuid, :authorRole, :body, :at::timestamptz
       WHERE ${allowed}
       RETURNING id`,
      { ...comment },
    );
    w.record(this.events, [decision.event], this.audit.pending({ action: decision.audit.action, ...audit, changes: decision.audit.changes }));
    const { text, values } = w.select(`1 FROM cm`);
    await limit.guard(() => queryIn(m, text, values));
    this.events.committed(m);
  }
}
