import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { EventRecorder, OUTBOX_CHANNEL, PendingAuditRow, PendingEvent, WriteStatement } from '@smart-regency/platform';
import { DataSource } from 'typeorm';

/**
 * Wakes the outbox relay after a write's commit instead of inside it.
 *
 * A `pg_notify` in the writing transaction takes PostgreSQL's one notification lock at commit and
 * holds it through the commit's WAL flush (async.c, PreCommit_Notify: a lock on the whole cluster,
 * so that notifications queue in commit order): every notifying commit of every database waits for
 * the one before it to reach the disk. On this machine that capped such commits at 100–120 a
 * second (pgbench, 10 clients: 1,100–1,300 single-row inserts a second without the notify in the
 * same statement, 100–120 with it, bench/README.md), and each change of an agency or a calendar
 * year queued behind the others for seconds at 250 a second. A notification sent by a statement of
 * its own commits without writing WAL, so the lock is held for an instant. At most one is in flight
 * per process, and one more follows if writes committed meanwhile: the relay reads every pending
 * row when it wakes. A wake that is lost (the process stops between a commit and its wake, or the
 * database is unreachable) delays the events until the relay's next poll (a second), never loses them.
 */
@Injectable()
export class OutboxWake {
  private readonly logger = new Logger('OutboxWake');
  private sending = false;
  private again = false;

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * The write's outbox rows (and audit row) as `WITH` parts of `w`, without the `pg_notify` the
   * platform would have the statement make; call `committed()` once the statement returned.
   */
  record(w: WriteStatement, recorder: EventRecorder, events: PendingEvent[], audit: PendingAuditRow | undefined): void {
    const { notify } = w.record(recorder, events, audit);
    // The platform appends the channel, the last value, for the pg_notify(…) it hands back to put in the SELECT.
    const channel = w.values.length;
    if (w.values[channel - 1] !== OUTBOX_CHANNEL || notify !== `pg_notify($${channel}, '')`) throw new Error(`OutboxWake: unexpected outbox parts (${notify})`);
    w.values.pop();
  }

  /** After a commit that wrote outbox rows: wakes the relay (soon, once for all commits meanwhile). */
  committed(): void {
    if (this.sending) {
      this.again = true;
      return;
    }
    this.sending = true;
    void this.send();
  }

  private async send(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.db.query(`SELECT pg_notify($1, '')`, [OUTBOX_CHANNEL]);
      } catch (error) {
        // The relay's poll finds the rows anyway.
        this.logger.warn(`could not wake the outbox relay (its poll will find the events): ${(error as Error).message}`);
        this.again = false;
      }
    } while (this.again);
    this.sending = false;
  }
}
