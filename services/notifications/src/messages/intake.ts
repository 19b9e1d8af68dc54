import { RegencyCloudEvent } from '@smart-regency/contracts';
import { Sql } from '../sql';
import { MessageStore, NewJob } from './message.store';
import { deadlineOf } from './deadlines';
import { intentsFor } from './rules';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What a batch of events left for the workers. */
export interface IntakeResult {
  jobs: number;
  forwards: number;
}

/**
 * Takes what concerns people from a batch of events, in the consumer's transaction: an event that
 * leads to messages becomes a job (composed later, so a slow or absent service never holds up the
 * stream), a LAPOR! forward request becomes a forward, an erasure removes the person's messages.
 */
export class MessageIntake {
  constructor(private readonly store = new MessageStore()) {}

  async apply(m: Sql, events: RegencyCloudEvent[]): Promise<IntakeResult> {
    const erased = events.filter((e) => e.type === 'identity.user.erased.v1').map((e) => (e.data as { userId?: string }).userId).filter((id): id is string => typeof id === 'string' && UUID.test(id));
    await this.store.erase(m, erased);
    const jobs: NewJob[] = events
      .filter((e) => UUID.test(e.subject ?? '') && intentsFor(e).length > 0)
      .map((e) => ({ eventId: e.id, eventType: e.type, recordId: e.subject, data: e.data ?? {}, eventTime: e.time }));
    const forwards = events
      .filter((e) => e.type === 'complaints.complaint.lapor_forward_requested.v1' && UUID.test(e.subject ?? ''))
      .map((e) => ({ eventId: e.id, complaintId: e.subject }));
    const deadlines = events.filter((e) => UUID.test(e.subject ?? '')).flatMap((e) => deadlineOf(e) ?? []);
    await this.store.trackDeadlines(m, deadlines);
    return { jobs: await this.store.queueJobs(m, jobs), forwards: await this.store.queueLaporForwards(m, forwards) };
  }
}
