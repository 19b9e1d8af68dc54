import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  Actor,
  APPLICATION_ACTIONS,
  ApplicationAction,
  ApplicationActionCommand,
  ApplicationResponse,
  CountedTotal,
  CreateApplicationRequest,
  ListApplicationsRequest,
  OPEN_STATUSES,
  Page,
  pageOf,
  PermitVerificationResponse,
  SUBJECTS,
  Transition,
  transitionFor,
} from '@smart-regency/contracts';
import {
  addWorkingDays,
  auditChanges,
  auditPendingCte,
  AuditTrail,
  CalendarClient,
  canSee,
  DailyLimit,
  DomainError,
  EventRecorder,
  hasRole,
  IdempotentWrites,
  PendingEvent,
  jakartaDate,
  countedPage,
  queryIn,
  queryRows,
  RpcClient,
  SequenceBlocks,
  STAFF_ROLES,
  SYSTEM_ACTOR,
} from '@smart-regency/platform';
import { randomBytes, randomUUID } from 'crypto';
import { DataSource, EntityManager } from 'typeorm';
import { PermitsConfig } from '../config';
import { PermitType } from '../permit-types/permit-type.entity';
import { PermitTypeCatalogue } from '../permit-types/permit-type-catalogue';
import { Application, ApplicationHistory } from './application.entity';
import { checkForm } from './form';
import { LIST_COLUMNS, ListScope, listStatements } from './application-list';
import { DocumentsRepository } from './documents.repository';

/** The columns a response is made of (LIST_COLUMNS). */
export type ListedApplication = Pick<Application, (typeof LIST_COLUMNS)[number][1]>;
/** What the audit trail keeps of an application's changes (personal values only as "[personal]"). */
const AUDITED_FIELDS = ['number', 'permitTypeCode', 'agencyId', 'issuingAgencyId', 'status', 'formData', 'location', 'fee', 'submittedAt', 'dueAt', 'decidedAt', 'issuedAt', 'certificateNumber', 'expiresAt', 'holderName', 'version'];
const iso = (d: Date | null) => (d ? d.toISOString() : undefined);

export function isOverdue(app: Pick<Application, 'status' | 'dueAt'>, now = new Date()): boolean {
  return OPEN_STATUSES.includes(app.status) && !!app.dueAt && app.dueAt < now;
}

export function toApplicationResponse(app: ListedApplication, history?: Omit<ApplicationHistory, 'seq' | 'applicationId'>[]): ApplicationResponse {
  return {
    id: app.id,
    number: app.number,
    permitTypeCode: app.permitTypeCode,
    agencyId: app.agencyId,
    issuingAgencyId: app.issuingAgencyId,
    applicantId: app.applicantId,
    status: app.status,
    formData: app.formData,
    ...(app.location ? { location: app.location } : {}),
    fee: app.fee,
    submittedAt: iso(app.submittedAt),
    dueAt: iso(app.dueAt),
    overdue: isOverdue(app),
    decidedAt: iso(app.decidedAt),
    issuedAt: iso(app.issuedAt),
    ...(app.certificateNumber ? { certificateNumber: app.certificateNumber } : {}),
    expiresAt: iso(app.expiresAt),
    version: app.version,
    createdAt: app.createdAt.toISOString(),
    updatedAt: app.updatedAt.toISOString(),
    ...(history
      ? {
          history: history.map((h) => ({
            action: h.action as ApplicationAction | 'create',
            fromStatus: h.fromStatus as ApplicationResponse['status'] | null,
            toStatus: h.toStatus as ApplicationResponse['status'],
            actorId: h.actorId,
            actorRole: h.actorRole,
            ...(h.note ? { note: h.note } : {}),
            at: h.at.toISOString(),
          })),
        }
      : {}),
  };
}


/** Staff see their agency's applications once submitted; the owner sees theirs; admins and auditors all. */
export function canSeeApplication(actor: Actor, app: Application): boolean {
  if (canSee(actor, { ownerId: app.applicantId })) return true;
  if (app.status === 'draft') return false;
  return canSee(actor, { agencyId: app.agencyId }) || canSee(actor, { agencyId: app.issuingAgencyId });
}

function mayAct(actor: Actor, by: Transition['by'], app: Application): boolean {
  switch (by) {
    case 'owner':
      return actor.id === app.applicantId;
    case 'technical':
      return hasRole(actor, STAFF_ROLES) && actor.agencyId === app.agencyId;
    case 'issuing_head':
      return actor.roles.includes('agency_head') && actor.agencyId === app.issuingAgencyId;
    case 'issuing':
      return hasRole(actor, STAFF_ROLES) && actor.agencyId === app.issuingAgencyId;
    default:
      return false;
  }
}

/** `Siti Aminah` → `S*** A*****`: enough to match a face to a certificate, not to look someone up. */
export function maskName(name: string): string {
  return name
    .split(/\s+/)
    .filter(Boolean)
    .map((word) => word[0] + '*'.repeat(Math.max(word.length - 1, 2)))
    .join(' ');
}

function addMonths(date: Date, months: number): Date {
  const d = new Date(date);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d;
}

const RETURNED = LIST_COLUMNS.map(([name, property]) => (name === property ? name : `${name} AS "${property}"`)).join(', ');

/**
 * A draft and its first history row, as the first `WITH` parts of creation's one statement (the
 * audit row follows). The number comes from a block of the sequence (SequenceBlocks) beforehand.
 * `allowed` takes one of the citizen's drafts for the day (DailyLimit), or fails the statement.
 */
const insertDraftSql = (allowed: string) => `
  app AS (
    INSERT INTO applications (id, number, permit_type_code, agency_id, issuing_agency_id, applicant_id, status, form_data, location, fee, sla_working_days, validity_months)
    SELECT $1::uuid, $2, $3, $4::uuid, $5::uuid, $6::uuid, 'draft', $7::jsonb, $8::jsonb, $9::bigint, $10::int, $11::int
    WHERE ${allowed}
    RETURNING created_at, updated_at
  ), history AS (
    INSERT INTO application_history (application_id, action, from_status, to_status, actor_id, actor_role)
    VALUES ($1, 'create', NULL, 'draft', $6, $12)
    RETURNING at
  )`;

const LOCK_SQL = `SELECT ${RETURNED}, overdue_notified_at AS "overdueNotifiedAt", sla_working_days AS "slaWorkingDays", validity_months AS "validityMonths",
  verification_code AS "verificationCode", holder_name AS "holderName" FROM applications WHERE id = $1 FOR UPDATE`;

/** A step's first `WITH` parts: the targeted UPDATE (the row is locked) and its history row; the step's events and audit row follow. */
const TRANSITION_SQL = `
  step AS (
    UPDATE applications SET status = $3, submitted_at = $4, due_at = $5, overdue_notified_at = $6, decided_at = $7, issued_at = $8,
      certificate_number = $9, verification_code = $10, expires_at = $11, holder_name = $12, updated_at = now(), version = version + 1
    WHERE id = $1 AND version = $2
    RETURNING id, status, updated_at, version
  ), history AS (
    INSERT INTO application_history (application_id, action, from_status, to_status, actor_id, actor_role, note, at)
    SELECT id, $13, $14, status, $15, $16, $17, $18 FROM step
  )`;

@Injectable()
export class ApplicationsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly events: EventRecorder,
    private readonly calendar: CalendarClient,
    private readonly documents: DocumentsRepository,
    private readonly rpc: RpcClient,
    private readonly idempotency: IdempotentWrites,
    private readonly catalogue: PermitTypeCatalogue,
    private readonly audit: AuditTrail,
    config: PermitsConfig,
  ) {
    this.numbers = new SequenceBlocks(db, 'application_number_seq');
    this.drafts = new DailyLimit('draft', config.CITIZEN_DRAFTS_PER_DAY, 'PERMITS.DAILY_DRAFT_LIMIT');
  }

  /** Drafts a citizen may start per day. */
  private readonly drafts: DailyLimit;

  /** Application numbers, a block of the sequence's increment at a time. */
  private readonly numbers: SequenceBlocks;

  private async permitType(code: string, m?: EntityManager): Promise<PermitType> {
    const type = await this.catalogue.find(code, m);
    if (!type) throw new DomainError('PERMITS.PERMIT_TYPE_NOT_FOUND', `no permit type ${code}`, [{ field: 'permitTypeCode', message: 'unknown permit type', rule: 'exists' }]);
    return type;
  }

  async create(actor: Actor, request: CreateApplicationRequest, idempotencyKey?: string): Promise<ApplicationResponse> {
    const type = await this.permitType(request.permitTypeCode);
    if (!type.active) throw new DomainError('PERMITS.PERMIT_TYPE_INACTIVE', `${type.code} is not open for applications`);
    const problems = checkForm(type.formFields, request.formData, false);
    if (problems.length) throw new DomainError('PERMITS.INVALID_FORM', 'form data does not fit the permit type', problems);
    // The number first (from this process's block), so the audit row can carry it and creation is
    // one statement: no BEGIN, no COMMIT, one round trip.
    const number = await this.numbers.take();
    const now = new Date();
    const app: ListedApplication = {
      id: randomUUID(),
      number: `PRM-${jakartaDate(now).slice(0, 4)}-${number.padStart(6, '0')}`,
      permitTypeCode: type.code,
      agencyId: type.agencyId,
      issuingAgencyId: type.issuingAgencyId,
      applicantId: actor.id,
      status: 'draft',
      formData: request.formData,
      location: request.location ?? null,
      fee: type.fee,
      submittedAt: null,
      dueAt: null,
      decidedAt: null,
      issuedAt: null,
      certificateNumber: null,
      expiresAt: null,
      version: 1,
      createdAt: now,
      updatedAt: now,
    };
    const actorRole = actor.roles[0] ?? 'system';
    const params: unknown[] = [
      app.id,
      app.number,
      app.permitTypeCode,
      app.agencyId,
      app.issuingAgencyId,
      app.applicantId,
      JSON.stringify(app.formData),
      app.location ? JSON.stringify(app.location) : null,
      app.fee,
      type.slaWorkingDays,
      type.validityMonths,
      actorRole,
    ];
    const allowed = this.drafts.condition(actor, '$6', params);
    const audited = this.audit.pending({ action: 'application.create', entityType: 'application', entityId: app.id, subjectId: actor.id, changes: auditChanges(null, toApplicationResponse(app), { only: AUDITED_FIELDS }) });
    const auditCte = auditPendingCte(audited, params);
    const statement = `WITH ${insertDraftSql(allowed)}${auditCte ? `, ${auditCte}` : ''} SELECT app.created_at AS "createdAt", app.updated_at AS "updatedAt", history.at AS "historyAt" FROM app, history`;
    const stored = (rows: Array<{ createdAt: Date; updatedAt: Date; historyAt: Date }>) => {
      const [{ historyAt, ...times }] = rows;
      const history = { action: 'create', fromStatus: null, toStatus: 'draft', actorId: actor.id, actorRole, note: null, at: historyAt };
      return toApplicationResponse({ ...app, ...times }, [history]);
    };
    if (!idempotencyKey) return stored(await this.drafts.guard(() => queryRows(this.db, statement, params)));
    // A retry answered from its key takes nothing more.
    return this.drafts.guard(() => this.idempotency.run('permits.application.create', actor.id, idempotencyKey, request, async (m) => stored(await m.query(statement, params))));
  }

  /** One step of the lifecycle, checked against the transition table, in one transaction with its events. */
  async act(actor: Actor | null, command: ApplicationActionCommand): Promise<ApplicationResponse> {
    const action = command.action as ApplicationAction;
    if (!APPLICATION_ACTIONS.includes(action) || (action === 'expire' && actor)) {
      throw new DomainError('PERMITS.UNKNOWN_ACTION', `unknown action ${command.action}`, [{ field: 'action', message: 'unknown action', rule: 'isIn' }]);
    }
    // Read outside the lock: the calendar comes from identity over NATS.
    const calendar = action === 'submit' || action === 'resubmit' ? await this.calendar.around(new Date()) : null;
    const holderName = action === 'issue' ? await this.holderName(command.id) : null;
    return this.db.transaction(async (m) => {
      const [locked] = await queryIn<Application>(m, LOCK_SQL, [command.id]);
      const app: Application | undefined = locked && { ...locked, fee: Number(locked.fee) };
      if (!app || (actor && !canSeeApplication(actor, app))) throw new DomainError('PERMITS.APPLICATION_NOT_FOUND', 'application not found');
      if (command.ifMatch !== undefined && command.ifMatch !== app.version) {
        throw new DomainError('PERMITS.VERSION_MISMATCH', `version is ${app.version}, not ${command.ifMatch}`);
      }
      const transition = transitionFor(action, app.status);
      if (!transition) throw new DomainError('PERMITS.INVALID_TRANSITION', `cannot ${action} an application that is ${app.status}`);
      if (actor ? !mayAct(actor, transition.by, app) : transition.by !== 'system') {
        throw new DomainError('PERMITS.NOT_ALLOWED', `${action} is for ${transition.by.replace('_', ' ')}`);
      }
      const now = new Date();
      const from = app.status;
      const was = { ...app };
      if (action === 'submit' || action === 'resubmit') {
        const type = await this.permitType(app.permitTypeCode, m);
        const problems = checkForm(type.formFields, app.formData, true);
        if (problems.length) throw new DomainError('PERMITS.INVALID_FORM', 'the form is not complete', problems);
        const uploaded = new Set(type.requiredDocuments.some((d) => d.required) ? await this.documents.codes(m, app.id) : []);
        const missing = type.requiredDocuments.filter((d) => d.required && !uploaded.has(d.code));
        if (missing.length) {
          throw new DomainError(
            'PERMITS.MISSING_DOCUMENTS',
            `missing ${missing.map((d) => d.code).join(', ')}`,
            missing.map((d) => ({ field: `documents.${d.code}`, message: `${d.name} is required`, rule: 'required' })),
          );
        }
        // The SLA clock starts at submission, and again at a resubmission after a revision request.
        app.submittedAt ??= now;
        app.dueAt = addWorkingDays(now, app.slaWorkingDays, calendar!);
        app.overdueNotifiedAt = null;
      }
      if (action === 'approve' || action === 'reject') app.decidedAt = now;
      if (action === 'issue') {
        const [{ seq }] = await m.query(`SELECT nextval('certificate_number_seq') AS seq`);
        app.issuedAt = now;
        app.certificateNumber = `${app.permitTypeCode}/${jakartaDate(now).slice(0, 4)}/${String(seq).padStart(6, '0')}`;
        app.verificationCode = randomBytes(15).toString('base64url');
        app.expiresAt = app.validityMonths > 0 ? addMonths(now, app.validityMonths) : null;
        app.holderName = holderName;
      }
      app.status = typeof transition.to === 'function' ? transition.to({ fee: app.fee }) : transition.to;
      const actorRole = actor?.roles[0] ?? 'system';
      app.version = was.version + 1;
      const events: PendingEvent[] = [];
      if (action === 'submit') {
        events.push({
          type: 'permits.application.submitted.v1',
          data: {
            applicationId: app.id,
            number: app.number,
            permitTypeCode: app.permitTypeCode,
            agencyId: app.agencyId,
            dueAt: app.dueAt!.toISOString(),
            issuingAgencyId: app.issuingAgencyId,
          },
        });
      }
      events.push({
        type: 'permits.application.status_changed.v1',
        data: {
          applicationId: app.id,
          fromStatus: from,
          toStatus: app.status,
          action,
          actorRole,
          at: now.toISOString(),
          permitTypeCode: app.permitTypeCode,
          agencyId: app.agencyId,
          issuingAgencyId: app.issuingAgencyId,
          ...(app.dueAt ? { dueAt: app.dueAt.toISOString() } : {}),
        },
      });
      if (action === 'issue') {
        events.push({
          type: 'permits.application.issued.v1',
          data: {
            applicationId: app.id,
            certificateNumber: app.certificateNumber!,
            verificationCode: app.verificationCode!,
            ...(app.expiresAt ? { expiresAt: app.expiresAt.toISOString() } : {}),
          },
        });
      }
      const changes = { ...auditChanges(was, app, { only: AUDITED_FIELDS }), ...(command.note ? { note: '[personal]' } : {}) };
      const audited = this.audit.pending({ action: `application.${action}`, entityType: 'application', entityId: app.id, subjectId: app.applicantId, changes, actor: actor ?? SYSTEM_ACTOR });
      // The targeted UPDATE (the row is locked above, no second read of it as save() would do), its
      // history row, its events in order and its audit row: one prepared statement.
      const params: unknown[] = [
        app.id,
        was.version,
        app.status,
        app.submittedAt,
        app.dueAt,
        app.overdueNotifiedAt,
        app.decidedAt,
        app.issuedAt,
        app.certificateNumber,
        app.verificationCode,
        app.expiresAt,
        app.holderName,
        action,
        from,
        actor?.id ?? null,
        actorRole,
        command.note ?? null,
        // The history row has the event's `at` to the millisecond, so a consumer finds it by action and at.
        now,
      ];
      const outbox = this.events.statementParts(events, audited, params);
      const [saved] = await queryIn<Pick<Application, 'updatedAt' | 'version'>>(
        m,
        `WITH ${TRANSITION_SQL}, ${outbox.ctes} SELECT updated_at AS "updatedAt", version, ${outbox.notify} FROM step`,
        params,
      );
      // No row: the version moved although the row is locked (cannot happen); the events roll back with it.
      if (!saved) throw new DomainError('PERMITS.VERSION_MISMATCH', 'the application changed meanwhile');
      Object.assign(app, { updatedAt: saved.updatedAt, version: saved.version });
      return toApplicationResponse(app);
    });
  }

  /** The applicant's name from identity, for the certificate: asked by permits as itself, never as an invented admin. */
  private async holderName(id: string): Promise<string | null> {
    const app = await this.db.getRepository(Application).findOne({ where: { id }, select: { id: true, applicantId: true } });
    if (!app) return null;
    return (await this.rpc.send(SUBJECTS.identity.holderName, { userId: app.applicantId })).fullName;
  }

  /** Public check of a certificate by its verification code; the holder's name is reduced to initials. */
  async verify(code: string): Promise<PermitVerificationResponse> {
    const app = code ? await this.db.getRepository(Application).findOne({ where: { verificationCode: code } }) : null;
    if (!app?.certificateNumber || !app.issuedAt) throw new DomainError('PERMITS.PERMIT_NOT_FOUND', 'no permit with this code');
    return {
      valid: app.status === 'issued' && (!app.expiresAt || app.expiresAt > new Date()),
      status: app.status,
      permitTypeCode: app.permitTypeCode,
      certificateNumber: app.certificateNumber,
      holderName: maskName(app.holderName ?? ''),
      issuedAt: app.issuedAt.toISOString(),
      expiresAt: app.expiresAt ? app.expiresAt.toISOString() : null,
    };
  }

  async get(actor: Actor, id: string): Promise<ApplicationResponse> {
    const app = await this.db.getRepository(Application).findOne({ where: { id } });
    if (!app || !canSeeApplication(actor, app)) throw new DomainError('PERMITS.APPLICATION_NOT_FOUND', 'application not found');
    // Staff see the applicant's form data: who looked is part of the trail.
    if (actor.id !== app.applicantId) await this.audit.recordRead({ entityType: 'application', entityId: app.id, subjectId: app.applicantId });
    const history = await this.db.getRepository(ApplicationHistory).find({ where: { applicationId: id }, order: { seq: 'ASC' } });
    return { ...toApplicationResponse(app, history), documents: await this.documents.list(this.db.manager, id) };
  }

  /** Staff, admins and auditors seeing applicants' form data and places in a list: one audit row per page (a citizen's own list is not recorded). */
  private auditListed(actor: Actor, query: ListApplicationsRequest, rows: ReadonlyArray<Pick<ListedApplication, 'id' | 'applicantId'>>): Promise<void> {
    const others = rows.map((r) => r.applicantId).filter((id) => id !== actor.id);
    if (!others.length) return Promise.resolve();
    return this.audit.recordList({ entityType: 'application', query, records: rows.map((r) => r.id), subjects: others });
  }

  /** Lists scoped to the caller: a citizen's own, staff their agency's queue, admins and auditors all. */
  async list(actor: Actor, query: ListApplicationsRequest): Promise<Page<ApplicationResponse> & CountedTotal> {
    const scope: ListScope = hasRole(actor, ['admin', 'auditor'])
      ? { kind: 'all' }
      : hasRole(actor, STAFF_ROLES) && actor.agencyId
        ? { kind: 'agency', id: actor.agencyId }
        : { kind: 'applicant', id: actor.id };
    const sql = listStatements(scope, query);
    const { rows, total, totalExact } = await countedPage<ListedApplication>(this.db, sql);
    await this.auditListed(actor, query, rows);
    const items = rows.map((r) => toApplicationResponse({ ...r, fee: Number(r.fee) }));
    return { ...pageOf(items, total, query), totalExact };
  }
}
