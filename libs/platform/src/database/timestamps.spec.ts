import { types } from 'pg';
import { timestamptzParser } from './timestamps';

// pg's own parser, before anything replaced it (this spec does not load database.ts).
const original = types.getTypeParser(types.builtins.TIMESTAMPTZ) as (value: string) => Date | number | null;
const fast = timestamptzParser(original);

const time = (value: unknown) => (value instanceof Date ? value.getTime() : value);

describe('timestamptzParser', () => {
  it('reads what PostgreSQL sends as pg does, for every layout it sends', () => {
    const samples = [
      '2026-12-04 23:16:48.734123+00',
      '2026-12-04 23:16:48+07',
      '2026-01-01 00:00:00.291+00',
      '2026-06-30 12:00:00.5+05:30',
      '1999-12-31 23:59:59.999999-03',
      '2026-12-04 23:16:48.1+00',
      '2024-02-29 00:00:00-09:30',
      '0050-01-01 00:00:00+00',
      '2026-12-04 23:16:48+00 BC',
      'infinity',
      '-infinity',
      '2026-12-04 23:16:48+05:30:15',
    ];
    for (const s of samples) expect([s, time(fast(s))]).toEqual([s, time(original(s))]);
    expect(fast('2026-12-04 23:16:48.734123+07')).toEqual(new Date('2026-12-04T16:16:48.734Z'));
  });

  it('agrees with pg on 100,000 random instants, fractions and offsets', () => {
    let seed = 42;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const pad = (n: number, width = 2) => String(n).padStart(width, '0');
    const offsets = ['+00', '+07', '-03', '+05:30', '-09:30', '+14', '-12', '+08'];
    for (let i = 0; i < 100_000; i++) {
      const digits = random(7);
      const fraction = digits ? `.${pad(random(1_000_000), 6).slice(0, digits)}` : '';
      const s = `${pad(1000 + random(9000), 4)}-${pad(1 + random(12))}-${pad(1 + random(28))} ${pad(random(24))}:${pad(random(60))}:${pad(random(60))}${fraction}${offsets[random(offsets.length)]}`;
      if (time(fast(s)) !== time(original(s))) throw new Error(`${s}: ${String(fast(s))} vs ${String(original(s))}`);
    }
  });
});
