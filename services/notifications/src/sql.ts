/** What this service's SQL needs of a connection: an EntityManager or a DataSource. */
export interface Sql {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  query(sql: string, params?: unknown[]): Promise<any>;
}

/** Rows an UPDATE or DELETE … RETURNING gave (TypeORM answers those with `[rows, count]`). */
export async function changed<T>(m: Sql, sql: string, params: unknown[]): Promise<T[]> {
  const result = await m.query(sql, params);
  return Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number' ? result[0] : result;
}

export const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
