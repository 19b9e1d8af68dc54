/**
 * Values by key, each kept for `ttlMs` after it was loaded: for catalogue rows (permit types,
 * complaint categories) that the write path reads on every request and admins change a few times
 * a year. A change made through this process calls `invalidate` and is seen at once; other
 * replicas see it within `ttlMs`. A missing value (null) is not remembered, so the cache only ever
 * holds real entries.
 */
export class TtlCache<K, V> {
  private readonly entries = new Map<K, { value: V; until: number }>();
  // Bumped by every invalidate: a load that began before one may have read the old row.
  private generation = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The cached value while it is fresh, else what `load` finds (null when there is none). */
  async get(key: K, load: () => Promise<V | null | undefined>): Promise<V | null> {
    const entry = this.entries.get(key);
    if (entry && entry.until > this.now()) return entry.value;
    const generation = this.generation;
    const value = (await load()) ?? null;
    if (value === null) this.entries.delete(key);
    else if (generation === this.generation) this.entries.set(key, { value, until: this.now() + this.ttlMs });
    return value;
  }

  invalidate(key: K): void {
    this.generation++;
    this.entries.delete(key);
  }
}
