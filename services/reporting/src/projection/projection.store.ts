import { RegencyCloudEvent } from '@smart-regency/contracts';
import {
  applyComplaintEvent,
  applyPermitEvent,
  COMPLAINT_COUNTERS,
  complaintContribution,
  ComplaintFact,
  Deltas,
  emptyComplaint,
  emptyPermit,
  monthlyDeltas,
  PERMIT_COUNTERS,
  permitContribution,
  PermitFact,
} from './facts';

/** What the store needs of a connection: TypeORM's EntityManager and a wrapped pg client both fit. */
export interface Sql {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  query(sql: string, params?: unknown[]): Promise<any[]>;
}

/** The tables the projection writes; the rebuild writes the same ones under a suffix. */
export const READ_MODEL_TABLES = ['complaint_facts', 'permit_facts', 'complaint_daily', 'permit_daily', 'complaint_monthly', 'permit_monthly', 'projection_state'] as const;

/** The one projection_state row: how far the read models have read the stream. */
export const PROJECTION_NAME = 'events';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface Column {
  name: string;
  type: string;
  key: string;
}
const col = (name: string, type: string): Column => ({ name, type, key: name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()) });

const COMPLAINT_COLUMNS: Column[] = [
  col('complaint_id', 'uuid'),
  col('agency_id', 'uuid'),
  col('category_code', 'varchar'),
  col('visibility', 'varchar'),
  col('status', 'varchar'),
  col('status_at', 'timestamptz'),
  col('received_at', 'timestamptz'),
  col('due_at', 'timestamptz'),
  col('final_due_at', 'timestamptz'),
  col('verified_at', 'timestamptz'),
  col('dispositioned_at', 'timestamptz'),
  col('resolved_at', 'timestamptz'),
  col('rejected_at', 'timestamptz'),
  col('closed_at', 'timestamptz'),
  col('deadline_missed', 'boolean'),
  col('rating', 'smallint'),
  col('rated_at', 'timestamptz'),
];

const PERMIT_COLUMNS: Column[] = [
  col('application_id', 'uuid'),
  col('agency_id', 'uuid'),
  col('issuing_agency_id', 'uuid'),
  col('permit_type_code', 'varchar'),
  col('status', 'varchar'),
  col('status_at', 'timestamptz'),
  col('submitted_at', 'timestamptz'),
  col('due_at', 'timestamptz'),
  col('decided_at', 'timestamptz'),
  col('decision', 'varchar'),
  col('issued_at', 'timestamptz'),
  col('withdrawn_at', 'timestamptz'),
  col('ended_at', 'timestamptz'),
  col('deadline_missed', 'boolean'),
];

function fromRow<T>(columns: Column[], row: Record<string, unknown>): T {
  const fact: Record<string, unknown> = {};
  for (const c of columns) {
    const v = row[c.name];
    fact[c.key] = c.type === 'timestamptz' ? (v === null ? null : new Date(v as string).getTime()) : v;
  }
  return fact as T;
}

function toRecord(columns: Column[], fact: object): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const c of columns) {
    const v = (fact as Record<string, unknown>)[c.key];
    row[c.name] = c.type === 'timestamptz' && v !== null ? new Date(v as number).toISOString() : v;
  }
  return row;
}

interface FactKind<F> {
  table: string;
  daily: string;
  /** The daily table rolled up by month (the same counters). */
  monthly: string;
  idColumn: string;
  columns: Column[];
  counters: readonly string[];
  empty(id: string): F;
  apply(fact: F, event: RegencyCloudEvent): F;
  contribution(fact: F, sign: 1 | -1, deltas: Deltas): void;
  recordId(event: RegencyCloudEvent): unknown;
}

const COMPLAINTS: FactKind<ComplaintFact> = {
  table: 'complaint_facts',
  daily: 'complaint_daily',
  monthly: 'complaint_monthly',
  idColumn: 'complaint_id',
  columns: COMPLAINT_COLUMNS,
  counters: COMPLAINT_COUNTERS,
  empty: emptyComplaint,
  apply: applyComplaintEvent,
  contribution: complaintContribution,
  recordId: (e) => (e.data as { complaintId?: unknown })?.complaintId,
};

const PERMITS: FactKind<PermitFact> = {
  table: 'permit_facts',
  daily: 'permit_daily',
  monthly: 'permit_monthly',
  idColumn: 'application_id',
  columns: PERMIT_COLUMNS,
  counters: PERMIT_COUNTERS,
  empty: emptyPermit,
  apply: applyPermitEvent,
  contribution: permitContribution,
  recordId: (e) => (e.data as { applicationId?: unknown })?.applicationId,
};

/**
 * Applies a batch of events (stream order) to the read models in the caller's transaction: loads
 * the facts the batch touches, folds the events into them, writes them back and adds
 * `contribution(after) - contribution(before)` to the daily aggregates, all in a few statements.
 */
export class ProjectionStore {
  constructor(private readonly suffix = '') {}

  async apply(db: Sql, events: RegencyCloudEvent[], sequences: number[]): Promise<void> {
    const complaints = events.filter((e) => e.type.startsWith('complaints.complaint.'));
    const permits = events.filter((e) => e.type.startsWith('permits.application.'));
    if (complaints.length) await this.project(db, COMPLAINTS, complaints);
    if (permits.length) await this.project(db, PERMITS, permits);
    let last = -1;
    for (let i = 0; i < events.length; i++) if (last === -1 || sequences[i] > sequences[last]) last = i;
    if (last >= 0) {
      await db.query(
        `INSERT INTO projection_state${this.suffix} AS s (name, last_event_id, last_event_time, stream_seq) VALUES ($1, $2, $3, $4)
         ON CONFLICT (name) DO UPDATE SET last_event_id = EXCLUDED.last_event_id, last_event_time = EXCLUDED.last_event_time, stream_seq = EXCLUDED.stream_seq
         WHERE s.stream_seq < EXCLUDED.stream_seq`,
        [PROJECTION_NAME, events[last].id, events[last].time, sequences[last]],
      );
    }
  }

  private async project<F extends object>(db: Sql, kind: FactKind<F>, events: RegencyCloudEvent[]): Promise<void> {
    const valid = events.filter((e) => {
      const id = kind.recordId(e);
      return typeof id === 'string' && UUID.test(id);
    });
    if (!valid.length) return;
    const ids = [...new Set(valid.map((e) => (kind.recordId(e) as string).toLowerCase()))].sort();
    // Locked in id order, so two replicas never wait on each other in a circle.
    const rows: Array<Record<string, unknown>> = await db.query(
      `SELECT * FROM ${kind.table}${this.suffix} WHERE ${kind.idColumn} = ANY($1::uuid[]) ORDER BY ${kind.idColumn} FOR UPDATE`,
      [ids],
    );
    const before = new Map<string, F | null>(ids.map((id) => [id, null]));
    for (const row of rows) before.set(String(row[kind.idColumn]), fromRow<F>(kind.columns, row));
    const after = new Map<string, F>();
    for (const event of valid) {
      const id = (kind.recordId(event) as string).toLowerCase();
      after.set(id, kind.apply(after.get(id) ?? before.get(id) ?? kind.empty(id), event));
    }
    const deltas: Deltas = new Map();
    for (const [id, fact] of after) {
      const old = before.get(id);
      if (old) kind.contribution(old, -1, deltas);
      kind.contribution(fact, 1, deltas);
    }
    const types = kind.columns.map((c) => `${c.name} ${c.type}`).join(', ');
    const names = kind.columns.map((c) => c.name);
    await db.query(
      `INSERT INTO ${kind.table}${this.suffix} (${names.join(', ')})
       SELECT ${names.join(', ')} FROM jsonb_to_recordset($1::jsonb) AS x(${types})
       ON CONFLICT (${kind.idColumn}) DO UPDATE SET ${names
         .slice(1)
         .map((n) => `${n} = EXCLUDED.${n}`)
         .join(', ')}`,
      [JSON.stringify([...after.values()].map((f) => toRecord(kind.columns, f)))],
    );
    await this.addCounters(db, `${kind.daily}${this.suffix}`, 'day', kind.counters, deltas);
    await this.addCounters(db, `${kind.monthly}${this.suffix}`, 'month', kind.counters, monthlyDeltas(deltas));
  }

  /** Adds the non-zero deltas to an aggregate table keyed (`period`, agency_id), rows in key order (no lock cycles). */
  private async addCounters(db: Sql, table: string, period: 'day' | 'month', counters: readonly string[], deltas: Deltas): Promise<void> {
    const changed = [...deltas.entries()]
      .map(([key, counts]) => {
        const nonZero = Object.entries(counts).filter(([, n]) => n !== 0);
        if (!nonZero.length) return null;
        const [at, agencyId] = key.split('|');
        return { [period]: at, agency_id: agencyId, ...Object.fromEntries(nonZero) } as { agency_id: string } & Record<string, string>;
      })
      .filter((r): r is { agency_id: string } & Record<string, string> => r !== null)
      .sort((a, b) => (a[period] === b[period] ? a.agency_id.localeCompare(b.agency_id) : a[period].localeCompare(b[period])));
    if (!changed.length) return;
    await db.query(
      `INSERT INTO ${table} AS t (${period}, agency_id, ${counters.join(', ')})
       SELECT ${period}, agency_id, ${counters.map((c) => `coalesce(${c}, 0)`).join(', ')}
         FROM jsonb_to_recordset($1::jsonb) AS x(${period} date, agency_id uuid, ${counters.map((c) => `${c} bigint`).join(', ')})
       ON CONFLICT (${period}, agency_id) DO UPDATE SET ${counters.map((c) => `${c} = t.${c} + EXCLUDED.${c}`).join(', ')}`,
      [JSON.stringify(changed)],
    );
  }
}
