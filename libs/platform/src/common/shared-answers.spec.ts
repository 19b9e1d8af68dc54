import { SharedAnswers } from './shared-answers';

describe('SharedAnswers', () => {
  let now: number;
  let cache: SharedAnswers;
  let computed: number;
  const compute = (value: string) => () => {
    computed++;
    return Promise.resolve(value);
  };

  beforeEach(() => {
    now = 1_000_000;
    computed = 0;
    cache = new SharedAnswers(2000, 3, () => now);
  });

  it('shares one computation between identical requests, also while it runs', async () => {
    let finish!: (v: string) => void;
    const slow = jest.fn(() => new Promise<string>((resolve) => (finish = resolve)));
    const first = cache.get('summary', '7', slow);
    const second = cache.get('summary', '7', slow);
    finish('figures');
    expect(await Promise.all([first, second])).toEqual(['figures', 'figures']);
    expect(await cache.get('summary', '7', slow)).toBe('figures');
    expect(slow).toHaveBeenCalledTimes(1);
  });

  it('computes again once the projection has moved or the answer is too old', async () => {
    expect(await cache.get('summary', '7', compute('a'))).toBe('a');
    expect(await cache.get('summary', '8', compute('b'))).toBe('b');
    expect(await cache.get('summary', '8', compute('c'))).toBe('b');
    now += 2000;
    expect(await cache.get('summary', '8', compute('d'))).toBe('d');
    expect(computed).toBe(3);
  });

  it('keeps queries apart', async () => {
    expect(await cache.get('summary|agency-a', '7', compute('a'))).toBe('a');
    expect(await cache.get('summary|agency-b', '7', compute('b'))).toBe('b');
    expect(await cache.get('summary|agency-a', '7', compute('c'))).toBe('a');
  });

  it('does not keep a failure: the next request tries again', async () => {
    await expect(cache.get('summary', '7', () => Promise.reject(new Error('database down')))).rejects.toThrow('database down');
    expect(await cache.get('summary', '7', compute('a'))).toBe('a');
  });

  it('holds at most maxEntries queries, dropping the oldest', async () => {
    for (const key of ['a', 'b', 'c', 'd']) await cache.get(key, '7', compute(key));
    expect(cache.size).toBe(3);
    expect(await cache.get('a', '7', compute('a again'))).toBe('a again');
    expect(await cache.get('d', '7', compute('d again'))).toBe('d');
  });

  it('keeps nothing when maxAgeMs is 0', async () => {
    const off = new SharedAnswers(0);
    expect(await off.get('summary', '7', compute('a'))).toBe('a');
    expect(await off.get('summary', '7', compute('b'))).toBe('b');
    expect(off.size).toBe(0);
  });
});
