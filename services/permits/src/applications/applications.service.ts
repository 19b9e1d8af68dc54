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
} from '@smart-regency/contracts';
import {
  auditChanges,
  AuditTrail,
  CalendarReadModel,
  canSee,
  DailyLimit,
  DomainError,
  EventRecorder,
  hasRole,
  IdempotentWrites,
  jakartaDate,
  countedPage,
  queryIn,
  queryRows,
  RpcClient,
  SequenceBlocks,
  STAFF_ROLES,
  WriteStatement,
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
import { AUDITED_FIELDS, DecisionContext, decide, permitted } from './application.rules';
import { ApplicationsRepository } from './applications.repository';

/** The columns a response is made of (LIST_COLUMNS). */
export type ListedApplication = Pick<Application, (typeof LIST_COLUMNS)[number][1]>;
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

/** `Siti Aminah` → `S*** A*****`: enough to match a face to a certificate, not to look someone up. */
export function maskName(name: string): string {
  return name
    .split(/\s+/)
    .filter(Boolean)
    .map((word) => word[0] + '*'.repeat(Math.max(word.length - 1, 2)))
    .join(' ');
}

const RETURNED = LIST_COLUMNS.map(([name, property]) => (name === property ? name : `${name} AS "${property}"`)).join(', ');

/** The application to act on, locked for the step. */
const LOCK_SQL = `SELECT ${RETURNED}, overdue_notified_at AS "overdueNotifiedAt", sla_working_days AS "slaWorkingDays", validity_months AS "validityMonths",
  verification_code AS "verificationCode", holder_name AS "holderName" FROM applications WHERE id = $1 FOR UPDATE`;

@Injectable()
export class ApplicationsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly events: EventRecorder,
    private readonly calendar: CalendarReadModel,
    private readonly documents: DocumentsRepository,
    private readonly applications: ApplicationsRepository,
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
    const actorRole = actor.roles[0];
    // The draft and its first history row, as one statement with its audit row. `allowed` takes one
    // of the citizen's drafts for the day (DailyLimit), or fails the statement.
    const w = new WriteStatement();
    const allowed = this.drafts.condition(actor, w.ref('applicantId', app.applicantId), w.values);
    w.with(
      'app',
      `INSERT INTO applications (id, number, permit_type_code, agency_id, issuing_agency_id, applicant_id, status, form_data, location, fee, sla_working_days, validity_months)
       SELECT :id::uuid, :number, :permitTypeCode, :agencyId::uuid, :issuingAgencyId::uuid, :applicantId::uuid, 'draft', :formData::jsonb, :location::jsonb, :fee::bigint, :slaWorkingDays::int, :validityMonths::int
       WHERE ${allowed}
       RETURNING created_at, updated_at`,
      {
        ...app,
        formData: JSON.stringify(app.formData),
        location: app.location ? JSON.stringify(app.location) : null,
        slaWorkingDays: type.slaWorkingDays,
        validityMonths: type.validityMonths,
      },
    ).with(
      'history',
      `INSERT INTO application_history (application_id, action, from_status, to_status, actor_id, actor_role)
       VALUES (:id, 'create', NULL, 'draft', :applicantId, :actorRole) RETURNING at`,
      { id: app.id, applicantId: app.applicantId, actorRole },
    );
    w.audited(this.audit.pending({ action: 'application.create', entityType: 'application', entityId: app.id, subjectId: actor.id, changes: auditChanges(null, toApplicationResponse(app), { only: AUDITED_FIELDS }) }));
    const { text: statement, values: params } = w.select(`app.created_at AS "createdAt", app.updated_at AS "updatedAt", history.at AS "historyAt" FROM app, history`);
    const stored = (rows: Array<{ createdAt: Date; updatedAt: Date; historyAt: Date }>) => {
      const [{ historyAt, ...times }] = rows;
      const history = { action: 'create', fromStatus: null, toStatus: 'draft', actorId: actor.id, actorRole, note: null, at: historyAt };
      return toApplicationResponse({ ...app, ...times }, [history]);
    };
    if (!idempotencyKey) return stored(await this.drafts.guard(() => queryRows(this.db, statement, params)));
    // A retry answered from its key takes nothing more.
    return this.drafts.guard(() => this.idempotency.run('permits.application.create', actor.id, idempotencyKey, request, async (m) => stored(await m.query(statement, params))));
  }

  /** One step of the lifecycle: lock, read what the action needs, decide (application.rules.ts), commit (one statement). */
  async act(actor: Actor | null, command: ApplicationActionCommand): Promise<ApplicationResponse> {
    const action = command.action as ApplicationAction;
    if (!APPLICATION_ACTIONS.includes(action) || (action === 'expire' && actor)) {
      throw new DomainError('PERMITS.UNKNOWN_ACTION', `unknown action ${command.action}`, [{ field: 'action', message: 'unknown action', rule: 'isIn' }]);
    }
    // Read outside the lock: the calendar and the holder's name come from identity over NATS.
    const calendar = action === 'submit' || action === 'resubmit' ? await this.calendar.around(new Date()) : undefined;
    // The holder's name is asked once, at submission, and kept with the application: only the owner
    // submits, so it is the submitter's (anyone else is refused below, and learns nothing). An
    // application submitted before names were kept asks at issue.
    const holderName = action === 'submit' && actor ? await this.nameOf(actor.id) : action === 'issue' ? await this.keptOrAsked(command.id) : null;
    return this.db.transaction(async (m) => {
      const [locked] = await queryIn<Application>(m, LOCK_SQL, [command.id]);
      const app: Application | undefined = locked && { ...locked, fee: Number(locked.fee) };
      if (!app || (actor && !canSeeApplication(actor, app))) throw new DomainError('PERMITS.APPLICATION_NOT_FOUND', 'application not found');
      const { needs } = permitted(app, command, actor);
      const context: DecisionContext = { now: new Date(), calendar, holderName };
      if (needs === 'form') {
        context.permitType = await this.permitType(app.permitTypeCode, m);
        context.uploaded = new Set(context.permitType.requiredDocuments.some((d) => d.required) ? await this.documents.codes(m, app.id) : []);
      }
      if (needs === 'certificate') {
        const [{ seq }] = await m.query(`SELECT nextval('certificate_number_seq') AS seq`);
        Object.assign(context, { certificateSeq: Number(seq), verificationCode: randomBytes(15).toString('base64url') });
      }
      const decision = decide(app, command, actor, context);
      const saved = await this.applications.commitAction(m, decision, app.version, actor);
      return toApplicationResponse(Object.assign(decision.next, saved));
    });
  }

  /** At issue: nothing when the application keeps its holder's name, else the applicant's name from identity. */
  private async keptOrAsked(id: string): Promise<string | null> {
    const app = await this.db.getRepository(Application).findOne({ where: { id }, select: { id: true, applicantId: true, holderName: true } });
    if (!app || app.holderName) return null;
    return this.nameOf(app.applicantId);
  }

  /** A person's name from identity, for the certificate: asked by permits as itself, never as an invented admin. */
  private async nameOf(userId: string): Promise<string> {
    return (await this.rpc.send(SUBJECTS.identity.holderName, { userId })).fullName;
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
