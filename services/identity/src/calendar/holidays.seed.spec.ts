import { holidaysOf, NATIONAL_HOLIDAYS } from './holidays.seed';

const years = Object.keys(NATIONAL_HOLIDAYS).map(Number);

function isRealDate(date: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) return false;
  const utc = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return utc.toISOString().slice(0, 10) === date;
}

describe('NATIONAL_HOLIDAYS', () => {
  it('covers 2026 and 2027', () => {
    expect(years).toEqual(expect.arrayContaining([2026, 2027]));
  });

  describe.each(years)('%i', (year) => {
    const holidays = NATIONAL_HOLIDAYS[year];

    it('has only real YYYY-MM-DD dates of that year', () => {
      expect(holidays.filter((h) => !isRealDate(h.date) || !h.date.startsWith(`${year}-`))).toEqual([]);
    });

    it('lists each date once, in order', () => {
      const dates = holidays.map((h) => h.date);
      expect(new Set(dates).size).toBe(dates.length);
      expect(dates).toEqual([...dates].sort());
    });

    it('names every day', () => {
      expect(holidays.filter((h) => typeof h.name !== 'string' || h.name.trim() === '')).toEqual([]);
    });

    it('has New Year, Independence Day and Christmas', () => {
      const byDate = new Map(holidays.map((h) => [h.date, h.name]));
      expect(byDate.get(`${year}-01-01`)).toBe(`Tahun Baru ${year} Masehi`);
      expect(byDate.get(`${year}-08-17`)).toBe('Proklamasi Kemerdekaan');
      expect(byDate.get(`${year}-12-25`)).toBe('Kelahiran Yesus Kristus');
    });
  });

  it('has the 17 holidays and 8 cuti bersama of the 2026 SKB', () => {
    const holidays = NATIONAL_HOLIDAYS[2026];
    expect(holidays.filter((h) => !h.name.startsWith('Cuti Bersama'))).toHaveLength(17);
    expect(holidays.filter((h) => h.name.startsWith('Cuti Bersama')).map((h) => h.date)).toEqual([
      '2026-02-16', '2026-03-18', '2026-03-20', '2026-03-23', '2026-03-24', '2026-05-15', '2026-05-28', '2026-12-24',
    ]);
  });
});

describe('holidaysOf', () => {
  it('returns the seed of a known year', () => {
    expect(holidaysOf(2026)).toEqual(NATIONAL_HOLIDAYS[2026]);
    expect(holidaysOf(2027)).toEqual(NATIONAL_HOLIDAYS[2027]);
  });

  it('returns [] for a year it does not know', () => {
    expect(holidaysOf(2025)).toEqual([]);
    expect(holidaysOf(2099)).toEqual([]);
  });

  it('returns a copy, so a caller cannot change the seed', () => {
    const copy = holidaysOf(2026);
    copy[0].name = 'changed';
    copy.pop();
    expect(NATIONAL_HOLIDAYS[2026][0].name).toBe('Tahun Baru 2026 Masehi');
    expect(NATIONAL_HOLIDAYS[2026]).toHaveLength(25);
  });
});
