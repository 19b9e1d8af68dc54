import { Logger } from '@nestjs/common';
import { errorSpec } from '@smart-regency/contracts';
import { DomainError, isDatabaseUnavailable } from '@smart-regency/platform';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const WAKE_SOON_MS = 5;

/** Whether trying again later may succeed: a service or the database away, a timeout; not a refusal. */
export function isTransient(error: unknown): boolean {
  if (error instanceof DomainError) return errorSpec(error.code).status >= 500;
  return true;
}

/** The delay before the next attempt after `step` failures, or undefined when the schedule is spent. */
export function nextDelay(delays: number[], step: number): number | undefined {
  return step < delays.length ? delays[step] : undefined;
}

/**
 * Claims work from a table (SKIP LOCKED, leased) and runs up to `concurrency` items at once.
 * New work wakes it (`wake()`); retries are found by polling every `pollMs`. Work already leased
 * elsewhere can be handed over instead of claimed: `reserve` slots first, then `adopt` or `release`.
 */
export abstract class QueueLoop<T> {
  protected readonly logger: Logger;
  private readonly inFlight = new Set<Promise<void>>();
  private running = false;
  private loop?: Promise<void>;
  private wakeUp?: () => void;
  private woken = false;
  private backlog = false;
  private soonTimer?: NodeJS.Timeout;
  /** Slots promised to work being handed over (counted as busy until adopted or released). */
  private reserved = 0;

  protected constructor(
    name: string,
    private readonly concurrency: number,
    private readonly pollMs: number,
  ) {
    this.logger = new Logger(name);
  }

  /** Claims at most `limit` due items. */
  protected abstract claim(limit: number): Promise<T[]>;
  /** Handles one; an error is logged and the item waits for its lease to end. */
  protected abstract handle(item: T): Promise<void>;

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.soonTimer);
    this.wake();
    await this.loop;
    await Promise.all(this.inFlight);
  }

  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /** Wakes the loop a few milliseconds from now: slots freed close together make one claim, not one each. */
  private wakeSoon(): void {
    this.soonTimer ??= setTimeout(() => {
      this.soonTimer = undefined;
      this.wake();
    }, WAKE_SOON_MS);
  }

  /** Items being handled now. */
  get busy(): number {
    return this.inFlight.size;
  }

  /** Holds up to `n` free slots for items to be handed over; returns how many it got (none while stopped). */
  reserve(n: number): number {
    const got = this.running ? Math.max(0, Math.min(n, this.concurrency - this.inFlight.size - this.reserved)) : 0;
    this.reserved += got;
    return got;
  }

  /** Gives back `n` reserved slots that were not used. */
  release(n: number): void {
    if (n <= 0) return;
    this.reserved = Math.max(0, this.reserved - n);
    this.wake();
  }

  /** Handles an item handed over in a reserved slot. */
  adopt(item: T): void {
    this.reserved = Math.max(0, this.reserved - 1);
    this.track(item);
  }

  private track(item: T): void {
    const task: Promise<void> = this.handle(item)
      .catch((error: Error) => this.logger.error(`${error.message}`))
      .finally(() => {
        this.inFlight.delete(task);
        if (this.backlog) this.wakeSoon();
      });
    this.inFlight.add(task);
  }

  private async run(): Promise<void> {
    while (this.running) {
      const room = this.concurrency - this.inFlight.size - this.reserved;
      if (room <= 0) {
        // Every slot busy or promised: wait for one to end, or for a wake (a promise given back).
        await this.idle(this.pollMs, [...this.inFlight]);
        continue;
      }
      this.woken = false;
      let claimed: T[] = [];
      try {
        claimed = await this.claim(room);
      } catch (error) {
        if (!isDatabaseUnavailable(error)) this.logger.error(`claiming failed: ${(error as Error).message}`);
        await sleep(1000);
        continue;
      }
      // A full claim may have left work behind: freed slots then look again (a few at once).
      this.backlog = claimed.length === room;
      for (const item of claimed) this.track(item);
      if (claimed.length === room) continue;
      if (!this.woken) await this.idle(this.pollMs);
    }
  }

  /** Waits `ms`, or less: until a wake, or until one of `tasks` ends. */
  private idle(ms: number, tasks: Promise<void>[] = []): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        if (this.wakeUp === done) this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
      for (const task of tasks) void task.then(done);
    });
  }
}
