import { Actor, APPLICATION_ACTIONS, APPLICATION_LIFECYCLE, ApplicationAction, ApplicationStatus, Transition } from '@smart-regency/contracts';
import { addWorkingDays, auditChanges, DomainError, hasRole, HolidayCalendar, jakartaDate, PendingEvent, STAFF_ROLES } from '@smart-regency/platform';
import type { PermitType } from '../permit-types/permit-type.entity';
import type { Application } from './application.entity';
import { checkForm } from './form';

/**
 * The rules of an application's lifecycle actions, as pure functions: who may act, from which
 * status, what each action changes, and the history entry, events and audit entry it leads to.
 * ApplicationsService locks the row, reads what an action needs (`needs`), calls `decide`, and
 * ApplicationsRepository writes the decision in one statement. Unit-tested as a table in
 * application.rules.spec.ts.
 */

/** What the audit trail keeps of an application's changes (personal values only as "[personal]"). */
export const AUDITED_FIELDS = ['number', 'permitTypeCode', 'agencyId', 'issuingAgencyId', 'status', 'formData', 'location', 'fee', 'submittedAt', 'dueAt', 'decidedAt', 'issuedAt', 'certificateNumber', 'expiresAt', 'holderName', 'version'];

export interface ApplicationCommand {
  action: string;
  note?: string;
  ifMatch?: number;
}

/** What some actions need besides the application, read by the service before deciding. */
export interface DecisionContext {
  now: Date;
  /** Submit and resubmit: the regency's calendar (the SLA in working days), the permit type and the uploaded documents' codes. */
  calendar?: HolidayCalendar;
  permitType?: Pick<PermitType, 'formFields' | 'requiredDocuments'>;
  uploaded?: ReadonlySet<string>;
  /** Issue: the certificate's sequence number and its verification code. */
  certificateSeq?: number;
  verificationCode?: string;
  /** Submit (and issue, when the application has none kept): the applicant's name, from identity. */
  holderName?: string | null;
}

export interface ApplicationDecision {
  action: ApplicationAction;
  from: ApplicationStatus;
  next: Application;
  history: { action: ApplicationAction; fromStatus: ApplicationStatus; toStatus: ApplicationStatus; actorId: string | null; actorRole: string; note: string | null; at: Date };
  events: PendingEvent[];
  audit: { action: string; changes: Record<string, unknown> };
}

export function mayAct(actor: Actor | null, by: Transition['by'], app: Pick<Application, 'applicantId' | 'agencyId' | 'issuingAgencyId'>): boolean {
  if (!actor) return by.includes('system');
  return by.some((kind) => {
    switch (kind) {
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
  });
}

/**
 * Whether the action may be taken at all (the action exists and is not the system's alone when a
 * person asks, the version is the one the caller saw, the status allows it, the actor may): a
 * DomainError when not. Returns what `decide` will need read first.
 */
export function permitted(app: Application, command: ApplicationCommand, actor: Actor | null): { needs: 'form' | 'certificate' | null } {
  const action = command.action as ApplicationAction;
  if (!APPLICATION_ACTIONS.includes(action) || (action === 'expire' && actor)) {
    throw new DomainError('PERMITS.UNKNOWN_ACTION', `unknown action ${command.action}`, [{ field: 'action', message: 'unknown action', rule: 'isIn' }]);
  }
  if (command.ifMatch !== undefined && command.ifMatch !== app.version) {
    throw new DomainError('PERMITS.VERSION_MISMATCH', `version is ${app.version}, not ${command.ifMatch}`);
  }
  const transition = APPLICATION_LIFECYCLE.find(action, app.status);
  if (!transition) throw new DomainError('PERMITS.INVALID_TRANSITION', `cannot ${action} an application that is ${app.status}`);
  if (!mayAct(actor, transition.by, app)) throw new DomainError('PERMITS.NOT_ALLOWED', `${action} is for ${transition.by.map((k) => k.replace('_', ' ')).join(' or ')}`);
  return { needs: action === 'submit' || action === 'resubmit' ? 'form' : action === 'issue' ? 'certificate' : null };
}

/** Statuses in which the applicant adds or replaces documents: before submission, and when asked to revise. */
export const DOCUMENTS_OPEN: readonly ApplicationStatus[] = ['draft', 'revision_requested'];

/**
 * Whether `actor` may upload the document `documentCode` to an application they see (the service
 * answers 404 to anyone who does not): only the applicant, only while the documents are open, only
 * a document the permit type asks for (`permitType` null: the type is gone). A DomainError, in that
 * order, when not.
 */
export function mayUpload(
  app: Pick<Application, 'applicantId' | 'status' | 'permitTypeCode'>,
  actor: Actor,
  { documentCode, permitType }: { documentCode: string; permitType: Pick<PermitType, 'requiredDocuments'> | null },
): void {
  if (app.applicantId !== actor.id) throw new DomainError('PERMITS.NOT_ALLOWED', 'only the applicant uploads documents');
  if (!DOCUMENTS_OPEN.includes(app.status)) throw new DomainError('PERMITS.DOCUMENTS_LOCKED', `the application is ${app.status}`);
  if (!permitType?.requiredDocuments.some((d) => d.code === documentCode)) {
    throw new DomainError('PERMITS.UNKNOWN_DOCUMENT', `${app.permitTypeCode} has no document ${documentCode}`);
  }
}

export function addMonths(date: Date, months: number): Date {
  const d = new Date(date);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d;
}

/** Decides one lifecycle action on an application as it stands (locked by the caller): the change, or the refusal. */
export function decide(app: Application, command: ApplicationCommand, actor: Actor | null, ctx: DecisionContext): ApplicationDecision {
  permitted(app, command, actor);
  const action = command.action as ApplicationAction;
  const transition = APPLICATION_LIFECYCLE.find(action, app.status)!;
  const { now } = ctx;
  const next: Application = { ...app };
  if (action === 'submit' || action === 'resubmit') {
    if (!ctx.permitType || !ctx.calendar || !ctx.uploaded) throw new Error(`${action} needs the permit type, the calendar and the uploaded documents`);
    const problems = checkForm(ctx.permitType.formFields, app.formData, true);
    if (problems.length) throw new DomainError('PERMITS.INVALID_FORM', 'the form is not complete', problems);
    const missing = ctx.permitType.requiredDocuments.filter((d) => d.required && !ctx.uploaded!.has(d.code));
    if (missing.length) {
      throw new DomainError(
        'PERMITS.MISSING_DOCUMENTS',
        `missing ${missing.map((d) => d.code).join(', ')}`,
        missing.map((d) => ({ field: `documents.${d.code}`, message: `${d.name} is required`, rule: 'required' })),
      );
    }
    // The SLA clock starts at submission, and again at a resubmission after a revision request.
    next.submittedAt ??= now;
    // The holder's name for the certificate, asked of identity once, at the first submission.
    if (action === 'submit' && ctx.holderName) next.holderName = ctx.holderName;
    next.dueAt = addWorkingDays(now, app.slaWorkingDays, ctx.calendar);
    next.overdueNotifiedAt = null;
  }
  if (action === 'approve' || action === 'reject') next.decidedAt = now;
  if (action === 'issue') {
    if (ctx.certificateSeq === undefined || !ctx.verificationCode) throw new Error('issue needs a certificate number and a verification code');
    next.issuedAt = now;
    next.certificateNumber = `${app.permitTypeCode}/${jakartaDate(now).slice(0, 4)}/${String(ctx.certificateSeq).padStart(6, '0')}`;
    next.verificationCode = ctx.verificationCode;
    next.expiresAt = app.validityMonths > 0 ? addMonths(now, app.validityMonths) : null;
    // Kept since submission; an application submitted before names were kept gets it now.
    next.holderName = app.holderName ?? ctx.holderName ?? null;
  }
  next.status = APPLICATION_LIFECYCLE.target(transition, { fee: app.fee });
  next.version = app.version + 1;
  // `system` names the scheduled job (no actor), never a person.
  const actorRole = actor ? actor.roles[0] : 'system';
  const events: PendingEvent[] = [];
  if (action === 'submit') {
    events.push({
      type: 'permits.application.submitted.v1',
      data: { applicationId: app.id, number: app.number, permitTypeCode: app.permitTypeCode, agencyId: app.agencyId, dueAt: next.dueAt!.toISOString(), issuingAgencyId: app.issuingAgencyId },
    });
  }
  events.push({
    type: 'permits.application.status_changed.v1',
    data: {
      applicationId: app.id,
      fromStatus: app.status,
      toStatus: next.status,
      action,
      actorRole,
      at: now.toISOString(),
      permitTypeCode: app.permitTypeCode,
      agencyId: app.agencyId,
      issuingAgencyId: app.issuingAgencyId,
      ...(next.dueAt ? { dueAt: next.dueAt.toISOString() } : {}),
    },
  });
  if (action === 'issue') {
    events.push({
      type: 'permits.application.issued.v1',
      data: { applicationId: app.id, certificateNumber: next.certificateNumber!, verificationCode: next.verificationCode!, ...(next.expiresAt ? { expiresAt: next.expiresAt.toISOString() } : {}) },
    });
  }
  return {
    action,
    from: app.status,
    next,
    history: { action, fromStatus: app.status, toStatus: next.status, actorId: actor?.id ?? null, actorRole, note: command.note ?? null, at: now },
    events,
    audit: { action: `application.${action}`, changes: { ...auditChanges(app, next, { only: AUDITED_FIELDS }), ...(command.note ? { note: '[personal]' } : {}) } },
  };
}
