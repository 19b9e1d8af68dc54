import { Logger } from '@nestjs/common';
import { JetStreamClient } from 'nats';
import { Client } from 'pg';
import { Metrics } from '../metrics/metrics';
import { OUTBOX_CHANNEL } from './outbox-wake';
import { IDEMPOTENCY_RETENTION_HOURS } from '../database/idempotency';

export interface OutboxRelayOptions {
  databaseUrl: string;
  js: JetStreamClient;
  /** Events go to `<subjectPrefix>.<type>`. */
  subjectPrefix: string;
  metrics?: Metrics;
  batchSize?: number;
  /** Fallback poll when no notification arrives (notifications can be missed across reconnects). */
  pollMs?: number;
  publishTimeoutMs?: number;
  retentionHours?: number;
  logger?: Pick<Logger, 'log' | 'warn' | 'error'>;
}

interface OutboxRow {
  seq: string;
  id: string;
  type: string;
  record_id: string;
  event: unknown;
  created_at: Date;
}

// One relay per database publishes at a time: a session advisory lock is the lease, released by
// PostgreSQL when the holder's connection dies. Key: "outbox" as a 32-bit number.
const RELAY_LOCK_KEY = 0x6f757462;
const MAX_BACKOFF_MS = 5000;

const sleep = (ms: number, signal: { wake?: () => void }) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.wake = () => {
      clearTimeout(timer);
      resolve();
    };
  });

/**
 * Publishes committed outbox rows to JetStream in commit order per record, with the event id as
 * `Nats-Msg-Id` (JetStream drops a re-publish inside its duplicate window), waits for each ack,
 * then marks the rows sent. Safe with several replicas: only the lease holder publishes.
 */
export class OutboxRelay {
  private client?: Client;
  private leader = false;
  private stopping = false;
  private loop?: Promise<void>;
  private readonly signal: { wake?: () => void } = {};
  private lastPrune = 0;
  // Set by a notification that arrives while a batch is in flight, so it is not slept through.
  private notified = false;
  private readonly batchSize: number;
  private readonly pollMs: number;
  private readonly publishTimeoutMs: number;
  private readonly logger: Pick<Logger, 'log' | 'warn' | 'error'>;

  constructor(private readonly options: OutboxRelayOptions) {
    this.batchSize = options.batchSize ?? 500;
    this.pollMs = options.pollMs ?? 1000;
    this.publishTimeoutMs = options.publishTimeoutMs ?? 5000;
    this.logger = options.logger ?? new Logger('OutboxRelay');
  }

  get isLeader(): boolean {
    return this.leader;
  }

  /** Events were committed: publish them now rather than at the next poll. */
  wake(): void {
    this.notified = true;
    this.signal.wake?.();
  }

  start(): void {
    this.stopping = false;
    this.loop ??= this.run();
  }

  /** Stops after the batch in hand; releases the lease. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.signal.wake?.();
    await this.loop;
    this.loop = undefined;
  }

  private async run(): Promise<void> {
    let backoff = 250;
    while (!this.stopping) {
      try {
        await this.connect();
        if (!this.leader) {
          const { rows } = await this.client!.query('SELECT pg_try_advisory_lock($1) AS ok', [RELAY_LOCK_KEY]);
          this.leader = rows[0].ok;
          if (!this.leader) {
            await sleep(this.pollMs, this.signal);
            continue;
          }
          this.logger.log('outbox relay is the publisher for this database');
        }
        const published = await this.drainOnce();
        await this.prune();
        await this.measureBacklog();
        backoff = 250;
        if (published < this.batchSize && !this.notified) await sleep(this.pollMs, this.signal);
        this.notified = false;
      } catch (error) {
        await this.measureBacklog().catch(() => undefined);
        this.logger.warn(`outbox relay: ${(error as Error).message}; retrying in ${backoff} ms`);
        await sleep(backoff, this.signal);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    }
    await this.disconnect();
  }

  private async connect(): Promise<void> {
    if (this.client) return;
    const client = new Client({ connectionString: this.options.databaseUrl, connectionTimeoutMillis: 5000 });
    client.on('error', (error) => {
      this.logger.warn(`outbox relay lost its database connection: ${error.message}`);
      this.dropClient(client);
    });
    client.on('notification', () => this.wake());
    await client.connect();
    await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
    this.client = client;
  }

  private dropClient(client: Client): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.leader = false; // the lease went with the connection
    client.end().catch(() => undefined);
  }

  private async disconnect(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.leader = false;
    await client?.end().catch(() => undefined);
  }

  /**
   * Publishes one batch of pending rows. Each record's events go one after another (the next only
   * after the previous is acknowledged); different records go in parallel. A failure stops that
   * record's chain, so a later event never overtakes an earlier one. Returns the rows published.
   */
  async drainOnce(): Promise<number> {
    const client = this.client;
    if (!client) return 0;
    // Named statements: the relay's connection parses and plans each once (the LIMIT a literal, so
    // a generic plan still knows it).
    const { rows } = await client.query<OutboxRow>({
      name: `outbox_relay_pending_${this.batchSize}`,
      text: `SELECT seq, id, type, record_id, event, created_at FROM outbox WHERE sent_at IS NULL ORDER BY seq LIMIT ${Math.trunc(this.batchSize)}`,
    });
    if (!rows.length) return 0;
    const chains = new Map<string, OutboxRow[]>();
    for (const row of rows) {
      const chain = chains.get(row.record_id);
      if (chain) chain.push(row);
      else chains.set(row.record_id, [row]);
    }
    const sent: string[] = [];
    const failed: Array<{ seq: string; error: string }> = [];
    await Promise.all(
      [...chains.values()].map(async (chain) => {
        for (const row of chain) {
          try {
            await this.options.js.publish(`${this.options.subjectPrefix}.${row.type}`, JSON.stringify(row.event), {
              msgID: row.id,
              timeout: this.publishTimeoutMs,
            });
            sent.push(row.seq);
            this.options.metrics?.eventPublishLatency.observe((Date.now() - row.created_at.getTime()) / 1000);
          } catch (error) {
            failed.push({ seq: row.seq, error: (error as Error).message });
            return;
          }
        }
      }),
    );
    if (sent.length) {
      await client.query({ name: 'outbox_relay_sent', text: `UPDATE outbox SET sent_at = clock_timestamp(), attempts = attempts + 1 WHERE seq = ANY($1::bigint[])`, values: [sent] });
      this.options.metrics?.eventsPublished.inc(sent.length);
    }
    if (failed.length) {
      await client.query(
        `UPDATE outbox SET attempts = attempts + 1, last_error = f.error
           FROM unnest($1::bigint[], $2::text[]) AS f(seq, error) WHERE outbox.seq = f.seq`,
        [failed.map((f) => f.seq), failed.map((f) => f.error)],
      );
      throw new Error(`${failed.length} event(s) not acknowledged by JetStream (${failed[0].error})`);
    }
    return sent.length;
  }

  private lastBacklog = 0;

  /** Keeps the outbox_backlog gauge current, at most once a second (uses the partial index). */
  private async measureBacklog(): Promise<void> {
    if (!this.options.metrics || !this.client || Date.now() - this.lastBacklog < 1000) return;
    this.lastBacklog = Date.now();
    const { rows } = await this.client.query(`SELECT count(*)::int AS n FROM outbox WHERE sent_at IS NULL`);
    this.options.metrics.outboxBacklog.set(rows[0].n);
  }

  private async prune(): Promise<void> {
    if (Date.now() - this.lastPrune < 60_000 || !this.client) return;
    this.lastPrune = Date.now();
    const hours = this.options.retentionHours ?? 72;
    await this.client.query(`DELETE FROM outbox WHERE sent_at < now() - make_interval(hours => $1)`, [hours]);
    // Housekeeping of the same lease holder: idempotency keys past their retention.
    await this.client.query(`DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(hours => $1)`, [IDEMPOTENCY_RETENTION_HOURS]);
  }
}
