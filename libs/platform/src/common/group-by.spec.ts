import { groupBy } from './group-by';

describe('groupBy', () => {
  it('groups by key and keeps the rows in order within each group', () => {
    const rows = [
      { id: 'a', n: 1 },
      { id: 'b', n: 2 },
      { id: 'a', n: 3 },
    ];
    const groups = groupBy(rows, (r) => r.id);
    expect([...groups.keys()]).toEqual(['a', 'b']);
    expect(groups.get('a')!.map((r) => r.n)).toEqual([1, 3]);
    expect(groups.get('b')!.map((r) => r.n)).toEqual([2]);
    expect(groupBy([], (r: { id: string }) => r.id).size).toBe(0);
  });
});
