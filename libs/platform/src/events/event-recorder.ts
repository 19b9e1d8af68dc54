import { EVENT_CATALOGUE, EventData, eventService, EventType, RegencyCloudEvent } from '@smart-regency/contracts';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { CloudEvent } from 'cloudevents';
import { randomUUID } from 'crypto';
import { EntityManager } from 'typeorm';
import { auditPendingCte, PendingAuditRow } from '../audit/audit-trail';
import { OUTBOX_WRITTEN } from './outbox-wake';

export { OUTBOX_CHANNEL } from './outbox-wake';

export class InvalidEventError extends Error {
  constructor(type: string, problems: string[]) {
    super(`event ${type} is invalid: ${problems.join('; ')}`);
    this.name = 'InvalidEventError';
  }
}

/** Builds the CloudEvents 1.0 envelope of a catalogue event, validating its data first. */
export function buildEvent<T extends EventType>(type: T, data: EventData<T>, now = new Date()): RegencyCloudEvent<EventData<T>> {
  const spec = EVENT_CATALOGUE[type];
  if (!spec) throw new InvalidEventError(type, ['not in the event catalogue']);
  const instance = plainToInstance(spec.data as new () => object, data);
  const errors = validateSync(instance, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length) {
    throw new InvalidEventError(
      type,
      errors.map((e) => `${e.property}: ${Object.values(e.constraints ?? { nested: 'invalid' }).join(', ')}`),
    );
  }
  const event = new CloudEvent<EventData<T>>({
    specversion: '1.0',
    id: randomUUID(),
    source: `/regency/${eventService(type)}`,
    type,
    subject: (spec.recordId as (d: EventData<T>) => string)(data),
    time: now.toISOString(),
    datacontenttype: 'application/json',
    data,
  });
  event.validate();
  return event.toJSON() as unknown as RegencyCloudEvent<EventData<T>>;
}

/** One event of a change, for `EventRecorder.recordAll`. */
export type PendingEvent = { [T in EventType]: { type: T; data: EventData<T> } }[EventType];

/**
 * Records events in the outbox inside the caller's transaction: the event exists exactly when
 * the change it describes was committed. The relay publishes it afterwards, woken once the write
 * has committed (`committed`, `OutboxWake`): never by a notification inside the write, which
 * would serialise every notifying commit of the cluster.
 */
export class EventRecorder {
  private wake?: () => void;

  /** Set once by the events runtime: how to wake the relay after a commit. */
  onCommitted(wake: () => void): void {
    this.wake = wake;
  }

  /**
   * After a statement that recorded events returned: wakes the relay now when the statement was
   * its own transaction, or after the commit of the transaction `manager` is in.
   */
  committed(manager?: EntityManager): void {
    const runner = manager?.queryRunner;
    if (runner?.isTransactionActive) {
      runner.data = { ...(runner.data ?? {}), [OUTBOX_WRITTEN]: true };
      return;
    }
    this.wake?.();
  }

  /**
   * Writes the event to the outbox (the relay woken after the commit) in one statement; with `audit`
   * (`AuditTrail.pending(...)`), the change's audit row rides in the same statement.
   */
  async record<T extends EventType>(manager: EntityManager, type: T, data: EventData<T>, audit?: PendingAuditRow): Promise<RegencyCloudEvent<EventData<T>>> {
    const [event] = await this.recordAll(manager, [{ type, data } as PendingEvent], audit);
    return event as RegencyCloudEvent<EventData<T>>;
  }

  /** Several events of one change, in this order, in one statement (with its audit row, if any). */
  async recordAll(manager: EntityManager, events: PendingEvent[], audit?: PendingAuditRow): Promise<Array<RegencyCloudEvent<unknown>>> {
    if (!manager.queryRunner?.isTransactionActive) {
      throw new Error(`record ${events.map((e) => e.type).join(', ')} inside the transaction that makes the change`);
    }
    const params: unknown[] = [];
    const outbox = this.statementParts(events, audit, params);
    await manager.query(`WITH ${outbox.ctes} SELECT 1`, params);
    this.committed(manager);
    return outbox.built;
  }

  /**
   * For a change that is one statement of its own (atomic without BEGIN and COMMIT): the outbox
   * rows (and the audit row) as `WITH` parts to put after the change's own, their values appended
   * to `params`. Call `committed(manager)` once the statement has returned.
   */
  statementParts(events: PendingEvent[], audit: PendingAuditRow | undefined, params: unknown[]): { ctes: string; built: Array<RegencyCloudEvent<unknown>> } {
    if (!events.length) throw new Error('no event to record');
    const built = events.map(({ type, data }) => buildEvent(type, data as never));
    // VALUES rows take their outbox seq in order: the relay publishes one record's events in seq order.
    const rows = built.map((event) => `($${params.push(event.id)}, $${params.push(event.type)}, $${params.push(event.subject)}, $${params.push(JSON.stringify(event))})`);
    const audited = auditPendingCte(audit, params);
    const ctes = `outbox_rows AS (INSERT INTO outbox (id, type, record_id, event) VALUES ${rows.join(', ')})${audited ? `, ${audited}` : ''}`;
    return { ctes, built };
  }
}
