import { EventData, EventType, RegencyCloudEvent } from '@smart-regency/contracts';
import { buildEvent } from '@smart-regency/platform';

/**
 * A scripted history of four complaints and five permit applications, with the figures a person
 * would count by hand (see the comments). Times are UTC; reports count Jakarta days (UTC+7).
 */
export const AGENCY_A = '0a0a0a0a-0000-4000-8000-00000000000a';
export const AGENCY_B = '0b0b0b0b-0000-4000-8000-00000000000b';
export const TECH_P = '0c0c0c0c-0000-4000-8000-00000000000c';
export const TECH_Q = '0d0d0d0d-0000-4000-8000-00000000000d';
export const ISSUER = '0e0e0e0e-0000-4000-8000-00000000000e';

export const C = ['c1', 'c2', 'c3', 'c4'].map((_, i) => `c0000000-0000-4000-8000-00000000000${i + 1}`);
export const P = ['p1', 'p2', 'p3', 'p4', 'p5'].map((_, i) => `a0000000-0000-4000-8000-00000000000${i + 1}`);

type Step = [time: string, type: EventType, data: Record<string, unknown>];

const received = (id: string, agencyId: string, at: string, dueAt: string): Step => [
  at,
  'complaints.complaint.received.v1',
  {
    complaintId: id,
    trackingNumber: `LPR-${id.slice(-4)}`,
    categoryCode: 'roads-bridges',
    agencyId,
    visibility: 'public',
    location: { lat: 2.3, lng: 99.6, district: 'Aek Kuo' },
    dueAt,
    finalDueAt: '2027-01-01T00:00:00.000Z',
  },
];
const complaintChange = (id: string, action: string, fromStatus: string, toStatus: string, at: string, agencyId: string | null, stageDueAt?: string, dueAt?: string): Step => [
  at,
  'complaints.complaint.status_changed.v1',
  {
    complaintId: id,
    fromStatus,
    toStatus,
    action,
    ...(agencyId ? { agencyId } : {}),
    at,
    categoryCode: 'roads-bridges',
    visibility: 'public',
    ...(stageDueAt ? { stageDueAt } : {}),
    ...(dueAt ? { dueAt } : {}),
  },
];
const submitted = (id: string, agencyId: string, at: string, dueAt: string): Step[] => [
  [at, 'permits.application.submitted.v1', { applicationId: id, number: `PRM-${id.slice(-4)}`, permitTypeCode: 'PBG', agencyId, dueAt, issuingAgencyId: ISSUER }],
  permitChange(id, 'submit', 'draft', 'submitted', at, agencyId, dueAt),
];
function permitChange(id: string, action: string, fromStatus: string, toStatus: string, at: string, agencyId: string, dueAt?: string): Step {
  return [
    at,
    'permits.application.status_changed.v1',
    {
      applicationId: id,
      fromStatus,
      toStatus,
      action,
      actorRole: action === 'submit' || action === 'resubmit' || action === 'withdraw' ? 'citizen' : 'officer',
      at,
      permitTypeCode: 'PBG',
      agencyId,
      issuingAgencyId: ISSUER,
      ...(dueAt ? { dueAt } : {}),
    },
  ];
}

/** Each record's events in the order its service committed them. */
export const HISTORY: Record<string, Step[]> = {
  // C1 (agency A): every stage in time; answered after 96 h; rated 4; confirmed (closed).
  [C[0]]: [
    received(C[0], AGENCY_A, '2026-11-02T01:00:00.000Z', '2026-11-05T01:00:00.000Z'),
    complaintChange(C[0], 'verify', 'received', 'verified', '2026-11-03T01:00:00.000Z', AGENCY_A, '2026-11-05T01:00:00.000Z', '2026-11-05T01:00:00.000Z'),
    complaintChange(C[0], 'dispose', 'verified', 'dispositioned', '2026-11-04T01:00:00.000Z', AGENCY_A, '2026-11-05T01:00:00.000Z', '2026-11-11T01:00:00.000Z'),
    complaintChange(C[0], 'resolve', 'dispositioned', 'resolved', '2026-11-06T01:00:00.000Z', AGENCY_A, '2026-11-11T01:00:00.000Z', '2026-11-20T01:00:00.000Z'),
    ['2026-11-07T01:00:00.000Z', 'complaints.complaint.rated.v1', { complaintId: C[0], score: 4 }],
    complaintChange(C[0], 'confirm', 'resolved', 'closed', '2026-11-08T01:00:00.000Z', AGENCY_A, '2026-11-20T01:00:00.000Z'),
  ],
  // C2: received 18:00 UTC = next Jakarta day (11-03) at agency A; verified late (escalated), then
  // disposed to agency B, which answers in time: handled, but not within the deadlines. 177 h.
  [C[1]]: [
    received(C[1], AGENCY_A, '2026-11-02T18:00:00.000Z', '2026-11-06T18:00:00.000Z'),
    ['2026-11-07T00:00:00.000Z', 'complaints.complaint.escalated.v1', { complaintId: C[1], agencyId: AGENCY_A, stage: 'verification', dueAt: '2026-11-06T18:00:00.000Z' }],
    complaintChange(C[1], 'verify', 'received', 'verified', '2026-11-09T02:00:00.000Z', AGENCY_A, '2026-11-06T18:00:00.000Z', '2026-11-06T18:00:00.000Z'),
    complaintChange(C[1], 'dispose', 'verified', 'dispositioned', '2026-11-09T03:00:00.000Z', AGENCY_B, '2026-11-06T18:00:00.000Z', '2026-11-16T03:00:00.000Z'),
    complaintChange(C[1], 'resolve', 'dispositioned', 'resolved', '2026-11-10T03:00:00.000Z', AGENCY_B, '2026-11-16T03:00:00.000Z', '2026-11-24T03:00:00.000Z'),
  ],
  // C3 (agency B): rejected within the verification deadline: handled in time, no answer time.
  [C[2]]: [
    received(C[2], AGENCY_B, '2026-11-04T02:00:00.000Z', '2026-11-07T02:00:00.000Z'),
    complaintChange(C[2], 'reject', 'received', 'rejected', '2026-11-05T02:00:00.000Z', AGENCY_B, '2026-11-07T02:00:00.000Z'),
  ],
  // C4 (agency A): still waiting for verification.
  [C[3]]: [received(C[3], AGENCY_A, '2026-11-05T02:00:00.000Z', '2026-11-10T02:00:00.000Z')],
  // P1 (technical agency P): approved in time with a fee, paid, issued. 72 h to the decision.
  [P[0]]: [
    ...submitted(P[0], TECH_P, '2026-11-02T03:00:00.000Z', '2026-11-09T03:00:00.000Z'),
    permitChange(P[0], 'verify', 'submitted', 'verified', '2026-11-03T03:00:00.000Z', TECH_P, '2026-11-09T03:00:00.000Z'),
    permitChange(P[0], 'recommend', 'verified', 'recommended', '2026-11-04T03:00:00.000Z', TECH_P, '2026-11-09T03:00:00.000Z'),
    permitChange(P[0], 'approve', 'recommended', 'awaiting_payment', '2026-11-05T03:00:00.000Z', TECH_P, '2026-11-09T03:00:00.000Z'),
    permitChange(P[0], 'record-payment', 'awaiting_payment', 'approved', '2026-11-06T03:00:00.000Z', TECH_P, '2026-11-09T03:00:00.000Z'),
    permitChange(P[0], 'issue', 'approved', 'issued', '2026-11-06T04:00:00.000Z', TECH_P, '2026-11-09T03:00:00.000Z'),
    ['2026-11-06T04:00:00.000Z', 'permits.application.issued.v1', { applicationId: P[0], certificateNumber: 'PBG/2026/000001', verificationCode: 'abc' }],
  ],
  // P2 (P): revision requested, resubmitted (the clock restarts), rejected before the new deadline. 336 h.
  [P[1]]: [
    ...submitted(P[1], TECH_P, '2026-11-02T04:00:00.000Z', '2026-11-09T04:00:00.000Z'),
    permitChange(P[1], 'request-revision', 'submitted', 'revision_requested', '2026-11-03T04:00:00.000Z', TECH_P, '2026-11-09T04:00:00.000Z'),
    permitChange(P[1], 'resubmit', 'revision_requested', 'submitted', '2026-11-10T04:00:00.000Z', TECH_P, '2026-11-17T04:00:00.000Z'),
    permitChange(P[1], 'reject', 'submitted', 'rejected', '2026-11-16T04:00:00.000Z', TECH_P, '2026-11-17T04:00:00.000Z'),
  ],
  // P3 (P): reported overdue, approved late (no fee). 216 h.
  [P[2]]: [
    ...submitted(P[2], TECH_P, '2026-11-03T00:00:00.000Z', '2026-11-10T00:00:00.000Z'),
    ['2026-11-10T01:00:00.000Z', 'permits.application.overdue.v1', { applicationId: P[2], agencyId: TECH_P, dueAt: '2026-11-10T00:00:00.000Z' }],
    permitChange(P[2], 'verify', 'submitted', 'verified', '2026-11-11T00:00:00.000Z', TECH_P, '2026-11-10T00:00:00.000Z'),
    permitChange(P[2], 'recommend', 'verified', 'recommended', '2026-11-11T12:00:00.000Z', TECH_P, '2026-11-10T00:00:00.000Z'),
    permitChange(P[2], 'approve', 'recommended', 'approved', '2026-11-12T00:00:00.000Z', TECH_P, '2026-11-10T00:00:00.000Z'),
  ],
  // P4 (P): withdrawn by the applicant.
  [P[3]]: [
    ...submitted(P[3], TECH_P, '2026-11-04T00:00:00.000Z', '2026-11-11T00:00:00.000Z'),
    permitChange(P[3], 'withdraw', 'submitted', 'withdrawn', '2026-11-05T00:00:00.000Z', TECH_P),
  ],
  // P5 (technical agency Q): waiting.
  [P[4]]: [...submitted(P[4], TECH_Q, '2026-11-04T10:00:00.000Z', '2026-11-11T10:00:00.000Z')],
};

export function historyEvents(): Record<string, RegencyCloudEvent[]> {
  return Object.fromEntries(
    Object.entries(HISTORY).map(([id, steps]) => [id, steps.map(([time, type, data]) => buildEvent(type, data as EventData<typeof type>, new Date(time)))]),
  );
}

/**
 * Interleaves the records' events so that records arrive out of order relative to each other
 * (later records first, times mixed), while each record keeps its own order, as the stream
 * guarantees.
 */
export function interleave(byRecord: Record<string, RegencyCloudEvent[]>): RegencyCloudEvent[] {
  const queues = Object.values(byRecord).reverse().map((q) => [...q]);
  const out: RegencyCloudEvent[] = [];
  for (let round = 0; queues.some((q) => q.length); round++) {
    for (let i = 0; i < queues.length; i++) {
      const q = queues[(i + round) % queues.length];
      const e = q.shift();
      if (e) out.push(e);
    }
  }
  return out;
}
