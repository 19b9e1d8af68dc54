import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { queryRows } from './list-query';

const BLOCK_SQL = `SELECT nextval(s.seqrelid)::text AS first, s.seqincrement::text AS step FROM pg_sequence s WHERE s.seqrelid = $1::regclass`;

/**
 * Hands out the numbers of a PostgreSQL sequence a block at a time, so a write can know its readable
 * number before its one statement and need no extra round trip for it. The block is what one
 * `nextval` covers: the sequence's own increment (`ALTER SEQUENCE … INCREMENT BY n`), read with
 * each `nextval`, so two processes never share a number. Numbers stay unique and rise within a
 * process; a restart leaves the rest of its block unused (gaps), and replicas interleave blocks.
 * Reads through a service's DataSource, or a plain pg Pool (the benchmarks' bare twins).
 */
export class SequenceBlocks {
  private next = 0n;
  private end = 0n;
  private refill?: Promise<void>;

  constructor(
    private readonly db: DataSource | Pool,
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
    const [row] =
      this.db instanceof DataSource
        ? await queryRows<{ first: string; step: string }>(this.db, BLOCK_SQL, [this.sequence])
        : (await this.db.query<{ first: string; step: string }>({ name: 'sequence_blocks', text: BLOCK_SQL, values: [this.sequence] })).rows;
    if (!row) throw new Error(`no sequence ${this.sequence}`);
    const step = BigInt(row.step);
    if (step < 1n) throw new Error(`sequence ${this.sequence} must count upwards`);
    this.next = BigInt(row.first);
    this.end = this.next + step;
  }
}
