import { Actor, APPLICATION_ACTIONS, APPLICATION_STATUSES, ApplicationAction, ApplicationStatus } from '@smart-regency/contracts';
import { calendarOf, DomainError } from '@smart-regency/platform';
import { randomUUID } from 'node:crypto';
import type { Application } from './application.entity';
import { DecisionContext, decide, mayUpload } from './application.rules';

/* A fixed clock and calendar: Monday 7 December 2026, 10:00 WIB; no holidays unless a test names them. */
const NOW = new Date('2026-12-07T03:00:00Z');
const TECHNICAL = randomUUID();
const ISSUING = randomUUID();
const APPLICANT = randomUUID();

const application = (status: ApplicationStatus, over: Partial<Application> = {}): Application =>
  ({
    id: randomUUID(),
    number: 'PRM-2026-000042',
    permitTypeCode: 'PBG',
    agencyId: TECHNICAL,
    issuingAgencyId: ISSUING,
    applicantId: APPLICANT,
    status,
    formData: { usaha: 'Toko Sinar Jaya' },
    location: null,
    fee: 0,
    slaWorkingDays: 5,
    validityMonths: 12,
    submittedAt: status === 'draft' ? null : new Date('2026-12-01T03:00:00Z'),
    dueAt: null,
    overdueNotifiedAt: null,
    decidedAt: null,
    issuedAt: null,
    certificateNumber: null,
    verificationCode: null,
    expiresAt: null,
    holderName: null,
    createdAt: new Date('2026-11-30T03:00:00Z'),
    updatedAt: new Date('2026-12-01T03:00:00Z'),
    version: 3,
    ...over,
  }) as Application;

const CONTEXT: DecisionContext = {
  now: NOW,
  calendar: calendarOf([]),
  permitType: { formFields: [{ code: 'usaha', label: 'Nama usaha', type: 'text', required: true }], requiredDocuments: [{ code: 'KTP', name: 'KTP pemohon', required: true }] },
  uploaded: new Set(['KTP']),
  certificateSeq: 7,
  verificationCode: 'kode-verifikasi-uji',
  holderName: 'Rahmawati Siregar',
};

const ROLES: Record<string, Actor | null> = {
  owner: { id: APPLICANT, roles: ['citizen'] },
  otherCitizen: { id: randomUUID(), roles: ['citizen'] },
  technicalOfficer: { id: randomUUID(), roles: ['officer'], agencyId: TECHNICAL },
  technicalHead: { id: randomUUID(), roles: ['agency_head'], agencyId: TECHNICAL },
  issuingOfficer: { id: randomUUID(), roles: ['officer'], agencyId: ISSUING },
  issuingHead: { id: randomUUID(), roles: ['agency_head'], agencyId: ISSUING },
  admin: { id: randomUUID(), roles: ['admin'] },
  auditor: { id: randomUUID(), roles: ['auditor'] },
  system: null,
};

/**
 * The rules as the product states them (PRODUCT.md: the technical agency verifies and recommends,
 * the issuing agency's head decides, its counter takes payment and issues), written out here apart
 * from the transition table. Everything not listed is refused. `expire` is the scheduled job's: a
 * person asking for it asks for an action that does not exist.
 */
const TECHNICAL_STAFF = ['technicalOfficer', 'technicalHead'];
const ISSUING_STAFF = ['issuingOfficer', 'issuingHead'];
const EXPECTED: Record<ApplicationAction, { from: Partial<Record<ApplicationStatus, ApplicationStatus>>; by: string[] }> = {
  submit: { from: { draft: 'submitted' }, by: ['owner'] },
  verify: { from: { submitted: 'verified' }, by: TECHNICAL_STAFF },
  'request-revision': { from: { submitted: 'revision_requested', verified: 'revision_requested' }, by: TECHNICAL_STAFF },
  resubmit: { from: { revision_requested: 'submitted' }, by: ['owner'] },
  recommend: { from: { verified: 'recommended' }, by: TECHNICAL_STAFF },
  approve: { from: { recommended: 'approved' }, by: ['issuingHead'] },
  reject: { from: { submitted: 'rejected', verified: 'rejected', recommended: 'rejected' }, by: ['issuingHead'] },
  'record-payment': { from: { awaiting_payment: 'approved' }, by: ISSUING_STAFF },
  issue: { from: { approved: 'issued' }, by: ISSUING_STAFF },
  revoke: { from: { issued: 'revoked' }, by: ISSUING_STAFF },
  withdraw: { from: { draft: 'withdrawn', submitted: 'withdrawn', revision_requested: 'withdrawn', verified: 'withdrawn', recommended: 'withdrawn' }, by: ['owner'] },
  expire: { from: { issued: 'expired' }, by: ['system'] },
};

const outcome = (app: Application, action: string, actor: Actor | null, context: DecisionContext = CONTEXT) => {
  try {
    return decide(app, { action, note: 'Catatan' }, actor, context).next.status;
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
};

describe('application rules: every action × status × role', () => {
  const cases = APPLICATION_ACTIONS.flatMap((action) => APPLICATION_STATUSES.flatMap((status) => Object.keys(ROLES).map((role) => [action, status, role] as const)));

  it.each(cases)('%s from %s by %s', (action, status, role) => {
    const to = EXPECTED[action].from[status];
    const expected =
      action === 'expire' && role !== 'system' ? 'PERMITS.UNKNOWN_ACTION' : !to ? 'PERMITS.INVALID_TRANSITION' : EXPECTED[action].by.includes(role) ? to : 'PERMITS.NOT_ALLOWED';
    expect(outcome(application(status), action, ROLES[role])).toBe(expected);
  });

  it('covers every action and status', () => {
    expect(cases).toHaveLength(APPLICATION_ACTIONS.length * APPLICATION_STATUSES.length * Object.keys(ROLES).length);
  });
});

describe('application rules: what each action changes', () => {
  it('starts the SLA clock in working days at submission (the weekend skipped), with the submitted event first', () => {
    const d = decide(application('draft'), { action: 'submit' }, ROLES.owner, CONTEXT);
    expect(d.next).toMatchObject({ status: 'submitted', submittedAt: NOW, version: 4 });
    expect(d.next.dueAt!.toISOString().slice(0, 10)).toBe('2026-12-14');
    expect(d.events.map((e) => e.type)).toEqual(['permits.application.submitted.v1', 'permits.application.status_changed.v1']);
    // A holiday in the window moves the deadline a day.
    expect(decide(application('draft'), { action: 'submit' }, ROLES.owner, { ...CONTEXT, calendar: calendarOf(['2026-12-09']) }).next.dueAt!.toISOString().slice(0, 10)).toBe('2026-12-15');
  });

  it('keeps the first submission time on a resubmission, and starts the clock again', () => {
    const d = decide(application('revision_requested', { dueAt: new Date('2026-12-02T03:00:00Z'), overdueNotifiedAt: new Date('2026-12-03T03:00:00Z') }), { action: 'resubmit' }, ROLES.owner, CONTEXT);
    expect(d.next).toMatchObject({ status: 'submitted', submittedAt: new Date('2026-12-01T03:00:00Z'), overdueNotifiedAt: null });
    expect(d.next.dueAt!.toISOString().slice(0, 10)).toBe('2026-12-14');
    expect(d.events.map((e) => e.type)).toEqual(['permits.application.status_changed.v1']);
  });

  it('refuses a submission with the form incomplete or a required document missing, naming each', () => {
    const incomplete = () => decide(application('draft', { formData: {} }), { action: 'submit' }, ROLES.owner, CONTEXT);
    expect(incomplete).toThrow(expect.objectContaining({ code: 'PERMITS.INVALID_FORM', details: [expect.objectContaining({ field: 'formData.usaha' })] }));
    const noDocument = () => decide(application('draft'), { action: 'submit' }, ROLES.owner, { ...CONTEXT, uploaded: new Set() });
    expect(noDocument).toThrow(expect.objectContaining({ code: 'PERMITS.MISSING_DOCUMENTS', details: [expect.objectContaining({ field: 'documents.KTP' })] }));
  });

  it('sends an approval with a fee to payment first, and records when it was decided', () => {
    const paid = decide(application('recommended', { fee: 250000 }), { action: 'approve' }, ROLES.issuingHead, CONTEXT);
    expect(paid.next).toMatchObject({ status: 'awaiting_payment', decidedAt: NOW });
    expect(decide(application('recommended'), { action: 'reject', note: 'Lokasi jalur hijau' }, ROLES.issuingHead, CONTEXT).next).toMatchObject({ status: 'rejected', decidedAt: NOW });
  });

  it("keeps the holder's name from the first submission, and issues with it", () => {
    const submitted = decide(application('draft'), { action: 'submit' }, ROLES.owner, CONTEXT);
    expect(submitted.next.holderName).toBe('Rahmawati Siregar');
    expect(decide(application('approved', { holderName: 'Nama Saat Pengajuan' }), { action: 'issue' }, ROLES.issuingOfficer, CONTEXT).next.holderName).toBe('Nama Saat Pengajuan');
    // A resubmission asks nothing and keeps it.
    expect(decide(application('revision_requested', { holderName: 'Nama Saat Pengajuan' }), { action: 'resubmit' }, ROLES.owner, { ...CONTEXT, holderName: undefined }).next.holderName).toBe('Nama Saat Pengajuan');
  });

  it('issues with a numbered certificate, a verification code, the holder and an expiry', () => {
    const d = decide(application('approved'), { action: 'issue' }, ROLES.issuingOfficer, CONTEXT);
    expect(d.next).toMatchObject({
      status: 'issued',
      issuedAt: NOW,
      certificateNumber: 'PBG/2026/000007',
      verificationCode: 'kode-verifikasi-uji',
      holderName: 'Rahmawati Siregar',
      expiresAt: new Date('2027-12-07T03:00:00Z'),
    });
    expect(d.events.map((e) => e.type)).toEqual(['permits.application.status_changed.v1', 'permits.application.issued.v1']);
    expect(decide(application('approved', { validityMonths: 0 }), { action: 'issue' }, ROLES.issuingOfficer, CONTEXT).next.expiresAt).toBeNull();
  });

  it('writes the history and the audit entry, the note only as "[personal]" in the trail', () => {
    const d = decide(application('submitted'), { action: 'request-revision', note: 'Lengkapi denah' }, ROLES.technicalOfficer, CONTEXT);
    expect(d.history).toEqual({ action: 'request-revision', fromStatus: 'submitted', toStatus: 'revision_requested', actorId: ROLES.technicalOfficer!.id, actorRole: 'officer', note: 'Lengkapi denah', at: NOW });
    expect(d.audit.action).toBe('application.request-revision');
    expect(d.audit.changes.note).toBe('[personal]');
    expect(JSON.stringify(d.audit)).not.toContain('Lengkapi denah');
  });

  it('refuses a version the caller did not see, and leaves the application as it was', () => {
    const app = application('submitted');
    const before = structuredClone(app);
    expect(() => decide(app, { action: 'verify', ifMatch: 2 }, ROLES.technicalOfficer, CONTEXT)).toThrow(expect.objectContaining({ code: 'PERMITS.VERSION_MISMATCH' }));
    decide(app, { action: 'verify', ifMatch: 3 }, ROLES.technicalOfficer, CONTEXT);
    expect(app).toEqual(before);
  });
});

describe('document upload rules: every status × role × document', () => {
  /**
   * As the product states it: the applicant alone adds or replaces documents, before submission
   * and when asked to revise, and only those the permit type asks for (optional ones too). Who may
   * not see the application never gets here (404); the scheduled job uploads nothing.
   */
  const OPEN: ApplicationStatus[] = ['draft', 'revision_requested'];
  const TYPE = { requiredDocuments: [{ code: 'KTP', name: 'KTP pemohon', required: true }, { code: 'FOTO_LOKASI', name: 'Foto lokasi', required: false }] };
  const DOCUMENTS: Record<string, { code: string; permitType: typeof TYPE | null }> = {
    required: { code: 'KTP', permitType: TYPE },
    optional: { code: 'FOTO_LOKASI', permitType: TYPE },
    notAsked: { code: 'PASPOR', permitType: TYPE },
    typeGone: { code: 'KTP', permitType: null },
  };
  const people = Object.keys(ROLES).filter((role) => ROLES[role]);
  const cases = APPLICATION_STATUSES.flatMap((status) => people.flatMap((role) => Object.keys(DOCUMENTS).map((document) => [status, role, document] as const)));

  const uploadOutcome = (status: ApplicationStatus, role: string, document: string) => {
    try {
      mayUpload(application(status), ROLES[role]!, { documentCode: DOCUMENTS[document].code, permitType: DOCUMENTS[document].permitType });
      return 'uploaded';
    } catch (error) {
      if (error instanceof DomainError) return error.code;
      throw error;
    }
  };

  it.each(cases)('%s by %s, document %s', (status, role, document) => {
    const expected =
      role !== 'owner' ? 'PERMITS.NOT_ALLOWED' : !OPEN.includes(status) ? 'PERMITS.DOCUMENTS_LOCKED' : ['notAsked', 'typeGone'].includes(document) ? 'PERMITS.UNKNOWN_DOCUMENT' : 'uploaded';
    expect(uploadOutcome(status, role, document)).toBe(expected);
  });

  it('covers every status, person and kind of document', () => {
    expect(cases).toHaveLength(APPLICATION_STATUSES.length * people.length * Object.keys(DOCUMENTS).length);
  });
});
