import { RegencyCloudEvent } from '@smart-regency/contracts';
import { JsMsg, NatsConnection } from 'nats';
import { Client } from 'pg';
import { parseEvent } from '@smart-regency/platform';
import { PROJECTION_LOCK_KEY, REPORTING_CONSUMER } from '../projection/projection.module';
import { ProjectionStore, READ_MODEL_TABLES, Sql } from '../projection/projection.store';

export interface RebuildOptions {
  databaseUrl: string;
  nc: NatsConnection;
  stream: string;
  /** The live consumer, whose inbox learns what the rebuilt tables already hold. */
  consumerName?: string;
  /** Events per transaction. */
  batchSize?: number;
  /** Called after every batch with the stream position reached and the last one to reach. */
  onProgress?: (done: number, total: number) => void;
  logger?: { warn(message: string): void };
  /**
   * Rebuild even though the stream no longer starts at its first event (older events aged out,
   * EVENTS_MAX_AGE_DAYS): the records those events described would drop out of the reports.
   */
  allowTruncatedStream?: boolean;
}

export interface RebuildResult {
  /** Messages read from the stream. */
  messages: number;
  /** Distinct events applied (duplicates in the stream count once). */
  applied: number;
  /** Events the projection could not apply (logged; the live consumer dead-letters them too). */
  skipped: number;
  lastSequence: number;
  seconds: number;
}

const SUFFIX = '_rebuild';
const INBOX = 'rebuild_inbox';

const sqlOf = (client: Client): Sql => ({ query: (text, params) => client.query(text, params as unknown[]).then((r) => r.rows) });


/**
 * Replays the events stream from its first message into fresh copies of the read-model tables
 * (`<table>_rebuild`), while the live consumer keeps serving and feeding the current ones. Then,
 * holding the projection lock so no live batch runs, it applies the last events, tells the live
 * consumer's inbox which events the new tables hold, and swaps the tables in with renames, all in
 * one transaction. Readers see the old tables or the new ones, never a mix.
 */
export async function rebuildReadModels(options: RebuildOptions): Promise<RebuildResult> {
  const started = Date.now();
  const batchSize = options.batchSize ?? 2000;
  const consumerName = options.consumerName ?? REPORTING_CONSUMER;
  const store = new ProjectionStore(SUFFIX);
  const client = new Client({ connectionString: options.databaseUrl });
  await client.connect();
  const db = sqlOf(client);
  const jsm = await options.nc.jetstreamManager();
  const result: RebuildResult = { messages: 0, applied: 0, skipped: 0, lastSequence: 0, seconds: 0 };
  const consumer = await options.nc.jetstream().consumers.get(options.stream);
  const messages = await consumer.consume({ max_messages: Math.max(1000, batchSize) });
  const iterator = messages[Symbol.asyncIterator]();
  try {
    for (const table of [...READ_MODEL_TABLES, INBOX]) await client.query(`DROP TABLE IF EXISTS ${table}${table === INBOX ? '' : SUFFIX}`);
    for (const table of READ_MODEL_TABLES) await client.query(`CREATE TABLE ${table}${SUFFIX} (LIKE ${table} INCLUDING ALL)`);
    await client.query(`CREATE TABLE ${INBOX} (event_id uuid PRIMARY KEY, stream_seq bigint NOT NULL)`);

    /** Applies one batch: the new events (first copy of each id), in stream order. */
    const applyBatch = async (batch: JsMsg[]) => {
      const parsed = batch.map((msg) => ({ msg, event: parseEvent(msg) })).filter((p): p is { msg: JsMsg; event: RegencyCloudEvent } => p.event !== null);
      result.skipped += batch.length - parsed.length;
      if (!parsed.length) return;
      const inserted: Array<{ event_id: string }> = await db.query(
        `INSERT INTO ${INBOX} (event_id, stream_seq) SELECT * FROM unnest($1::uuid[], $2::bigint[]) ON CONFLICT DO NOTHING RETURNING event_id`,
        [parsed.map((p) => p.event.id), parsed.map((p) => p.msg.info.streamSequence)],
      );
      const fresh = new Set(inserted.map((r) => r.event_id));
      const events: RegencyCloudEvent[] = [];
      const sequences: number[] = [];
      for (const { msg, event } of parsed) {
        if (fresh.delete(event.id)) {
          events.push(event);
          sequences.push(msg.info.streamSequence);
        }
      }
      await store.apply(db, events, sequences);
      result.applied += events.length;
    };

    /** Reads and applies messages until the stream position `target`, a batch per savepoint. */
    const readUntil = async (target: number, total: number) => {
      let batch: JsMsg[] = [];
      const flush = async () => {
        if (!batch.length) return;
        await client.query('SAVEPOINT batch');
        try {
          await applyBatch(batch);
        } catch {
          // One bad event must not sink the rebuild: retry the batch one event at a time.
          await client.query('ROLLBACK TO SAVEPOINT batch');
          for (const msg of batch) {
            await client.query('SAVEPOINT one');
            try {
              await applyBatch([msg]);
            } catch (error) {
              await client.query('ROLLBACK TO SAVEPOINT one');
              result.skipped++;
              options.logger?.warn(`rebuild skipped stream message ${msg.info.streamSequence}: ${(error as Error).message}`);
            }
          }
        }
        await client.query('RELEASE SAVEPOINT batch');
        batch = [];
        options.onProgress?.(result.lastSequence, total);
      };
      while (result.lastSequence < target) {
        const { value: msg, done } = await iterator.next();
        if (done) throw new Error('the stream ended before the rebuild reached its end');
        result.messages++;
        result.lastSequence = msg.info.streamSequence;
        batch.push(msg);
        if (batch.length >= batchSize) {
          await flush();
          // Outside the swap, commit every batch so the work survives and locks stay short.
          if (!swapping) {
            await client.query('COMMIT');
            await client.query('BEGIN');
          }
        }
      }
      await flush();
    };

    let swapping = false;
    const first = await jsm.streams.info(options.stream);
    if (first.state.first_seq > 1 && !options.allowTruncatedStream) {
      throw new Error(
        `the stream starts at #${first.state.first_seq}: events before it have aged out and their records would be lost; rebuild anyway with --allow-truncated`,
      );
    }
    const total = first.state.last_seq;
    options.onProgress?.(0, total);
    await client.query('BEGIN');
    await readUntil(first.state.messages ? first.state.last_seq : 0, total);
    await client.query('COMMIT');

    // The swap: no live batch runs from here to the commit.
    swapping = true;
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [PROJECTION_LOCK_KEY]);
    const now = await jsm.streams.info(options.stream);
    await readUntil(now.state.messages ? now.state.last_seq : 0, now.state.last_seq);
    // Everything the live consumer acknowledged is in its inbox already; the rest of what the new
    // tables hold goes in now, so the live consumer skips it instead of counting it twice.
    const ackFloor = await jsm.consumers
      .info(options.stream, consumerName)
      .then((info) => info.ack_floor.stream_seq)
      .catch(() => 0);
    await client.query(
      `INSERT INTO processed_events (consumer, event_id) SELECT $1, event_id FROM ${INBOX} WHERE stream_seq > $2 ON CONFLICT DO NOTHING`,
      [consumerName, ackFloor],
    );
    for (const table of READ_MODEL_TABLES) await swapTable(client, table);
    await client.query(`DROP TABLE ${INBOX}`);
    await client.query('COMMIT');
    options.onProgress?.(now.state.last_seq, now.state.last_seq);
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    messages.stop();
    await client.end();
  }
  result.seconds = (Date.now() - started) / 1000;
  return result;
}

/** Puts `<table>_rebuild` in place of `<table>`, its indexes under the old names. */
async function swapTable(client: Client, table: string): Promise<void> {
  const indexes = async (name: string) => {
    const { rows } = await client.query<{ indexname: string; indexdef: string }>(
      `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = $1`,
      [name],
    );
    return rows.map((r) => ({ name: r.indexname, shape: r.indexdef.replace(` INDEX ${r.indexname} ON `, ' INDEX ? ON ').replace(new RegExp(`\\.${name} `), '.? ') }));
  };
  const oldIndexes = await indexes(table);
  const newIndexes = await indexes(`${table}${SUFFIX}`);
  await client.query(`ALTER TABLE ${table} RENAME TO ${table}_old`);
  await client.query(`ALTER TABLE ${table}${SUFFIX} RENAME TO ${table}`);
  await client.query(`DROP TABLE ${table}_old`);
  for (const index of newIndexes) {
    const match = oldIndexes.find((o) => o.shape === index.shape);
    if (match && match.name !== index.name) await client.query(`ALTER INDEX ${index.name} RENAME TO ${match.name}`);
  }
}
