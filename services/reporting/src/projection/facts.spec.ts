import { RegencyCloudEvent } from '@smart-regency/contracts';
import {
  applyComplaintEvent,
  complaintContribution,
  Deltas,
  emptyComplaint,
  HISTOGRAM_BOUNDS_S,
  histogramBucket,
  histogramMedianHours,
  jakartaDay,
  monthlyDeltas,
  monthOf,
} from './facts';

const id = 'c0000000-0000-4000-8000-000000000001';
const A = '0a0a0a0a-0000-4000-8000-00000000000a';
const B = '0b0b0b0b-0000-4000-8000-00000000000b';
const ev = (type: string, time: string, data: Record<string, unknown>): RegencyCloudEvent => ({
  specversion: '1.0',
  id: `${type}-${time}`,
  source: '/regency/complaints',
  type,
  subject: id,
  time,
  datacontenttype: 'application/json',
  data: { complaintId: id, ...data },
});
const received = ev('complaints.complaint.received.v1', '2026-11-02T01:00:00.000Z', { agencyId: A, categoryCode: 'health', visibility: 'public', dueAt: '2026-11-05T01:00:00.000Z', finalDueAt: '2027-01-01T01:00:00.000Z' });
const disposed = ev('complaints.complaint.status_changed.v1', '2026-11-03T01:00:00.000Z', { fromStatus: 'verified', toStatus: 'dispositioned', action: 'dispose', agencyId: B, at: '2026-11-03T01:00:00.000Z', stageDueAt: '2026-11-05T01:00:00.000Z', dueAt: '2026-11-10T01:00:00.000Z' });
const resolvedLate = ev('complaints.complaint.status_changed.v1', '2026-11-11T01:00:00.000Z', { fromStatus: 'dispositioned', toStatus: 'resolved', action: 'resolve', agencyId: B, at: '2026-11-11T01:00:00.000Z', stageDueAt: '2026-11-10T01:00:00.000Z' });

describe('reporting projection', () => {
  it('counts Asia/Jakarta days', () => {
    expect(jakartaDay(Date.parse('2026-11-02T16:59:59Z'))).toBe('2026-11-02');
    expect(jakartaDay(Date.parse('2026-11-02T17:00:00Z'))).toBe('2026-11-03');
  });

  it('reads a median from the histogram within one bucket of the truth', () => {
    expect(histogramBucket(0)).toBe(0);
    expect(histogramBucket(3599)).toBe(0);
    expect(histogramBucket(3600)).toBe(1);
    expect(histogramBucket(1e12)).toBe(HISTOGRAM_BOUNDS_S.length);
    expect(histogramMedianHours(new Array(42).fill(0))).toBeNull();
    const counts = new Array(42).fill(0);
    const hours = [2, 5, 30, 50, 50, 70, 200];
    for (const h of hours) counts[histogramBucket(h * 3600)]++;
    const median = histogramMedianHours(counts)!;
    expect(median).toBeGreaterThanOrEqual(50 / 1.25);
    expect(median).toBeLessThanOrEqual(50 * 1.25);
  });

  it('follows the latest status, keeps the first times and a missed deadline, whatever the order', () => {
    const inOrder = [received, disposed, resolvedLate].reduce(applyComplaintEvent, emptyComplaint(id));
    const shuffled = [resolvedLate, received, disposed].reduce(applyComplaintEvent, emptyComplaint(id));
    expect(shuffled).toEqual(inOrder);
    expect(inOrder).toMatchObject({ status: 'resolved', agencyId: B, categoryCode: 'health', deadlineMissed: true, resolvedAt: Date.parse('2026-11-11T01:00:00Z') });
    // A repeated event changes nothing.
    expect(applyComplaintEvent(inOrder, disposed)).toEqual(inOrder);
  });

  it('moves every count of a record when its agency changes', () => {
    const before = applyComplaintEvent(emptyComplaint(id), received);
    const after = applyComplaintEvent(before, disposed);
    const deltas: Deltas = new Map();
    complaintContribution(before, -1, deltas);
    complaintContribution(after, 1, deltas);
    expect(deltas.get(`2026-11-02|${A}`)).toEqual({ received: -1, s_received: -1 });
    expect(deltas.get(`2026-11-02|${B}`)).toEqual({ received: 1, s_dispositioned: 1 });
  });
});

describe('read-model schema', () => {
  it('has a column for every counter the projection writes', async () => {
    const { COMPLAINT_COUNTERS, PERMIT_COUNTERS } = await import('./facts');
    const { ProjectFromEvents1764800000000 } = await import('../migrations/1764800000000-ProjectFromEvents');
    const sql: string[] = [];
    await new ProjectFromEvents1764800000000().up({ query: async (q: string) => void sql.push(q) } as never);
    const table = (name: string) => sql.find((q) => q.includes(`CREATE TABLE ${name} (`))!;
    for (const c of COMPLAINT_COUNTERS) expect(table('complaint_daily')).toMatch(new RegExp(`\\b${c} (int|bigint) NOT NULL`));
    for (const c of PERMIT_COUNTERS) expect(table('permit_daily')).toMatch(new RegExp(`\\b${c} (int|bigint) NOT NULL`));
  });

  it('rolls daily deltas up by month and agency, cancelling what moves within a month', () => {
    const daily: Deltas = new Map<string, Record<string, number>>([
      [`2026-10-31|${A}`, { received: 1, s_received: 1 }],
      [`2026-11-01|${A}`, { received: 2, s_received: -1, s_closed: 1 }],
      [`2026-11-30|${A}`, { received: 1, rating_sum: 4 }],
      [`2026-11-30|${B}`, { received: -1 }],
    ]);
    expect(monthlyDeltas(daily)).toEqual(
      new Map<string, Record<string, number>>([
        [`2026-10-01|${A}`, { received: 1, s_received: 1 }],
        [`2026-11-01|${A}`, { received: 3, s_received: -1, s_closed: 1, rating_sum: 4 }],
        [`2026-11-01|${B}`, { received: -1 }],
      ]),
    );
    expect(['2026-01-01', '2026-02-28', '2024-02-29', '2026-12-31'].map(monthOf)).toEqual(['2026-01-01', '2026-02-01', '2024-02-01', '2026-12-01']);
  });
});
