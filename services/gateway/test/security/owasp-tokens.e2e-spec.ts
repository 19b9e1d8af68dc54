import { TestSystem } from '@smart-regency/testing';
import { createDecipheriv, hkdfSync, randomUUID } from 'crypto';
import { base64url, exportJWK, generateKeyPair, importJWK, JWK, KeyLike, SignJWT } from 'jose';
import { Client } from 'pg';
import request from 'supertest';
import { People } from '../support';
import { Canary, expectRefused, leaks, recording, Seen } from './owasp-support';

// Given to identity below, so the suite can open its sealed signing key (docs/auth.md) and forge
// tokens that differ from a real one in a single respect.
const SIGNING_KEY_ENCRYPTION_KEY = 'owasp-signing-key-encryption-key-0123456789';
function openSealed(kid: string, sealed: string): JWK {
  const [, , iv, body, tag] = sealed.split('.');
  const key = Buffer.from(hkdfSync('sha256', Buffer.from(SIGNING_KEY_ENCRYPTION_KEY), 'smart-regency', 'signing-key-encryption/v1', 32));
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(kid));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return JSON.parse(Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString());
}

/**
 * OWASP API2 broken authentication, beyond what auth.e2e-spec already tries (alg none, HS256 with
 * the public key, foreign keys, wrong issuer and audience, tampered payloads, expired, lifetimes,
 * refresh-token reuse, disabled users, throttling): tokens of the wrong type, keys named in the
 * token itself, hostile key ids, claims of the wrong shape, tokens in the wrong place, and a
 * member of staff moved to another agency.
 */
describe('OWASP API2: broken authentication', () => {
  let system: TestSystem;
  let api: ReturnType<typeof request>;
  let identityDb: Client;
  const seen: Seen[] = [];
  const people = new People(9700);
  const { bearer, ids, agencies } = people;
  let kid: string;
  let realKey: KeyLike | Uint8Array;
  /** Records any request: nothing a caller sends may make the system call it. */
  let canary: Canary;

  beforeAll(async () => {
    canary = await new Canary().open();
    system = await TestSystem.start({ identity: { SIGNING_KEY_ENCRYPTION_KEY } });
    api = recording(system.gatewayUrl, seen);
    await people.signIn(system);
    await people.add('ani');
    await people.add('dlh', { roles: ['officer'], agency: 'DLH' });
    identityDb = new Client({ connectionString: system.process('identity').env.DATABASE_URL });
    await identityDb.connect();
    const { rows } = await identityDb.query('SELECT kid, private_key_sealed FROM signing_keys ORDER BY created_at DESC LIMIT 1');
    kid = rows[0].kid;
    realKey = await importJWK(openSealed(kid, rows[0].private_key_sealed), 'EdDSA');
  }, 120000);

  afterAll(async () => {
    await identityDb?.end();
    await system?.stop();
    await canary?.close();
  });

  const now = () => Math.floor(Date.now() / 1000);
  /** A token as identity would sign it for ani, changed by `header` and `claims`. */
  const forge = (claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}, key: KeyLike | Uint8Array = realKey) =>
    new SignJWT({ sub: ids.ani, roles: ['citizen'], iss: 'smart-regency-identity', aud: 'smart-regency-api', iat: now(), exp: now() + 300, sid: randomUUID(), ...claims })
      .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'at+jwt', ...header } as { alg: string })
      .sign(key);
  const me = (token: string) => api.get('/api/v1/me').set('Authorization', `Bearer ${token}`);

  it('accepts the forged control token: each refusal below is for the one thing changed', async () => {
    expect((await me(await forge()).expect(200)).body.id).toBe(ids.ani);
  });

  it('refuses a token of another type signed with the real key (an ID token, a refresh JWT, a bare JWT)', async () => {
    for (const typ of ['JWT', 'id+jwt', 'refresh+jwt', 'application/at+jwt+x', undefined]) {
      const token = await forge({}, typ === undefined ? { typ: undefined } : { typ });
      expectRefused(await me(token), 401, 'COMMON.UNAUTHENTICATED');
    }
  });

  it('refuses keys named by the token itself (jwk, jku, x5u) and never fetches them', async () => {
    const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    const attackerJwk = await exportJWK(publicKey);
    const admin = { roles: ['admin'] };
    for (const header of [
      { jwk: attackerJwk, kid: randomUUID() },
      { jwk: attackerJwk },
      { jku: `${canary.url}/jwks.json`, kid: randomUUID() },
      { x5u: `${canary.url}/cert.pem`, kid: randomUUID() },
      { jku: `${canary.url}/jwks.json` },
    ]) {
      expectRefused(await api.get('/api/v1/users').set('Authorization', `Bearer ${await forge(admin, header, privateKey)}`), 401, 'COMMON.UNAUTHENTICATED');
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(canary.hits).toEqual([]);
  });

  it('refuses alg none in any spelling and algorithms of another family', async () => {
    const payload = base64url.encode(JSON.stringify({ sub: ids.admin, roles: ['admin'], iss: 'smart-regency-identity', aud: 'smart-regency-api', iat: now(), exp: now() + 300 }));
    for (const alg of ['None', 'NONE', 'nOnE']) {
      const header = base64url.encode(JSON.stringify({ alg, kid, typ: 'at+jwt' }));
      expectRefused(await api.get('/api/v1/users').set('Authorization', `Bearer ${header}.${payload}.`), 401);
    }
    const { privateKey } = await generateKeyPair('ES256');
    const es256 = await new SignJWT({ sub: ids.admin, roles: ['admin'], iss: 'smart-regency-identity', aud: 'smart-regency-api', iat: now(), exp: now() + 300 })
      .setProtectedHeader({ alg: 'ES256', kid, typ: 'at+jwt' })
      .sign(privateKey);
    expectRefused(await api.get('/api/v1/users').set('Authorization', `Bearer ${es256}`), 401);
  });

  it('answers hostile key ids with 401, and asks identity for keys at most once per 5 s however many it sees', async () => {
    const jwksAsked = async () => {
      const text = (await request(system.process('identity').url).get('/metrics').expect(200)).text;
      return [...text.matchAll(/^nats_requests_total\{[^}]*subject="identity\.jwks\.get"[^}]*\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
    };
    const before = await jwksAsked();
    expect(before).toBeGreaterThan(0); // the gateway has asked once at least: the count is read where it is kept
    const kids = ["../../../../etc/passwd", "' OR '1'='1", '{"$ne":null}', 'x'.repeat(2000), '', '\\u0000', ...Array.from({ length: 40 }, () => randomUUID())];
    // One after another (well inside 5 s): a burst in parallel would share one refresh anyway.
    const answers: number[] = [];
    for (const k of kids) answers.push((await me(await forge({}, { kid: k }))).status);
    expect(answers.every((s) => s === 401)).toBe(true);
    expect((await jwksAsked()) - before).toBeLessThanOrEqual(2);
  });

  it('refuses claims of the wrong shape instead of reading them generously', async () => {
    // Roles must be a list of exact role names: a string or a near miss grants nothing.
    for (const roles of ['admin', ['Admin'], ['admin '], [['admin']], { 0: 'admin' }]) {
      const res = await api.get('/api/v1/users').set('Authorization', `Bearer ${await forge({ roles })}`);
      expect({ roles, status: res.status }).toEqual({ roles, status: 403 });
    }
    for (const claims of [{ sub: undefined }, { exp: String(now() + 300) }, { iat: String(now()) }, { nbf: now() + 600 }, { iss: 'smart-regency-identity ' }, { aud: ['smart-regency-api-x'] }, { sid: { id: 'x' } }]) {
      expectRefused(await me(await forge(claims)), 401, 'COMMON.UNAUTHENTICATED');
    }
  });

  it('takes the access token from the Authorization header only, and nothing else for one', async () => {
    const login = (await api.post('/api/v1/auth/login').send({ identifier: 'ani@example.id', password: people.passwords.ani }).expect(200)).body;
    for (const res of [
      await api.get(`/api/v1/me?access_token=${login.accessToken}`),
      await api.get('/api/v1/me').set('Cookie', `access_token=${login.accessToken}; token=${login.accessToken}`),
      await api.get('/api/v1/me').set('Authorization', login.accessToken),
      await api.get('/api/v1/me').set('Authorization', `Bearer ${login.accessToken} ${login.accessToken}`),
      await api.get('/api/v1/me').set('Authorization', `Bearer ${login.refreshToken}`),
      await api.get('/api/v1/me').set('X-Access-Token', login.accessToken),
    ]) {
      expectRefused(res, 401, 'COMMON.UNAUTHENTICATED');
    }
    // An access token is no refresh token (nor is half of one).
    for (const refreshToken of [login.accessToken, login.accessToken.slice(0, 120)]) {
      const res = await api.post('/api/v1/auth/refresh').send({ refreshToken });
      expect({ status: res.status, tokens: res.body.accessToken }).toEqual({ status: expect.any(Number), tokens: undefined });
      expect([400, 401]).toContain(res.status);
    }
    await api.get('/api/v1/me').set('Authorization', `Bearer ${login.accessToken}`).expect(200);
  });

  it("tells a refused token's bearer nothing about why: one answer for every forgery", async () => {
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    const good = await forge();
    const tokens = [
      'not-a-jwt',
      `${good.split('.').slice(0, 2).join('.')}.${'A'.repeat(86)}`,
      await forge({}, {}, privateKey),
      await forge({}, { kid: randomUUID() }),
      await forge({}, { typ: 'JWT' }),
      await forge({ exp: now() - 60, iat: now() - 360 }),
      await forge({ exp: now() + 3600 }),
      await forge({ iss: 'https://evil.example' }),
    ];
    const answers = new Set<string>();
    for (const token of tokens) {
      const res = await me(token).set('Accept-Language', 'en');
      expectRefused(res, 401, 'COMMON.UNAUTHENTICATED');
      answers.add(JSON.stringify({ ...res.body, requestId: undefined }));
    }
    expect([...answers]).toHaveLength(1);
    expect(JSON.parse([...answers][0]).detail).not.toMatch(/signature|kid|key|typ|"exp"|claim|JWS|lives|issuer|audience/i);
  });

  it('refuses grants other than client credentials, and a service account secret as a password', async () => {
    const account = (await api.post('/api/v1/service-accounts').set('Authorization', bearer.admin).send({ name: 'Dasbor provinsi', scopes: ['events:read'] }).expect(201)).body;
    for (const grant of ['password', 'authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:jwt-bearer']) {
      const res = await api.post('/api/v1/auth/token').type('form').send({ grant_type: grant, client_id: account.clientId, client_secret: account.clientSecret });
      expect({ grant, status: res.status, token: res.body.access_token, fields: res.body.errors?.map((e: { field: string }) => e.field) }).toEqual({ grant, status: 400, token: undefined, fields: ['grant_type'] });
    }
    expectRefused(await api.post('/api/v1/auth/login').send({ identifier: account.clientId, password: account.clientSecret }), 401, 'IDENTITY.INVALID_CREDENTIALS');
  });

  it("ends an officer's access to the old agency's records at once when the admin moves them", async () => {
    const c = (
      await api
        .post('/api/v1/complaints')
        .set('Authorization', bearer.ani)
        .send({ categoryCode: 'waste-environment', title: 'Sampah di sungai', description: 'Sampah menyumbat aliran sungai.', location: { lat: 2.5, lng: 99.6 }, visibility: 'public' })
        .expect(201)
    ).body;
    await api.get(`/api/v1/complaints/${c.id}`).set('Authorization', bearer.dlh).expect(200);
    await api.patch(`/api/v1/users/${ids.dlh}`).set('Authorization', bearer.admin).send({ agencyId: agencies.PUPR }).expect(200);
    // The old token still says DLH: it is refused (the revocation reaches the gateway over NATS), never served DLH's records.
    let status = 0;
    for (let i = 0; i < 40 && status !== 401; i++) {
      status = (await api.get(`/api/v1/complaints/${c.id}`).set('Authorization', bearer.dlh)).status;
      expect(status).not.toBe(500);
      if (status !== 401) await new Promise((r) => setTimeout(r, 50));
    }
    expect(status).toBe(401);
    // iat counts whole seconds, so a token issued in the second of the move is refused too (the safe
    // side): sign in again from the next second on.
    await new Promise((r) => setTimeout(r, 1100));
    const fresh = `Bearer ${await system.login('dlh@pemda.labura.go.id', people.passwords.dlh)}`;
    expectRefused(await api.get(`/api/v1/complaints/${c.id}`).set('Authorization', fresh), 404);
  });

  it('leaked no secret, hash, full NIK, stack trace or internal name in any answer it gave', () => {
    expect(seen.length).toBeGreaterThan(50);
    expect(leaks(seen)).toEqual([]);
  });
});
