import { Injectable } from '@nestjs/common';
import { ScheduledJob } from '@smart-regency/platform';
import { DataSource } from 'typeorm';
import { NotificationsConfig } from '../config';
import { MessageComposer } from './composer';
import { DEADLINE_APPROACHING, warningId } from './deadlines';
import { MessageStore } from './message.store';

const BATCH = 500;

/**
 * Every few minutes: the records whose deadline passes within DEADLINE_WARNING_HOURS become one
 * warning each for the staff of the agency whose queue they are in (a job like an event's, by a
 * stable id, so a deadline is warned of once; a new deadline is warned of again).
 */
@Injectable()
export class DeadlineWatch extends ScheduledJob {
  private readonly store = new MessageStore();

  constructor(
    private readonly db: DataSource,
    private readonly config: NotificationsConfig,
    private readonly composer: MessageComposer,
  ) {
    super('DeadlineWatch', config.DEADLINE_CHECK_SECONDS * 1000);
  }

  /** Queues the warnings due now; returns how many. */
  async runOnce(): Promise<number> {
    let queued = 0;
    for (;;) {
      const n = await this.db.transaction(async (m) => {
        const rows = await this.store.claimApproaching(m, this.config.DEADLINE_WARNING_HOURS * 3600_000, BATCH);
        await this.store.queueJobs(
          m,
          rows.map((r) => ({
            eventId: warningId(r.record_id, new Date(r.due_at)),
            eventType: DEADLINE_APPROACHING,
            recordId: r.record_id,
            data: { kind: r.kind, dueAt: new Date(r.due_at).toISOString() },
            eventTime: new Date().toISOString(),
          })),
        );
        return rows.length;
      });
      queued += n;
      if (n < BATCH) break;
    }
    if (queued) this.composer.wake();
    return queued;
  }
}
