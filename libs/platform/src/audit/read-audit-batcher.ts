import type { PendingAuditRow } from './audit-trail';

/** Rows in one flush at most: one statement's parameters stay well under PostgreSQL's 65 535. */
export const READ_AUDIT_BATCH_MAX = 500;

interface Waiting {
  row: PendingAuditRow;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for read rows. A read has no change to ride with, so its row is a transaction of its
 * own: a commit and a WAL flush. On the hottest routes (lists) one per request would queue every
 * reader on the disk. One flush runs at a time: a row that arrives when none is
 * running is written at once, alone; rows that arrive while one runs are written together by the
 * next, in one statement and one transaction. Each caller's promise settles when its own batch
 * has committed or failed, so a handler shows personal data only once its row is in the trail,
 * and fails when it is not.
 */
export class ReadAuditBatcher {
  private queue: Waiting[] = [];
  private flushing = false;
  /** The running flush loop, for `settled`. */
  private loop: Promise<void> = Promise.resolve();

  /** `write` commits its rows in one transaction, or throws. */
  constructor(
    private readonly write: (rows: PendingAuditRow[]) => Promise<void>,
    readonly maxBatch = READ_AUDIT_BATCH_MAX,
  ) {}

  /** Resolves when the row has committed; rejects with the error of its batch. */
  add(row: PendingAuditRow): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ row, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        this.loop = this.drain();
      }
    });
  }

  /** Rows waiting for the next flush (not counting the one running). */
  get waiting(): number {
    return this.queue.length;
  }

  /** Resolves when every row added so far has been flushed (or has failed). */
  async settled(): Promise<void> {
    while (this.flushing) await this.loop;
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length) {
        const batch = this.queue.splice(0, this.maxBatch);
        try {
          await this.write(batch.map((w) => w.row));
        } catch (error) {
          for (const w of batch) w.reject(error);
          continue;
        }
        for (const w of batch) w.resolve();
      }
    } finally {
      this.flushing = false;
    }
  }
}
