import { COMPLAINT_OPEN_STATUSES, EXACT_TOTAL_UP_TO, ListComplaintsRequest, ListPublicComplaintsRequest, pageOffset, totalNeedsCount } from '@smart-regency/contracts';
import type { ListStatements } from '@smart-regency/platform';

/**
 * The SQL of the complaint lists (`GET /complaints`, `GET /public/complaints`, Open311 requests),
 * kept apart from the service so the benchmark plans exactly what the service sends.
 *
 * - Every list is read in the order of an index of ComplaintListIndexes, tiebreaker included.
 * - A page past the first is chosen on `(id, sort key)` alone, which those indexes cover (no heap
 *   visit for the rows OFFSET skips); only the page's rows are then read from the table.
 * - The total is counted in the same statement, and counting stops past EXACT_TOTAL_UP_TO (the rule
 *   of every large list, libs/contracts countedTotal); a page past that needs no count at all.
 * - Constant conditions are literals, not parameters: the partial indexes' predicates
 *   (`visibility <> 'confidential'`, the open statuses) must be provable from the query text.
 */

const OPEN_SQL = `(${COMPLAINT_OPEN_STATUSES.map((s) => `'${s}'`).join(', ')})`;
/** At most this many tracking numbers or categories in one comma list (Open311's service_request_id, service_code). */
export const MAX_LIST_VALUES = 100;

/** Who is asking decides the scope before any filter: everything, one reporter's, one agency's, or the public's. */
export type ComplaintListScope = { kind: 'all' } | { kind: 'reporter'; id: string } | { kind: 'agency'; id: string } | { kind: 'public' };

/** Columns a response needs, under the entity's property names. */
export const COMPLAINT_LIST_COLUMNS = [
  ['id', 'id'],
  ['tracking_number', 'trackingNumber'],
  ['category_code', 'categoryCode'],
  ['reporter_id', 'reporterId'],
  ['title', 'title'],
  ['description', 'description'],
  ['location', 'location'],
  ['visibility', 'visibility'],
  ['status', 'status'],
  ['agency_id', 'agencyId'],
  ['due_at', 'dueAt'],
  ['final_due_at', 'finalDueAt'],
  ['answer', 'answer'],
  ['resolved_at', 'resolvedAt'],
  ['closed_at', 'closedAt'],
  ['rating', 'rating'],
  ['version', 'version'],
  ['created_at', 'createdAt'],
  ['updated_at', 'updatedAt'],
] as const;

/** Where a complaint stands with SP4N-LAPOR!: on the staff's and the reporter's lists, never on the public's. */
export const COMPLAINT_LAPOR_COLUMNS = [
  ['lapor_status', 'laporStatus'],
  ['lapor_id', 'laporId'],
  ['lapor_requested_at', 'laporRequestedAt'],
  ['lapor_forwarded_at', 'laporForwardedAt'],
  ['lapor_failed_reason', 'laporFailedReason'],
  ['lapor_remote_status', 'laporRemoteStatus'],
] as const;

/**
 * The public page's files, in the page's own statement (one round trip): only `public` complaints
 * show theirs (a photo of an anonymous or confidential one could identify who took it).
 */
const PUBLIC_FILES =
  `CASE WHEN c.visibility = 'public' THEN (SELECT json_agg(json_build_object('id', f.id, 'contentType', f.content_type, 'size', f.size, 'sha256', f.sha256, ` +
  `'fileName', f.file_name, 'uploaderRole', f.uploader_role, 'uploadedAt', f.uploaded_at) ORDER BY f.uploaded_at) ` +
  `FROM complaint_attachments f WHERE f.complaint_id = c.id) END AS "files"`;

/** A public page's row: its files as the JSON PUBLIC_FILES builds (null when none or not public). */
export interface ListedFiles {
  files?: Array<{ id: string; contentType: string; size: number; sha256: string; fileName: string | null; uploaderRole: string; uploadedAt: string }> | null;
}


const commaList = (value: string) => [
  ...new Set(
    value
      .split(',')
      .map((x) => x.trim())
      .slice(0, MAX_LIST_VALUES),
  ),
];

export function complaintListStatements(scope: ComplaintListScope, query: ListComplaintsRequest & ListPublicComplaintsRequest): ListStatements {
  const params: unknown[] = [];
  const p = (value: unknown) => `$${params.push(value)}`;
  const where: string[] = [];
  // The public list by category (Open311's service_code): each category's newest from its own index
  // (ix_complaints_public_category, the other filters on its INCLUDE columns), merged. With
  // `category_code = ANY(…)` in the WHERE, PostgreSQL reads the list newest first from
  // ix_complaints_public and drops every other category's rows one heap visit at a time: with
  // 30,000 newer complaints of other categories on top, 28 ms a page (bench/README.md).
  const codes = scope.kind === 'public' && query.categoryCodes ? commaList(query.categoryCodes) : undefined;
  const codesParam = codes ? p(codes) : '';
  if (scope.kind === 'public') where.push(`c.visibility <> 'confidential'`);
  else if (scope.kind === 'agency') where.push(`c.agency_id = ${p(scope.id)}`);
  else if (scope.kind === 'reporter') where.push(`c.reporter_id = ${p(scope.id)}`);

  if (query.status) where.push(`c.status = ${p(query.status)}`);
  if (query.categoryCode) where.push(`c.category_code = ${p(query.categoryCode)}`);
  if (scope.kind !== 'public') {
    if (query.agencyId) where.push(`c.agency_id = ${p(query.agencyId)}`);
    if (query.overdue !== undefined) {
      const overdue = `(c.status IN ${OPEN_SQL} AND c.due_at < now())`;
      where.push(query.overdue ? overdue : `NOT ${overdue}`);
    }
  } else {
    if (query.district) where.push(`c.district = ${p(query.district)}`);
    if (query.trackingNumbers) where.push(`c.tracking_number = ANY(${p(commaList(query.trackingNumbers))}::text[])`);
    if (query.state) where.push(query.state === 'closed' ? `c.status IN ('closed', 'rejected')` : `c.status NOT IN ('closed', 'rejected')`);
  }
  if (query.from) where.push(`c.created_at >= ${p(new Date(query.from))}`);
  if (query.to) where.push(`c.created_at < ${p(new Date(query.to))}`);

  // Staff and coordinators by deadline; a citizen's own and the public list newest first.
  const byDeadline = scope.kind === 'all' || scope.kind === 'agency';
  const order = (alias: string) => (byDeadline ? `${alias}.due_at ASC NULLS LAST, ${alias}.id ASC` : `${alias}.created_at DESC, ${alias}.id DESC`);
  const condition = where.length ? `WHERE ${where.join(' AND ')}` : '';
  // The count may take the ANY form: it reads ix_complaints_public_category alone.
  const countCondition = codes ? `WHERE ${[...where, `c.category_code = ANY(${codesParam}::text[])`].join(' AND ')}` : condition;

  const { skip: offset, take: pageSize } = pageOffset(query);
  const listed = scope.kind === 'public' ? COMPLAINT_LIST_COLUMNS : [...COMPLAINT_LIST_COLUMNS, ...COMPLAINT_LAPOR_COLUMNS];
  const columns =
    listed.map(([name, property]) => (name === property ? `c.${name}` : `c.${name} AS "${property}"`)).join(', ') +
    (scope.kind === 'public' ? `, ${PUBLIC_FILES}` : '');
  const countSql = `SELECT count(*)::int FROM (SELECT 1 FROM complaints c ${countCondition} LIMIT ${EXACT_TOTAL_UP_TO + 1}) m`;
  const count = countSql.replace('count(*)::int', 'count(*)::int AS n');
  const counted = totalNeedsCount(offset, pageSize);
  // The count rides along in the page's statement (evaluated once, same snapshot): one round trip.
  // Paging values are literals: a generic plan (prepared statements, queryRows) that does not know
  // the LIMIT assumes a tenth of the table and sorts (145 ms for the public list's first page).
  const matching = counted ? `, (${countSql}) AS "matching"` : '';
  const byCategory = `${condition} AND c.category_code = code.v`;
  const select = codes
    ? `SELECT ${columns}${matching} FROM (SELECT m.id FROM unnest(${codesParam}::text[]) AS code(v) CROSS JOIN LATERAL ` +
      `(SELECT c.id, c.created_at FROM complaints c ${byCategory} ORDER BY ${order('c')} LIMIT ${offset + pageSize}) m ` +
      `ORDER BY ${order('m')} LIMIT ${pageSize} OFFSET ${offset}) page JOIN complaints c ON c.id = page.id ORDER BY ${order('c')}`
    : offset === 0
      ? `SELECT ${columns}${matching} FROM complaints c ${condition} ORDER BY ${order('c')} LIMIT ${pageSize}`
      : `SELECT ${columns}${matching} FROM (SELECT c.id FROM complaints c ${condition} ORDER BY ${order('c')} LIMIT ${pageSize} OFFSET ${offset}) page ` +
        `JOIN complaints c ON c.id = page.id ORDER BY ${order('c')}`;
  return { select, counted, count, params, offset, pageSize };
}
