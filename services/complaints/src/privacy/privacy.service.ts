import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Actor, ComplaintsDataExport, RegencyCloudEvent, UserErasedV1 } from '@smart-regency/contracts';
import { AuditTrail, EventsRuntime, groupBy, SYSTEM_ACTOR } from '@smart-regency/platform';
import { DataSource, EntityManager, In } from 'typeorm';
import { ComplaintAttachment } from '../attachments/attachment.entity';
import { toAttachmentResponse } from '../attachments/attachments.service';
import { AttachmentStorage } from '../attachments/attachment-storage';
import { Complaint, ComplaintComment, ComplaintHistory } from '../complaints/complaint.entity';
import { toComplaintResponse } from '../complaints/complaints.service';
import { coarsePoint } from '../complaints/place';

/** What replaces free text the citizen wrote, once erased. */
export const ERASED_TEXT = '[dihapus atas permintaan pelapor]';

/**
 * Citizens' data rights in complaints. The export holds every complaint the caller filed with its
 * history, the whole comment thread and the rating. Erasure follows `identity.user.erased.v1`:
 * complaints stay (the regency answers for them and counts them; public figures do not move) but
 * what the citizen wrote goes (title, description, the comments they wrote, the rating comment,
 * notes in the history, the files they uploaded), and the place keeps only the district and ~110 m
 * coordinates. Idempotent.
 */
@Injectable()
export class PrivacyService implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly runtime: EventsRuntime,
    private readonly audit: AuditTrail,
    private readonly storage: AttachmentStorage,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.runtime.consume({
      name: 'complaints-user-erased',
      filterSubject: 'identity.user.erased.v1',
      handler: (event: RegencyCloudEvent, m: EntityManager) => this.erase(m, (event.data as unknown as UserErasedV1).userId),
    });
  }

  async export(actor: Actor): Promise<ComplaintsDataExport> {
    const rows = await this.db.getRepository(Complaint).find({ where: { reporterId: actor.id }, order: { createdAt: 'ASC' } });
    // Four queries whatever the number of complaints: their threads, histories and files in one go each.
    const ids = rows.map((c) => c.id);
    const [comments, history, attachments] = ids.length
      ? await Promise.all([
          this.db.getRepository(ComplaintComment).find({ where: { complaintId: In(ids) }, order: { at: 'ASC' } }),
          this.db.getRepository(ComplaintHistory).find({ where: { complaintId: In(ids) }, order: { seq: 'ASC' } }),
          this.db.getRepository(ComplaintAttachment).find({ where: { complaintId: In(ids) }, order: { uploadedAt: 'ASC' } }),
        ])
      : [[], [], []];
    const [commentsOf, historyOf, attachmentsOf] = [groupBy(comments, (r) => r.complaintId), groupBy(history, (h) => h.complaintId), groupBy(attachments, (a) => a.complaintId)];
    const complaints = rows.map((c) => ({
      ...toComplaintResponse(c, actor),
      ...(c.ratingComment ? { ratingComment: c.ratingComment } : {}),
      history: (historyOf.get(c.id) ?? []).map((h) => ({ action: h.action, fromStatus: h.fromStatus, toStatus: h.toStatus, actorRole: h.actorRole, note: h.note, at: h.at.toISOString() })),
      comments: (commentsOf.get(c.id) ?? []).map((r) => ({ id: r.id, authorRole: r.authorRole, body: r.body, at: r.at.toISOString(), ...(r.authorId === actor.id ? { mine: true as const } : {}) })),
      // Listed, not embedded: each downloads through GET /complaints/:id/attachments/:attachmentId.
      attachments: (attachmentsOf.get(c.id) ?? []).map(toAttachmentResponse),
    }));
    return { complaints };
  }

  /** Anonymises everything one reporter wrote, in the consumer's transaction. */
  async erase(m: EntityManager, userId: string): Promise<void> {
    const rows = await m.getRepository(Complaint).find({ where: { reporterId: userId }, lock: { mode: 'pessimistic_write' } });
    await this.audit.record(m, { action: 'user.erase', entityType: 'user', entityId: userId, subjectId: userId, actor: SYSTEM_ACTOR, changes: { records: rows.length } });
    for (const c of rows) {
      const { district } = c.location;
      // A complaint placed by an address alone keeps only its district.
      const location = { ...coarsePoint(c.location), ...(district ? { district } : {}) };
      await m.query(
        `UPDATE complaints SET title = $2::varchar, description = $2::text, location = $3, rating_comment = NULL, reporter_erased_at = coalesce(reporter_erased_at, now()) WHERE id = $1`,
        [c.id, ERASED_TEXT, location],
      );
    }
    await m.query(`UPDATE complaint_comments SET body = $2 WHERE author_id = $1 AND body <> $2`, [userId, ERASED_TEXT]);
    await m.query(`UPDATE complaint_history SET note = NULL WHERE actor_id = $1 AND note IS NOT NULL`, [userId]);
    await m.query(`DELETE FROM idempotency_keys WHERE actor_id = $1`, [userId]);
    await m.query(`DELETE FROM daily_usage WHERE actor_id = $1`, [userId]);
    // The files they uploaded (photos can show who took them), rows and bytes. A citizen uploads only
    // to their own complaints, locked above, so no upload can start referring to these bytes meanwhile;
    // bytes a staff member attached too (the same file, the same key) stay with the staff's record.
    const files = await m.getRepository(ComplaintAttachment).find({ where: { uploadedBy: userId } });
    if (files.length) await m.getRepository(ComplaintAttachment).delete(files.map((f) => f.id));
    const keys = new Map(files.map((f) => [f.storageKey, f.complaintId]));
    for (const [storageKey, complaintId] of keys) {
      if (!(await m.getRepository(ComplaintAttachment).exists({ where: { complaintId, storageKey } }))) await this.storage.delete(m, storageKey);
    }
  }
}
