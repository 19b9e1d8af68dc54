import { countedTotal, EXACT_TOTAL_UP_TO, pageWithTotal, totalNeedsCount } from './page';

describe('countedTotal', () => {
  it('takes the total from a page that is not full, or from a first page with nothing on it', () => {
    expect(countedTotal(0, 20, 7)).toEqual({ total: 7, totalExact: true });
    expect(countedTotal(0, 20, 0)).toEqual({ total: 0, totalExact: true });
    expect(countedTotal(4980, 20, 3)).toEqual({ total: 4983, totalExact: true });
  });

  it('is exact up to EXACT_TOTAL_UP_TO counted matches', () => {
    expect(countedTotal(0, 20, 20, 21)).toEqual({ total: 21, totalExact: true });
    expect(countedTotal(980, 20, 20, EXACT_TOTAL_UP_TO)).toEqual({ total: EXACT_TOTAL_UP_TO, totalExact: true });
    expect(countedTotal(100, 20, 0, 42)).toEqual({ total: 42, totalExact: true });
  });

  it('gives a lower bound above it: 1,000, or what a full page past it proves', () => {
    expect(countedTotal(0, 20, 20, EXACT_TOTAL_UP_TO + 1)).toEqual({ total: EXACT_TOTAL_UP_TO, totalExact: false });
    expect(countedTotal(1000, 20, 20)).toEqual({ total: 1020, totalExact: false });
    expect(countedTotal(1900, 100, 100)).toEqual({ total: 2000, totalExact: false });
    // An empty page past the end proves nothing beyond the count.
    expect(countedTotal(50_000, 100, 0, EXACT_TOTAL_UP_TO + 1)).toEqual({ total: EXACT_TOTAL_UP_TO, totalExact: false });
  });

  it('refuses to guess when a count is needed', () => {
    expect(() => countedTotal(0, 20, 20)).toThrow(/needs a count/);
    expect(() => countedTotal(5000, 20, 0)).toThrow(/needs a count/);
  });

  it('counts only where the rows cannot prove more than EXACT_TOTAL_UP_TO', () => {
    expect(totalNeedsCount(0, 20)).toBe(true);
    expect(totalNeedsCount(980, 20)).toBe(true);
    expect(totalNeedsCount(1000, 20)).toBe(false);
  });
});

describe('pageWithTotal', () => {
  const run = async (offset: number, pageSize: number, rows: number[], matches: number) => {
    let counts = 0;
    const result = await pageWithTotal(
      offset,
      pageSize,
      async () => rows,
      async () => (counts++, Math.min(matches, EXACT_TOTAL_UP_TO + 1)),
    );
    return { ...result, counts };
  };

  it('counts beside a page that may need it, and not beside a page whose rows prove more', async () => {
    expect(await run(0, 20, Array(20).fill(1), 45)).toMatchObject({ total: 45, totalExact: true, counts: 1 });
    expect(await run(2000, 20, Array(20).fill(1), 5000)).toMatchObject({ total: 2020, totalExact: false, counts: 0 });
  });

  it('counts after an empty page past the end, however far (the fuzzer found a 500 there at page 7,488)', async () => {
    expect(await run(7487 * 17, 17, [], 40)).toMatchObject({ rows: [], total: 40, totalExact: true, counts: 1 });
    expect(await run(7487 * 17, 17, [], 5000)).toMatchObject({ total: EXACT_TOTAL_UP_TO, totalExact: false, counts: 1 });
  });
});
