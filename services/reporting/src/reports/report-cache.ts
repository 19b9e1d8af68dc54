/**
 * Report answers by query, each kept while the read models stand where they stood when it was
 * computed (the projection's position in the stream) and for at most `maxAgeMs`: identical
 * requests meanwhile share one computation, also while it is still running (single flight), so a
 * burst of the same report costs one set of queries. The answer carries the position it was
 * computed at (`asOf`), which says how fresh it is. A failed computation is not kept.
 */
export class ReportCache {
  private readonly entries = new Map<string, { position: string; until: number; answer: Promise<unknown> }>();

  constructor(
    private readonly maxAgeMs: number,
    /** Distinct queries kept at most (the oldest goes first): from, to and agency make many keys. */
    private readonly maxEntries = 1000,
    private readonly now: () => number = Date.now,
  ) {}

  get<T>(key: string, position: string, compute: () => Promise<T>): Promise<T> {
    const entry = this.entries.get(key);
    if (entry && entry.position === position && entry.until > this.now()) return entry.answer as Promise<T>;
    const answer = compute();
    if (this.maxAgeMs <= 0) return answer;
    this.entries.delete(key);
    this.entries.set(key, { position, until: this.now() + this.maxAgeMs, answer });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    answer.catch(() => {
      if (this.entries.get(key)?.answer === answer) this.entries.delete(key);
    });
    return answer;
  }

  get size(): number {
    return this.entries.size;
  }
}
