import { APPLICATION_STATUSES, ApplicationStatus, COMPLAINT_STATUSES, RegencyCloudEvent } from '@smart-regency/contracts';

/*
 * The projection as pure functions: an event changes a record's fact; a fact contributes counts
 * to per-day, per-agency aggregates. The store applies `contribution(after) - contribution(before)`,
 * so aggregates always equal the sum over facts, whatever order the events of different records
 * come in. Within a record the status follows the latest `at`, times keep their first value and
 * missed deadlines stay missed, so a late or repeated event cannot roll a fact back.
 */

/** Agencies unknown to an event (none so far) are counted under this id. */
export const NO_AGENCY = '00000000-0000-0000-0000-000000000000';

const JAKARTA_OFFSET_MS = 7 * 3600 * 1000;

/** The Asia/Jakarta calendar day (UTC+7, no daylight saving) of an instant. */
export function jakartaDay(ms: number): string {
  return new Date(ms + JAKARTA_OFFSET_MS).toISOString().slice(0, 10);
}

/**
 * Handling-time histogram: bucket k holds durations below 1 h × 1.25^k (k = 0..40), the last one
 * everything longer. Medians are read from it by linear interpolation inside a bucket, so they
 * are within one bucket (±12.5 %) of the exact median, at any volume, in constant time.
 */
export const HISTOGRAM_BUCKETS = 42;
export const HISTOGRAM_BOUNDS_S: readonly number[] = Array.from({ length: HISTOGRAM_BUCKETS - 1 }, (_, k) => 3600 * 1.25 ** k);
export const histogramColumns: readonly string[] = Array.from({ length: HISTOGRAM_BUCKETS }, (_, k) => `h${String(k).padStart(2, '0')}`);

export function histogramBucket(seconds: number): number {
  const k = HISTOGRAM_BOUNDS_S.findIndex((bound) => seconds < bound);
  return k === -1 ? HISTOGRAM_BUCKETS - 1 : k;
}

/** Median in hours (one decimal) of a histogram's counts; null when empty. */
export function histogramMedianHours(counts: readonly number[]): number | null {
  const total = counts.reduce((a, b) => a + b, 0);
  if (!total) return null;
  const half = total / 2;
  let before = 0;
  for (let k = 0; k < counts.length; k++) {
    const n = counts[k];
    if (n && before + n >= half) {
      const lower = k === 0 ? 0 : HISTOGRAM_BOUNDS_S[k - 1];
      const upper = k < HISTOGRAM_BOUNDS_S.length ? HISTOGRAM_BOUNDS_S[k] : HISTOGRAM_BOUNDS_S[k - 1] * 1.25;
      const seconds = lower + ((upper - lower) * (half - before)) / n;
      return Math.round((seconds / 3600) * 10) / 10;
    }
    before += n;
  }
  return null;
}

/** Statuses counted per day: every complaint status; every application status but `draft` (never submitted, never an event). */
export const COMPLAINT_STATUS_COLUMNS = COMPLAINT_STATUSES;
export const PERMIT_STATUS_COLUMNS = APPLICATION_STATUSES.filter((s): s is Exclude<ApplicationStatus, 'draft'> => s !== 'draft');

/** Counters of complaint_daily, besides day and agency_id. */
export const COMPLAINT_COUNTERS: readonly string[] = [
  'received',
  'resolved',
  'rejected',
  'closed',
  'finished',
  'finished_on_time',
  ...histogramColumns,
  'rated',
  'rating_sum',
  ...COMPLAINT_STATUS_COLUMNS.map((s) => `s_${s}`),
  's_other',
];

/** Counters of permit_daily, besides day and agency_id. */
export const PERMIT_COUNTERS: readonly string[] = [
  'submitted',
  'decided',
  'approved',
  'rejected',
  'issued',
  'withdrawn',
  'decided_on_time',
  ...histogramColumns,
  ...PERMIT_STATUS_COLUMNS.map((s) => `s_${s}`),
  's_other',
];

/** One complaint as reporting knows it: codes, statuses and times only, no personal data. */
export interface ComplaintFact {
  complaintId: string;
  agencyId: string | null;
  categoryCode: string | null;
  visibility: string | null;
  status: string | null;
  /** Time of the status change the status comes from. */
  statusAt: number | null;
  receivedAt: number | null;
  /** Deadline of the current stage. */
  dueAt: number | null;
  /** The 60-day cap. */
  finalDueAt: number | null;
  verifiedAt: number | null;
  dispositionedAt: number | null;
  /** First answer. */
  resolvedAt: number | null;
  rejectedAt: number | null;
  closedAt: number | null;
  deadlineMissed: boolean;
  rating: number | null;
  ratedAt: number | null;
}

/** One permit application as reporting knows it. */
export interface PermitFact {
  applicationId: string;
  /** The technical agency (the permit type's `agencyId`), which reports count it under. */
  agencyId: string | null;
  issuingAgencyId: string | null;
  permitTypeCode: string | null;
  status: string | null;
  statusAt: number | null;
  /** First submission. */
  submittedAt: number | null;
  /** Deadline in force (a resubmission after a revision request restarts it). */
  dueAt: number | null;
  /** First decision (approve or reject). */
  decidedAt: number | null;
  decision: 'approved' | 'rejected' | null;
  issuedAt: number | null;
  withdrawnAt: number | null;
  /** Revoked or expired. */
  endedAt: number | null;
  deadlineMissed: boolean;
}

const time = (iso: unknown): number | null => {
  if (typeof iso !== 'string') return null;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
};
const earliest = (a: number | null, b: number | null): number | null => (a === null ? b : b === null ? a : Math.min(a, b));
const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);

/** Statuses whose deadline is the agency's or the coordinator's (not the citizen's reply window). */
const COMPLAINT_AGENCY_STAGE_STATUSES = new Set(['received', 'verified', 'dispositioned', 'in_progress', 'reopened']);
const ESCALATION_STAGES = new Set(['verification', 'follow_up', 'final']);

export function emptyComplaint(complaintId: string): ComplaintFact {
  return {
    complaintId,
    agencyId: null,
    categoryCode: null,
    visibility: null,
    status: null,
    statusAt: null,
    receivedAt: null,
    dueAt: null,
    finalDueAt: null,
    verifiedAt: null,
    dispositionedAt: null,
    resolvedAt: null,
    rejectedAt: null,
    closedAt: null,
    deadlineMissed: false,
    rating: null,
    ratedAt: null,
  };
}

export function emptyPermit(applicationId: string): PermitFact {
  return {
    applicationId,
    agencyId: null,
    issuingAgencyId: null,
    permitTypeCode: null,
    status: null,
    statusAt: null,
    submittedAt: null,
    dueAt: null,
    decidedAt: null,
    decision: null,
    issuedAt: null,
    withdrawnAt: null,
    endedAt: null,
    deadlineMissed: false,
  };
}

/** When a complaint was handled: first answered or rejected. */
export const complaintFinishedAt = (f: ComplaintFact): number | null => earliest(f.resolvedAt, f.rejectedAt);

function checkFinalDeadline(f: ComplaintFact): void {
  const finished = complaintFinishedAt(f);
  if (finished !== null && f.finalDueAt !== null && finished > f.finalDueAt) f.deadlineMissed = true;
}

/** Applies one complaints event to a copy of the fact. */
export function applyComplaintEvent(before: ComplaintFact, event: RegencyCloudEvent): ComplaintFact {
  const f = { ...before };
  const d = event.data as Record<string, unknown>;
  const eventTime = time(event.time);
  switch (event.type) {
    case 'complaints.complaint.received.v1': {
      f.receivedAt = earliest(f.receivedAt, eventTime);
      // A later status change already told the current agency, category and deadline.
      f.agencyId ??= str(d.agencyId);
      f.categoryCode ??= str(d.categoryCode);
      f.visibility ??= str(d.visibility);
      f.finalDueAt ??= time(d.finalDueAt);
      if (f.statusAt === null) {
        f.status = 'received';
        f.statusAt = f.receivedAt;
        f.dueAt = time(d.dueAt);
      }
      checkFinalDeadline(f);
      break;
    }
    case 'complaints.complaint.status_changed.v1': {
      const at = time(d.at) ?? eventTime;
      if (at === null) break;
      const to = str(d.toStatus);
      const from = str(d.fromStatus);
      const stageDueAt = time(d.stageDueAt);
      if (from && COMPLAINT_AGENCY_STAGE_STATUSES.has(from) && stageDueAt !== null && at > stageDueAt) f.deadlineMissed = true;
      if (to === 'verified') f.verifiedAt = earliest(f.verifiedAt, at);
      if (to === 'dispositioned') f.dispositionedAt = earliest(f.dispositionedAt, at);
      if (to === 'resolved') f.resolvedAt = earliest(f.resolvedAt, at);
      if (to === 'rejected') f.rejectedAt = earliest(f.rejectedAt, at);
      if (to === 'closed') f.closedAt = earliest(f.closedAt, at);
      f.categoryCode ??= str(d.categoryCode);
      f.visibility ??= str(d.visibility);
      if (f.statusAt === null || at >= f.statusAt) {
        f.status = to;
        f.statusAt = at;
        f.agencyId = str(d.agencyId) ?? f.agencyId;
        f.categoryCode = str(d.categoryCode) ?? f.categoryCode;
        f.visibility = str(d.visibility) ?? f.visibility;
        f.dueAt = time(d.dueAt);
      }
      checkFinalDeadline(f);
      break;
    }
    case 'complaints.complaint.escalated.v1':
      if (ESCALATION_STAGES.has(String(d.stage))) f.deadlineMissed = true;
      f.agencyId ??= str(d.agencyId);
      break;
    case 'complaints.complaint.rated.v1':
      if (typeof d.score === 'number') {
        f.rating = d.score;
        f.ratedAt = eventTime;
      }
      break;
    default:
      break;
  }
  return f;
}

/** Applies one permits event to a copy of the fact. */
export function applyPermitEvent(before: PermitFact, event: RegencyCloudEvent): PermitFact {
  const f = { ...before };
  const d = event.data as Record<string, unknown>;
  const eventTime = time(event.time);
  switch (event.type) {
    case 'permits.application.submitted.v1':
      f.submittedAt = earliest(f.submittedAt, eventTime);
      f.agencyId = str(d.agencyId) ?? f.agencyId;
      f.issuingAgencyId = str(d.issuingAgencyId) ?? f.issuingAgencyId;
      f.permitTypeCode = str(d.permitTypeCode) ?? f.permitTypeCode;
      if (f.statusAt === null) {
        f.status = 'submitted';
        f.statusAt = f.submittedAt;
        f.dueAt = time(d.dueAt);
      }
      break;
    case 'permits.application.status_changed.v1': {
      const at = time(d.at) ?? eventTime;
      if (at === null) break;
      const to = str(d.toStatus);
      const action = str(d.action);
      const dueAt = time(d.dueAt);
      f.agencyId = str(d.agencyId) ?? f.agencyId;
      f.issuingAgencyId = str(d.issuingAgencyId) ?? f.issuingAgencyId;
      f.permitTypeCode = str(d.permitTypeCode) ?? f.permitTypeCode;
      if (action === 'submit') f.submittedAt = earliest(f.submittedAt, at);
      if (action === 'approve' || action === 'reject') {
        if (f.decidedAt === null || at < f.decidedAt) {
          f.decidedAt = at;
          f.decision = action === 'approve' ? 'approved' : 'rejected';
        }
        // The decision is due by the deadline in force when it is taken.
        const due = dueAt ?? f.dueAt;
        if (due !== null && at > due) f.deadlineMissed = true;
      }
      if (to === 'issued') f.issuedAt = earliest(f.issuedAt, at);
      if (to === 'withdrawn') f.withdrawnAt = earliest(f.withdrawnAt, at);
      if (to === 'revoked' || to === 'expired') f.endedAt = earliest(f.endedAt, at);
      if (f.statusAt === null || at >= f.statusAt) {
        f.status = to;
        f.statusAt = at;
        f.dueAt = dueAt;
      }
      break;
    }
    case 'permits.application.overdue.v1':
      f.deadlineMissed = true;
      f.agencyId ??= str(d.agencyId);
      break;
    default:
      break;
  }
  return f;
}

/** Counter deltas per aggregate row, keyed `day|agencyId`. */
export type Deltas = Map<string, Record<string, number>>;

function add(deltas: Deltas, day: string, agencyId: string, column: string, n: number): void {
  const key = `${day}|${agencyId}`;
  let row = deltas.get(key);
  if (!row) deltas.set(key, (row = {}));
  row[column] = (row[column] ?? 0) + n;
}

/** The first day of the month of a day ('2026-11-06' → '2026-11-01'): the key of the monthly roll-ups. */
export const monthOf = (day: string): string => `${day.slice(0, 7)}-01`;

/** Daily deltas summed per month and agency: a month's roll-up changes by exactly what its days change by. */
export function monthlyDeltas(daily: Deltas): Deltas {
  const months: Deltas = new Map();
  for (const [key, counts] of daily) {
    const [day, agencyId] = key.split('|');
    for (const [column, n] of Object.entries(counts)) add(months, monthOf(day), agencyId, column, n);
  }
  return months;
}

/** Adds (sign 1) or removes (sign -1) what a complaint fact counts in complaint_daily. */
export function complaintContribution(f: ComplaintFact, sign: 1 | -1, deltas: Deltas): void {
  const a = f.agencyId ?? NO_AGENCY;
  if (f.receivedAt !== null) {
    const day = jakartaDay(f.receivedAt);
    add(deltas, day, a, 'received', sign);
    const column = (COMPLAINT_STATUS_COLUMNS as readonly string[]).includes(f.status ?? '') ? `s_${f.status}` : 's_other';
    add(deltas, day, a, column, sign);
  }
  if (f.resolvedAt !== null) {
    const day = jakartaDay(f.resolvedAt);
    add(deltas, day, a, 'resolved', sign);
    if (f.receivedAt !== null) add(deltas, day, a, histogramColumns[histogramBucket(Math.max(0, f.resolvedAt - f.receivedAt) / 1000)], sign);
  }
  if (f.rejectedAt !== null) add(deltas, jakartaDay(f.rejectedAt), a, 'rejected', sign);
  if (f.closedAt !== null) add(deltas, jakartaDay(f.closedAt), a, 'closed', sign);
  const finished = complaintFinishedAt(f);
  if (finished !== null) {
    const day = jakartaDay(finished);
    add(deltas, day, a, 'finished', sign);
    if (!f.deadlineMissed) add(deltas, day, a, 'finished_on_time', sign);
  }
  if (f.rating !== null && f.ratedAt !== null) {
    const day = jakartaDay(f.ratedAt);
    add(deltas, day, a, 'rated', sign);
    add(deltas, day, a, 'rating_sum', sign * f.rating);
  }
}

/** Adds (sign 1) or removes (sign -1) what a permit fact counts in permit_daily. */
export function permitContribution(f: PermitFact, sign: 1 | -1, deltas: Deltas): void {
  const a = f.agencyId ?? NO_AGENCY;
  if (f.submittedAt !== null) {
    const day = jakartaDay(f.submittedAt);
    add(deltas, day, a, 'submitted', sign);
    const column = (PERMIT_STATUS_COLUMNS as readonly string[]).includes(f.status ?? '') ? `s_${f.status}` : 's_other';
    add(deltas, day, a, column, sign);
  }
  if (f.decidedAt !== null) {
    const day = jakartaDay(f.decidedAt);
    add(deltas, day, a, 'decided', sign);
    add(deltas, day, a, f.decision === 'rejected' ? 'rejected' : 'approved', sign);
    if (!f.deadlineMissed) add(deltas, day, a, 'decided_on_time', sign);
    if (f.submittedAt !== null) add(deltas, day, a, histogramColumns[histogramBucket(Math.max(0, f.decidedAt - f.submittedAt) / 1000)], sign);
  }
  if (f.issuedAt !== null) add(deltas, jakartaDay(f.issuedAt), a, 'issued', sign);
  if (f.withdrawnAt !== null) add(deltas, jakartaDay(f.withdrawnAt), a, 'withdrawn', sign);
}
