/** What a fake server collects, in arrival order, with waits that end the moment the awaited item arrives. */
export class Arrivals<T> {
  readonly items: T[] = [];
  private readonly waiters = new Set<() => void>();

  constructor(private readonly what: string) {}

  push(item: T): void {
    this.items.push(item);
    for (const wake of [...this.waiters]) wake();
  }

  /** The first item (already here or still to come) that matches. */
  waitFor(predicate: (item: T) => boolean, timeoutMs = 5000): Promise<T> {
    return this.until(() => this.items.find(predicate), timeoutMs, `a matching ${this.what}`);
  }

  /** The first `n` items, once there are that many. */
  waitForCount(n: number, timeoutMs = 5000): Promise<T[]> {
    return this.until(() => (this.items.length >= n ? this.items.slice(0, n) : undefined), timeoutMs, `${n} ${this.what}(s)`);
  }

  private until<R>(probe: () => R | undefined, timeoutMs: number, description: string): Promise<R> {
    const found = probe();
    if (found !== undefined) return Promise.resolve(found);
    return new Promise<R>((resolve, reject) => {
      const wake = () => {
        const result = probe();
        if (result === undefined) return;
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve(result);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(wake);
        reject(new Error(`waited ${timeoutMs} ms for ${description}; ${this.items.length} arrived`));
      }, timeoutMs);
      this.waiters.add(wake);
    });
  }
}
