import { Actor, COMPLAINT_STATUSES, ComplaintStatus } from '@smart-regency/contracts';
import { DomainError } from '@smart-regency/platform';
import { randomUUID } from 'node:crypto';
import type { Complaint } from './complaint.entity';
import { decideComment, decideRating } from './complaint-feedback.rules';

/* A fixed clock: Monday 7 December 2026, 10:00 WIB. */
const NOW = new Date('2026-12-07T03:00:00.123Z');
const days = (n: number) => new Date(NOW.getTime() + n * 86_400_000);

const AGENCY = randomUUID();
const OTHER_AGENCY = randomUUID();
const REPORTER = randomUUID();

const complaint = (status: ComplaintStatus, over: Partial<Complaint> = {}): Complaint =>
  ({
    id: randomUUID(),
    trackingNumber: 'LPR-2026-000001',
    categoryCode: 'roads-bridges',
    reporterId: REPORTER,
    title: 'Jalan berlubang',
    description: 'Lubang besar di depan pasar.',
    location: { district: 'Kualuh Hulu' },
    district: 'Kualuh Hulu',
    visibility: 'public',
    status,
    agencyId: AGENCY,
    dueAt: days(2),
    finalDueAt: days(50),
    escalatedStages: [],
    answer: null,
    resolvedAt: null,
    closedAt: null,
    rating: null,
    ratingComment: null,
    createdAt: days(-10),
    updatedAt: days(-1),
    version: 4,
    ...over,
  }) as Complaint;

/** Who may try: the rules see roles, agencies and ids, nothing else. */
const ROLES: Record<string, Actor> = {
  reporter: { id: REPORTER, roles: ['citizen'] },
  // An admin who filed the complaint themselves is its reporter too.
  reporterAdmin: { id: REPORTER, roles: ['admin', 'citizen'] },
  coordinator: { id: randomUUID(), roles: ['admin'] },
  assignedOfficer: { id: randomUUID(), roles: ['officer'], agencyId: AGENCY },
  assignedHead: { id: randomUUID(), roles: ['agency_head'], agencyId: AGENCY },
  otherAgencyOfficer: { id: randomUUID(), roles: ['officer'], agencyId: OTHER_AGENCY },
  otherCitizen: { id: randomUUID(), roles: ['citizen'] },
  auditor: { id: randomUUID(), roles: ['auditor'] },
};

const codeOf = (decision: () => unknown): string => {
  try {
    decision();
    return 'rated';
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
};

describe('rating rules: every status × role × answered or not × rated or not', () => {
  /**
   * As the product states it: only the reporter rates, only an answer that stands (resolved, or
   * closed after it), and once. Those who may not see the complaint never get here (404).
   */
  const RATED_FROM: ComplaintStatus[] = ['resolved', 'closed'];
  const expected = (status: ComplaintStatus, role: string, answered: boolean, rated: boolean) =>
    ROLES[role].id !== REPORTER ? 'COMPLAINTS.NOT_ALLOWED' : !answered || !RATED_FROM.includes(status) ? 'COMPLAINTS.NOT_RESOLVED' : rated ? 'COMPLAINTS.ALREADY_RATED' : 'rated';

  const cases = COMPLAINT_STATUSES.flatMap((status) => Object.keys(ROLES).flatMap((role) => [true, false].flatMap((answered) => [true, false].map((rated) => [status, role, answered, rated] as const))));

  it.each(cases)('%s by %s, answered %s, rated before %s', (status, role, answered, rated) => {
    const c = complaint(status, { resolvedAt: answered ? days(-1) : null, answer: answered ? 'Sudah ditambal.' : null, rating: rated ? 3 : null });
    expect(codeOf(() => decideRating(c, { score: 5 }, ROLES[role]))).toBe(expected(status, role, answered, rated));
  });

  it('covers every status, role and state (the table above is complete)', () => {
    expect(cases).toHaveLength(COMPLAINT_STATUSES.length * Object.keys(ROLES).length * 4);
  });
});

describe('what a rating changes', () => {
  const answered = () => complaint('resolved', { resolvedAt: days(-1), answer: 'Sudah ditambal.' });

  it('keeps the score and the remark with a new version, tells the score only, and marks the remark personal in the trail', () => {
    const c = answered();
    const before = structuredClone(c);
    const d = decideRating(c, { score: 4, comment: 'Cepat, terima kasih' }, ROLES.reporter);
    expect(d.next).toMatchObject({ rating: 4, ratingComment: 'Cepat, terima kasih', version: 5, status: 'resolved' });
    expect(d.event).toEqual({ type: 'complaints.complaint.rated.v1', data: { complaintId: c.id, score: 4 } });
    expect(d.audit).toEqual({ action: 'complaint.rate', changes: { after: { rating: 4, ratingComment: '[personal]' } } });
    expect(JSON.stringify([d.event, d.audit])).not.toContain('Cepat');
    expect(c).toEqual(before);
  });

  it('keeps no remark when none is given', () => {
    const d = decideRating(answered(), { score: 1 }, ROLES.reporter);
    expect(d.next).toMatchObject({ rating: 1, ratingComment: null });
  });

  it('lets the reporter rate after the coordinator or the system closed it', () => {
    const closed = complaint('closed', { resolvedAt: days(-12), closedAt: days(-1), answer: 'Sudah ditambal.', dueAt: null });
    expect(decideRating(closed, { score: 2 }, ROLES.reporter).next).toMatchObject({ status: 'closed', rating: 2 });
  });
});

describe('comment rules: every status × party to the thread', () => {
  /**
   * The thread is open in every status; the reporter shows as `citizen` in it and as `owner` in the
   * event, staff and coordinators by their role. Those outside the thread never get here (404).
   */
  const PARTIES: Record<string, { thread: string; event: string }> = {
    reporter: { thread: 'citizen', event: 'owner' },
    reporterAdmin: { thread: 'citizen', event: 'owner' },
    coordinator: { thread: 'admin', event: 'admin' },
    assignedOfficer: { thread: 'officer', event: 'officer' },
    assignedHead: { thread: 'agency_head', event: 'agency_head' },
  };
  const cases = COMPLAINT_STATUSES.flatMap((status) => Object.keys(PARTIES).map((party) => [status, party] as const));

  it.each(cases)('%s by %s', (status, party) => {
    const c = complaint(status);
    const actor = ROLES[party];
    const id = randomUUID();
    const d = decideComment(c, { body: 'Mohon segera ditindaklanjuti.' }, actor, { now: NOW, id });
    expect(d.comment).toEqual({ id, complaintId: c.id, authorId: actor.id, authorRole: PARTIES[party].thread, body: 'Mohon segera ditindaklanjuti.', at: NOW });
    expect(d.event).toEqual({
      type: 'complaints.complaint.commented.v1',
      data: { complaintId: c.id, commentId: id, authorRole: PARTIES[party].event, agencyId: AGENCY, at: '2026-12-07T03:00:00.123Z' },
    });
    expect(d.audit).toEqual({ action: 'comment.add', changes: { after: { commentId: id, authorRole: PARTIES[party].thread, body: '[personal]' } } });
  });

  it('covers every status and party (the table above is complete)', () => {
    expect(cases).toHaveLength(COMPLAINT_STATUSES.length * Object.keys(PARTIES).length);
  });
});

describe('what a comment tells', () => {
  it('never who wrote it nor what, and no agency while none handles the complaint', () => {
    const c = complaint('received', { agencyId: null });
    const d = decideComment(c, { body: 'Rahasia: kepala desa tahu' }, ROLES.reporter, { now: NOW, id: randomUUID() });
    expect(d.event.data).not.toHaveProperty('agencyId');
    const told = JSON.stringify([d.event, d.audit]);
    expect(told).not.toContain(REPORTER);
    expect(told).not.toContain('Rahasia');
  });
});
