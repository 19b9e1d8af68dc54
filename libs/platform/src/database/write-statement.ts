import { auditPendingCte, type PendingAuditRow } from '../audit/audit-trail';
import type { EventRecorder, PendingEvent } from '../events/event-recorder';

/** `:name` outside a `::cast` (a name follows a colon that follows neither a colon nor a word). */
const NAMED = /(?<![:\w]):([A-Za-z_][A-Za-z0-9_]*)/g;

/**
 * One write as one statement (atomic without BEGIN and COMMIT, one round trip): data-modifying
 * `WITH` parts written with named parameters (`:status`, `:id::uuid`), the event's outbox rows and
 * the audit row appended by `record`, and a final SELECT. Parameters are numbered in the order their
 * names first appear, so one shape of write is always the same text (and one prepared statement).
 *
 *   const w = new WriteStatement();
 *   w.with('u', `UPDATE complaints SET status = :status WHERE id = :id::uuid RETURNING id, version`, { status, id });
 *   w.record(events, [event], audited);
 *   const { text, values } = w.select(`version FROM u`);
 *   await queryIn(m, text, values);
 *   events.committed(m);   // wakes the relay after the commit (EventRecorder.committed)
 */
export class WriteStatement {
  /** The values, in parameter order. Helpers that add positional parameters of their own push here. */
  readonly values: unknown[] = [];
  private readonly bound = new Map<string, { ref: string; value: unknown }>();
  private readonly parts: string[] = [];

  /** `$n` for a named value: the same name is the same parameter, and must keep its value. */
  ref(name: string, value: unknown): string {
    const known = this.bound.get(name);
    if (known) {
      if (!Object.is(known.value, value)) throw new Error(`write statement: :${name} bound twice to different values`);
      return known.ref;
    }
    const ref = `$${this.values.push(value)}`;
    this.bound.set(name, { ref, value });
    return ref;
  }

  /** `sql` with its `:name`s bound to `values` (every name must have one). */
  bind(sql: string, values: Record<string, unknown>): string {
    return sql.replace(NAMED, (_match, name: string) => {
      if (!Object.prototype.hasOwnProperty.call(values, name)) throw new Error(`write statement: no value for :${name}`);
      return this.ref(name, values[name]);
    });
  }

  /** A `WITH` part, `name AS (sql)`. */
  with(name: string, sql: string, values: Record<string, unknown> = {}): this {
    this.parts.push(`${name} AS (${this.bind(sql, values)})`);
    return this;
  }

  /**
   * The events' outbox rows and the audit row as `WITH` parts. Once the statement has returned, call
   * `recorder.committed(manager)` so that the relay wakes after the commit.
   */
  record(recorder: EventRecorder, events: PendingEvent[], audit: PendingAuditRow | undefined): { eventIds: string[] } {
    const outbox = recorder.statementParts(events, audit, this.values);
    this.parts.push(outbox.ctes);
    return { eventIds: outbox.built.map((e) => e.id) };
  }

  /** The audit row alone, for a write that has no event. */
  audited(audit: PendingAuditRow | undefined): this {
    const cte = auditPendingCte(audit, this.values);
    if (cte) this.parts.push(cte);
    return this;
  }

  /** The whole statement: every `WITH` part, then `SELECT <select>`. */
  select(select: string, values: Record<string, unknown> = {}): { text: string; values: unknown[] } {
    if (!this.parts.length) throw new Error('write statement: nothing to write');
    return { text: `WITH ${this.parts.join(',\n')}\nSELECT ${this.bind(select, values)}`, values: this.values };
  }
}
