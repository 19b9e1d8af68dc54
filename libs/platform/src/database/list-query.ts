import { CountedTotal, countedTotal } from '@smart-regency/contracts';
import { createHash } from 'crypto';
import type { Pool, PoolClient } from 'pg';
import { DataSource, EntityManager } from 'typeorm';

/**
 * At most this many statement texts are prepared per process (each pool connection keeps its own
 * copy, with its cached plan, in PostgreSQL); further texts run unnamed.
 */
export const MAX_PREPARED_TEXTS = 100;
const names = new Map<string, string>();

/**
 * A read straight on the service's pg pool (TypeORM's query runner costs more CPU than the
 * statement on a list page), by default as a named prepared statement: each pool connection parses
 * it once, and after five executions PostgreSQL keeps a generic plan when it costs no more than the
 * custom ones (plan_cache_mode auto). Planning was half of PostgreSQL's time on a staff queue
 * (bench/README.md). Values that decide the plan's shape (LIMIT, OFFSET, partial-index predicates)
 * must be literals in `text`, never parameters: a generic plan cannot see them. The name is a hash
 * of the text, so one name never means two statements.
 */
export async function queryRows<T>(db: DataSource, text: string, values: unknown[], { prepare = true } = {}): Promise<T[]> {
  const pool = (db.driver as unknown as { master: Pool }).master;
  const name = prepare ? preparedName(text) : undefined;
  const result = await pool.query(name ? { name, text, values } : { text, values });
  return result.rows as T[];
}

/**
 * `queryRows` inside a TypeORM transaction: the statement runs prepared on the transaction's own
 * connection (TypeORM sends every statement unnamed, so PostgreSQL parses and plans it each time).
 * Without a connected query runner it falls back to `manager.query`.
 */
export async function queryIn<T>(manager: EntityManager, text: string, values: unknown[]): Promise<T[]> {
  const client = (manager.queryRunner as unknown as { databaseConnection?: PoolClient } | undefined)?.databaseConnection;
  if (!client) return manager.query(text, values);
  const name = preparedName(text);
  const result = await client.query(name ? { name, text, values } : { text, values });
  return result.rows as T[];
}

function preparedName(text: string): string | undefined {
  let name = names.get(text);
  if (name === undefined && names.size < MAX_PREPARED_TEXTS) {
    name = `sr_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
    names.set(text, name);
  }
  return name;
}

/** The statements of one list page (permits' and complaints' lists build them). */
export interface ListStatements {
  /** The page's rows, columns named as the entity's properties, and (when `counted`) in each `matching`: how many match, counting at most EXACT_TOTAL_UP_TO + 1. */
  select: string;
  /** Whether `select` carries the count: not on a page past EXACT_TOTAL_UP_TO, whose rows prove more. */
  counted: boolean;
  /** One row `{ n }`: the same count, for a page with no rows. */
  count: string;
  params: unknown[];
  offset: number;
  pageSize: number;
}

/** One page and its total (counted in the page's own statement, up to EXACT_TOTAL_UP_TO + 1). */
export async function countedPage<Row>(db: DataSource, sql: ListStatements): Promise<{ rows: Row[] } & CountedTotal> {
  const rows = await queryRows<Row & { matching?: number }>(db, sql.select, sql.params, { prepare: sql.counted });
  // A page past the end has no row to carry the count.
  const pastEnd = rows.length === 0 && sql.offset > 0;
  const counted: number | undefined = pastEnd ? (await queryRows<{ n: number }>(db, sql.count, sql.params, { prepare: false }))[0].n : rows[0]?.matching;
  return { rows, ...countedTotal(sql.offset, sql.pageSize, rows.length, counted) };
}
