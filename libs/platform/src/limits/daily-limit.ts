import { Actor, ErrorCode } from '@smart-regency/contracts';
import { EntityManager, MigrationInterface, QueryRunner } from 'typeorm';
import { hasRole, STAFF_ROLES } from '../auth/ownership';
import { DomainError } from '../errors/domain-error';

/** The SQLSTATE `daily_limit_take` raises when an actor has used up a day's allowance. */
export const DAILY_LIMIT_SQLSTATE = 'RL429';

/**
 * One row per (actor, kind): how many the actor used on `day` (a Jakarta date). A counter rather
 * than a count of the records themselves: replacing a document leaves no row to count, and the row
 * lock of `ON CONFLICT DO UPDATE` serialises one actor's concurrent requests on every replica, where
 * counting rows under READ COMMITTED would let a burst of parallel requests all see room.
 * `daily_limit_take` takes one unit inside the caller's own statement or transaction (a failed
 * write gives it back by rolling back) and raises RL429 beyond the cap; a NULL cap is no limit.
 */
export class CreateDailyUsage1766600000000 implements MigrationInterface {
  name = 'CreateDailyUsage1766600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE daily_usage (
        actor_id uuid NOT NULL,
        kind varchar(20) NOT NULL,
        day date NOT NULL,
        used int NOT NULL CHECK (used > 0),
        PRIMARY KEY (actor_id, kind)
      )`);
    await q.query(`
      CREATE FUNCTION daily_limit_take(p_actor uuid, p_kind varchar, p_max int) RETURNS boolean
      LANGUAGE plpgsql AS $$
      DECLARE
        today date := (now() AT TIME ZONE 'Asia/Jakarta')::date;
        taken int;
      BEGIN
        IF p_max IS NULL THEN RETURN true; END IF;
        INSERT INTO daily_usage AS u (actor_id, kind, day, used) VALUES (p_actor, p_kind, today, 1)
        ON CONFLICT (actor_id, kind) DO UPDATE
          SET used = CASE WHEN u.day = today THEN u.used + 1 ELSE 1 END, day = today
          WHERE u.day <> today OR u.used < p_max
        RETURNING used INTO taken;
        IF taken IS NULL OR taken > p_max THEN
          RAISE EXCEPTION 'daily limit of % % reached', p_max, p_kind USING
            ERRCODE = '${DAILY_LIMIT_SQLSTATE}',
            DETAIL = ceil(extract(epoch FROM ((today + 1)::timestamp AT TIME ZONE 'Asia/Jakarta') - now()))::int::text;
        END IF;
        RETURN true;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION daily_limit_take(uuid, varchar, int)`);
    await q.query(`DROP TABLE daily_usage`);
  }
}

export const DAILY_LIMIT_MIGRATIONS = [CreateDailyUsage1766600000000];

const DAY_MS = 86_400_000;
const JAKARTA_OFFSET_MS = 7 * 3_600_000;

/** Seconds from `now` to the next midnight in Jakarta (WIB, UTC+7 all year), at least 1. */
export function secondsUntilJakartaMidnight(now = new Date()): number {
  const local = now.getTime() + JAKARTA_OFFSET_MS;
  return Math.max(1, Math.ceil((Math.floor(local / DAY_MS) * DAY_MS + DAY_MS - local) / 1000));
}

function driverError(error: unknown): { code?: string; detail?: string } {
  const e = error as { code?: string; detail?: string; driverError?: { code?: string; detail?: string } };
  return e?.driverError ?? e ?? {};
}

/**
 * A per-citizen allowance per Jakarta day (filings, drafts, uploads). Staff, admins, auditors and
 * integrators are not limited: only an actor who is a citizen and nothing more. Beyond the cap the
 * caller gets `code` (429) with `retryAfter` = the seconds until midnight WIB.
 */
export class DailyLimit {
  constructor(
    readonly kind: string,
    readonly perDay: number,
    readonly code: ErrorCode,
  ) {
    if (!/^[a-z_]{1,20}$/.test(kind)) throw new Error(`not a limit kind: ${kind}`);
  }

  /** The cap for this actor, or null when the actor is not limited. */
  capFor(actor: Actor): number | null {
    return actor.roles.includes('citizen') && !hasRole(actor, [...STAFF_ROLES, 'admin', 'auditor']) ? this.perDay : null;
  }

  /**
   * A boolean SQL expression that takes one unit for `actorParam` (a `$n` already in the statement)
   * when it is evaluated, with the cap pushed onto `params`; for a write that is one statement.
   */
  condition(actor: Actor, actorParam: string, params: unknown[]): string {
    params.push(this.capFor(actor));
    return `daily_limit_take(${actorParam}::uuid, '${this.kind}', $${params.length}::int)`;
  }

  /** Takes one unit in `m`'s transaction (given back if it rolls back); the 429 if none is left. */
  async take(m: EntityManager, actor: Actor): Promise<void> {
    const cap = this.capFor(actor);
    if (cap === null) return;
    await this.guard(() => m.query(`SELECT daily_limit_take($1::uuid, $2, $3::int)`, [actor.id, this.kind, cap]));
  }

  /** Runs `write` (which evaluates `condition` or `take`), turning the database's refusal into the 429. */
  async guard<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      const { code, detail } = driverError(error);
      if (code !== DAILY_LIMIT_SQLSTATE) throw error;
      const seconds = Number(detail);
      throw new DomainError(
        this.code,
        `at most ${this.perDay} ${this.kind.replace(/_/g, ' ')}s a day; try again after midnight WIB`,
        undefined,
        Number.isInteger(seconds) && seconds > 0 ? seconds : secondsUntilJakartaMidnight(),
      );
    }
  }
}
