/**
 * Answers of a read by query, shared: each is kept while its source stands where it stood when it
 * was computed (`position`, e.g. reporting's place in the stream; '' when only age matters) and
 * for at most `maxAgeMs`. Identical requests meanwhile share one computation, also while it is
 * still running (single flight), so a burst of the same read costs one set of queries. The answer
 * should say how fresh it is (reports carry `asOf`; Open311 lists an `Age` header). A failed
 * computation is not kept. Unlike `TtlCache` (catalogue rows by key, invalidated by the writer),
 * this is for whole answers of public or scoped reads under load.
 */
export class SharedAnswers {
  private readonly entries = new Map<string, { position: string; until: number; answer: Promise<unknown> }>();

  constructor(
    private readonly maxAgeMs: number,
    /** Distinct queries kept at most (the oldest goes first). */
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
