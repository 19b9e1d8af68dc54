import { Logger } from '@nestjs/common';
import type { DataSource, EntitySubscriberInterface, TransactionCommitEvent, TransactionRollbackEvent } from 'typeorm';

/** The channel the relay LISTENs on. */
export const OUTBOX_CHANNEL = 'outbox';

/** The relay of this process, as far as waking it goes. */
export interface WakeableRelay {
  readonly isLeader: boolean;
  wake(): void;
}

/**
 * Wakes the outbox relay once a write that recorded events has committed, instead of by a
 * `pg_notify` inside the write.
 *
 * A `pg_notify` in the writing transaction takes PostgreSQL's one notification lock at commit and
 * holds it through the commit's WAL flush (async.c, PreCommit_Notify: one lock for the whole
 * cluster, so that notifications queue in commit order). Every notifying commit of every database
 * then waits for the one before it to reach the disk: on this machine that capped such commits at
 * 100–120 a second, against 1,100–1,300 without the notification (pgbench, bench/README.md), and
 * every write route queued behind it at 250 a second. Now: when this process holds the relay's
 * lease the relay is woken in memory; otherwise one `pg_notify` is sent by a statement of its own
 * (it writes no WAL, so the lock is held for an instant), at most one in flight per process with
 * one more after it if writes committed meanwhile (the relay reads every pending row when it
 * wakes). A wake that is lost (the process stops between a commit and its wake, or the database is
 * unreachable) delays the events until the relay's next poll, and never loses them.
 */
export class OutboxWake {
  private sending = false;
  private again = false;

  constructor(
    private readonly db: Pick<DataSource, 'query'>,
    private readonly relay: WakeableRelay | undefined,
    private readonly logger: Pick<Logger, 'warn'> = new Logger('OutboxWake'),
  ) {}

  /** After a commit that wrote outbox rows: wakes the relay (soon, once for all commits meanwhile). */
  committed(): void {
    if (this.relay?.isLeader) {
      this.relay.wake();
      return;
    }
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
        this.logger.warn(`could not wake the outbox relay (its poll will find the events): ${(error as Error).message}`);
        this.again = false;
      }
    } while (this.again);
    this.sending = false;
  }
}

/** Marks a transaction (its query runner's `data`) as having written outbox rows. */
export const OUTBOX_WRITTEN = 'smartRegencyOutboxWritten';

/**
 * Calls `wake` after the outermost commit of every TypeORM transaction that recorded events
 * (`EventRecorder` marks its query runner); a rollback drops the mark.
 */
export class OutboxCommitSubscriber implements EntitySubscriberInterface {
  constructor(private readonly wake: () => void) {}

  afterTransactionCommit(event: TransactionCommitEvent): void {
    const data = event.queryRunner.data as Record<string, unknown> | undefined;
    if (event.queryRunner.isTransactionActive || !data?.[OUTBOX_WRITTEN]) return;
    delete data[OUTBOX_WRITTEN];
    this.wake();
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    const data = event.queryRunner.data as Record<string, unknown> | undefined;
    if (!event.queryRunner.isTransactionActive && data) delete data[OUTBOX_WRITTEN];
  }
}
