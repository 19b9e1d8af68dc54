import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AgencyStaffRequest, ContactsResponse } from '@smart-regency/contracts';
import { AuditTrail } from '@smart-regency/platform';
import { DataSource } from 'typeorm';
import { ContactRow, MAX_STAFF_CONTACTS, QUEUE_ROLES, staffScope, toContact } from './contact-rows';

const COLUMNS = `id, full_name AS "fullName", email, phone, active, roles, agency_id AS "agencyId", erased_at AS "erasedAt"`;

/** Only notifications asks these subjects (NATS permissions): the trail names it as the reader. */
const NOTIFICATIONS = { service: 'notifications' } as const;

/**
 * How notifications reaches people, asked at send time: names, emails and phones leave identity
 * here, so every answer is one row in the audit trail (`user.contacts.read`, the ids it showed as
 * subjects), written before the answer goes out; no row, no answer.
 */
@Injectable()
export class ContactsService {
  private readonly logger = new Logger('ContactsService');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditTrail,
  ) {}

  /** The accounts among `userIds` that exist, in the order asked (unknown ids are left out); one query. */
  async contacts(userIds: string[]): Promise<ContactsResponse> {
    const ids = [...new Set(userIds.map((id) => id.toLowerCase()))];
    if (!ids.length) return { contacts: [] };
    const rows: ContactRow[] = await this.db.query(`SELECT ${COLUMNS} FROM users WHERE id = ANY($1::uuid[])`, [ids]);
    const byId = new Map(rows.map((r) => [r.id, r]));
    const found = ids.flatMap((id) => byId.get(id) ?? []);
    await this.recordShown('contacts', { asked: ids.length }, found);
    return { contacts: found.map(toContact) };
  }

  /**
   * The active officers and heads of an agency, or the active admins: at most MAX_STAFF_CONTACTS
   * (the oldest accounts first), so the answer fits one NATS message; more is logged, not sent.
   */
  async staff(request: AgencyStaffRequest): Promise<ContactsResponse> {
    const scope = staffScope(request);
    const who = 'agencyId' in scope ? { where: `agency_id = $1 AND roles && $2::text[]`, params: [scope.agencyId, QUEUE_ROLES] } : { where: `$1 = ANY (roles)`, params: [scope.role] };
    const rows: ContactRow[] = await this.db.query(
      `SELECT ${COLUMNS} FROM users WHERE ${who.where} AND active AND erased_at IS NULL ORDER BY created_at, id LIMIT ${MAX_STAFF_CONTACTS + 1}`,
      who.params,
    );
    if (rows.length > MAX_STAFF_CONTACTS) {
      this.logger.warn(`more than ${MAX_STAFF_CONTACTS} staff match ${JSON.stringify(scope)}: only the first ${MAX_STAFF_CONTACTS} are told`);
      rows.length = MAX_STAFF_CONTACTS;
    }
    await this.recordShown('staff', scope, rows);
    return { contacts: rows.map(toContact) };
  }

  /** One row per answer; erased accounts are not subjects (nothing of theirs is left to show). */
  private recordShown(kind: 'contacts' | 'staff', query: object, rows: readonly ContactRow[]): Promise<void> {
    if (!rows.length) return Promise.resolve();
    return this.audit.recordList({
      action: `user.${kind}.read`,
      actor: NOTIFICATIONS,
      entityType: 'user',
      query,
      records: rows.map((r) => r.id),
      subjects: rows.filter((r) => !r.erasedAt).map((r) => r.id),
    });
  }
}
