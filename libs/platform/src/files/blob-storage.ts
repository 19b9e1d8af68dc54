import { EntityManager } from 'typeorm';

/**
 * Where file bytes live. PostgreSQL by default (one backup covers everything); an S3-compatible
 * store can implement the same methods later (keys are paths: `<record>/<id>/…`, so a record's
 * every version is one prefix).
 */
export abstract class BlobStorage {
  abstract put(m: EntityManager, key: string, bytes: Buffer): Promise<void>;
  abstract get(m: EntityManager, key: string): Promise<Buffer | null>;
  /** Removes the bytes for good (erasure, a replaced version); a missing key is not an error. */
  abstract delete(m: EntityManager, key: string): Promise<void>;
  /** Removes every blob whose key starts with `prefix` (a record's every version); returns how many. */
  abstract deleteUnder(m: EntityManager, prefix: string): Promise<number>;
}

/** `prefix` as a LIKE pattern that matches it literally, then anything. */
export const likePrefix = (prefix: string) => `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * Blobs in a table `(key varchar PRIMARY KEY, content bytea)` of the service's own database.
 * `deleteUnder` wants an index on `key text_pattern_ops` (LIKE by prefix whatever the collation).
 */
export class PostgresBlobStorage extends BlobStorage {
  constructor(private readonly table: string) {
    super();
    if (!/^[a-z_][a-z0-9_]*$/.test(table)) throw new Error(`not a table name: ${table}`);
  }

  async put(m: EntityManager, key: string, bytes: Buffer): Promise<void> {
    await m.query(`INSERT INTO ${this.table} (key, content) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET content = EXCLUDED.content`, [key, bytes]);
  }

  async get(m: EntityManager, key: string): Promise<Buffer | null> {
    const rows = await m.query(`SELECT content FROM ${this.table} WHERE key = $1`, [key]);
    return rows[0]?.content ?? null;
  }

  async delete(m: EntityManager, key: string): Promise<void> {
    await m.query(`DELETE FROM ${this.table} WHERE key = $1`, [key]);
  }

  async deleteUnder(m: EntityManager, prefix: string): Promise<number> {
    if (!prefix) throw new Error('deleteUnder needs a prefix');
    const rows: unknown[] = await m.query(`DELETE FROM ${this.table} WHERE key LIKE $1 RETURNING 1`, [likePrefix(prefix)]);
    return rows.length;
  }
}
