import { Injectable } from '@nestjs/common';
import { AuditEntry, AuditTrail, EventRecorder, queryIn, WriteStatement } from '@smart-regency/platform';
import { EntityManager } from 'typeorm';
import { Complaint } from './complaint.entity';
import { ComplaintDecision } from './complaint.rules';

/**
 * Writes a decided lifecycle action as one statement in the caller's transaction (the complaint is
 * locked by then): the changed fields, the history entry (at the event's `at`, so that notifications
 * finds the entry an event names), the event in the outbox and the audit row.
 */
@Injectable()
export class ComplaintsRepository {
  constructor(
    private readonly events: EventRecorder,
    private readonly audit: AuditTrail,
  ) {}

  async commitAction(m: EntityManager, decision: ComplaintDecision, audit: Pick<AuditEntry, 'entityType' | 'entityId' | 'subjectId' | 'actor'>): Promise<Pick<Complaint, 'updatedAt' | 'version'>> {
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
    const { notify } = w.record(this.events, [decision.event], this.audit.pending({ action: decision.audit.action, ...audit, changes: decision.audit.changes }));
    const { text, values } = w.select(`updated_at AS "updatedAt", version, ${notify} FROM u`);
    const [stored] = await queryIn<Pick<Complaint, 'updatedAt' | 'version'>>(m, text, values);
    return stored;
  }
}
