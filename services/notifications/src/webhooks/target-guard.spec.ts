import { configuredResolver, TargetGuard } from './target-guard';

const noResolver = async () => {
  throw new Error('no name may be resolved in this test');
};

describe('TargetGuard', () => {
  const guard = new TargetGuard('', false, noResolver);

  it.each([
    ['127.0.0.1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.5.5', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'linkLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['::1', 'loopback'],
    ['fd12:3456::1', 'uniqueLocal'],
    ['fe80::1', 'linkLocal'],
    ['::ffff:10.0.0.1', 'private'],
    ['64:ff9b::a00:1', 'rfc6052'],
    ['2002:a00:1::', '6to4'],
  ])('refuses %s (%s)', (address, range) => {
    expect(guard.addressProblem(address)).toContain(range);
  });

  it('allows public unicast addresses, and private ones only in the allowed ranges', () => {
    expect(guard.addressProblem('36.66.1.1')).toBeUndefined();
    expect(guard.addressProblem('2400:cb00::1')).toBeUndefined();
    const regency = new TargetGuard('10.20.0.0/16, 127.0.0.1', false, noResolver);
    expect(regency.addressProblem('10.20.3.4')).toBeUndefined();
    expect(regency.addressProblem('10.21.3.4')).toContain('private');
    expect(regency.addressProblem('127.0.0.1')).toBeUndefined();
    expect(regency.addressProblem('127.0.0.2')).toContain('loopback');
  });

  it('refuses plain http unless allowed, and IP literals before any lookup', () => {
    expect(() => guard.checkUrl('http://36.66.1.1/hook')).toThrow(/only https/);
    expect(() => guard.checkUrl('https://10.0.0.1/hook')).toThrow(/private/);
    expect(() => guard.checkUrl('https://[::ffff:127.0.0.1]/hook')).toThrow(/loopback/);
    // WHATWG URL normalises other spellings of an IPv4 address, so they are caught too.
    expect(() => guard.checkUrl('https://2130706433/hook')).toThrow(/loopback/);
    expect(() => guard.checkUrl('https://0x7f.1/hook')).toThrow(/loopback/);
    expect(guard.checkUrl('https://36.66.1.1/hook').hostname).toBe('36.66.1.1');
  });

  it('refuses a name if any of its addresses is refused, and one that does not resolve', async () => {
    const resolving = new TargetGuard('', false, async (host) =>
      host === 'mixed.example' ? [{ address: '36.66.1.1', family: 4 }, { address: '10.0.0.1', family: 4 }] : [],
    );
    await expect(resolving.checkTarget('https://mixed.example/x')).rejects.toMatchObject({ code: 'NOTIFICATIONS.TARGET_REFUSED' });
    await expect(resolving.checkTarget('https://empty.example/x')).rejects.toThrow(/does not resolve/);
    await expect(guard.checkTarget('https://any.example/x')).rejects.toThrow(/does not resolve/);
  });
});

describe('configuredResolver', () => {
  it('answers WEBHOOK_HOSTS names first, and asks DNS only when allowed', async () => {
    const asked: string[] = [];
    const dns = async (host: string) => {
      asked.push(host);
      return [{ address: '36.66.1.1', family: 4 }];
    };
    const withDns = configuredResolver('Dashboard.Internal=10.20.1.5, dashboard.internal=fd00::5', dns);
    expect(await withDns('dashboard.internal')).toEqual([
      { address: '10.20.1.5', family: 4 },
      { address: 'fd00::5', family: 6 },
    ]);
    expect(await withDns('other.example')).toEqual([{ address: '36.66.1.1', family: 4 }]);
    expect(asked).toEqual(['other.example']);
    await expect(configuredResolver('')('other.example')).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });
});
