import { queryIn, queryRows } from '@smart-regency/platform';
import { EntityManager } from 'typeorm';
import { Complaint } from './complaint.entity';

/**
 * One complaint read by id or tracking number, as a named prepared statement on the connection in
 * hand. TypeORM's `findOne` sends its 30-column text unnamed, so PostgreSQL parsed and planned it on
 * every lifecycle action (0.8 ms of the action's ~1 ms lock statement, bench/README.md); here each
 * connection plans it once. Columns come from the entity's metadata, under their property names, so
 * the row is the entity as `findOne` gave it (same pg type parsers).
 */
const texts = new Map<string, string>();

function statement(m: EntityManager, by: 'id' | 'tracking_number', lock: boolean): string {
  const key = `${by}:${lock}`;
  let text = texts.get(key);
  if (!text) {
    const columns = m.connection
      .getMetadata(Complaint)
      .columns.map((c) => `${c.databaseName} AS "${c.propertyName}"`)
      .join(', ');
    text = `SELECT ${columns} FROM complaints WHERE ${by} = $1${by === 'id' ? '::uuid' : ''}${lock ? ' FOR UPDATE' : ''}`;
    texts.set(key, text);
  }
  return text;
}

/**
 * The complaint, or null. `lock`: FOR UPDATE, inside the caller's transaction (`m` its manager).
 * Outside a transaction, pass the data source's manager: the read runs prepared on its pool.
 */
export async function findComplaint(m: EntityManager, where: { id: string } | { trackingNumber: string }, { lock = false } = {}): Promise<Complaint | null> {
  const [by, value] = 'id' in where ? (['id', where.id] as const) : (['tracking_number', where.trackingNumber] as const);
  const text = statement(m, by, lock);
  const rows = m.queryRunner ? await queryIn<Complaint>(m, text, [value]) : await queryRows<Complaint>(m.connection, text, [value]);
  return rows[0] ?? null;
}
