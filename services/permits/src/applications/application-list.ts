import { EXACT_TOTAL_UP_TO, ListApplicationsRequest, OPEN_STATUSES, pageOffset, totalNeedsCount } from '@smart-regency/contracts';
import type { ListStatements } from '@smart-regency/platform';

/**
 * The SQL of `GET /permit-applications`, kept apart from the service. bench/permits.js plans exactly
 * what the service sends: it reads the statements from PostgreSQL's log.
 *
 * Shapes that keep every list an ordered index scan at a million rows (bench/README.md, permits):
 * - An agency's work queue is `agency_id = A OR issuing_agency_id = A`. No index yields rows in
 *   `due_at` order across an OR, so the two scopes run as two branches, each cut at offset + page
 *   size by its own index, and are merged; the second branch leaves out rows the first has, so
 *   UNION ALL is exact.
 * - The page is chosen on `(id, sort key)` alone, which the indexes cover (no heap visit for the
 *   rows skipped by OFFSET); only the rows of the page are then read from the table.
 * - The total is counted in the same statement, and counting stops past EXACT_TOTAL_UP_TO (the
 *   rule of every large list, libs/contracts countedTotal); a page past that needs no count at all,
 *   and the service takes the total from the page itself when the page tells it (not full).
 */

// Literals, not parameters: the partial indexes' predicates must be provable from the query text.
const OPEN_SQL = `(${OPEN_STATUSES.map((s) => `'${s}'`).join(', ')})`;

/** Who is asking decides the scope before any filter: everything, one applicant's, or one agency's. */
export type ListScope = { kind: 'all' } | { kind: 'applicant'; id: string } | { kind: 'agency'; id: string };


/** Columns the response needs, under the entity's property names. */
export const LIST_COLUMNS = [
  ['id', 'id'],
  ['number', 'number'],
  ['permit_type_code', 'permitTypeCode'],
  ['agency_id', 'agencyId'],
  ['issuing_agency_id', 'issuingAgencyId'],
  ['applicant_id', 'applicantId'],
  ['status', 'status'],
  ['form_data', 'formData'],
  ['location', 'location'],
  ['fee', 'fee'],
  ['submitted_at', 'submittedAt'],
  ['due_at', 'dueAt'],
  ['decided_at', 'decidedAt'],
  ['issued_at', 'issuedAt'],
  ['certificate_number', 'certificateNumber'],
  ['expires_at', 'expiresAt'],
  ['version', 'version'],
  ['created_at', 'createdAt'],
  ['updated_at', 'updatedAt'],
] as const;

export function listStatements(scope: ListScope, query: ListApplicationsRequest): ListStatements {
  const params: unknown[] = [];
  const p = (value: unknown) => `$${params.push(value)}`;

  const filters: string[] = [];
  // Staff: their agency's applications once submitted (a draft is the citizen's own business).
  let branches: string[];
  const agencyBranches = (agency: string) => {
    const a = p(agency);
    return [`a.agency_id = ${a}`, `a.issuing_agency_id = ${a} AND a.agency_id <> ${a}`];
  };
  if (scope.kind === 'agency') {
    branches = agencyBranches(scope.id);
    filters.push(`a.status <> 'draft'`);
  } else if (scope.kind === 'applicant') {
    branches = [`a.applicant_id = ${p(scope.id)}`];
  } else {
    branches = query.agencyId ? agencyBranches(query.agencyId) : ['TRUE'];
  }
  if (query.agencyId && scope.kind !== 'all') {
    const a = p(query.agencyId);
    filters.push(`(a.agency_id = ${a} OR a.issuing_agency_id = ${a})`);
  }
  if (query.status) filters.push(`a.status = ${p(query.status)}`);
  if (query.permitTypeCode) filters.push(`a.permit_type_code = ${p(query.permitTypeCode)}`);
  if (query.from) filters.push(`a.created_at >= ${p(new Date(query.from))}`);
  if (query.to) filters.push(`a.created_at < ${p(new Date(query.to))}`);
  if (query.overdue !== undefined) {
    const overdue = `(a.status IN ${OPEN_SQL} AND a.due_at < now())`;
    filters.push(query.overdue ? overdue : `NOT ${overdue}`);
  }

  const staffOrAdmin = scope.kind !== 'applicant';
  const sort = query.sort ?? (staffOrAdmin ? 'dueAt' : '-createdAt');
  const direction = sort.startsWith('-') ? 'DESC' : 'ASC';
  const column = sort.endsWith('dueAt') ? 'due_at' : 'created_at';
  // due_at is empty on drafts: last either way. created_at is NOT NULL: no NULLS clause, so the
  // (applicant_id, created_at DESC, id) index serves the citizen's default order.
  const nulls = column === 'due_at' ? ' NULLS LAST' : '';
  const order = (alias: string) => `${alias}.${column} ${direction}${nulls}, ${alias}.id ASC`;

  const { skip: offset, take: pageSize } = pageOffset(query);
  const where = (branch: string) => [branch, ...filters].join(' AND ');
  const columns = LIST_COLUMNS.map(([name, property]) => (name === property ? `a.${name}` : `a.${name} AS "${property}"`)).join(', ');
  const countSql = `SELECT count(*)::int FROM (${branches.map((b) => `SELECT 1 FROM applications a WHERE ${where(b)}`).join(' UNION ALL ')} LIMIT ${EXACT_TOTAL_UP_TO + 1}) c`;
  const count = countSql.replace('count(*)::int', 'count(*)::int AS n');
  // Paging values are literals: a generic plan (prepared statements, queryRows) that does not know
  // the LIMIT assumes a tenth of the table and sorts; with literals PostgreSQL keeps the index order.
  let keys: string;
  if (branches.length === 1) {
    keys = `SELECT a.id FROM applications a WHERE ${where(branches[0])} ORDER BY ${order('a')} LIMIT ${pageSize} OFFSET ${offset}`;
  } else {
    const branch = (b: string) => `(SELECT a.id, a.${column} FROM applications a WHERE ${where(b)} ORDER BY ${order('a')} LIMIT ${offset + pageSize})`;
    keys = `SELECT k.id FROM (${branches.map(branch).join(' UNION ALL ')}) k ORDER BY ${order('k')} LIMIT ${pageSize} OFFSET ${offset}`;
  }
  const counted = totalNeedsCount(offset, pageSize);
  // The count rides along in the page's statement (evaluated once, same snapshot): one round trip.
  const select = `SELECT ${columns}${counted ? `, (${countSql}) AS "matching"` : ''} FROM (${keys}) page JOIN applications a ON a.id = page.id ORDER BY ${order('a')}`;
  return { select, counted, count, params, offset, pageSize };
}
