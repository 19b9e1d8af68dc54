import { Injectable } from '@nestjs/common';
import { AuditEntry, AuditTrail, EventRecorder, queryIn } from '@smart-regency/platform';
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
    const params: unknown[] = [];
    const p = (value: unknown) => `$${params.push(value)}`;
    const sql = `
      WITH u AS (
        UPDATE complaints SET status = ${p(c.status)}, agency_id = ${p(c.agencyId)}::uuid, due_at = ${p(c.dueAt)}::timestamptz, answer = ${p(c.answer)},
               resolved_at = ${p(c.resolvedAt)}::timestamptz, closed_at = ${p(c.closedAt)}::timestamptz, escalated_stages = ${p(c.escalatedStages)}::text[],
               updated_at = now(), version = version + 1
         WHERE id = ${p(c.id)}::uuid RETURNING id, status, updated_at, version),
      h AS (
        INSERT INTO complaint_history (complaint_id, action, from_status, to_status, actor_id, actor_role, note, at)
        SELECT id, ${p(history.action)}, ${p(history.fromStatus)}, status, ${p(history.actorId)}::uuid, ${p(history.actorRole)}, ${p(history.note)}, ${p(history.at)}::timestamptz FROM u)`;
    const pending = this.audit.pending({ action: decision.audit.action, ...audit, changes: decision.audit.changes });
    const outbox = this.events.statementParts([decision.event], pending, params);
    const [stored] = await queryIn<Pick<Complaint, 'updatedAt' | 'version'>>(m, `${sql}, ${outbox.ctes} SELECT updated_at AS "updatedAt", version, ${outbox.notify} FROM u`, params);
    return stored;
  }
}
