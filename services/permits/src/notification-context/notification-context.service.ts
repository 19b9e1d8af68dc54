import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { NotificationContext, NotificationContextRequest } from '@smart-regency/contracts';
import { queryRows } from '@smart-regency/platform';
import { DataSource } from 'typeorm';
import { PermitsConfig } from '../config';
import { PermitTypeCatalogue } from '../permit-types/permit-type-catalogue';
import { ContextRow, EVENT_ACTIONS, notFound, notificationContextOf } from './notification-context';

const ENTRY = `json_build_object('action', h.action, 'fromStatus', h.from_status, 'toStatus', h.to_status, 'note', h.note)`;

/**
 * The application, the history entry the event describes and the latest one: one statement.
 * An entry is found by action and `at`: a change's history row has its event's `at` exactly; rows
 * written before that (their `at` was the transaction's start, a moment before the event's) are
 * found as the latest entry of that action in the minute up to it.
 */
const CONTEXT_SQL = `
  SELECT a.id, a.number, a.permit_type_code AS "permitTypeCode", a.agency_id AS "agencyId", a.issuing_agency_id AS "issuingAgencyId",
         a.applicant_id AS "applicantId", a.status, a.fee, a.due_at AS "dueAt", a.certificate_number AS "certificateNumber",
         a.verification_code AS "verificationCode", a.expires_at AS "expiresAt", a.applicant_erased_at AS "applicantErasedAt",
         matched.entry AS matched, latest.entry AS latest
    FROM applications a
    LEFT JOIN LATERAL (
      SELECT ${ENTRY} AS entry FROM application_history h
       WHERE $4::boolean AND h.application_id = a.id
         AND ($2::text IS NULL OR h.action = $2::text)
         AND ($3::timestamptz IS NULL OR h.at BETWEEN $3::timestamptz - interval '1 minute' AND $3::timestamptz)
       ORDER BY h.at DESC, h.seq DESC LIMIT 1
    ) matched ON true
    LEFT JOIN LATERAL (SELECT ${ENTRY} AS entry FROM application_history h WHERE h.application_id = a.id ORDER BY h.seq DESC LIMIT 1) latest ON true
   WHERE a.id = $1`;

/** What notifications needs to tell people about an application's event, asked by notifications as itself. */
@Injectable()
export class NotificationContextService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly catalogue: PermitTypeCatalogue,
    private readonly config: PermitsConfig,
  ) {}

  async context(request: NotificationContextRequest): Promise<NotificationContext> {
    const action = request.action ?? EVENT_ACTIONS[request.eventType] ?? null;
    const at = request.at ?? null;
    const [row] = await queryRows<ContextRow>(this.db, CONTEXT_SQL, [request.recordId, action, at, action !== null || at !== null]);
    if (!row) return notFound();
    const type = await this.catalogue.find(row.permitTypeCode);
    // bigint comes back as text.
    return notificationContextOf({ ...row, fee: Number(row.fee) }, type?.name ?? row.permitTypeCode, this.config.PUBLIC_BASE_URL);
  }
}
