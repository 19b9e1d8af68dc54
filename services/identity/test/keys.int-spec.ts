import { SUBJECTS } from '@smart-regency/contracts';
import { RunningService } from '@smart-regency/platform';
import { InProcessService, startInProcess, TEST_ADMIN, TestEnvironment, TestRpc } from '@smart-regency/testing';
import { randomUUID } from 'crypto';
import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, importJWK, jwtVerify } from 'jose';
import { Client } from 'pg';
import { startIdentity } from '../src/app';
import { loadIdentityConfig } from '../src/config';
import { KeysService } from '../src/keys/keys.service';
import { SigningKeyCipher } from '../src/keys/signing-key-cipher';

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

  it('signs access tokens that live exactly ACCESS_TOKEN_TTL_SECONDS and name their session', async () => {
    const tokens = await t.rpc.send(SUBJECTS.identity.login, { identifier: TEST_ADMIN.email, password: TEST_ADMIN.password });
    const claims = decodeJwt(tokens.accessToken);
    expect(claims.exp! - claims.iat!).toBe(900);
    const { rows } = await t.db.query(`SELECT family_id FROM refresh_tokens WHERE token_hash = encode(sha256($1::bytea), 'hex')`, [tokens.refreshToken]);
    expect(claims.sid).toBe(rows[0].family_id);
  });
});

/**
 * Private keys at rest, across restarts of identity on one database: an upgrade from plain text,
 * a rotation of SIGNING_KEY_ENCRYPTION_KEY, and a lost one.
 */
describe('signing keys encrypted at rest', () => {
  const FIRST = 'first-signing-key-encryption-key-for-tests';
  const SECOND = 'second-signing-key-encryption-key-for-tests';
  const LOST = 'a-key-that-replaced-a-lost-one-for-the-tests';
  const env = new TestEnvironment();
  const base = env.serviceEnv('identity', { LOG_LEVEL: 'fatal' });
  let service: RunningService | undefined;
  let rpc: TestRpc;
  let db: Client;
  let upgradedKid: string;

  const start = async (keys: Record<string, string>) => {
    await service?.close();
    service = undefined;
    service = await startIdentity(loadIdentityConfig({ ...base, ...keys }));
  };
  const stored = async () => (await db.query('SELECT kid, public_jwk, private_jwk, private_key_sealed FROM signing_keys ORDER BY created_at DESC')).rows;
  const signIn = async () => (await rpc.send(SUBJECTS.identity.login, { identifier: TEST_ADMIN.email, password: TEST_ADMIN.password })).accessToken;

  beforeAll(async () => {
    await start({ SIGNING_KEY_ENCRYPTION_KEY: FIRST });
    rpc = await TestRpc.connect(env.natsPrefix, env.actorSigningKey);
    db = new Client({ connectionString: base.DATABASE_URL });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    await rpc?.close();
    await service?.close();
    await env.cleanup();
  });

  it('stores no private key in plain text: only sealed under SIGNING_KEY_ENCRYPTION_KEY', async () => {
    const rows = await stored();
    expect(rows).toHaveLength(1);
    const cipher = new SigningKeyCipher(FIRST);
    const [row] = rows;
    expect(row.private_jwk).toBeNull();
    expect(row.private_key_sealed).toMatch(new RegExp(`^v1\\.${cipher.fingerprint}\\.`));
    const opened = cipher.open(row.kid, row.private_key_sealed);
    expect(opened).toMatchObject({ kty: 'OKP', crv: 'Ed25519', x: row.public_jwk.x, d: expect.any(String) });
    expect(JSON.stringify(row)).not.toContain(String(opened.d));
  });

  it('encrypts the plain-text keys an older version stored, at start, and goes on signing with them', async () => {
    const { publicKey, privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    upgradedKid = randomUUID();
    const publicJwk = { ...(await exportJWK(publicKey)), kid: upgradedKid, alg: 'EdDSA', use: 'sig' };
    const privateJwk = { ...(await exportJWK(privateKey)), kid: upgradedKid, alg: 'EdDSA' };
    // As the version before encryption wrote it: the newest key, in plain text.
    await db.query(`INSERT INTO signing_keys (kid, alg, public_jwk, private_jwk, created_at) VALUES ($1, 'EdDSA', $2, $3, now() + interval '1 second')`, [upgradedKid, publicJwk, privateJwk]);

    await start({ SIGNING_KEY_ENCRYPTION_KEY: FIRST });
    const rows = await stored();
    expect(rows.map((r) => r.private_jwk)).toEqual([null, null]);
    expect(JSON.stringify(rows)).not.toContain(String(privateJwk.d));
    expect(new SigningKeyCipher(FIRST).open(upgradedKid, rows[0].private_key_sealed)).toEqual(privateJwk);
    const token = await signIn();
    expect(decodeProtectedHeader(token).kid).toBe(upgradedKid);
    await jwtVerify(token, await importJWK(publicJwk, 'EdDSA'));
  });

  it('rotates SIGNING_KEY_ENCRYPTION_KEY: with the old one as _PREVIOUS, every key is re-encrypted at start and stays in use', async () => {
    await start({ SIGNING_KEY_ENCRYPTION_KEY: SECOND, SIGNING_KEY_ENCRYPTION_KEY_PREVIOUS: FIRST });
    const second = new SigningKeyCipher(SECOND);
    for (const row of await stored()) expect(second.isCurrent(row.private_key_sealed)).toBe(true);
    expect(decodeProtectedHeader(await signIn()).kid).toBe(upgradedKid);
    // The previous one is no longer needed: a start with the new one alone signs with the same key.
    await start({ SIGNING_KEY_ENCRYPTION_KEY: SECOND });
    expect(decodeProtectedHeader(await signIn()).kid).toBe(upgradedKid);
  });

  it('survives a lost SIGNING_KEY_ENCRYPTION_KEY: a new signing key, and the old public key stays published', async () => {
    await start({ SIGNING_KEY_ENCRYPTION_KEY: LOST });
    const kid = decodeProtectedHeader(await signIn()).kid;
    expect(kid).not.toBe(upgradedKid);
    const jwks = await rpc.send(SUBJECTS.identity.jwks, {});
    // Tokens signed before the loss still verify until they expire.
    // (Order aside: the upgraded key was stored a second in the future, so on a fast run it is still the newer.)
    expect(jwks.keys.map((k) => k.kid).sort()).toEqual([kid, upgradedKid].sort());
    const rows = await stored();
    const row = (k: string) => rows.find((r) => r.kid === k);
    expect(new SigningKeyCipher(LOST).isCurrent(row(kid as string).private_key_sealed)).toBe(true);
    // What nobody can read is left alone (an operator who finds the old key can still give it as _PREVIOUS).
    expect(new SigningKeyCipher(SECOND).isCurrent(row(upgradedKid).private_key_sealed)).toBe(true);
  });
});
