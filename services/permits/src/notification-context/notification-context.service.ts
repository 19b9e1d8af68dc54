import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { NotificationContext, NotificationContextRequest, NotificationContextsResponse } from '@smart-regency/contracts';
import { queryRows } from '@smart-regency/platform';
import { DataSource } from 'typeorm';
import { PermitsConfig } from '../config';
import { PermitTypeCatalogue } from '../permit-types/permit-type-catalogue';
import { ContextRow, EVENT_ACTIONS, notFound, notificationContextOf } from './notification-context';

const ENTRY = `json_build_object('action', h.action, 'fromStatus', h.from_status, 'toStatus', h.to_status, 'note', h.note)`;

/**
 * The applications, the history entry each event describes and their latest ones: one statement
 * for a batch of events (`n` is the request's place). An entry is found by action and `at`: a
 * change's history row has its event's `at` exactly; rows written before that (their `at` was the
 * transaction's start, a moment before the event's) are found as the latest entry of that action in
 * the minute up to it.
 */
const CONTEXT_SQL = `
  SELECT r.n::int AS n, a.id, a.number, a.permit_type_code AS "permitTypeCode", a.agency_id AS "agencyId", a.issuing_agency_id AS "issuingAgencyId",
         a.applicant_id AS "applicantId", a.status, a.fee, a.due_at AS "dueAt", a.certificate_number AS "certificateNumber",
         a.verification_code AS "verificationCode", a.expires_at AS "expiresAt", a.applicant_erased_at AS "applicantErasedAt",
         matched.entry AS matched, latest.entry AS latest
    FROM unnest($1::uuid[], $2::text[], $3::timestamptz[]) WITH ORDINALITY AS r(id, action, at, n)
    JOIN applications a ON a.id = r.id
    LEFT JOIN LATERAL (
      SELECT ${ENTRY} AS entry FROM application_history h
       WHERE (r.action IS NOT NULL OR r.at IS NOT NULL) AND h.application_id = a.id
         AND (r.action IS NULL OR h.action = r.action)
         AND (r.at IS NULL OR h.at BETWEEN r.at - interval '1 minute' AND r.at)
       ORDER BY h.at DESC, h.seq DESC LIMIT 1
    ) matched ON true
    LEFT JOIN LATERAL (SELECT ${ENTRY} AS entry FROM application_history h WHERE h.application_id = a.id ORDER BY h.seq DESC LIMIT 1) latest ON true`;

/** What notifications needs to tell people about applications' events, asked by notifications as itself, a batch at a time. */
@Injectable()
export class NotificationContextService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly catalogue: PermitTypeCatalogue,
    private readonly config: PermitsConfig,
  ) {}

  async contexts(requests: NotificationContextRequest[]): Promise<NotificationContextsResponse> {
    const rows = await queryRows<ContextRow & { n: number }>(this.db, CONTEXT_SQL, [
      requests.map((r) => r.recordId),
      requests.map((r) => r.action ?? EVENT_ACTIONS[r.eventType] ?? null),
      requests.map((r) => r.at ?? null),
    ]);
    const byPlace = new Map(rows.map((row) => [row.n, row]));
    const contexts: NotificationContext[] = [];
    for (let i = 0; i < requests.length; i++) {
      const row = byPlace.get(i + 1);
      if (!row) {
        contexts.push(notFound());
        continue;
      }
      const type = await this.catalogue.find(row.permitTypeCode);
      // bigint comes back as text.
      contexts.push(notificationContextOf({ ...row, fee: Number(row.fee) }, type?.name ?? row.permitTypeCode, this.config.PUBLIC_BASE_URL));
    }
    return { contexts };
  }
}
