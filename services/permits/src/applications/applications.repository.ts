import { Injectable } from '@nestjs/common';
import { AuditTrail, DomainError, EventRecorder, queryIn, SYSTEM_ACTOR, WriteStatement } from '@smart-regency/platform';
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
    const w = new WriteStatement()
      .with(
        'step',
        `UPDATE applications SET status = :status, submitted_at = :submittedAt, due_at = :dueAt, overdue_notified_at = :overdueNotifiedAt, decided_at = :decidedAt,
                issued_at = :issuedAt, certificate_number = :certificateNumber, verification_code = :verificationCode, expires_at = :expiresAt,
                holder_name = :holderName, updated_at = now(), version = version + 1
          WHERE id = :id AND version = :version
          RETURNING id, status, updated_at, version`,
        {
          status: a.status,
          submittedAt: a.submittedAt,
          dueAt: a.dueAt,
          overdueNotifiedAt: a.overdueNotifiedAt,
          decidedAt: a.decidedAt,
          issuedAt: a.issuedAt,
          certificateNumber: a.certificateNumber,
          verificationCode: a.verificationCode,
          expiresAt: a.expiresAt,
          holderName: a.holderName,
          id: a.id,
          version,
        },
      )
      .with(
        'history',
        `INSERT INTO application_history (application_id, action, from_status, to_status, actor_id, actor_role, note, at)
         SELECT id, :action, :fromStatus, status, :actorId, :actorRole, :note, :at FROM step`,
        { ...history },
      );
    const audited = this.audit.pending({ action: decision.audit.action, entityType: 'application', entityId: a.id, subjectId: a.applicantId, changes: decision.audit.changes, actor: actor ?? SYSTEM_ACTOR });
    w.record(this.events, decision.events, audited);
    const { text, values } = w.select(`updated_at AS "updatedAt", version FROM step`);
    const [saved] = await queryIn<Pick<Application, 'updatedAt' | 'version'>>(m, text, values);
    this.events.committed(m);
    // No row: the version moved although the row is locked (cannot happen); the events roll back with it.
    if (!saved) throw new DomainError('PERMITS.VERSION_MISMATCH', 'the application changed meanwhile');
    return saved;
  }
}
