import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

/**
 * Where document bytes live. PostgreSQL by default (one backup covers everything); an
 * S3-compatible store can implement the same two methods later.
 */
export abstract class DocumentStorage {
  abstract put(m: EntityManager, key: string, bytes: Buffer): Promise<void>;
  abstract get(m: EntityManager, key: string): Promise<Buffer | null>;
  /** Removes the bytes for good (erasure); a missing key is not an error. */
  abstract delete(m: EntityManager, key: string): Promise<void>;
}

@Injectable()
export class PostgresDocumentStorage extends DocumentStorage {
  async put(m: EntityManager, key: string, bytes: Buffer): Promise<void> {
    await m.query(`INSERT INTO document_blobs (key, content) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET content = EXCLUDED.content`, [key, bytes]);
  }

  async get(m: EntityManager, key: string): Promise<Buffer | null> {
    const rows = await m.query(`SELECT content FROM document_blobs WHERE key = $1`, [key]);
    return rows[0]?.content ?? null;
  }

  async delete(m: EntityManager, key: string): Promise<void> {
    await m.query(`DELETE FROM document_blobs WHERE key = $1`, [key]);
  }
}
