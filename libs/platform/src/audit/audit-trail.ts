import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  Actor,
  AuditBreak,
  AuditedService,
  AuditEntryResponse,
  AuditHead,
  AuditListQuery,
  ChainVerification,
  Page,
  pageOf,
  pageOffset,
  ServiceName,
} from '@smart-regency/contracts';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { AuditRow, canonicalRow, canonicalRowAroundSeq, chainHash, GENESIS_HASH } from './canonical';
import { currentAuditContext } from './audit-context';
import { AuditChainer } from './audit-chainer';
import { AUDIT_OPTIONS, AUDIT_SERVICE, AuditOptions } from './audit-options';
import { ReadAuditBatcher } from './read-audit-batcher';
import { isDatabaseUnavailable } from '../errors/database-errors';
import { PERSONAL_MARK } from './redact';

export { AUDIT_OPTIONS, AUDIT_SERVICE } from './audit-options';
export type { AuditOptions } from './audit-options';

/** The caller for rows written outside a request: jobs, start-up. */
export const SYSTEM_ACTOR = 'system';
/** A caller whose identity the trail must not reveal (the reporter of an anonymous complaint). */
export const ANONYMOUS_ACTOR = 'anonymous';

/**
 * Another of our services asking as itself on an internal subject (no person behind it; NATS
 * permissions say which service may publish there): the row names the service, with no actor id.
 */
export interface ServiceCaller {
  service: ServiceName;
}

/** The roles a row records for a service's own call: `service:<name>` (not a person's role). */
export const serviceCallerRole = (service: ServiceName): string => `service:${service}`;

export interface AuditEntry {
  /** `<entity>.<verb>`: `application.verify`, `user.update`, `complaint.read`. */
  action: string;
  entityType: string;
  entityId: string;
  /** The citizen whose personal data the record holds. */
  subjectId?: string | null;
  /** `{ before, after }` from `auditChanges`, or anything else small and free of personal values. */
  changes?: Record<string, unknown>;
  /** Who did it, when not the caller of the current request (e.g. a self-registration); 'system' for jobs; a service asking as itself. */
  actor?: Actor | ServiceCaller | typeof SYSTEM_ACTOR | typeof ANONYMOUS_ACTOR;
}

/** An `audit_log` row as PostgreSQL returns it (snake_case columns). */
export interface StoredRow {
  seq: string;
  at: Date;
  actor_id: string | null;
  actor_roles: string[];
  actor_agency_id: string | null;
  action: string;
  entity_type: string;
  entity_id: string;
  subject_id: string | null;
  changes: Record<string, unknown>;
  request_id: string | null;
  prev_hash: string;
  hash: string;
}

/** An audit row ready for `audit_pending`: the values of `auditPendingInsert`, in its order. */
export interface PendingAuditRow {
  action: string;
  values: unknown[];
}

const PENDING_COLUMNS = ['at', 'actor_id', 'actor_roles', 'actor_agency_id', 'action', 'entity_type', 'entity_id', 'subject_id', 'changes', 'request_id', 'canonical_before_seq', 'canonical_after_seq'];

/** `INSERT INTO audit_pending …` of `rows` rows, taking their 12 values each from `$first` on (`PendingAuditRow.values` one after the other). */
export function auditPendingInsert(first: number, rows = 1): string {
  const n = PENDING_COLUMNS.length;
  const tuples = Array.from({ length: rows }, (_, r) => `(${Array.from({ length: n }, (_, i) => `$${first + r * n + i}`).join(', ')})`);
  return `INSERT INTO audit_pending (${PENDING_COLUMNS.join(', ')}) VALUES ${tuples.join(', ')}`;
}

/**
 * The `WITH` part that writes `row` into `audit_pending` inside a writer's own statement, its values
 * appended to `params` (empty when the trail is off): so the change and its audit row commit as one.
 */
export function auditPendingCte(row: PendingAuditRow | undefined, params: unknown[]): string {
  if (!row) return '';
  const cte = `audit_row AS (${auditPendingInsert(params.length + 1)})`;
  params.push(...row.values);
  return cte;
}

/** Where a list row keeps the records a page showed (`entityId` of such rows). */
export const LIST_ENTITY_ID = 'list';

/** A list view that showed other people's records: one audit row per request. */
export interface ListRead {
  /** The items' entity type; the row's action is `<entityType>.list`. */
  entityType: string;
  /** The filters and paging asked (the validated query). */
  query: object;
  /** Query fields holding free text (a search): recorded only as "[personal]". */
  freeText?: readonly string[];
  /** Ids of the records shown, in page order. */
  records: readonly string[];
  /** Whose personal data the page showed; nulls and repeats are dropped. Leave out anyone the trail must not name. */
  subjects: ReadonlyArray<string | null | undefined>;
  /** The row's action when not `<entityType>.list` (a batch of records handed to another service). */
  action?: string;
  /** Who looked, when not the caller of the current request (a service asking as itself). */
  actor?: AuditEntry['actor'];
}

export function requireTransaction(manager: EntityManager, what: string): void {
  if (!manager.queryRunner?.isTransactionActive) throw new Error(`audit ${what} inside the transaction that makes the change`);
}

const COLUMNS = 'seq, at, actor_id, actor_roles, actor_agency_id, action, entity_type, entity_id, subject_id, changes, request_id, prev_hash, hash';

/** The row the hash covers, from a stored `audit_log` row: what verify (and a test that re-hashes) recomputes. */
export function storedAuditRow(service: AuditedService, r: StoredRow): AuditRow {
  return {
    service,
    seq: Number(r.seq),
    at: r.at.toISOString(),
    actorId: r.actor_id,
    actorRoles: r.actor_roles,
    actorAgencyId: r.actor_agency_id,
    action: r.action,
    entityType: r.entity_type,
    entityId: r.entity_id,
    subjectId: r.subject_id,
    changes: r.changes,
    requestId: r.request_id,
  };
}

/**
 * The service's audit trail: one append-only hash chain in its own database. Rows are written in
 * the caller's transaction, so a change and its audit row commit or vanish together.
 */
@Injectable()
export class AuditTrail implements OnApplicationShutdown {
  private readonly logger = new Logger('AuditTrail');
  /** Reads are written by group commit (one flush at a time, everything that waited in the next). */
  private readonly reads = new ReadAuditBatcher((rows) => this.flushReads(rows));
  /** The flushes' own connection: a flush never queues for the pool behind the requests' queries. */
  private readsConnection?: QueryRunner;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(AUDIT_SERVICE) readonly service: AuditedService,
    @Inject(AUDIT_OPTIONS) private readonly options: AuditOptions,
    private readonly chainer: AuditChainer,
  ) {
    if (!options.enabled) this.logger.warn('AUDIT_ENABLED=false: changes are NOT being audited (benchmarks only)');
  }

  /**
   * Appends a row inside the transaction of `manager`: it commits with the change (into
   * `audit_pending`) and vanishes with it if it rolls back; the chainer gives it its seq and hash a
   * moment after the commit (`AuditChainer`). `at` is when the row was written, so it may step
   * back between consecutive seqs by the moments two transactions overlapped.
   */
  async record(manager: EntityManager, entry: AuditEntry): Promise<void> {
    const row = this.pending(entry);
    if (!row) return;
    requireTransaction(manager, entry.action);
    await manager.query(auditPendingInsert(1), row.values);
  }

  /**
   * The row `record` would write, for a writer that sends it in a statement it makes anyway
   * (`EventRecorder.record(m, type, data, audit.pending(entry))`: one round trip less per change).
   * `undefined` when the trail is off.
   */
  pending(entry: AuditEntry): PendingAuditRow | undefined {
    if (!this.options.enabled) return undefined;
    const context = currentAuditContext();
    const hidden = entry.actor === SYSTEM_ACTOR || entry.actor === ANONYMOUS_ACTOR ? entry.actor : undefined;
    const caller = typeof entry.actor === 'object' && 'service' in entry.actor ? serviceCallerRole(entry.actor.service) : undefined;
    const actor = hidden || caller ? undefined : ((entry.actor as Actor | undefined) ?? context.actor);
    const row: Omit<AuditRow, 'seq'> = {
      service: this.service,
      at: new Date().toISOString(),
      actorId: actor?.id ?? null,
      actorRoles: actor ? [...actor.roles].sort() : [caller ?? hidden ?? SYSTEM_ACTOR],
      actorAgencyId: actor?.agencyId ?? null,
      action: entry.action,
      entityType: entry.entityType,
      entityId: entry.entityId,
      subjectId: entry.subjectId ?? null,
      changes: entry.changes ? (JSON.parse(JSON.stringify(entry.changes)) as Record<string, unknown>) : {},
      requestId: context.requestId ?? null,
    };
    // The row waits in audit_pending; the chainer gives it the next seq and hashes exactly this
    // canonical text (split around that seq), under the chain's lock.
    const { before, after } = canonicalRowAroundSeq(row);
    return {
      action: row.action,
      values: [row.at, row.actorId, row.actorRoles, row.actorAgencyId, row.action, row.entityType, row.entityId, row.subjectId, JSON.stringify(row.changes), row.requestId, before, after],
    };
  }

  private async flushReads(rows: PendingAuditRow[], retried = false): Promise<void> {
    this.readsConnection ??= this.db.createQueryRunner();
    try {
      // One statement outside an explicit transaction is one transaction: one commit (one WAL
      // flush) and one round trip for the whole batch; the chainer chains the rows afterwards.
      await this.readsConnection.query(auditPendingInsert(1, rows.length), rows.flatMap((r) => r.values));
    } catch (error) {
      // The connection may be what failed (PostgreSQL restarted since the last flush): drop it.
      const broken = this.readsConnection;
      this.readsConnection = undefined;
      await broken.release().catch(() => undefined);
      // Once more on a fresh connection, so the first read after a restart succeeds instead of
      // failing on the dead one (at worst a read whose reply was lost is logged twice).
      if (!retried && isDatabaseUnavailable(error)) return this.flushReads(rows, true);
      throw error;
    }
  }

  /** After the last request: the reads still queued are written, then the flushes' connection goes back to the pool. */
  async onApplicationShutdown(): Promise<void> {
    await this.reads.settled();
    await this.readsConnection?.release();
    this.readsConnection = undefined;
  }

  /**
   * Records a read of personal data (who looked at whose record), outside the caller's
   * transaction: resolves once the row has committed, together with the other reads that waited
   * for the same flush, and rejects when it did not (show nothing then). The caller and request id
   * are taken now, not at the flush.
   */
  recordRead(entry: Omit<AuditEntry, 'action'> & { action?: string }): Promise<void> {
    const row = this.pending({ ...entry, action: entry.action ?? `${entry.entityType}.read` });
    return row ? this.reads.add(row) : Promise.resolve();
  }

  /**
   * Records a list view that showed other people's records: one row per request,
   * `<entityType>.list` (or `action`) on entity `list`, with `changes: { query, shown, records, subjects }`, so
   * `list({ subjectId })` finds it. Written like `recordRead`.
   */
  recordList(read: ListRead): Promise<void> {
    if (!this.options.enabled) return Promise.resolve();
    const freeText = new Set(read.freeText ?? []);
    const query: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(read.query)) {
      if (value !== undefined && value !== null) query[key] = freeText.has(key) ? PERSONAL_MARK : value;
    }
    const subjects = [...new Set(read.subjects.filter((s): s is string => !!s))];
    return this.recordRead({
      action: read.action ?? `${read.entityType}.list`,
      entityType: read.entityType,
      entityId: LIST_ENTITY_ID,
      subjectId: null,
      changes: { query, shown: read.records.length, records: [...read.records], subjects },
      ...(read.actor ? { actor: read.actor } : {}),
    });
  }

  /**
   * A read of the trail that must show every row committed before it was asked, in one statement
   * that also says whether anything waits in audit_pending. Nothing waiting in its snapshot means
   * every row committed before it is in the chain, in that same snapshot (chaining deletes a row
   * from audit_pending in the transaction that appends it): the answer stands, no drain, no lock.
   * Otherwise drain (AuditChainer.drain) and read again.
   */
  private async complete<R extends { pending: boolean }>(sql: string, params: unknown[]): Promise<R[]> {
    const read = () => this.db.query(`SELECT EXISTS (SELECT 1 FROM audit_pending) AS pending, r.* FROM (SELECT 1) one LEFT JOIN LATERAL (${sql}) r ON true`, params) as Promise<R[]>;
    const rows = await read();
    if (!rows[0]?.pending) return rows;
    await this.chainer.drain();
    return read();
  }

  async list(query: AuditListQuery): Promise<Page<AuditEntryResponse>> {
    const where: string[] = [];
    const params: unknown[] = [];
    const p = (value: unknown) => `$${params.push(value)}`;
    if (query.entityId) where.push(`entity_id = ${p(query.entityId)}`);
    if (query.actorId) where.push(`actor_id = ${p(query.actorId)}`);
    if (query.from) where.push(`at >= ${p(query.from)}`);
    if (query.to) where.push(`at < ${p(query.to)}`);
    const { skip, take } = query.limit ? { skip: 0, take: query.limit } : pageOffset(query);
    const matching = (...conditions: string[]) => {
      const all = [...conditions, ...where];
      return all.length ? `WHERE ${all.join(' AND ')}` : '';
    };
    let select: string;
    let count: string;
    if (!query.subjectId && !where.length) {
      // The whole chain: it has no gaps (a row joins only as the head's seq + 1, from 1, and rows
      // are never updated, deleted or truncated: audit_append and audit_refuse), so its last seq
      // is its row count, and page n starts at that seq minus the rows before it, read by key.
      select = `SELECT ${COLUMNS} FROM audit_log WHERE seq <= (SELECT max(seq) FROM audit_log) - ${skip} ORDER BY seq DESC LIMIT ${take}`;
      count = `SELECT coalesce(max(seq), 0)::int AS total FROM audit_log`;
    } else if (!query.subjectId) {
      select = `SELECT ${COLUMNS} FROM audit_log ${matching()} ORDER BY seq DESC OFFSET ${skip} LIMIT ${take}`;
      count = `SELECT count(*)::int AS total FROM audit_log ${matching()}`;
    } else {
      // The rows about the subject's records, and the list rows whose page showed their data
      // (disjoint: list rows have no subject_id). Two branches, each on its own index: an OR would
      // let the planner walk the whole chain backwards for a subject with few rows, as it cannot
      // estimate the jsonb containment. The GIN branch is fenced (MATERIALIZED) for the same reason.
      const own = matching(`subject_id = ${p(query.subjectId)}`);
      const listed = matching(`entity_id = '${LIST_ENTITY_ID}'`, 'subject_id IS NULL', `changes -> 'subjects' @> ${p(JSON.stringify([query.subjectId]))}::jsonb`);
      const upTo = skip + take;
      select = `WITH listed AS MATERIALIZED (SELECT seq FROM audit_log ${listed}),
        page AS (SELECT seq FROM ((SELECT seq FROM audit_log ${own} ORDER BY seq DESC LIMIT ${upTo}) UNION ALL (SELECT seq FROM listed ORDER BY seq DESC LIMIT ${upTo})) k
                 ORDER BY seq DESC OFFSET ${skip} LIMIT ${take})
        SELECT ${COLUMNS} FROM audit_log WHERE seq IN (SELECT seq FROM page) ORDER BY seq DESC`;
      count = `SELECT ((SELECT count(*) FROM audit_log ${own}) + (SELECT count(*) FROM audit_log ${listed}))::int AS total`;
    }
    // The page and its total from one snapshot; an empty page is one row without a seq.
    const found = await this.complete<StoredRow & { pending: boolean; total: number }>(
      `SELECT (${count}) AS total, page.* FROM (SELECT 1) o LEFT JOIN LATERAL (${select}) page ON true`,
      params,
    );
    const rows = found.filter((r) => r.seq !== null).sort((a, b) => Number(b.seq) - Number(a.seq));
    const total = found[0].total;
    return pageOf(
      rows.map((r) => this.toResponse(r)),
      total,
      query,
    );
  }

  /** The chain's last row: export it (print it, sign it, send it elsewhere) to anchor the chain. */
  async head(): Promise<AuditHead> {
    const [last] = await this.complete<Pick<StoredRow, 'seq' | 'hash' | 'at'> & { pending: boolean }>('SELECT seq, hash, at FROM audit_log ORDER BY seq DESC LIMIT 1', []);
    return last.seq !== null ? { service: this.service, seq: Number(last.seq), hash: last.hash, at: last.at.toISOString() } : { service: this.service, seq: 0, hash: GENESIS_HASH };
  }

  /**
   * Walks the whole chain in seq order, in batches, on one snapshot: every row must follow the
   * previous one without a gap, link to its hash and hash to its own stored hash; the head row
   * must agree with the last row; and an exported head (anchor) must still be in the chain.
   */
  async verify(anchor?: AuditHead): Promise<ChainVerification> {
    await this.chainer.drain();
    return this.db.transaction('REPEATABLE READ', async (m) => {
      const [stored] = (await m.query('SELECT seq, hash FROM audit_head WHERE id = 1')) as Array<{ seq: string; hash: string }>;
      let expected = 1;
      let prev = GENESIS_HASH;
      let checked = 0;
      let broken: AuditBreak | undefined;
      let anchorSeen = !anchor || anchor.seq === 0;
      if (anchor && anchor.seq === 0 && anchor.hash !== GENESIS_HASH) {
        broken = { seq: 0, reason: 'anchor_mismatch', detail: 'an empty chain has the genesis hash' };
      }
      walk: while (!broken) {
        const rows = (await m.query(`SELECT ${COLUMNS} FROM audit_log WHERE seq >= $1 ORDER BY seq LIMIT $2`, [expected, this.options.verifyBatchSize])) as StoredRow[];
        if (!rows.length) break;
        for (const r of rows) {
          broken = await this.checkRow(m, r, expected, prev);
          if (broken) break walk;
          if (anchor && anchor.seq === expected) {
            anchorSeen = true;
            if (anchor.hash !== r.hash) {
              broken = { seq: expected, reason: 'anchor_mismatch', detail: `row ${expected} no longer has the exported hash: the chain was rewritten` };
              break walk;
            }
          }
          prev = r.hash;
          expected++;
          checked++;
        }
      }
      const lastSeq = expected - 1;
      if (!broken && Number(stored.seq) > lastSeq) {
        broken = { seq: lastSeq + 1, reason: 'gap', detail: `the head says ${stored.seq} rows but the chain ends at ${lastSeq}` };
      } else if (!broken && (Number(stored.seq) !== lastSeq || stored.hash !== prev)) {
        broken = { seq: lastSeq, reason: 'head_mismatch', detail: `the head (seq ${stored.seq}) does not match the last row` };
      }
      if (!broken && !anchorSeen) {
        broken = { seq: lastSeq + 1, reason: 'gap', detail: `the exported head has seq ${anchor!.seq} but the chain ends at ${lastSeq}` };
      }
      const head: AuditHead = { service: this.service, seq: lastSeq, hash: prev };
      return { service: this.service, intact: !broken, checked, head, ...(broken ? { broken } : {}), ...(anchor ? { anchorChecked: !broken } : {}) };
    });
  }

  private async checkRow(m: EntityManager, r: StoredRow, expected: number, prev: string): Promise<AuditBreak | undefined> {
    const seq = Number(r.seq);
    if (seq !== expected) return { seq: expected, reason: 'gap', detail: `row ${expected} is missing (next is ${seq})` };
    if (r.prev_hash !== prev) {
      // It links to a row that now comes after it: rows were swapped.
      const [later] = (await m.query('SELECT seq FROM audit_log WHERE hash = $1 AND seq > $2 LIMIT 1', [r.prev_hash, seq])) as Array<{ seq: string }>;
      if (later) return { seq, reason: 'reordered', detail: `row ${seq} follows row ${later.seq}, which now comes after it` };
      return { seq, reason: 'hash_mismatch', detail: `row ${seq} does not link to row ${seq - 1}` };
    }
    if (chainHash(prev, canonicalRow(storedAuditRow(this.service, r))) !== r.hash) {
      return { seq, reason: 'hash_mismatch', detail: `row ${seq} does not hash to its stored hash: it was changed` };
    }
    return undefined;
  }



  private toResponse(r: StoredRow): AuditEntryResponse {
    return {
      service: this.service,
      seq: Number(r.seq),
      at: r.at.toISOString(),
      ...(r.actor_id ? { actorId: r.actor_id } : {}),
      actorRoles: r.actor_roles,
      ...(r.actor_agency_id ? { actorAgencyId: r.actor_agency_id } : {}),
      action: r.action,
      entityType: r.entity_type,
      entityId: r.entity_id,
      ...(r.subject_id ? { subjectId: r.subject_id } : {}),
      changes: r.changes,
      ...(r.request_id ? { requestId: r.request_id } : {}),
      hash: r.hash,
    };
  }
}
