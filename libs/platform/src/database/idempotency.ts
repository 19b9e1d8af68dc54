import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'crypto';
import { DataSource, EntityManager, MigrationInterface, QueryRunner } from 'typeorm';
import { DomainError } from '../errors/domain-error';

/** Keys are kept at least this long (API.md: 24 hours). */
export const IDEMPOTENCY_RETENTION_HOURS = 48;

export class CreateIdempotencyKeys1764450000000 implements MigrationInterface {
  name = 'CreateIdempotencyKeys1764450000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE idempotency_keys (
        scope varchar(100) NOT NULL,
        actor_id varchar(100) NOT NULL,
        key varchar(200) NOT NULL,
        request_hash char(64) NOT NULL,
        response jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (scope, actor_id, key)
      )`);
    await q.query(`CREATE INDEX ix_idempotency_keys_created_at ON idempotency_keys (created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE idempotency_keys`);
  }
}

/**
 * Idempotency-Key for writes that create records: the first request with a key runs and its answer
 * is stored in the same transaction; a retry with the same key and body gets that answer and
 * creates nothing; the same key with another body is refused (422). Keys are per caller and scope.
 * A failed first attempt stores nothing, so its retry runs again.
 */
@Injectable()
export class IdempotentWrites {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async run<T>(scope: string, actorId: string, key: string | undefined, request: unknown, create: (m: EntityManager) => Promise<T>): Promise<T> {
    if (!key) return this.db.transaction(create);
    const hash = createHash('sha256').update(JSON.stringify(request ?? null)).digest('hex');
    return this.db.transaction(async (m) => {
      const inserted = await m.query(
        `INSERT INTO idempotency_keys (scope, actor_id, key, request_hash) VALUES ($1, $2, $3, $4)
         ON CONFLICT DO NOTHING RETURNING key`,
        [scope, actorId, key, hash],
      );
      if (!inserted.length) {
        // Another request with this key exists (this waits if it is still in flight).
        const [row] = await m.query(`SELECT request_hash, response FROM idempotency_keys WHERE scope = $1 AND actor_id = $2 AND key = $3 FOR SHARE`, [
          scope,
          actorId,
          key,
        ]);
        if (!row || row.request_hash !== hash) throw new DomainError('COMMON.IDEMPOTENCY_MISMATCH', 'this Idempotency-Key was used with a different request');
        return row.response as T;
      }
      const result = await create(m);
      await m.query(`UPDATE idempotency_keys SET response = $4 WHERE scope = $1 AND actor_id = $2 AND key = $3`, [scope, actorId, key, JSON.stringify(result)]);
      return result;
    });
  }
}
