import { splitByMonths } from './reports.service';

describe('splitByMonths', () => {
  it.each([
    // [from, to, whole months [from, before) or none, the days outside them]
    ['2025-01-01', '2026-12-31', { from: '2025-01-01', before: '2027-01-01' }, []],
    ['2025-01-15', '2025-03-10', { from: '2025-02-01', before: '2025-03-01' }, [{ from: '2025-01-15', to: '2025-01-31' }, { from: '2025-03-01', to: '2025-03-10' }]],
    ['2024-02-02', '2024-02-29', null, [{ from: '2024-02-02', to: '2024-02-29' }]],
    ['2025-03-01', '2025-03-31', { from: '2025-03-01', before: '2025-04-01' }, []],
    ['2025-12-31', '2026-01-01', null, [{ from: '2025-12-31', to: '2026-01-01' }]],
    ['2025-11-30', '2026-01-31', { from: '2025-12-01', before: '2026-02-01' }, [{ from: '2025-11-30', to: '2025-11-30' }]],
    [undefined, '2025-03-10', { from: null, before: '2025-03-01' }, [{ from: '2025-03-01', to: '2025-03-10' }]],
    ['2025-03-10', undefined, { from: '2025-04-01', before: null }, [{ from: '2025-03-10', to: '2025-03-31' }]],
    [undefined, undefined, { from: null, before: null }, []],
  ])('%s … %s', (from, to, months, days) => {
    expect(splitByMonths(from, to)).toEqual({ months, days });
  });

  it('covers every day of the range once, in months or days', () => {
    const dayAfter = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    for (const [from, to] of [['2025-01-17', '2025-04-02'], ['2025-02-01', '2025-02-28'], ['2025-02-27', '2025-03-01'], ['2025-06-30', '2025-08-01']]) {
      const { months, days } = splitByMonths(from, to);
      for (let d = from; d <= to; d = dayAfter(d)) {
        const inMonths = !!months && (months.from === null || d >= months.from) && (months.before === null || d < months.before);
        const inDays = days.filter((r) => (r.from === null || d >= r.from) && (r.to === null || d <= r.to)).length;
        expect([d, Number(inMonths) + inDays]).toEqual([d, 1]);
      }
    }
  });
});
