import { EVENT_CATALOGUE, EventData, eventService, EventType, RegencyCloudEvent } from '@smart-regency/contracts';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { CloudEvent } from 'cloudevents';
import { randomUUID } from 'crypto';
import { EntityManager } from 'typeorm';
import { auditPendingInsert, PendingAuditRow, requireTransaction } from '../audit/audit-trail';

export const OUTBOX_CHANNEL = 'outbox';

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

/**
 * Records events in the outbox inside the caller's transaction: the event exists exactly when
 * the change it describes was committed. The relay publishes it afterwards.
 */
export class EventRecorder {
  /**
   * Writes the event to the outbox (and wakes the relay at commit) in one statement; with `audit`
   * (`AuditTrail.pending(...)`), the change's audit row rides in the same statement.
   */
  async record<T extends EventType>(manager: EntityManager, type: T, data: EventData<T>, audit?: PendingAuditRow): Promise<RegencyCloudEvent<EventData<T>>> {
    if (!manager.queryRunner?.isTransactionActive) {
      throw new Error(`record ${type} inside the transaction that makes the change`);
    }
    if (audit) requireTransaction(manager, audit.action);
    const event = buildEvent(type, data);
    const params: unknown[] = [event.id, event.type, event.subject, JSON.stringify(event), OUTBOX_CHANNEL];
    // The notification is delivered at commit, so the relay wakes only for events that exist.
    const auditCte = audit ? `, a AS (${auditPendingInsert(params.length + 1)})` : '';
    if (audit) params.push(...audit.values);
    await manager.query(`WITH e AS (INSERT INTO outbox (id, type, record_id, event) VALUES ($1, $2, $3, $4))${auditCte} SELECT pg_notify($5, '')`, params);
    return event;
  }
}
