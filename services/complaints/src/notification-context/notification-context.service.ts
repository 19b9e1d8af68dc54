import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ContextRecipient, NotificationContext, NotificationContextRequest } from '@smart-regency/contracts';
import { DataSource } from 'typeorm';
import { CategoryCatalogue } from '../categories/category-catalogue';
import { Complaint, ComplaintComment } from '../complaints/complaint.entity';
import { LAPOR_HISTORY_ACTIONS } from '../lapor/lapor.rules';

const COMMENTED = 'complaints.complaint.commented.v1';
/** How far from an event's `at` its history entry may be (entries written before they shared the event's time). */
const HISTORY_WINDOW = '1 minute';

const NOT_FOUND: NotificationContext = { found: false, recipients: [], variables: {} };

/**
 * What the notifications service needs to tell people about a complaint's event, at send time:
 * the reporter to tell (by id; identity gives the contact), the agency whose staff to tell, and the
 * values of the message. Never a reporter's name, NIK, email or phone: complaints keeps none of
 * them, and nothing here is the reporter's but their id.
 */
@Injectable()
export class NotificationContextService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly categories: CategoryCatalogue,
  ) {}

  async context(request: NotificationContextRequest): Promise<NotificationContext> {
    const c = await this.db.getRepository(Complaint).findOne({ where: { id: request.recordId } });
    if (!c) return NOT_FOUND;
    const category = await this.categories.find(c.categoryCode);
    const variables: Record<string, string> = {
      trackingNumber: c.trackingNumber,
      title: c.title,
      category: category?.name ?? c.categoryCode,
      status: c.status,
      ...(c.dueAt ? { dueAt: c.dueAt.toISOString() } : {}),
      finalDueAt: c.finalDueAt.toISOString(),
    };
    const note = await this.historyNote(c.id, request);
    if (note) variables.note = note;

    let reporterWrote = false;
    if (request.eventType === COMMENTED) {
      const comment = await this.comment(c.id, request);
      reporterWrote = comment?.authorId === c.reporterId;
      // What staff wrote goes to the reporter; what the reporter wrote stays in the thread.
      if (comment && !reporterWrote) variables.comment = comment.body;
    }
    if (request.eventType in LAPOR_HISTORY_ACTIONS && c.laporStatus) {
      variables.laporStatus = c.laporStatus;
      if (c.laporId) variables.laporId = c.laporId;
      if (c.laporRemoteStatus) variables.laporRemoteStatus = c.laporRemoteStatus;
    }

    const recipients: ContextRecipient[] = !reporterWrote && (await this.tellsReporter(c)) ? [{ userId: c.reporterId, role: 'reporter' }] : [];
    return {
      found: true,
      ...(c.agencyId ? { agencyId: c.agencyId } : {}),
      recipients,
      variables,
      visibility: c.visibility,
      link: `/complaints/${c.id}`,
    };
  }

  /**
   * The note of the history entry the event describes: the action it names (a status change), or
   * the LAPOR! step of a LAPOR! event, nearest its `at` (for `resolve`, the agency's answer).
   */
  private async historyNote(complaintId: string, request: NotificationContextRequest): Promise<string | undefined> {
    const action = request.action ?? LAPOR_HISTORY_ACTIONS[request.eventType as keyof typeof LAPOR_HISTORY_ACTIONS];
    if (!action || !request.at) return undefined;
    const [entry]: Array<{ note: string | null }> = await this.db.query(
      `SELECT note FROM complaint_history
        WHERE complaint_id = $1 AND action = $2 AND at BETWEEN $3::timestamptz - interval '${HISTORY_WINDOW}' AND $3::timestamptz + interval '${HISTORY_WINDOW}'
        ORDER BY abs(extract(epoch FROM at - $3::timestamptz)), seq DESC LIMIT 1`,
      [complaintId, action, request.at],
    );
    return entry?.note ?? undefined;
  }

  /** The comment a `commented` event names: by its id, else by its time (the event's `at` is the comment's, to the millisecond). */
  private comment(complaintId: string, request: NotificationContextRequest): Promise<ComplaintComment | null> {
    if (!request.commentId && !request.at) return Promise.resolve(null);
    const where = request.commentId ? { complaintId, id: request.commentId } : { complaintId, at: new Date(request.at!) };
    return this.db.getRepository(ComplaintComment).findOne({ where });
  }

  /** The reporter is told unless erased, or unless it was an integrator filing for someone (Open311): a service account reads no messages. */
  private async tellsReporter(c: Complaint): Promise<boolean> {
    if (c.reporterErasedAt) return false;
    // The filing is the complaint's first history entry (its oldest row by seq).
    const [filing]: Array<{ actor_role: string }> = await this.db.query(
      `SELECT actor_role FROM complaint_history WHERE complaint_id = $1 AND action = 'file' ORDER BY seq LIMIT 1`,
      [c.id],
    );
    return filing?.actor_role !== 'integrator';
  }
}
