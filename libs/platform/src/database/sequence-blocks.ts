import { DataSource } from 'typeorm';
import { queryRows } from './list-query';

/**
 * Hands out the numbers of a PostgreSQL sequence a block at a time, so a write can know its readable
 * number before its one statement and need no extra round trip for it. The block is what one
 * `nextval` covers: the sequence's own increment (`ALTER SEQUENCE … INCREMENT BY n`), read with
 * each `nextval`, so two processes never share a number. Numbers stay unique and rise within a
 * process; a restart leaves the rest of its block unused (gaps), and replicas interleave blocks.
 */
export class SequenceBlocks {
  private next = 0n;
  private end = 0n;
  private refill?: Promise<void>;

  constructor(
    private readonly db: DataSource,
    private readonly sequence: string,
  ) {}

  /** The next number, as decimal text. */
  async take(): Promise<string> {
    while (this.next >= this.end) {
      this.refill ??= this.fetch().finally(() => (this.refill = undefined));
      await this.refill;
    }
    return String(this.next++);
  }

  private async fetch(): Promise<void> {
    const [row] = await queryRows<{ first: string; step: string }>(
      this.db,
      `SELECT nextval(s.seqrelid)::text AS first, s.seqincrement::text AS step FROM pg_sequence s WHERE s.seqrelid = $1::regclass`,
      [this.sequence],
    );
    if (!row) throw new Error(`no sequence ${this.sequence}`);
    const step = BigInt(row.step);
    if (step < 1n) throw new Error(`sequence ${this.sequence} must count upwards`);
    this.next = BigInt(row.first);
    this.end = this.next + step;
  }
}
