import { APPLICATION_STATUSES, ApplicationStatus } from '@smart-regency/contracts';
import { ContextRow, notificationContextOf, queueAgency, QUEUE_SIDE } from './notification-context';

const TECHNICAL = '11111111-1111-4111-8111-111111111111';
const ISSUING = '22222222-2222-4222-8222-222222222222';
const APPLICANT = '33333333-3333-4333-8333-333333333333';

const row = (overrides: Partial<ContextRow> = {}): ContextRow => ({
  id: '44444444-4444-4444-8444-444444444444',
  number: 'PRM-2026-000042',
  permitTypeCode: 'REKLAME',
  agencyId: TECHNICAL,
  issuingAgencyId: ISSUING,
  applicantId: APPLICANT,
  status: 'submitted',
  fee: 0,
  dueAt: null,
  certificateNumber: null,
  verificationCode: null,
  expiresAt: null,
  applicantErasedAt: null,
  matched: null,
  latest: { action: 'submit', fromStatus: 'draft', toStatus: 'submitted', note: null },
  ...overrides,
});

describe('the queue an application is in', () => {
  it.each<[ApplicationStatus, string]>([
    ['submitted', TECHNICAL],
    ['verified', TECHNICAL],
    ['revision_requested', TECHNICAL],
    ['recommended', ISSUING],
    ['awaiting_payment', ISSUING],
    ['approved', ISSUING],
    ['issued', ISSUING],
    ['rejected', ISSUING],
    ['revoked', ISSUING],
    ['expired', ISSUING],
  ])('%s → %s', (status, agency) => expect(queueAgency(row(), status, null)).toBe(agency));

  it('keeps a withdrawn application with the agency it was withdrawn from', () => {
    expect(queueAgency(row(), 'withdrawn', 'verified')).toBe(TECHNICAL);
    expect(queueAgency(row(), 'withdrawn', 'recommended')).toBe(ISSUING);
    expect(queueAgency(row(), 'withdrawn', null)).toBe(TECHNICAL);
  });

  it('has a side for every status', () => expect(Object.keys(QUEUE_SIDE).sort()).toEqual([...APPLICATION_STATUSES].sort()));
});

describe('the context of an event', () => {
  it('names the applicant, the queue, the link and only the variables the application has', () => {
    expect(notificationContextOf(row({ dueAt: new Date('2026-12-10T09:00:00.000Z') }), 'Izin Reklame', 'https://izin.example.go.id')).toEqual({
      found: true,
      agencyId: TECHNICAL,
      recipients: [{ userId: APPLICANT, role: 'applicant' }],
      variables: { number: 'PRM-2026-000042', permitType: 'Izin Reklame', status: 'submitted', dueAt: '2026-12-10T09:00:00.000Z' },
      link: '/permit-applications/44444444-4444-4444-8444-444444444444',
    });
  });

  it("takes the status, queue and note from the event's history entry, not from what happened since", () => {
    const context = notificationContextOf(
      row({ status: 'recommended', matched: { action: 'request-revision', fromStatus: 'verified', toStatus: 'revision_requested', note: 'Lengkapi denah' } }),
      'Izin Reklame',
      'https://x.go.id',
    );
    expect(context).toMatchObject({ agencyId: TECHNICAL, variables: { status: 'revision_requested', note: 'Lengkapi denah' } });
    // The latest entry is not the event's: its note is not given.
    expect(notificationContextOf(row({ status: 'verified', latest: { action: 'verify', fromStatus: 'submitted', toStatus: 'verified', note: 'x' } }), 'T', 'https://x.go.id').variables.note).toBeUndefined();
  });

  it('gives the fee as digits, the certificate and its verification address, and tells nobody once the applicant is erased', () => {
    const issued = row({
      status: 'issued',
      fee: 150000,
      certificateNumber: 'REKLAME/2026/000007',
      verificationCode: 'abc_DEF-123',
      expiresAt: new Date('2027-12-06T00:00:00.000Z'),
      applicantErasedAt: new Date(),
    });
    const context = notificationContextOf(issued, 'Izin Reklame', 'https://izin.example.go.id');
    expect(context.recipients).toEqual([]);
    expect(context.variables).toMatchObject({
      fee: '150000',
      certificateNumber: 'REKLAME/2026/000007',
      verificationUrl: 'https://izin.example.go.id/api/v1/permits/verify/abc_DEF-123',
      expiresAt: '2027-12-06T00:00:00.000Z',
    });
    expect(context.agencyId).toBe(ISSUING);
  });
});
