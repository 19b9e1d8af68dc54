import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  Actor,
  AgenciesReportResponse,
  ComplaintFigures,
  MAX_SERIES_POINTS,
  PermitFigures,
  PublicSummaryResponse,
  ReportAsOf,
  ReportInterval,
  ReportMetric,
  ReportQuery,
  ReportSummaryResponse,
  seriesPoints,
  TimeseriesQuery,
  TimeseriesResponse,
} from '@smart-regency/contracts';
import { DomainError } from '@smart-regency/platform';
import { DataSource } from 'typeorm';
import { ReportingConfig } from '../config';
import { COMPLAINT_STATUS_COLUMNS, histogramColumns, histogramMedianHours, jakartaDay, NO_AGENCY, PERMIT_STATUS_COLUMNS } from '../projection/facts';
import { PROJECTION_NAME } from '../projection/projection.store';
import { SharedAnswers } from '@smart-regency/platform';

const num = (v: unknown): number => Number(v ?? 0);
const pct = (part: unknown, whole: unknown): number | null => (num(whole) === 0 ? null : Math.round((num(part) / num(whole)) * 1000) / 10);
const avg = (sum: unknown, n: unknown): number | null => (num(n) === 0 ? null : Math.round((num(sum) / num(n)) * 100) / 100);

const COMPLAINT_SUMS = ['received', 'resolved', 'rejected', 'closed', 'finished', 'finished_on_time', 'rated', 'rating_sum', ...histogramColumns, ...COMPLAINT_STATUS_COLUMNS.map((s) => `s_${s}`)];
const PERMIT_SUMS = ['submitted', 'decided', 'approved', 'rejected', 'issued', 'withdrawn', 'decided_on_time', ...histogramColumns, ...PERMIT_STATUS_COLUMNS.map((s) => `s_${s}`)];
const sums = (columns: string[]) => columns.map((c) => `sum(${c}) AS ${c}`).join(', ');

/** Time-series metrics as SQL over one daily table. */
const METRIC_SQL: Record<ReportMetric, { table: 'complaint_daily' | 'permit_daily'; expr: string; ratio?: boolean }> = {
  'complaints.received': { table: 'complaint_daily', expr: 'sum(received)' },
  'complaints.resolved': { table: 'complaint_daily', expr: 'sum(resolved)' },
  'complaints.rejected': { table: 'complaint_daily', expr: 'sum(rejected)' },
  'complaints.closed': { table: 'complaint_daily', expr: 'sum(closed)' },
  'complaints.finished': { table: 'complaint_daily', expr: 'sum(finished)' },
  'complaints.finishedWithinDeadline': { table: 'complaint_daily', expr: 'sum(finished_on_time)' },
  'complaints.slaCompliancePct': { table: 'complaint_daily', expr: 'round(100.0 * sum(finished_on_time) / nullif(sum(finished), 0), 1)', ratio: true },
  'complaints.rated': { table: 'complaint_daily', expr: 'sum(rated)' },
  'complaints.averageRating': { table: 'complaint_daily', expr: 'round(sum(rating_sum)::numeric / nullif(sum(rated), 0), 2)', ratio: true },
  'permits.submitted': { table: 'permit_daily', expr: 'sum(submitted)' },
  'permits.decided': { table: 'permit_daily', expr: 'sum(decided)' },
  'permits.approved': { table: 'permit_daily', expr: 'sum(approved)' },
  'permits.rejected': { table: 'permit_daily', expr: 'sum(rejected)' },
  'permits.issued': { table: 'permit_daily', expr: 'sum(issued)' },
  'permits.withdrawn': { table: 'permit_daily', expr: 'sum(withdrawn)' },
  'permits.decidedWithinDeadline': { table: 'permit_daily', expr: 'sum(decided_on_time)' },
  'permits.slaCompliancePct': { table: 'permit_daily', expr: 'round(100.0 * sum(decided_on_time) / nullif(sum(decided), 0), 1)', ratio: true },
};

type Row = Record<string, unknown>;

/**
 * Up to this many answers (or decisions) in a report, medians are exact (read from the facts);
 * beyond it they come from the daily histograms, in constant time.
 */
export const EXACT_MEDIAN_LIMIT = 10_000;

const MEDIAN_SQL = {
  complaints: { table: 'complaint_facts', start: 'received_at', end: 'resolved_at' },
  permits: { table: 'permit_facts', start: 'submitted_at', end: 'decided_at' },
} as const;

const histogramTotal = (r: Row | undefined) => histogramColumns.reduce((n, c) => n + num(r?.[c]), 0);

function complaintFigures(r: Row | undefined, exactMedian?: number | null): ComplaintFigures {
  r ??= {};
  return {
    received: num(r.received),
    byStatus: Object.fromEntries(COMPLAINT_STATUS_COLUMNS.map((s) => [s, num(r[`s_${s}`])])),
    resolved: num(r.resolved),
    rejected: num(r.rejected),
    closed: num(r.closed),
    finished: num(r.finished),
    finishedWithinDeadline: num(r.finished_on_time),
    slaCompliancePct: pct(r.finished_on_time, r.finished),
    medianHandlingHours: exactMedian !== undefined ? exactMedian : histogramMedianHours(histogramColumns.map((c) => num(r[c]))),
    rated: num(r.rated),
    averageRating: avg(r.rating_sum, r.rated),
  };
}

function permitFigures(r: Row | undefined, exactMedian?: number | null): PermitFigures {
  r ??= {};
  return {
    submitted: num(r.submitted),
    byStatus: Object.fromEntries(PERMIT_STATUS_COLUMNS.map((s) => [s, num(r[`s_${s}`])])),
    decided: num(r.decided),
    approved: num(r.approved),
    rejected: num(r.rejected),
    issued: num(r.issued),
    withdrawn: num(r.withdrawn),
    decidedWithinDeadline: num(r.decided_on_time),
    slaCompliancePct: pct(r.decided_on_time, r.decided),
    medianHandlingHours: exactMedian !== undefined ? exactMedian : histogramMedianHours(histogramColumns.map((c) => num(r[c]))),
  };
}

const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

const MONTHLY_OF = { complaint_daily: 'complaint_monthly', permit_daily: 'permit_monthly' } as const;
type DailyTable = keyof typeof MONTHLY_OF;
const COLUMNS_OF: Record<DailyTable, string[]> = { complaint_daily: COMPLAINT_SUMS, permit_daily: PERMIT_SUMS };

/** Jakarta days, both ends inclusive; null: open. */
interface DayRange {
  from: string | null;
  to: string | null;
}

/**
 * Days [from, to] as the whole months inside them (first days; `before` exclusive; null: open),
 * read from the monthly roll-ups, and the days at either end outside those months, read from the
 * daily rows. Both give the same sums (a month's roll-up is the sum of its days); the months
 * are ~30 times fewer rows.
 */
export function splitByMonths(from: string | null | undefined, to: string | null | undefined): { months: { from: string | null; before: string | null } | null; days: DayRange[] } {
  const first = from ? (from.endsWith('-01') ? from : nextPeriod(periodStart(from, 'month'), 'month')) : null;
  const before = to ? (addDays(to, 1).endsWith('-01') ? addDays(to, 1) : periodStart(to, 'month')) : null;
  if (first !== null && before !== null && first >= before) return { months: null, days: [{ from: from ?? null, to: to ?? null }] };
  const days: DayRange[] = [];
  if (from && first !== null && from < first) days.push({ from, to: addDays(first, -1) });
  if (to && before !== null && to >= before) days.push({ from: before, to });
  return { months: { from: first, before }, days };
}

/** The first Jakarta day of the period a day falls in. */
export function periodStart(day: string, interval: ReportInterval): string {
  if (interval === 'day') return day;
  if (interval === 'month') return `${day.slice(0, 7)}-01`;
  const weekday = (new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7; // Monday 0
  return addDays(day, -weekday);
}

function nextPeriod(start: string, interval: ReportInterval): string {
  if (interval === 'day') return addDays(start, 1);
  if (interval === 'week') return addDays(start, 7);
  const [y, m] = start.split('-').map(Number);
  return m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
}

/**
 * Reads the aggregates: every report is a sum over (month, agency) roll-ups and the (day, agency)
 * rows at the ends of its period; answers are shared while the projection stands still (SharedAnswers).
 */
@Injectable()
export class ReportsService {
  private readonly cache: SharedAnswers;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    config: ReportingConfig,
  ) {
    this.cache = new SharedAnswers(config.REPORT_CACHE_MS);
  }

  /**
   * The answer for `key` as of the projection's current position: computed once per position
   * (and at most REPORT_CACHE_MS), whoever asks meanwhile shares it. The scope is part of the key.
   */
  private async cached<T>(key: unknown[], compute: (asOf: ReportAsOf | null) => Promise<T>): Promise<T> {
    const asOf = await this.asOf();
    return this.cache.get(JSON.stringify(key), asOf ? `${asOf.streamSequence}|${asOf.eventId}` : '', () => compute(asOf));
  }

  /**
   * `SELECT … FROM` a daily table's rows in [from, to] of one agency (or all), as whole months of
   * its roll-up plus the days at the ends: `agency_id`, `d` (the month's or the day's first day)
   * and the report's counters.
   */
  private rowsOf(table: DailyTable, from: string | null | undefined, to: string | null | undefined, agencyId: string | null): { sql: string; params: unknown[] } {
    const params: unknown[] = [];
    const p = (v: unknown) => `$${params.push(v)}`;
    const columns = COLUMNS_OF[table].join(', ');
    const agency = agencyId ? [`agency_id = ${p(agencyId)}`] : [];
    const { months, days } = splitByMonths(from, to);
    const parts: string[] = [];
    if (months) {
      const where = [...(months.from ? [`month >= ${p(months.from)}`] : []), ...(months.before ? [`month < ${p(months.before)}`] : []), ...agency];
      parts.push(`SELECT agency_id, month AS d, ${columns} FROM ${MONTHLY_OF[table]}${where.length ? ` WHERE ${where.join(' AND ')}` : ''}`);
    }
    if (days.length) {
      const ranges = days.map((r) => [...(r.from ? [`day >= ${p(r.from)}`] : []), ...(r.to ? [`day <= ${p(r.to)}`] : [])].join(' AND ') || 'true');
      parts.push(`SELECT agency_id, day AS d, ${columns} FROM ${table} WHERE (${ranges.map((r) => `(${r})`).join(' OR ')})${agency.length ? ` AND ${agency.join(' AND ')}` : ''}`);
    }
    return { sql: `(${parts.join(' UNION ALL ')}) r`, params };
  }

  /** The agency the caller may see: all (null) or one; an agency head only their own. */
  scope(actor: Actor, agencyId: string | undefined): string | null {
    if (actor.roles.includes('admin') || actor.roles.includes('auditor')) return agencyId ?? null;
    if (actor.roles.includes('agency_head') && actor.agencyId) {
      if (agencyId && agencyId !== actor.agencyId) throw new DomainError('COMMON.FORBIDDEN', 'an agency head sees only their own agency');
      return actor.agencyId;
    }
    throw new DomainError('COMMON.FORBIDDEN', 'reports are for admins, auditors and agency heads');
  }

  async asOf(): Promise<ReportAsOf | null> {
    const [s] = await this.db.query(`SELECT last_event_id, last_event_time, stream_seq FROM projection_state WHERE name = $1`, [PROJECTION_NAME]);
    return s ? { eventId: s.last_event_id, eventTime: new Date(s.last_event_time).toISOString(), streamSequence: Number(s.stream_seq) } : null;
  }

  private where(from: string | null | undefined, to: string | null | undefined, agencyId: string | null): { sql: string; params: unknown[] } {
    const conditions: string[] = [];
    const params: unknown[] = [];
    if (from) conditions.push(`day >= $${params.push(from)}`);
    if (to) conditions.push(`day <= $${params.push(to)}`);
    if (agencyId) conditions.push(`agency_id = $${params.push(agencyId)}`);
    return { sql: conditions.length ? `WHERE ${conditions.join(' AND ')}` : '', params };
  }

  /**
   * Exact medians in hours (one decimal) per agency ('' for all) of the answers or decisions in
   * the period, or undefined when there are too many for an exact answer in time.
   */
  private async exactMedians(
    kind: keyof typeof MEDIAN_SQL,
    count: number,
    from: string | null | undefined,
    to: string | null | undefined,
    agencyId: string | null,
    perAgency: boolean,
  ): Promise<Map<string, number | null> | undefined> {
    if (count > EXACT_MEDIAN_LIMIT) return undefined;
    const { table, start, end } = MEDIAN_SQL[kind];
    const conditions = [`${end} IS NOT NULL`, `${start} IS NOT NULL`];
    const params: unknown[] = [];
    // Jakarta days [from, to] as instants.
    if (from) conditions.push(`${end} >= $${params.push(`${from}T00:00:00+07:00`)}::timestamptz`);
    if (to) conditions.push(`${end} < $${params.push(`${addDays(to, 1)}T00:00:00+07:00`)}::timestamptz`);
    if (agencyId) conditions.push(`agency_id = $${params.push(agencyId)}`);
    const key = perAgency ? 'coalesce(agency_id, $' + params.push(NO_AGENCY) + ')::text' : "''";
    const rows: Row[] = await this.db.query(
      `SELECT ${key} AS agency, percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM ${end} - ${start})) AS seconds
         FROM ${table} WHERE ${conditions.join(' AND ')} GROUP BY 1`,
      params,
    );
    return new Map(rows.map((r) => [String(r.agency), r.seconds === null ? null : Math.round((Number(r.seconds) / 3600) * 10) / 10]));
  }

  summary(actor: Actor, query: ReportQuery): Promise<ReportSummaryResponse> {
    const agencyId = this.scope(actor, query.agencyId);
    return this.cached(['summary', query.from ?? null, query.to ?? null, agencyId], (asOf) => this.computeSummary(query, agencyId, asOf));
  }

  private async computeSummary(query: ReportQuery, agencyId: string | null, asOf: ReportAsOf | null): Promise<ReportSummaryResponse> {
    const cr = this.rowsOf('complaint_daily', query.from, query.to, agencyId);
    const pr = this.rowsOf('permit_daily', query.from, query.to, agencyId);
    const [[c], [p]] = await Promise.all([
      this.db.query(`SELECT ${sums(COMPLAINT_SUMS)} FROM ${cr.sql}`, cr.params),
      this.db.query(`SELECT ${sums(PERMIT_SUMS)} FROM ${pr.sql}`, pr.params),
    ]);
    const [cm, pm] = await Promise.all([
      this.exactMedians('complaints', histogramTotal(c), query.from, query.to, agencyId, false),
      this.exactMedians('permits', histogramTotal(p), query.from, query.to, agencyId, false),
    ]);
    return {
      from: query.from ?? null,
      to: query.to ?? null,
      agencyId,
      asOf,
      complaints: complaintFigures(c, cm && (cm.get('') ?? null)),
      permits: permitFigures(p, pm && (pm.get('') ?? null)),
    };
  }

  agencies(actor: Actor, query: ReportQuery): Promise<AgenciesReportResponse> {
    const agencyId = this.scope(actor, query.agencyId);
    return this.cached(['agencies', query.from ?? null, query.to ?? null, agencyId], (asOf) => this.computeAgencies(query, agencyId, asOf));
  }

  private async computeAgencies(query: ReportQuery, agencyId: string | null, asOf: ReportAsOf | null): Promise<AgenciesReportResponse> {
    const cr = this.rowsOf('complaint_daily', query.from, query.to, agencyId);
    const pr = this.rowsOf('permit_daily', query.from, query.to, agencyId);
    const [complaints, permits] = await Promise.all([
      this.db.query(`SELECT agency_id, ${sums(COMPLAINT_SUMS)} FROM ${cr.sql} GROUP BY agency_id`, cr.params),
      this.db.query(`SELECT agency_id, ${sums(PERMIT_SUMS)} FROM ${pr.sql} GROUP BY agency_id`, pr.params),
    ]);
    const byAgency = new Map<string, { c?: Row; p?: Row }>();
    for (const r of complaints as Row[]) byAgency.set(String(r.agency_id), { c: r });
    for (const r of permits as Row[]) byAgency.set(String(r.agency_id), { ...byAgency.get(String(r.agency_id)), p: r });
    const total = (rows: Row[]) => rows.reduce((n, r) => n + histogramTotal(r), 0);
    const [cm, pm] = await Promise.all([
      this.exactMedians('complaints', total(complaints), query.from, query.to, agencyId, true),
      this.exactMedians('permits', total(permits), query.from, query.to, agencyId, true),
    ]);
    const items = [...byAgency.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([id, { c, p }]) => ({
        agencyId: id,
        complaints: complaintFigures(c, cm && (cm.get(id) ?? null)),
        permits: permitFigures(p, pm && (pm.get(id) ?? null)),
      }));
    return { from: query.from ?? null, to: query.to ?? null, asOf, items };
  }

  async timeseries(actor: Actor, query: TimeseriesQuery): Promise<TimeseriesResponse> {
    const agencyId = this.scope(actor, query.agencyId);
    const interval = query.interval ?? 'day';
    const today = jakartaDay(Date.now());
    const to = query.to ?? (query.from && query.from > today ? query.from : today);
    const defaultSpan = { day: 29, week: 7 * 11, month: 0 }[interval];
    let from = query.from ?? addDays(to, -defaultSpan);
    if (!query.from && interval === 'month') {
      // The month of `to` and the 11 before it.
      const months = Number(to.slice(0, 4)) * 12 + Number(to.slice(5, 7)) - 1 - 11;
      from = `${Math.floor(months / 12)}-${String((months % 12) + 1).padStart(2, '0')}-01`;
    }
    if (seriesPoints(from, to, interval) > MAX_SERIES_POINTS[interval]) {
      throw new DomainError('COMMON.VALIDATION', 'range too long', [
        { field: 'from', message: `from..to has more than ${MAX_SERIES_POINTS[interval]} ${interval}s; narrow the range or use a longer interval`, rule: 'maxSeriesPoints' },
      ]);
    }
    return this.cached(['timeseries', query.metric, interval, from, to, agencyId], (asOf) => this.computeTimeseries(query.metric, interval, from, to, agencyId, asOf));
  }

  private async computeTimeseries(
    metricName: ReportMetric,
    interval: ReportInterval,
    from: string,
    to: string,
    agencyId: string | null,
    asOf: ReportAsOf | null,
  ): Promise<TimeseriesResponse> {
    const metric = METRIC_SQL[metricName];
    let rows: Row[];
    if (interval === 'month') {
      // Whole months from the roll-ups; the days of a month cut by from or to from the daily rows.
      const r = this.rowsOf(metric.table, from, to, agencyId);
      rows = await this.db.query(`SELECT to_char(date_trunc('month', d), 'YYYY-MM-DD') AS period, ${metric.expr} AS value FROM ${r.sql} GROUP BY 1`, r.params);
    } else {
      const w = this.where(from, to, agencyId);
      rows = await this.db.query(
        `SELECT to_char(date_trunc('${interval}', day), 'YYYY-MM-DD') AS period, ${metric.expr} AS value
           FROM ${metric.table} ${w.sql} GROUP BY 1`,
        w.params,
      );
    }
    const values = new Map<string, number | null>(rows.map((r) => [String(r.period), r.value === null ? null : Number(r.value)]));
    const points = [];
    for (let p = periodStart(from, interval); p <= to; p = nextPeriod(p, interval)) {
      points.push({ period: p, value: values.has(p) ? values.get(p)! : metric.ratio ? null : 0 });
    }
    return { metric: metricName, interval, from, to, agencyId, asOf, points };
  }

  /** Open-data figures over all time, for everyone; no personal data. */
  publicSummary(): Promise<PublicSummaryResponse> {
    return this.cached(['public'], (asOf) => this.computePublicSummary(asOf));
  }

  private async computePublicSummary(asOf: ReportAsOf | null): Promise<PublicSummaryResponse> {
    // All time: the roll-ups alone.
    const [[c], [p]] = await Promise.all([this.db.query(`SELECT ${sums(COMPLAINT_SUMS)} FROM complaint_monthly`), this.db.query(`SELECT ${sums(PERMIT_SUMS)} FROM permit_monthly`)]);
    const complaints = complaintFigures(c);
    const permits = permitFigures(p);
    const s = permits.byStatus;
    return {
      asOf: asOf?.eventTime ?? null,
      complaints: {
        received: complaints.received,
        resolved: complaints.resolved,
        open: complaints.received - complaints.byStatus.closed - complaints.byStatus.rejected,
        slaCompliancePct: complaints.slaCompliancePct,
        averageRating: complaints.averageRating,
      },
      permits: {
        submitted: permits.submitted,
        issued: permits.issued,
        inProcess: s.submitted + s.verified + s.recommended + s.revision_requested + s.awaiting_payment + s.approved,
        slaCompliancePct: permits.slaCompliancePct,
      },
    };
  }
}
