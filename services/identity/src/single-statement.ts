import { DomainError } from '@smart-regency/platform';
import { QueryFailedError } from 'typeorm';

/**
 * Changes written as one statement (atomic without BEGIN and COMMIT: one round trip, and no pool
 * connection held while the process computes between statements). The row is read first; the
 * statement then writes only if the row is still the one read (`xmin`, which every update of the
 * row changes), else `identity_changed_meanwhile()` fails it whole, outbox and audit rows included,
 * and `retried` reads and tries again. At 250 changes a second, holding a row lock over five round
 * trips queued each agency's changes and the pool behind them (bench/README.md).
 */

/** The final SELECT's guard: true when `cte` wrote its one row, else the statement fails (40001). */
export const unlessChanged = (cte: string) => `CASE WHEN EXISTS (SELECT 1 FROM ${cte}) THEN true ELSE identity_changed_meanwhile() END`;

const changedMeanwhile = (error: unknown) =>
  error instanceof QueryFailedError && (error.driverError as { code?: string; routine?: string }).code === '40001';

/** Attempts before giving up with 409: only a row that changes every moment gets there. */
export const WRITE_ATTEMPTS = 20;

/** Runs `attempt` (read, then one guarded statement) until no other change came between its read and its write. */
export async function retried<T>(attempt: () => Promise<T>, what: string): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (!changedMeanwhile(error)) throw error;
      if (n >= WRITE_ATTEMPTS) throw new DomainError('COMMON.CONFLICT', `${what} kept changing while it was being written: try again`);
    }
  }
}

/** When the event says the change happened: now, yet always after the change before it (`previousMs`), whatever another replica's clock says. */
export const changeTime = (previousMs: number | null | undefined) => new Date(Math.max(Date.now(), previousMs == null ? 0 : Math.floor(previousMs) + 1));

/**
 * Runs the changes of one key (an agency, a calendar year) one after another in this process, so
 * that they do not all read the same row and all but one then read it again: a replica's own
 * changes queue here, holding no database connection; only another replica's can still come
 * between a read and its write (`retried`).
 */
export class OneAtATime {
  private readonly tails = new Map<string, Promise<void>>();

  run<T>(key: string, change: () => Promise<T>): Promise<T> {
    const result = (this.tails.get(key) ?? Promise.resolve()).then(() => change());
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
