import { TtlCache } from './ttl-cache';

describe('TtlCache', () => {
  let now: number;
  let cache: TtlCache<string, { v: number }>;
  let loads: number;
  let stored: Record<string, { v: number } | null>;
  const load = (key: string) => async () => {
    loads++;
    return stored[key];
  };

  beforeEach(() => {
    now = 1_000;
    cache = new TtlCache(5_000, () => now);
    loads = 0;
    stored = { a: { v: 1 }, gone: null };
  });

  it('serves a loaded value until it expires, then loads again', async () => {
    expect(await cache.get('a', load('a'))).toEqual({ v: 1 });
    stored.a = { v: 2 };
    now += 4_999;
    expect(await cache.get('a', load('a'))).toEqual({ v: 1 });
    expect(loads).toBe(1);
    now += 1;
    expect(await cache.get('a', load('a'))).toEqual({ v: 2 });
    expect(loads).toBe(2);
  });

  it('loads again at once after invalidate', async () => {
    await cache.get('a', load('a'));
    stored.a = { v: 2 };
    cache.invalidate('a');
    expect(await cache.get('a', load('a'))).toEqual({ v: 2 });
    expect(loads).toBe(2);
  });

  it('keeps other keys when one is invalidated', async () => {
    stored.b = { v: 10 };
    await cache.get('a', load('a'));
    await cache.get('b', load('b'));
    cache.invalidate('a');
    await cache.get('b', load('b'));
    expect(loads).toBe(2);
  });

  it('does not remember a missing value', async () => {
    expect(await cache.get('gone', load('gone'))).toBeNull();
    expect(await cache.get('nope', load('nope'))).toBeNull();
    stored.gone = { v: 3 };
    expect(await cache.get('gone', load('gone'))).toEqual({ v: 3 });
    expect(loads).toBe(3);
  });

  it('drops an entry whose row has disappeared', async () => {
    await cache.get('a', load('a'));
    stored.a = null;
    now += 5_000;
    expect(await cache.get('a', load('a'))).toBeNull();
    stored.a = { v: 4 };
    expect(await cache.get('a', load('a'))).toEqual({ v: 4 });
  });

  it('does not keep what a load read before an invalidate that happened while it ran', async () => {
    let release!: () => void;
    const slow = async () => {
      loads++;
      const before = stored.a;
      await new Promise<void>((r) => (release = r));
      return before;
    };
    const pending = cache.get('a', slow);
    stored.a = { v: 2 };
    cache.invalidate('a');
    release();
    expect(await pending).toEqual({ v: 1 });
    expect(await cache.get('a', load('a'))).toEqual({ v: 2 });
    expect(loads).toBe(2);
  });
});
