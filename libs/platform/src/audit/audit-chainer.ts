import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AUDIT_OPTIONS, AuditOptions } from './audit-options';

/**
 * Moves committed audit rows from `audit_pending` into the hash chain (`audit_chain_pending()`,
 * libs/platform/src/audit/audit-tables.migration.ts) shortly after their transactions commit, in
 * batches, so that audited commits never wait for each other. Several replicas may run one: the
 * function gives way when another holds the chain's lock. Readers of the trail call `drain()` first,
 * so they see every row committed before they asked.
 */
@Injectable()
export class AuditChainer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('AuditChainer');
  private stopping = false;
  private loop?: Promise<void>;
  private timer?: NodeJS.Timeout;
  private wake?: () => void;
  private draining?: Promise<void>;
  private nextDrain?: Promise<void>;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(AUDIT_OPTIONS) private readonly options: AuditOptions,
  ) {}

  onApplicationBootstrap(): void {
    this.stopping = false;
    this.loop = this.run();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    this.wake?.();
    await this.loop;
    // What the last requests wrote joins the chain now rather than at the next start.
    await this.drain().catch((error: Error) => this.logger.warn(`rows left pending at shutdown, chained at the next start: ${error.message}`));
  }

  /**
   * Chains every row committed before the call (waits for a chainer that holds the lock). Callers
   * meanwhile share drains: a drain already running may have begun before their rows committed,
   * so they all wait for the one after it (one drain at a time, however many readers ask).
   */
  drain(): Promise<void> {
    if (!this.draining) {
      this.draining = this.drainOnce().finally(() => (this.draining = undefined));
      return this.draining;
    }
    this.nextDrain ??= this.draining
      .catch(() => undefined)
      .then(() => {
        this.nextDrain = undefined;
        return this.drain();
      });
    return this.nextDrain;
  }

  private async drainOnce(): Promise<void> {
    // Nothing pending, nothing to wait for: chaining deletes a row from audit_pending in the
    // transaction that appends it to audit_log, so a committed row not seen here is in the chain.
    // (A row being chained right now is still seen here, and the chain call below waits for it.)
    const pending = (await this.db.query('SELECT 1 FROM audit_pending ORDER BY id LIMIT 1')) as unknown[];
    if (!pending.length) return;
    while ((await this.chain(true)) === this.options.chainBatchSize);
  }

  private async chain(wait: boolean): Promise<number> {
    const [{ n }] = (await this.db.query('SELECT audit_chain_pending($1, $2) AS n', [this.options.chainBatchSize, wait])) as Array<{ n: number }>;
    return n;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopping) {
      let full = false;
      try {
        // Not while the database is closing (shutdown) or not open yet.
        if (this.db.isInitialized) full = (await this.chain(false)) === this.options.chainBatchSize;
        failures = 0;
      } catch (error) {
        if (this.stopping || !this.db.isInitialized) break;
        failures++;
        // One failure is a blip (a restarting database); rows wait safely in audit_pending meanwhile.
        const message = `chaining audit rows failed (${failures}×), retrying: ${(error as Error).message}`;
        if (failures === 1) this.logger.warn(message);
        else if (failures % 50 === 0) this.logger.error(message);
      }
      if (full || this.stopping) continue;
      const delay = failures ? Math.min(this.options.chainIntervalMs * 2 ** Math.min(failures, 6), 5000) : this.options.chainIntervalMs;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        this.timer = setTimeout(resolve, delay);
      });
    }
  }
}
