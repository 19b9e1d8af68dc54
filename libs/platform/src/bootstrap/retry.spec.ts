import { backoff, FatalStartupError } from './retry';

describe('backoff', () => {
  it('retries until the attempt succeeds, logging each failure', async () => {
    const warnings: string[] = [];
    let tries = 0;
    const value = await backoff(
      'the thing',
      async () => {
        if (++tries < 3) throw new Error('ECONNREFUSED');
        return 'up';
      },
      { warn: (m) => warnings.push(m) },
      { initialDelayMs: 1, maxDelayMs: 2 },
    );
    expect(value).toBe('up');
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/^the thing is not available \(ECONNREFUSED\); retrying in/);
  });

  it('does not retry a fatal error', async () => {
    let tries = 0;
    const attempt = async () => {
      tries++;
      throw new FatalStartupError('wrong password');
    };
    await expect(backoff('db', attempt, { warn: () => undefined }, { initialDelayMs: 1 })).rejects.toThrow('wrong password');
    expect(tries).toBe(1);
  });
});
