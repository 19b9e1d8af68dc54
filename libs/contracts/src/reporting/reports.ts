import { Omittable } from '../common/omittable';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsUUID, ValidateBy, ValidationArguments, ValidationOptions } from 'class-validator';

/** Reports count Asia/Jakarta calendar days (UTC+7, no daylight saving). */
export const REPORT_TIME_ZONE = 'Asia/Jakarta';

export const REPORT_INTERVALS = ['day', 'week', 'month'] as const;
export type ReportInterval = (typeof REPORT_INTERVALS)[number];

/** Time-series metrics; each counts events on the Jakarta day they happened. */
export const REPORT_METRICS = [
  'complaints.received',
  'complaints.resolved',
  'complaints.rejected',
  'complaints.closed',
  'complaints.finished',
  'complaints.finishedWithinDeadline',
  'complaints.slaCompliancePct',
  'complaints.rated',
  'complaints.averageRating',
  'permits.submitted',
  'permits.decided',
  'permits.approved',
  'permits.rejected',
  'permits.issued',
  'permits.withdrawn',
  'permits.decidedWithinDeadline',
  'permits.slaCompliancePct',
] as const;
export type ReportMetric = (typeof REPORT_METRICS)[number];

/** Most points one time series may have, per interval (about 3, 10 and 20 years). */
export const MAX_SERIES_POINTS: Record<ReportInterval, number> = { day: 1100, week: 520, month: 240 };

const DAY = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** A real calendar date `YYYY-MM-DD` (2026-02-30 is refused). */
export function isCalendarDate(value: unknown): value is string {
  if (typeof value !== 'string' || !DAY.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

const IsCalendarDate = (options?: ValidationOptions) =>
  ValidateBy({ name: 'isCalendarDate', validator: { validate: isCalendarDate, defaultMessage: (a?: ValidationArguments) => `${a?.property} must be a date YYYY-MM-DD` } }, options);

/** `to` is not before `from` (both present and valid, else the other rules speak). */
const NotBeforeFrom = (options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'notBeforeFrom',
      validator: {
        validate: (to: unknown, a: ValidationArguments) => {
          const from = (a.object as { from?: unknown }).from;
          return !isCalendarDate(to) || !isCalendarDate(from) || from <= to;
        },
        defaultMessage: () => 'to must not be before from',
      },
    },
    options,
  );

const daysBetween = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);

/** How many points a series over [from, to] has at an interval. */
export function seriesPoints(from: string, to: string, interval: ReportInterval): number {
  if (interval === 'day') return daysBetween(from, to) + 1;
  if (interval === 'week') return Math.floor((daysBetween(from, to) + ((new Date(`${from}T00:00:00Z`).getUTCDay() + 6) % 7)) / 7) + 1;
  const [fy, fm] = from.split('-').map(Number);
  const [ty, tm] = to.split('-').map(Number);
  return (ty - fy) * 12 + (tm - fm) + 1;
}

const NotTooManyPoints = (options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'maxSeriesPoints',
      validator: {
        validate: (interval: unknown, a: ValidationArguments) => {
          const { from, to } = a.object as { from?: unknown; to?: unknown };
          if (!isCalendarDate(to) || !isCalendarDate(from) || from > to || !REPORT_INTERVALS.includes(interval as ReportInterval)) return true;
          return seriesPoints(from, to, interval as ReportInterval) <= MAX_SERIES_POINTS[interval as ReportInterval];
        },
        defaultMessage: (a?: ValidationArguments) => {
          const interval = (a?.value ?? 'day') as ReportInterval;
          return `from..to has more than ${MAX_SERIES_POINTS[interval]} ${interval}s; narrow the range or use a longer interval`;
        },
      },
    },
    options,
  );

/** `?from&to&agencyId`: Jakarta days, both inclusive; absent means from the first or up to the last event. */
export class ReportQuery {
  /** First Jakarta day counted (inclusive). */
  @ApiPropertyOptional({ example: '2026-11-01', format: 'date' })
  @Omittable()
  @IsCalendarDate()
  from?: string;

  /** Last Jakarta day counted (inclusive), not before `from`. */
  @ApiPropertyOptional({ example: '2026-11-30', format: 'date' })
  @Omittable()
  @IsCalendarDate()
  @NotBeforeFrom()
  to?: string;

  /** Only this agency (admin and auditor; an agency head always sees their own agency). */
  @ApiPropertyOptional({ format: 'uuid' })
  @Omittable()
  @IsUUID()
  agencyId?: string;
}

export class TimeseriesQuery extends ReportQuery {
  @ApiProperty({ enum: REPORT_METRICS, example: 'complaints.received' })
  @IsIn(REPORT_METRICS as unknown as string[])
  metric: ReportMetric;

  @ApiPropertyOptional({ enum: REPORT_INTERVALS, default: 'day' })
  @Omittable()
  @IsIn(REPORT_INTERVALS as unknown as string[])
  @NotTooManyPoints()
  interval?: ReportInterval = 'day';
}

/** The newest event the read models include. */
export class ReportAsOf {
  /** CloudEvent id. */
  @ApiProperty({ format: 'uuid' })
  eventId: string;
  /** CloudEvent time. */
  @ApiProperty({ format: 'date-time' })
  eventTime: string;
  /** Position in the events stream. */
  @ApiProperty({ example: 1234 })
  streamSequence: number;
}

export class ComplaintFigures {
  /** Complaints received in the period. */
  @ApiProperty({ example: 120 }) received: number;
  /** Current status of the complaints received in the period. */
  @ApiProperty({ example: { received: 3, verified: 2, dispositioned: 4, in_progress: 5, resolved: 20, reopened: 1, closed: 80, rejected: 5 } })
  byStatus: Record<string, number>;
  /** First answers (resolutions) given in the period. */
  @ApiProperty({ example: 100 }) resolved: number;
  @ApiProperty({ example: 5 }) rejected: number;
  @ApiProperty({ example: 80 }) closed: number;
  /** Complaints handled (first resolved or rejected) in the period. */
  @ApiProperty({ example: 105 }) finished: number;
  /** Of those, handled within every legal deadline (docs/reporting.md). */
  @ApiProperty({ example: 90 }) finishedWithinDeadline: number;
  /** finishedWithinDeadline / finished in %, one decimal; null when nothing was finished. */
  @ApiProperty({ type: Number, nullable: true, example: 85.7 }) slaCompliancePct: number | null;
  /** Median hours from receipt to first answer, of the answers in the period (histogram estimate, docs/reporting.md). */
  @ApiProperty({ type: Number, nullable: true, example: 52.3 }) medianHandlingHours: number | null;
  /** Ratings given in the period. */
  @ApiProperty({ example: 40 }) rated: number;
  @ApiProperty({ type: Number, nullable: true, example: 4.25 }) averageRating: number | null;
}

export class PermitFigures {
  /** Applications submitted (first submission) in the period. */
  @ApiProperty({ example: 300 }) submitted: number;
  /** Current status of the applications submitted in the period. */
  @ApiProperty({ example: { submitted: 10, verified: 5, recommended: 3, approved: 2, issued: 250, rejected: 30 } })
  byStatus: Record<string, number>;
  /** Decisions (approve or reject) taken in the period. */
  @ApiProperty({ example: 280 }) decided: number;
  @ApiProperty({ example: 250 }) approved: number;
  @ApiProperty({ example: 30 }) rejected: number;
  @ApiProperty({ example: 240 }) issued: number;
  @ApiProperty({ example: 4 }) withdrawn: number;
  /** Of the decisions, taken by the application's deadline and never reported overdue. */
  @ApiProperty({ example: 270 }) decidedWithinDeadline: number;
  @ApiProperty({ type: Number, nullable: true, example: 96.4 }) slaCompliancePct: number | null;
  /** Median hours from submission to decision, of the decisions in the period (histogram estimate). */
  @ApiProperty({ type: Number, nullable: true, example: 120.5 }) medianHandlingHours: number | null;
}

export class ReportSummaryResponse {
  @ApiProperty({ type: String, nullable: true, format: 'date' }) from: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date' }) to: string | null;
  /** The agency the figures are limited to; null for the whole regency. */
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) agencyId: string | null;
  /** The newest event included; null before any event. */
  @ApiProperty({ type: ReportAsOf, nullable: true }) asOf: ReportAsOf | null;
  @ApiProperty({ type: ComplaintFigures }) complaints: ComplaintFigures;
  @ApiProperty({ type: PermitFigures }) permits: PermitFigures;
}

export class AgencyReportRow {
  @ApiProperty({ format: 'uuid' }) agencyId: string;
  @ApiProperty({ type: ComplaintFigures }) complaints: ComplaintFigures;
  @ApiProperty({ type: PermitFigures }) permits: PermitFigures;
}

export class AgenciesReportResponse {
  @ApiProperty({ type: String, nullable: true, format: 'date' }) from: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date' }) to: string | null;
  @ApiProperty({ type: ReportAsOf, nullable: true }) asOf: ReportAsOf | null;
  /** One row per agency with any figure in the period, by agency id. */
  @ApiProperty({ type: [AgencyReportRow] }) items: AgencyReportRow[];
}

export class TimeseriesPoint {
  /** First Jakarta day of the period (weeks start on Monday). */
  @ApiProperty({ format: 'date', example: '2026-11-02' }) period: string;
  /** Null for a ratio with nothing to divide by. */
  @ApiProperty({ type: Number, nullable: true, example: 12 }) value: number | null;
}

export class TimeseriesResponse {
  @ApiProperty({ enum: REPORT_METRICS }) metric: ReportMetric;
  @ApiProperty({ enum: REPORT_INTERVALS }) interval: ReportInterval;
  @ApiProperty({ format: 'date' }) from: string;
  @ApiProperty({ format: 'date' }) to: string;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) agencyId: string | null;
  @ApiProperty({ type: ReportAsOf, nullable: true }) asOf: ReportAsOf | null;
  /** Every period from `from` to `to`, empty ones as 0. */
  @ApiProperty({ type: [TimeseriesPoint] }) points: TimeseriesPoint[];
}
