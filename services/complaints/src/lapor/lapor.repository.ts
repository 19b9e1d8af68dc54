import { Injectable } from '@nestjs/common';
import { AuditEntry, AuditTrail, EventRecorder, queryIn, WriteStatement } from '@smart-regency/platform';
import { EntityManager } from 'typeorm';
import { LaporChange, LaporColumns } from './lapor.rules';

const COLUMNS: Record<keyof LaporColumns, string> = {
  laporStatus: 'lapor_status',
  laporId: 'lapor_id',
  laporRequestedAt: 'lapor_requested_at',
  laporForwardedAt: 'lapor_forwarded_at',
  laporFailedReason: 'lapor_failed_reason',
  laporRemoteStatus: 'lapor_remote_status',
  laporRemoteUpdatedAt: 'lapor_remote_updated_at',
  laporRequestEventId: 'lapor_request_event_id',
};

export interface LaporCommit {
  complaintId: string;
  change: LaporChange;
  /** The audit row's record, subject and actor (`auditOf`: an anonymous reporter is not named). */
  audit: Pick<AuditEntry, 'entityType' | 'entityId' | 'subjectId' | 'actor'>;
  /** A new version (and ETag); false when the step rides on a change that made one (verify). */
  newVersion: boolean;
}

/**
 * Writes a decided LAPOR! step as one statement in the caller's transaction (the complaint is
 * locked by then): the LAPOR! columns, the history entry (the status unchanged, at the step's
 * time, which is the event's `at`), the event in the outbox and the audit row.
 */
@Injectable()
export class LaporRepository {
  constructor(
    private readonly events: EventRecorder,
    private readonly audit: AuditTrail,
  ) {}

  async commit(m: EntityManager, { complaintId, change, audit, newVersion }: LaporCommit): Promise<{ version: number; eventId: string }> {
    const w = new WriteStatement();
    const pending = this.audit.pending({ action: change.audit.action, ...audit, changes: change.audit.changes });
    // The outbox rows first: the request's event id is one of the changed columns.
    const { eventIds } = w.record(this.events, [change.event], pending);
    const eventId = eventIds[0];
    const set = Object.entries(change.set).map(([key, value]) => `${COLUMNS[key as keyof LaporColumns]} = ${w.ref(key, value)}`);
    if (change.remembersEvent) set.push(`lapor_request_event_id = ${w.ref('requestEventId', eventId)}::uuid`);
    if (newVersion) set.push('version = version + 1');
    w.with('u', `UPDATE complaints SET ${set.length ? set.join(', ') : 'id = id'} WHERE id = :complaintId::uuid RETURNING id, status, version`, { complaintId })
      .with(
        'h',
        `INSERT INTO complaint_history (complaint_id, action, from_status, to_status, actor_id, actor_role, note, at)
         SELECT id, :action, status, status, :actorId::uuid, :actorRole, :note, :at::timestamptz FROM u`,
        { action: change.history.action, actorId: change.history.actorId, actorRole: change.history.actorRole, note: change.history.note, at: change.at },
      );
    const { text, values } = w.select(`version FROM u`);
    const [row] = await queryIn<{ version: number }>(m, text, values);
    this.events.committed(m);
    return { version: row.version, eventId };
  }
}
