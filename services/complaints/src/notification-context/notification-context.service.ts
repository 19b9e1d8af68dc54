import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { NotificationContext, NotificationContextRequest, NotificationContextsResponse } from '@smart-regency/contracts';
import { queryRows } from '@smart-regency/platform';
import { DataSource } from 'typeorm';
import { CategoryCatalogue } from '../categories/category-catalogue';
import { COMMENTED, ContextRow, historyActionOf, notFound, notificationContextOf } from './notification-context';

/**
 * The complaints of a batch of events with, for each event, the note of the history entry it
 * describes, the comment it names and who filed the complaint: one statement (`n` is the request's
 * place). A history entry is found by action nearest the event's `at`, within a minute (entries
 * written before they shared the event's time). A comment is found by its id, else by its time
 * (the event's `at` is the comment's, to the millisecond).
 */
const CONTEXT_SQL = `
  SELECT r.n::int AS n, c.id, c.tracking_number AS "trackingNumber", c.title, c.category_code AS "categoryCode", c.status,
         c.agency_id AS "agencyId", c.due_at AS "dueAt", c.final_due_at AS "finalDueAt", c.reporter_id AS "reporterId",
         c.reporter_erased_at AS "reporterErasedAt", c.visibility, c.lapor_status AS "laporStatus", c.lapor_id AS "laporId",
         c.lapor_remote_status AS "laporRemoteStatus", entry.note, comment.author_id AS "commentAuthorId", comment.body AS "commentBody",
         filing.actor_role AS "filedBy"
    FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::uuid[], $5::boolean[]) WITH ORDINALITY AS r(id, action, at, comment_id, commented, n)
    JOIN complaints c ON c.id = r.id
    LEFT JOIN LATERAL (
      SELECT h.note FROM complaint_history h
       WHERE r.action IS NOT NULL AND r.at IS NOT NULL AND h.complaint_id = c.id AND h.action = r.action
         AND h.at BETWEEN r.at - interval '1 minute' AND r.at + interval '1 minute'
       ORDER BY abs(extract(epoch FROM h.at - r.at)), h.seq DESC LIMIT 1
    ) entry ON true
    LEFT JOIN LATERAL (
      SELECT m.author_id, m.body FROM complaint_comments m
       WHERE r.commented AND m.complaint_id = c.id AND CASE WHEN r.comment_id IS NOT NULL THEN m.id = r.comment_id ELSE m.at = r.at END
       LIMIT 1
    ) comment ON true
    LEFT JOIN LATERAL (SELECT h.actor_role FROM complaint_history h WHERE h.complaint_id = c.id AND h.action = 'file' ORDER BY h.seq LIMIT 1) filing ON true`;

/**
 * What the notifications service needs to tell people about complaints' events, a batch at a time:
 * the reporter to tell (by id), the agency whose staff to tell, and the values of the messages.
 * Never a reporter's name, NIK, email or phone: complaints keeps none of them.
 */
@Injectable()
export class NotificationContextService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly categories: CategoryCatalogue,
  ) {}

  async contexts(requests: NotificationContextRequest[]): Promise<NotificationContextsResponse> {
    const rows = await queryRows<ContextRow & { n: number }>(this.db, CONTEXT_SQL, [
      requests.map((r) => r.recordId),
      requests.map(historyActionOf),
      requests.map((r) => r.at ?? null),
      requests.map((r) => r.commentId ?? null),
      requests.map((r) => r.eventType === COMMENTED),
    ]);
    const byPlace = new Map(rows.map((row) => [row.n, row]));
    const contexts: NotificationContext[] = [];
    for (const [i, request] of requests.entries()) {
      const row = byPlace.get(i + 1);
      if (!row) {
        contexts.push(notFound());
        continue;
      }
      const category = await this.categories.find(row.categoryCode);
      contexts.push(notificationContextOf(row, request, category?.name ?? row.categoryCode));
    }
    return { contexts };
  }
}
