import { changed, Sql } from '../sql';

export interface ForwardRow {
  request_event_id: string;
  complaint_id: string;
  status: 'pending' | 'forwarded' | 'failed';
  lapor_id: string | null;
  reported: boolean;
  attempts: number;
  retry_step: number;
  last_error: string | null;
  remote_status: string | null;
  remote_updated_at: string | null;
  polling: boolean;
}

/** The SQL of forwards to SP4N-LAPOR!. */
export class LaporStore {
  /** Forwards with something due: a call to make, an outcome to report to complaints, a status to read. */
  claim(m: Sql, limit: number, leaseMs: number): Promise<ForwardRow[]> {
    return changed<ForwardRow>(
      m,
      `WITH due AS (SELECT request_event_id FROM lapor_forwards
                    WHERE (status = 'pending' OR polling OR NOT reported) AND next_attempt_at <= now()
                    ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
       UPDATE lapor_forwards f SET attempts = f.attempts + 1, next_attempt_at = now() + make_interval(secs => $2::float8 / 1000)
       FROM due WHERE f.request_event_id = due.request_event_id RETURNING f.*`,
      [limit, leaseMs],
    );
  }

  async update(m: Sql, id: string, changes: Partial<Omit<ForwardRow, 'request_event_id' | 'complaint_id' | 'attempts'>>, nextInMs: number): Promise<void> {
    const keys = Object.keys(changes) as Array<keyof typeof changes>;
    const sets = keys.map((k, i) => `${k} = $${i + 3}`);
    await m.query(`UPDATE lapor_forwards SET ${[...sets, 'next_attempt_at = now() + make_interval(secs => $2::float8 / 1000)'].join(', ')} WHERE request_event_id = $1`, [
      id,
      nextInMs,
      ...keys.map((k) => changes[k]),
    ]);
  }
}
