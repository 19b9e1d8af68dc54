import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  Actor,
  APPLICATION_ACTIONS,
  ApplicationAction,
  ApplicationActionCommand,
  ApplicationResponse,
  CreateApplicationRequest,
  ListApplicationsRequest,
  OPEN_STATUSES,
  Page,
  pageOf,
  pageOffset,
  PermitVerificationResponse,
  SUBJECTS,
  Transition,
  transitionFor,
} from '@smart-regency/contracts';
import { addWorkingDays, CalendarClient, canSee, DomainError, EventRecorder, IdempotentWrites, jakartaDate, RpcClient } from '@smart-regency/platform';
import { randomBytes } from 'crypto';
import { DataSource, EntityManager } from 'typeorm';
import { PermitType } from '../permit-types/permit-type.entity';
import { Application, ApplicationHistory } from './application.entity';
import { checkForm } from './form';
import { DocumentsRepository } from './documents.repository';

const STAFF = ['officer', 'agency_head'] as const;
const iso = (d: Date | null) => (d ? d.toISOString() : undefined);

export function isOverdue(app: Pick<Application, 'status' | 'dueAt'>, now = new Date()): boolean {
  return OPEN_STATUSES.includes(app.status) && !!app.dueAt && app.dueAt < now;
}

export function toApplicationResponse(app: Application, history?: ApplicationHistory[]): ApplicationResponse {
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

const hasRole = (actor: Actor, roles: readonly string[]) => actor.roles.some((r) => roles.includes(r));

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
      return hasRole(actor, STAFF) && actor.agencyId === app.agencyId;
    case 'issuing_head':
      return actor.roles.includes('agency_head') && actor.agencyId === app.issuingAgencyId;
    case 'issuing':
      return hasRole(actor, STAFF) && actor.agencyId === app.issuingAgencyId;
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

@Injectable()
export class ApplicationsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly events: EventRecorder,
    private readonly calendar: CalendarClient,
    private readonly documents: DocumentsRepository,
    private readonly rpc: RpcClient,
    private readonly idempotency: IdempotentWrites,
  ) {}

  private async permitType(m: EntityManager, code: string): Promise<PermitType> {
    const type = await m.getRepository(PermitType).findOne({ where: { code } });
    if (!type) throw new DomainError('PERMITS.PERMIT_TYPE_NOT_FOUND', `no permit type ${code}`, [{ field: 'permitTypeCode', message: 'unknown permit type', rule: 'exists' }]);
    return type;
  }

  async create(actor: Actor, request: CreateApplicationRequest, idempotencyKey?: string): Promise<ApplicationResponse> {
    const type = await this.permitType(this.db.manager, request.permitTypeCode);
    if (!type.active) throw new DomainError('PERMITS.PERMIT_TYPE_INACTIVE', `${type.code} is not open for applications`);
    const problems = checkForm(type.formFields, request.formData, false);
    if (problems.length) throw new DomainError('PERMITS.INVALID_FORM', 'form data does not fit the permit type', problems);
    return this.idempotency.run('permits.application.create', actor.id, idempotencyKey, request, async (m) => {
      const [{ seq }] = await m.query(`SELECT nextval('application_number_seq') AS seq`);
      const app = await m.getRepository(Application).save(
        m.getRepository(Application).create({
          number: `PRM-${jakartaDate(new Date()).slice(0, 4)}-${String(seq).padStart(6, '0')}`,
          permitTypeCode: type.code,
          agencyId: type.agencyId,
          issuingAgencyId: type.issuingAgencyId,
          applicantId: actor.id,
          status: 'draft',
          formData: request.formData,
          location: request.location ? { ...request.location } : null,
          fee: type.fee,
          slaWorkingDays: type.slaWorkingDays,
          validityMonths: type.validityMonths,
        }),
      );
      const history = await this.history(m, app, 'create', null, actor, undefined);
      return toApplicationResponse(app, [history]);
    });
  }

  private history(m: EntityManager, app: Application, action: string, from: string | null, actor: Actor | null, note: string | undefined) {
    return m.getRepository(ApplicationHistory).save(
      m.getRepository(ApplicationHistory).create({
        applicationId: app.id,
        action,
        fromStatus: from,
        toStatus: app.status,
        actorId: actor?.id ?? null,
        actorRole: actor?.roles[0] ?? 'system',
        note: note ?? null,
      }),
    );
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
      const app = await m.getRepository(Application).findOne({ where: { id: command.id }, lock: { mode: 'pessimistic_write' } });
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
      if (action === 'submit' || action === 'resubmit') {
        const type = await this.permitType(m, app.permitTypeCode);
        const problems = checkForm(type.formFields, app.formData, true);
        if (problems.length) throw new DomainError('PERMITS.INVALID_FORM', 'the form is not complete', problems);
        const uploaded = new Set(await this.documents.codes(m, app.id));
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
      await m.getRepository(Application).save(app);
      await this.history(m, app, action, from, actor, command.note);
      const actorRole = actor?.roles[0] ?? 'system';
      if (action === 'submit') {
        await this.events.record(m, 'permits.application.submitted.v1', {
          applicationId: app.id,
          number: app.number,
          permitTypeCode: app.permitTypeCode,
          agencyId: app.agencyId,
          dueAt: app.dueAt!.toISOString(),
          issuingAgencyId: app.issuingAgencyId,
        });
      }
      await this.events.record(m, 'permits.application.status_changed.v1', {
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
      });
      if (action === 'issue') {
        await this.events.record(m, 'permits.application.issued.v1', {
          applicationId: app.id,
          certificateNumber: app.certificateNumber!,
          verificationCode: app.verificationCode!,
          ...(app.expiresAt ? { expiresAt: app.expiresAt.toISOString() } : {}),
        });
      }
      return toApplicationResponse(app);
    });
  }

  /** The applicant's name from identity, for the certificate (asked with the system's authority). */
  private async holderName(id: string): Promise<string | null> {
    const app = await this.db.getRepository(Application).findOne({ where: { id }, select: { id: true, applicantId: true } });
    if (!app) return null;
    const user = await this.rpc.send(SUBJECTS.identity.getUser, { id: app.applicantId }, { actor: { id: 'permits', roles: ['admin'] } });
    return user.fullName;
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
    const history = await this.db.getRepository(ApplicationHistory).find({ where: { applicationId: id }, order: { seq: 'ASC' } });
    return { ...toApplicationResponse(app, history), documents: await this.documents.list(this.db.manager, id) };
  }

  /** Lists scoped to the caller: a citizen's own, staff their agency's queue, admins and auditors all. */
  async list(actor: Actor, query: ListApplicationsRequest): Promise<Page<ApplicationResponse>> {
    const qb = this.db.getRepository(Application).createQueryBuilder('a');
    const admin = hasRole(actor, ['admin', 'auditor']);
    const staff = hasRole(actor, STAFF) && !!actor.agencyId;
    if (!admin) {
      if (staff) qb.andWhere(`(a.agencyId = :mine OR a.issuingAgencyId = :mine) AND a.status <> 'draft'`, { mine: actor.agencyId });
      else qb.andWhere('a.applicantId = :me', { me: actor.id });
    }
    if (query.status) qb.andWhere('a.status = :status', { status: query.status });
    if (query.permitTypeCode) qb.andWhere('a.permitTypeCode = :type', { type: query.permitTypeCode });
    if (query.agencyId) qb.andWhere('(a.agencyId = :agency OR a.issuingAgencyId = :agency)', { agency: query.agencyId });
    if (query.from) qb.andWhere('a.createdAt >= :from', { from: new Date(query.from) });
    if (query.to) qb.andWhere('a.createdAt < :to', { to: new Date(query.to) });
    if (query.overdue !== undefined) {
      const condition = `(a.status IN (:...open) AND a.dueAt < now())`;
      qb.andWhere(query.overdue ? condition : `NOT ${condition}`, { open: [...OPEN_STATUSES] });
    }
    const sort = query.sort ?? (admin || staff ? 'dueAt' : '-createdAt');
    const direction = sort.startsWith('-') ? 'DESC' : 'ASC';
    // created_at is NOT NULL: no NULLS clause, so the (applicant_id, created_at DESC) index serves the sort.
    if (sort.endsWith('dueAt')) qb.orderBy('a.dueAt', direction, 'NULLS LAST');
    else qb.orderBy('a.createdAt', direction);
    qb.addOrderBy('a.id', 'ASC');
    const { skip, take } = pageOffset(query);
    const [rows, total] = await qb.skip(skip).take(take).getManyAndCount();
    return pageOf(rows.map((r) => toApplicationResponse(r)), total, query);
  }
}
