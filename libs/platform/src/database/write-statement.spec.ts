import { WriteStatement } from './write-statement';

describe('WriteStatement', () => {
  it('numbers named parameters in order of first use, one parameter per name, casts untouched', () => {
    const w = new WriteStatement();
    w.with('u', `UPDATE t SET status = :status, due_at = :dueAt::timestamptz WHERE id = :id::uuid AND prior <> :status RETURNING id`, { status: 'closed', dueAt: null, id: 'a1' });
    w.with('h', `INSERT INTO h (t_id, note, at) SELECT id, :note, now()::timestamptz FROM u`, { note: 'ok' });
    const { text, values } = w.select(`id FROM u WHERE :id::uuid IS NOT NULL`, { id: 'a1' });
    expect(text).toBe(
      'WITH u AS (UPDATE t SET status = $1, due_at = $2::timestamptz WHERE id = $3::uuid AND prior <> $1 RETURNING id),\n' +
        'h AS (INSERT INTO h (t_id, note, at) SELECT id, $4, now()::timestamptz FROM u)\nSELECT id FROM u WHERE $3::uuid IS NOT NULL',
    );
    expect(values).toEqual(['closed', null, 'a1', 'ok']);
  });

  it('makes the same text for the same shape whatever the values (one prepared statement)', () => {
    const build = (status: string, note: string | null) => new WriteStatement().with('u', `UPDATE t SET status = :status, note = :note RETURNING id`, { status, note }).select('id FROM u').text;
    expect(build('open', null)).toBe(build('closed', 'x'));
  });

  it('refuses a name without a value, a name bound to two values, and an empty statement', () => {
    expect(() => new WriteStatement().with('u', `UPDATE t SET a = :a, b = :b`, { a: 1 })).toThrow(/no value for :b/);
    const w = new WriteStatement().with('u', `UPDATE t SET a = :a`, { a: 1 });
    expect(() => w.with('v', `UPDATE v SET a = :a`, { a: 2 })).toThrow(/:a bound twice/);
    expect(() => new WriteStatement().select('1')).toThrow(/nothing to write/);
  });

  it('lets positional helpers add their parameters after the named ones', () => {
    const w = new WriteStatement().with('u', `UPDATE t SET a = :a RETURNING id`, { a: 1 });
    w.values.push('cap');
    const condition = `take($${w.values.length})`;
    const { text, values } = w.select(`${condition}, :b FROM u`, { b: 'x' });
    expect(text).toContain('SELECT take($2), $3 FROM u');
    expect(values).toEqual([1, 'cap', 'x']);
  });
});
