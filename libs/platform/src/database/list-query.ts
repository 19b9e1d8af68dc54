import { createHash } from 'crypto';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';

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
  let name = prepare ? names.get(text) : undefined;
  if (prepare && name === undefined && names.size < MAX_PREPARED_TEXTS) {
    name = `sr_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
    names.set(text, name);
  }
  const result = await pool.query(name ? { name, text, values } : { text, values });
  return result.rows as T[];
}
