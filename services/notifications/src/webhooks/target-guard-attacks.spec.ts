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
