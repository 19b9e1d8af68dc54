import { TargetGuard } from './target-guard';

const noResolver = async () => {
  throw new Error('no name may be resolved in this test');
};

/** Spellings of private addresses an attacker would try on the guard (no socket is opened here). */
describe('TargetGuard against disguised addresses', () => {
  const guard = new TargetGuard('127.0.0.1', true, noResolver);

  it.each(['::7f00:2', '::127.0.0.2', '::a9fe:a9fe', '::a00:1', '::c0a8:101'])('refuses the IPv4-compatible address %s', (address) => {
    expect(guard.addressProblem(address)).toBeDefined();
  });

  it.each(['[::127.0.0.2]', '[::7f00:2]', '[::a9fe:a9fe]'])('refuses the URL http://%s/ before any lookup', (host) => {
    expect(() => guard.checkUrl(`http://${host}/x`)).toThrow(/target refused/);
  });

  it('still allows public IPv6 and what the regency allows', () => {
    expect(guard.addressProblem('2400:cb00::1')).toBeUndefined();
    expect(guard.addressProblem('127.0.0.1')).toBeUndefined();
    expect(new TargetGuard('::/96', false, noResolver).addressProblem('::a14:102')).toBeUndefined();
  });
});

describe('TargetGuard against a receiver whose DNS is slow', () => {
  it('asks its resolver once at a time per name, however many attempts connect at once, and caches nothing', async () => {
    let calls = 0;
    const waiting: Array<() => void> = [];
    const slow = async () => {
      calls++;
      await new Promise<void>((resolve) => waiting.push(resolve));
      return [{ address: '36.66.1.1', family: 4 }];
    };
    const guard = new TargetGuard('', false, slow);
    // A lookup of the system resolver holds one of libuv's four threads until it ends, and the
    // receiver's owner decides how long that is: 32 attempts at once must not take 32 lookups.
    const attempts = Promise.all(Array.from({ length: 32 }, () => guard.resolveChecked('slow.example')));
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toBe(1);
    waiting.splice(0).forEach((release) => release());
    expect((await attempts).every((a) => a[0].address === '36.66.1.1')).toBe(true);
    // The next attempt asks again: an answer is never reused, so rebinding is still caught.
    const again = guard.resolveChecked('Slow.Example');
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toBe(2);
    waiting.splice(0).forEach((release) => release());
    await again;
  });
});
