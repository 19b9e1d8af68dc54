import {
  AgenciesReportResponse,
  ComplaintFigures,
  PermitFigures,
  PublicSummaryResponse,
  ReportSummaryResponse,
  TimeseriesResponse,
} from '@smart-regency/contracts';
import { DomainError } from '@smart-regency/platform';
import { stringify } from 'csv-stringify/sync';
import Negotiator from 'negotiator';

export type ReportFormat = 'json' | 'csv' | 'svg';

export const MEDIA_TYPES: Record<ReportFormat, string> = { json: 'application/json', csv: 'text/csv', svg: 'image/svg+xml' };

/** The format the client prefers among those a report offers (no Accept: JSON); none of them: 406. */
export function negotiateReport(accept: string | undefined, offered: ReportFormat[]): ReportFormat {
  const types = offered.map((f) => MEDIA_TYPES[f]);
  const chosen = new Negotiator({ headers: { accept: accept ?? '*/*' } }).mediaType(types);
  const format = offered.find((f) => MEDIA_TYPES[f] === chosen);
  if (!format) throw new DomainError('REPORTING.NOT_ACCEPTABLE', `this report is available as ${types.join(', ')}`);
  return format;
}

type Cell = string | number | boolean | null | undefined;

/** RFC 4180: a header row, CRLF line ends, fields quoted when they hold a comma, quote or line break. */
export function csv(header: string[], rows: Cell[][]): string {
  return stringify([header, ...rows.map((r) => r.map((c) => (c === null || c === undefined ? '' : c)))], {
    record_delimiter: 'windows',
    // csv-stringify quotes only the record delimiter (CRLF); RFC 4180 wants any line break quoted.
    quoted_match: /[\r\n]/,
    cast: { boolean: (b) => String(b) },
  });
}

/** `{ a: { b: 1 } }` → `[['a.b', 1]]`, in key order. */
export function flatten(value: unknown, prefix = ''): Array<[string, Cell]> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => flatten(v, prefix ? `${prefix}.${k}` : k));
  }
  return [[prefix, value as Cell]];
}

const asOfRows = (asOf: ReportSummaryResponse['asOf']): Cell[][] => [
  ['asOf.eventId', asOf?.eventId],
  ['asOf.eventTime', asOf?.eventTime],
  ['asOf.streamSequence', asOf?.streamSequence],
];

/** One `figure,value` row per figure, after the period and freshness rows. */
export function summaryCsv(r: ReportSummaryResponse): string {
  return csv(
    ['figure', 'value'],
    [['from', r.from], ['to', r.to], ['agencyId', r.agencyId], ...asOfRows(r.asOf), ...flatten({ complaints: r.complaints, permits: r.permits })],
  );
}

/** One row per agency, one column per figure. */
export function agenciesCsv(r: AgenciesReportResponse): string {
  const template = flatten({ complaints: {} as ComplaintFigures, permits: {} as PermitFigures });
  const columns =
    r.items.length > 0 ? flatten({ complaints: r.items[0].complaints, permits: r.items[0].permits }).map(([k]) => k) : template.map(([k]) => k);
  return csv(
    ['agencyId', ...columns],
    r.items.map((item) => {
      const values = new Map(flatten({ complaints: item.complaints, permits: item.permits }));
      return [item.agencyId, ...columns.map((c) => values.get(c))];
    }),
  );
}

/** `period,<metric>` rows. */
export function timeseriesCsv(r: TimeseriesResponse): string {
  return csv(
    ['period', r.metric],
    r.points.map((p) => [p.period, p.value]),
  );
}

export function publicSummaryCsv(r: PublicSummaryResponse): string {
  return csv(['figure', 'value'], [['asOf', r.asOf], ...flatten({ complaints: r.complaints, permits: r.permits })]);
}
