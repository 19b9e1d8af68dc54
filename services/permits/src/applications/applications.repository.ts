import { Injectable } from '@nestjs/common';
import { AuditTrail, DomainError, EventRecorder, queryIn, SYSTEM_ACTOR } from '@smart-regency/platform';
import { Actor } from '@smart-regency/contracts';
import { EntityManager } from 'typeorm';
import { Application } from './application.entity';
import { ApplicationDecision } from './application.rules';

/**
 * Writes a decided lifecycle action as one statement in the caller's transaction (the row is locked
 * by then): the targeted UPDATE (guarded by the version it was decided on), its history row (at the
 * events' `at` to the millisecond, so a consumer finds it by action and at), its events in order and
 * its audit row.
 */
@Injectable()
export class ApplicationsRepository {
  constructor(
    private readonly events: EventRecorder,
    private readonly audit: AuditTrail,
  ) {}

  async commitAction(m: EntityManager, decision: ApplicationDecision, version: number, actor: Actor | null): Promise<Pick<Application, 'updatedAt' | 'version'>> {
    const { next: a, history } = decision;
    const params: unknown[] = [];
    const p = (value: unknown) => `$${params.push(value)}`;
    const sql = `
      WITH step AS (
        UPDATE applications SET status = ${p(a.status)}, submitted_at = ${p(a.submittedAt)}, due_at = ${p(a.dueAt)}, overdue_notified_at = ${p(a.overdueNotifiedAt)},
          decided_at = ${p(a.decidedAt)}, issued_at = ${p(a.issuedAt)}, certificate_number = ${p(a.certificateNumber)}, verification_code = ${p(a.verificationCode)},
          expires_at = ${p(a.expiresAt)}, holder_name = ${p(a.holderName)}, updated_at = now(), version = version + 1
        WHERE id = ${p(a.id)} AND version = ${p(version)}
        RETURNING id, status, updated_at, version
      ), history AS (
        INSERT INTO application_history (application_id, action, from_status, to_status, actor_id, actor_role, note, at)
        SELECT id, ${p(history.action)}, ${p(history.fromStatus)}, status, ${p(history.actorId)}, ${p(history.actorRole)}, ${p(history.note)}, ${p(history.at)} FROM step
      )`;
    const audited = this.audit.pending({ action: decision.audit.action, entityType: 'application', entityId: a.id, subjectId: a.applicantId, changes: decision.audit.changes, actor: actor ?? SYSTEM_ACTOR });
    const outbox = this.events.statementParts(decision.events, audited, params);
    const [saved] = await queryIn<Pick<Application, 'updatedAt' | 'version'>>(m, `${sql}, ${outbox.ctes} SELECT updated_at AS "updatedAt", version, ${outbox.notify} FROM step`, params);
    // No row: the version moved although the row is locked (cannot happen); the events roll back with it.
    if (!saved) throw new DomainError('PERMITS.VERSION_MISMATCH', 'the application changed meanwhile');
    return saved;
  }
}
