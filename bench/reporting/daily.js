'use strict';
/*
 * The daily aggregates of reporting's read models, computed from the facts in SQL, counted as the
 * projection counts them (services/reporting/src/projection/facts.ts, complaintContribution and
 * permitContribution): each time of a fact counts on its Asia/Jakarta day (UTC+7), under the fact's
 * agency; its status under s_<status> (s_other without a column of its own); a handling time in
 * histogram bucket k when below 1 h × 1.25^k (the last bucket: longer). The counter columns are the
 * tables' own. The bench seeds the read models directly; it loads none of the service's code.
 */
const NO_AGENCY = '00000000-0000-0000-0000-000000000000';
// Bucket k's upper bound in seconds, k = 0 … 40, computed as the projection computes it.
const BOUNDS = Array.from({ length: 41 }, (_, k) => 3600 * 1.25 ** k);

const day = (column) => `((${column} + interval '7 hours') AT TIME ZONE 'UTC')::date`;
// width_bucket over the bounds = how many bounds are <= the duration = the first bucket whose bound it is below.
const bucket = (from, to) => `'h' || lpad(width_bucket(greatest(0, extract(epoch FROM ${to} - ${from}))::float8, $2::float8[])::text, 2, '0')`;
const status = `CASE WHEN status = ANY($1::text[]) THEN 's_' || status ELSE 's_other' END`;

/** Contributions `(day, a, col, n)` of each fact of a table: [time column or expression, counter, condition]. */
const contributions = (table, parts) =>
  `WITH f AS (SELECT *, coalesce(agency_id, '${NO_AGENCY}') AS a FROM ${table}) ` +
  parts.map(([at, col, n, where]) => `SELECT ${day(at)} AS day, a, ${col} AS col, ${n} AS n FROM f WHERE ${where}`).join(' UNION ALL ');

const COMPLAINTS = contributions('complaint_facts', [
  ['received_at', `'received'`, 1, 'received_at IS NOT NULL'],
  ['received_at', status, 1, 'received_at IS NOT NULL'],
  ['resolved_at', `'resolved'`, 1, 'resolved_at IS NOT NULL'],
  ['resolved_at', bucket('received_at', 'resolved_at'), 1, 'resolved_at IS NOT NULL AND received_at IS NOT NULL'],
  ['rejected_at', `'rejected'`, 1, 'rejected_at IS NOT NULL'],
  ['closed_at', `'closed'`, 1, 'closed_at IS NOT NULL'],
  ['least(resolved_at, rejected_at)', `'finished'`, 1, 'coalesce(resolved_at, rejected_at) IS NOT NULL'],
  ['least(resolved_at, rejected_at)', `'finished_on_time'`, 1, 'coalesce(resolved_at, rejected_at) IS NOT NULL AND NOT deadline_missed'],
  ['rated_at', `'rated'`, 1, 'rating IS NOT NULL AND rated_at IS NOT NULL'],
  ['rated_at', `'rating_sum'`, 'rating', 'rating IS NOT NULL AND rated_at IS NOT NULL'],
]);

const PERMITS = contributions('permit_facts', [
  ['submitted_at', `'submitted'`, 1, 'submitted_at IS NOT NULL'],
  ['submitted_at', status, 1, 'submitted_at IS NOT NULL'],
  ['decided_at', `'decided'`, 1, 'decided_at IS NOT NULL'],
  ['decided_at', `CASE WHEN decision = 'rejected' THEN 'rejected' ELSE 'approved' END`, 1, 'decided_at IS NOT NULL'],
  ['decided_at', `'decided_on_time'`, 1, 'decided_at IS NOT NULL AND NOT deadline_missed'],
  ['decided_at', bucket('submitted_at', 'decided_at'), 1, 'decided_at IS NOT NULL AND submitted_at IS NOT NULL'],
  ['issued_at', `'issued'`, 1, 'issued_at IS NOT NULL'],
  ['withdrawn_at', `'withdrawn'`, 1, 'withdrawn_at IS NOT NULL'],
]);

/** The counter columns of a daily table (all but day and agency_id). */
async function countersOf(pool, table) {
  const { rows } = await pool.query(`SELECT column_name AS name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 AND column_name NOT IN ('day', 'agency_id') ORDER BY ordinal_position`, [table]);
  return rows.map((r) => r.name);
}

/** Fills `daily` (complaint_daily or permit_daily) from its facts; the number of rows. */
async function fillDaily(pool, daily) {
  const counters = await countersOf(pool, daily);
  const statuses = counters.filter((c) => c.startsWith('s_') && c !== 's_other').map((c) => c.slice(2));
  const sums = counters.map((c) => `coalesce(sum(n) FILTER (WHERE col = '${c}'), 0)`).join(', ');
  const source = daily === 'complaint_daily' ? COMPLAINTS : PERMITS;
  const sql = `INSERT INTO ${daily} (day, agency_id, ${counters.join(', ')}) SELECT day, a, ${sums} FROM (${source}) c GROUP BY day, a`;
  return (await pool.query(sql, [statuses, BOUNDS])).rowCount;
}

module.exports = { fillDaily };
