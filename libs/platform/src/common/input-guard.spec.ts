import { capFieldErrors, hasBadCharacter, inspectInput, MAX_FIELD_ERRORS } from './input-guard';

describe('inspectInput', () => {
  it('passes what our requests look like, emoji and CJK text included', () => {
    const body = { title: 'Jalan rusak 🚧 中文', location: { lat: 2.5, lng: 99.6 }, holidays: [{ date: '2026-01-01', name: 'Tahun Baru' }], note: 'baris\nbaru\ttab' };
    expect(inspectInput(body)).toEqual([]);
    expect(inspectInput(Buffer.alloc(10 * 1024 * 1024))).toEqual([]);
    expect(inspectInput(undefined)).toEqual([]);
  });

  it('refuses nesting 50,000 deep without using the stack', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 50_000; i++) deep = { a: deep };
    expect(inspectInput(deep)).toEqual([expect.objectContaining({ rule: 'maxDepth' })]);
    let arrays: unknown = [];
    for (let i = 0; i < 50_000; i++) arrays = [arrays];
    expect(inspectInput(arrays)).toEqual([expect.objectContaining({ rule: 'maxDepth' })]);
  });

  it('refuses 80,000 keys, and many items spread over arrays, as one short error', () => {
    const wide = Object.fromEntries(Array.from({ length: 80_000 }, (_, i) => [`k${i}`, 1]));
    expect(inspectInput(wide)).toEqual([{ field: '(body)', message: 'has more than 5000 keys and items in all', rule: 'maxEntries' }]);
    const spread = { a: Array(3000).fill(0), b: Array(3000).fill(0) };
    expect(inspectInput(spread, 'query')).toEqual([expect.objectContaining({ field: 'query', rule: 'maxEntries' })]);
  });

  it('names each value or key holding a NUL or a lone surrogate', () => {
    const errors = inspectInput({ title: 'a\u0000b', list: ['ok', 'x\ud800'], ['k\u0000']: 1, nested: { low: '\udc00y' } }, 'body');
    expect(errors.map((e) => e.field).sort()).toEqual(['body.k\u0000', 'body.list[1]', 'body.nested.low', 'body.title']);
    expect(errors.every((e) => e.rule === 'isWellFormed')).toBe(true);
    expect(inspectInput('\u0000')).toEqual([expect.objectContaining({ field: '(value)' })]);
  });

  it('tells lone surrogates from pairs', () => {
    expect(hasBadCharacter('😀')).toBe(false);
    expect(hasBadCharacter('\ud83d')).toBe(true);
    expect(hasBadCharacter('\ude00')).toBe(true);
    expect(hasBadCharacter('\ude00\ud83d')).toBe(true);
  });

  it('keeps the error list short', () => {
    const many = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`f${i}`, '\u0000']));
    expect(inspectInput(many)).toHaveLength(MAX_FIELD_ERRORS);
    const capped = capFieldErrors(Array.from({ length: 80_000 }, (_, i) => ({ field: `k${i}`, message: 'unknown' })));
    expect(capped).toHaveLength(MAX_FIELD_ERRORS + 1);
    expect(capped.at(-1)).toEqual({ field: '*', message: `and ${80_000 - MAX_FIELD_ERRORS} more invalid fields`, rule: 'truncated' });
    expect(capFieldErrors([{ field: 'a', message: 'x' }])).toEqual([{ field: 'a', message: 'x' }]);
  });
});
