import { SUBJECTS } from '@smart-regency/contracts';
import { InProcessService, startInProcess } from '@smart-regency/testing';
import { decodeProtectedHeader } from 'jose';
import { startIdentity } from '../src/app';
import { loadIdentityConfig } from '../src/config';
import { KeysService } from '../src/keys/keys.service';

describe('signing keys', () => {
  let t: InProcessService;

  beforeAll(async () => {
    t = await startInProcess('identity', (env) => startIdentity(loadIdentityConfig({ ...env, KEY_ROTATION_DAYS: '30' })));
  });

  afterAll(() => t?.close());

  it('creates one key at start and publishes only its public part', async () => {
    const jwks = await t.rpc.send(SUBJECTS.identity.jwks, {});
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
    expect(jwks.keys[0]).not.toHaveProperty('d');
  });

  it('rotates when the newest key is older than KEY_ROTATION_DAYS, keeping the previous one in the JWKS', async () => {
    const keys = t.service.app.get(KeysService);
    const before = (await t.rpc.send(SUBJECTS.identity.jwks, {})).keys.map((k) => k.kid);
    expect((await keys.rotateIfDue(new Date(Date.now() + 29 * 86400_000))).kid).toBe(before[0]);
    await t.db.query(`UPDATE signing_keys SET created_at = now() - interval '31 days'`);
    const rotated = await keys.rotateIfDue();
    expect(rotated.kid).not.toBe(before[0]);
    const after = (await t.rpc.send(SUBJECTS.identity.jwks, {})).keys.map((k) => k.kid);
    expect(after).toEqual([rotated.kid, before[0]]);
    const { token } = await keys.signAccessToken({ sub: '00000000-0000-4000-8000-000000000001', roles: ['citizen'] });
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'EdDSA', kid: rotated.kid, typ: 'at+jwt' });
  });
});
