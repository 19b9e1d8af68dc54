import { countedTotal, EXACT_TOTAL_UP_TO, totalNeedsCount } from './page';

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
