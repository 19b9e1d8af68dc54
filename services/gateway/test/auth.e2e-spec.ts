import { makeNik, ServiceProcess, spawnService, TEST_ADMIN, TestSystem } from '@smart-regency/testing';
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, randomUUID } from 'crypto';
import { base64url, decodeJwt, exportJWK, generateKeyPair, importJWK, JWK, SignJWT } from 'jose';
import { Client } from 'pg';
import request from 'supertest';

// The key identity encrypts its private signing keys with, given to it below: the tests that forge
// tokens with the real key open it as docs/auth.md describes (AES-256-GCM, HKDF-SHA256, kid as AAD).
const SIGNING_KEY_ENCRYPTION_KEY = 'e2e-signing-key-encryption-key-0123456789';
const aesKey = () => Buffer.from(hkdfSync('sha256', Buffer.from(SIGNING_KEY_ENCRYPTION_KEY), 'smart-regency', 'signing-key-encryption/v1', 32));
function openSealed(kid: string, sealed: string): JWK {
  const [format, , iv, body, tag] = sealed.split('.');
  expect(format).toBe('v1');
  const decipher = createDecipheriv('aes-256-gcm', aesKey(), Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(kid));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return JSON.parse(Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString());
}
function seal(kid: string, jwk: JWK, fingerprint: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', aesKey(), iv);
  cipher.setAAD(Buffer.from(kid));
  const body = Buffer.concat([cipher.update(JSON.stringify(jwk)), cipher.final()]);
  return ['v1', fingerprint, iv.toString('base64url'), body.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
}

/** Sign-in, tokens and the gateway's guard, end to end. */
describe('authentication and authorization', () => {
  let system: TestSystem;
  let api: ReturnType<typeof request>;
  let identityDb: Client;
  let ipCounter = 0;
  let n = 0;
  // Each test signs in from its own address, so the per-IP limit only bites where a test wants it.
  const ip = () => `10.9.${Math.floor(++ipCounter / 250)}.${ipCounter % 250}`;

  const citizen = async () => {
    n++;
    const body = {
      nik: makeNik({ sequence: 5000 + n, female: n % 2 === 0 }),
      fullName: `Warga ${n}`,
      email: `warga${n}@example.id`,
      phone: `08126600${String(1000 + n)}`,
      password: `Rahasia-Labura-${n}x`,
    };
    const res = await api.post('/api/v1/auth/register').set('X-Forwarded-For', ip()).send(body).expect(201);
    return { ...body, id: res.body.id as string };
  };
  const login = (identifier: string, password: string, from = ip()) =>
    api.post('/api/v1/auth/login').set('X-Forwarded-For', from).send({ identifier, password });
  const refresh = (refreshToken: string) => api.post('/api/v1/auth/refresh').set('X-Forwarded-For', ip()).send({ refreshToken });

  beforeAll(async () => {
    system = await TestSystem.start({
      gateway: { TRUST_PROXY: 'true', LOGIN_RATE_LIMIT_PER_MINUTE: '10' },
      identity: { SIGNING_KEY_ENCRYPTION_KEY, REGISTRATIONS_PER_ADDRESS_PER_HOUR: '5' },
    });
    api = request(system.gatewayUrl);
    identityDb = new Client({ connectionString: system.process('identity').env.DATABASE_URL });
    await identityDb.connect();
  }, 90000);

  afterAll(async () => {
    await identityDb?.end();
    await system?.stop();
  });

  it('signs in by email, phone or NIK and answers /me', async () => {
    const c = await citizen();
    for (const identifier of [c.email.toUpperCase(), c.phone, `+62${c.phone.slice(1)}`, c.nik]) {
      const res = await login(identifier, c.password).expect(200);
      expect(res.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900 });
      expect(res.body.refreshToken).toEqual(expect.any(String));
      const me = await api.get('/api/v1/me').set('Authorization', `Bearer ${res.body.accessToken}`).expect(200);
      expect(me.body).toMatchObject({ id: c.id, email: c.email, roles: ['citizen'] });
    }
  });

  it('answers a known and an unknown account alike: the same statuses, bodies and Retry-After, 401 then 429', async () => {
    const c = await citizen();
    const strip = (res: request.Response) => ({ status: res.status, type: res.headers['content-type'], retryAfter: res.headers['retry-after'] !== undefined, body: { ...res.body, requestId: undefined } });
    const answers: Record<string, Array<ReturnType<typeof strip>>> = { known: [], unknown: [] };
    for (const [name, identifier, from] of [['known', c.email, '10.100.0.1'], ['unknown', 'nobody@example.id', '10.100.0.2']]) {
      for (let i = 0; i < 7; i++) answers[name].push(strip(await login(identifier, `Not-The-Password-${i}`, from)));
    }
    expect(answers.known.map((a) => a.status)).toEqual([401, 401, 401, 401, 401, 429, 429]);
    expect(answers.unknown).toEqual(answers.known);
    expect(answers.known[0]).toMatchObject({ type: expect.stringMatching(/^application\/problem\+json/), body: { code: 'IDENTITY.INVALID_CREDENTIALS' } });
    expect(answers.known[5]).toMatchObject({ retryAfter: true, body: { code: 'IDENTITY.TOO_MANY_ATTEMPTS' } });
  });

  it('cannot be used to lock the owner out: the attacking address waits, the owner signs in from another', async () => {
    const attacker = '10.100.1.1';
    for (let i = 0; i < 5; i++) await login(TEST_ADMIN.email, `Guess-${i}-abcdef`, attacker).expect(401);
    const waiting = await login(TEST_ADMIN.email, 'Guess-5-abcdef', attacker).expect(429);
    expect(Number(waiting.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(waiting.headers['retry-after'])).toBeLessThanOrEqual(30);
    // Not even the right password from there: otherwise the 429 would be an oracle.
    await login(TEST_ADMIN.email, TEST_ADMIN.password, attacker).expect(429);
    // Before, the account itself was locked for 15 minutes, for everyone.
    await login(TEST_ADMIN.email, TEST_ADMIN.password, '10.100.1.2').expect(200);
  });

  it('limits sign-in attempts per client address', async () => {
    const from = '10.200.0.1';
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await login(`nobody${i}@example.id`, 'x', from)).status);
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(10)).toEqual([429, 429]);
    const limited = await login('nobody@example.id', 'x', from).expect(429);
    expect(limited.body.code).toBe('COMMON.RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    await login('nobody@example.id', 'x', '10.200.0.2').expect(401);
  });

  it('rotates refresh tokens; a reused one revokes the whole family', async () => {
    const c = await citizen();
    const first = (await login(c.email, c.password).expect(200)).body;
    const second = (await refresh(first.refreshToken).expect(200)).body;
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(decodeJwt(second.accessToken).sid).toBe(decodeJwt(first.accessToken).sid);
    await api.get('/api/v1/me').set('Authorization', `Bearer ${second.accessToken}`).expect(200);

    const reuse = await refresh(first.refreshToken).expect(401);
    expect(reuse.body.code).toBe('IDENTITY.INVALID_REFRESH_TOKEN');
    // The thief's replay also ended the legitimate session descended from the same login.
    await refresh(second.refreshToken).expect(401);
    // Another login is a separate family and still works.
    const other = (await login(c.email, c.password).expect(200)).body;
    await refresh(other.refreshToken).expect(200);
  });

  it('logs out: the refresh token stops working', async () => {
    const c = await citizen();
    const tokens = (await login(c.email, c.password).expect(200)).body;
    await api.post('/api/v1/auth/logout').send({ refreshToken: tokens.refreshToken }).expect(204);
    await api.post('/api/v1/auth/logout').send({ refreshToken: tokens.refreshToken }).expect(204);
    await refresh(tokens.refreshToken).expect(401);
  });

  describe('ended sessions: access tokens stop at once, on every gateway replica', () => {
    let replica: ServiceProcess;
    const gateways = () => [system.gatewayUrl, replica.url];
    const statusOn = async (url: string, token: string) => (await request(url).get('/api/v1/me').set('Authorization', `Bearer ${token}`)).status;
    /** The status on every gateway once the broadcast had a moment to arrive (it is asynchronous, NATS). */
    const everywhere = async (token: string, expected: number) => {
      const statuses: number[] = [];
      for (const url of gateways()) {
        let status = await statusOn(url, token);
        for (let i = 0; i < 20 && status !== expected; i++) {
          await new Promise((r) => setTimeout(r, 50));
          status = await statusOn(url, token);
        }
        statuses.push(status);
      }
      return statuses;
    };

    beforeAll(async () => {
      replica = await spawnService('gateway', system.env.serviceEnv('gateway', { LOG_LEVEL: 'warn', TRUST_PROXY: 'true', RPC_TIMEOUT_MS: '15000' }));
      await replica.start();
    }, 60000);
    afterAll(() => replica?.stop());

    it('logout ends that session and no other', async () => {
      const c = await citizen();
      const [ending, staying] = [(await login(c.email, c.password).expect(200)).body, (await login(c.email, c.password).expect(200)).body];
      expect(await everywhere(ending.accessToken, 200)).toEqual([200, 200]);
      await api.post('/api/v1/auth/logout').send({ refreshToken: ending.refreshToken }).expect(204);
      // Before: 200 for up to 15 more minutes.
      expect(await everywhere(ending.accessToken, 401)).toEqual([401, 401]);
      expect(await everywhere(staying.accessToken, 200)).toEqual([200, 200]);
    });

    it("a replayed refresh token ends the session: the thief's and the owner's access tokens alike", async () => {
      const c = await citizen();
      const stolen = (await login(c.email, c.password).expect(200)).body;
      const owners = (await refresh(stolen.refreshToken).expect(200)).body;
      await refresh(stolen.refreshToken).expect(401);
      for (const token of [stolen.accessToken, owners.accessToken]) expect(await everywhere(token, 401)).toEqual([401, 401]);
    });

    it('a password change ends every other session and keeps the one that made it', async () => {
      const c = await citizen();
      const mine = (await login(c.email, c.password).expect(200)).body;
      const other = (await login(c.email, c.password).expect(200)).body;
      await api.post('/api/v1/me/password').set('Authorization', `Bearer ${mine.accessToken}`).send({ currentPassword: c.password, newPassword: 'Sandi-Baru-2026-z' }).expect(204);
      expect(await everywhere(other.accessToken, 401)).toEqual([401, 401]);
      await refresh(other.refreshToken).expect(401);
      expect(await everywhere(mine.accessToken, 200)).toEqual([200, 200]);
      await refresh(mine.refreshToken).expect(200);

      // A replica that starts afterwards loads what ended from identity.
      await replica.stop();
      await replica.start();
      let status = 0;
      for (let i = 0; i < 40 && status !== 401; i++) {
        status = await statusOn(replica.url, other.accessToken);
        if (status !== 401) await new Promise((r) => setTimeout(r, 100));
      }
      expect(status).toBe(401);
      expect(await statusOn(replica.url, mine.accessToken)).toBe(200);
    });
  });

  describe('access tokens the gateway refuses', () => {
    let c: Awaited<ReturnType<typeof citizen>>;
    let kid: string;
    let privateKey: Awaited<ReturnType<typeof importJWK>>;
    let publicJwk: JWK;

    let fingerprint: string;

    beforeAll(async () => {
      c = await citizen();
      await login(c.email, c.password).expect(200); // makes sure a key exists
      const { rows } = await identityDb.query('SELECT kid, private_jwk, private_key_sealed, public_jwk FROM signing_keys ORDER BY created_at DESC LIMIT 1');
      // At rest the private key is sealed: what a copy of the database gives away is no signing key.
      expect(rows[0].private_jwk).toBeNull();
      kid = rows[0].kid;
      fingerprint = rows[0].private_key_sealed.split('.')[1];
      privateKey = await importJWK(openSealed(kid, rows[0].private_key_sealed), 'EdDSA');
      publicJwk = rows[0].public_jwk;
    });

    const sign = (claims: Record<string, unknown> = {}, options: { key?: Parameters<SignJWT['sign']>[0]; kid?: string; exp?: string | number; aud?: string; iss?: string } = {}) =>
      new SignJWT({ roles: ['admin'], ...claims })
        .setProtectedHeader({ alg: 'EdDSA', kid: options.kid ?? kid, typ: 'at+jwt' })
        .setSubject(c.id)
        .setIssuer(options.iss ?? 'smart-regency-identity')
        .setAudience(options.aud ?? 'smart-regency-api')
        .setIssuedAt()
        .setExpirationTime(options.exp ?? '5m')
        .sign(options.key ?? privateKey);
    const me = (token: string) => api.get('/api/v1/me').set('Authorization', `Bearer ${token}`);

    it('accepts a token signed with the current key (the control case)', async () => {
      await me(await sign()).expect(200);
    });

    it('refuses a missing or malformed Authorization header', async () => {
      const none = await api.get('/api/v1/me').expect(401);
      expect(none.body.code).toBe('COMMON.UNAUTHENTICATED');
      await api.get('/api/v1/me').set('Authorization', 'Basic abc').expect(401);
      await me('not-a-jwt').expect(401);
    });

    it('stops accepting a remembered token when it expires', async () => {
      const shortLived = await sign({}, { exp: Math.floor(Date.now() / 1000) + 1 });
      await me(shortLived).expect(200);
      await me(shortLived).expect(200); // now from the gateway's cache of verified tokens
      await new Promise((r) => setTimeout(r, 7000)); // past exp and the 5 s clock tolerance
      await me(shortLived).expect(401);
    });

    /** A token with exactly these iat and exp (or none), signed with the real key. */
    const timed = (times: { iat?: number; exp?: number }) =>
      new SignJWT({ roles: ['citizen'], sub: c.id, iss: 'smart-regency-identity', aud: 'smart-regency-api', ...times })
        .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'at+jwt' })
        .sign(privateKey);
    const now = () => Math.floor(Date.now() / 1000);

    it('refuses a token that lives longer than 900 s (a year-long one was accepted before)', async () => {
      const refused = await me(await timed({ iat: now(), exp: now() + 365 * 86400 })).expect(401);
      expect(refused.body.code).toBe('COMMON.UNAUTHENTICATED');
      await me(await timed({ iat: now(), exp: now() + 901 })).expect(401);
      await me(await timed({ iat: now(), exp: now() + 900 })).expect(200);
    });

    it('refuses a token issued in the future beyond 30 s of clock skew (it would escape revocation)', async () => {
      await me(await timed({ iat: now() + 120, exp: now() + 420 })).expect(401);
      await me(await timed({ iat: now() + 3600, exp: now() + 3900 })).expect(401);
      await me(await timed({ iat: now() + 20, exp: now() + 320 })).expect(200);
    });

    it('refuses a token without iat or exp', async () => {
      await me(await timed({ exp: now() + 300 })).expect(401);
      await me(await timed({ iat: now() })).expect(401);
    });

    it('refuses an expired token', async () => {
      await me(await sign({}, { exp: Math.floor(Date.now() / 1000) - 60 })).expect(401);
    });

    it('refuses another audience or issuer', async () => {
      await me(await sign({}, { aud: 'someone-else' })).expect(401);
      await me(await sign({}, { iss: 'https://evil.example' })).expect(401);
    });

    it('refuses alg none', async () => {
      const header = base64url.encode(JSON.stringify({ alg: 'none', kid, typ: 'at+jwt' }));
      const now = Math.floor(Date.now() / 1000);
      const payload = base64url.encode(
        JSON.stringify({ sub: c.id, roles: ['admin'], iss: 'smart-regency-identity', aud: 'smart-regency-api', iat: now, exp: now + 300 }),
      );
      await me(`${header}.${payload}.`).expect(401);
    });

    it('refuses a tampered signature or payload', async () => {
      const token = await sign({ roles: ['citizen'] });
      const [h, p, s] = token.split('.');
      // Change a character in the middle: every bit of it is signature (the last one carries padding bits
      // a decoder ignores, so changing it can leave the signature as it was).
      const flipped = s.slice(0, 10) + (s[10] === 'A' ? 'g' : 'A') + s.slice(11);
      await me(`${h}.${p}.${flipped}`).expect(401);
      const elevated = base64url.encode(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), roles: ['admin'] }));
      await me(`${h}.${elevated}.${s}`).expect(401);
    });

    it('refuses HS256 signed with the public key', async () => {
      const secret = Buffer.from(JSON.stringify(publicJwk));
      const header = base64url.encode(JSON.stringify({ alg: 'HS256', kid, typ: 'at+jwt' }));
      const now = Math.floor(Date.now() / 1000);
      const payload = base64url.encode(
        JSON.stringify({ sub: c.id, roles: ['admin'], iss: 'smart-regency-identity', aud: 'smart-regency-api', iat: now, exp: now + 300 }),
      );
      for (const key of [secret, Buffer.from(String(publicJwk.x))]) {
        const signature = createHmac('sha256', key).update(`${header}.${payload}`).digest('base64url');
        await me(`${header}.${payload}.${signature}`).expect(401);
      }
    });

    it('picks up a rotated key: a token with a new kid makes the gateway refresh the JWKS', async () => {
      const { publicKey, privateKey: next } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
      const newKid = randomUUID();
      await identityDb.query(`INSERT INTO signing_keys (kid, alg, public_jwk, private_key_sealed, created_at) VALUES ($1, 'EdDSA', $2, $3, now() + interval '1 second')`, [
        newKid,
        { ...(await exportJWK(publicKey)), kid: newKid, alg: 'EdDSA', use: 'sig' },
        seal(newKid, { ...(await exportJWK(next)), kid: newKid, alg: 'EdDSA' }, fingerprint),
      ]);
      await new Promise((r) => setTimeout(r, 5100)); // the gateway refreshes on an unknown kid at most every 5 s
      await me(await sign({}, { key: next, kid: newKid })).expect(200);
      // The previous key is still published, so tokens signed just before the rotation keep working.
      await me(await sign()).expect(200);
      const jwks = await api.get('/.well-known/jwks.json').expect(200);
      expect(jwks.body.keys.map((k: { kid: string }) => k.kid)).toEqual(expect.arrayContaining([newKid, kid]));
    });

    it('refuses a token from a key it does not know', async () => {
      const { privateKey: stranger } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
      await me(await sign({}, { key: stranger, kid: randomUUID() })).expect(401);
      // Same kid as ours, different key: the signature does not verify.
      await me(await sign({}, { key: stranger })).expect(401);
      expect((await exportJWK(stranger)).kty).toBe('OKP');
    });
  });

  it('publishes the signing keys at /.well-known/jwks.json without private parts', async () => {
    const res = await api.get('/.well-known/jwks.json').expect(200);
    expect(res.body.keys.length).toBeGreaterThanOrEqual(1);
    for (const key of res.body.keys) {
      expect(key).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig', kid: expect.any(String) });
      expect(key).not.toHaveProperty('d');
    }
  });

  it('lets an admin manage agencies and answers a citizen 403', async () => {
    const admin = (await login(TEST_ADMIN.email, TEST_ADMIN.password).expect(200)).body.accessToken;
    const c = await citizen();
    const citizenToken = (await login(c.email, c.password).expect(200)).body.accessToken;
    const body = { code: 'BAPPEDA', name: 'Badan Perencanaan Pembangunan Daerah', kind: 'badan' };

    const forbidden = await api.post('/api/v1/agencies').set('Authorization', `Bearer ${citizenToken}`).send(body).expect(403);
    expect(forbidden.body.code).toBe('COMMON.FORBIDDEN');
    await api.post('/api/v1/agencies').send(body).expect(401);

    const created = await api.post('/api/v1/agencies').set('Authorization', `Bearer ${admin}`).send(body).expect(201);
    expect(created.body).toMatchObject(body);
    const duplicate = await api.post('/api/v1/agencies').set('Authorization', `Bearer ${admin}`).send(body).expect(409);
    expect(duplicate.body.code).toBe('IDENTITY.AGENCY_CODE_TAKEN');
    const renamed = await api
      .patch(`/api/v1/agencies/${created.body.id}`)
      .set('Authorization', `Bearer ${admin}`)
      .send({ name: 'Badan Perencanaan, Penelitian dan Pengembangan Daerah' })
      .expect(200);
    expect(renamed.body).toMatchObject({ id: created.body.id, code: 'BAPPEDA', name: 'Badan Perencanaan, Penelitian dan Pengembangan Daerah' });
    await api.patch(`/api/v1/agencies/${randomUUID()}`).set('Authorization', `Bearer ${admin}`).send({ name: 'Nothing here' }).expect(404);
    await api.patch('/api/v1/agencies/not-a-uuid').set('Authorization', `Bearer ${admin}`).send({ name: 'Nothing here' }).expect(400);
    // Any signed-in user may list them.
    const list = await api.get('/api/v1/agencies?q=BAPPEDA').set('Authorization', `Bearer ${citizenToken}`).expect(200);
    expect(list.body.items.map((a: { code: string }) => a.code)).toEqual(['BAPPEDA']);
  });

  it('lets an admin create staff, and disabling one ends their session at once', async () => {
    const admin = `Bearer ${(await login(TEST_ADMIN.email, TEST_ADMIN.password).expect(200)).body.accessToken}`;
    const agencies = await api.get('/api/v1/agencies?q=DPMPTSP').set('Authorization', admin).expect(200);
    const dpmptsp = agencies.body.items[0].id;
    const staff = { email: 'petugas1@dpmptsp.labura.go.id', fullName: 'Rahmat Hidayat', roles: ['officer'], password: 'Petugas-Kuat-2026' };

    const noAgency = await api.post('/api/v1/users').set('Authorization', admin).send(staff).expect(400);
    expect(noAgency.body).toMatchObject({ code: 'IDENTITY.AGENCY_REQUIRED', errors: [{ field: 'agencyId' }] });
    const created = await api.post('/api/v1/users').set('Authorization', admin).send({ ...staff, agencyId: dpmptsp }).expect(201);
    expect(created.body).toMatchObject({ email: staff.email, roles: ['officer'], agencyId: dpmptsp, active: true });
    expect(created.body).not.toHaveProperty('nik');

    const signedIn = (await login(staff.email, staff.password).expect(200)).body;
    const officer = `Bearer ${signedIn.accessToken}`;
    await api.get('/api/v1/me').set('Authorization', officer).expect(200);
    await api.get('/api/v1/users').set('Authorization', officer).expect(403);
    const listed = await api.get(`/api/v1/users?role=officer&agencyId=${dpmptsp}`).set('Authorization', admin).expect(200);
    expect(listed.body.items.map((u: { email: string }) => u.email)).toContain(staff.email);

    const disabled = await api.patch(`/api/v1/users/${created.body.id}`).set('Authorization', admin).send({ active: false }).expect(200);
    expect(disabled.body.active).toBe(false);
    // The gateway learns of it over NATS; the token still has 15 minutes to live but is refused now.
    let status = 0;
    for (let i = 0; i < 20 && status !== 401; i++) {
      status = (await api.get('/api/v1/me').set('Authorization', officer)).status;
      if (status !== 401) await new Promise((r) => setTimeout(r, 50));
    }
    expect(status).toBe(401);
    await login(staff.email, staff.password).expect(401);
    await api.post('/api/v1/auth/refresh').set('X-Forwarded-For', ip()).send({ refreshToken: signedIn.refreshToken }).expect(401);

    // A gateway that starts later still knows: it loads recent revocations from identity.
    await system.process('gateway').stop();
    await system.process('gateway').start();
    await system.waitUntilReady();
    let after = 0;
    for (let i = 0; i < 40 && after !== 401; i++) {
      after = (await request(system.gatewayUrl).get('/api/v1/me').set('Authorization', officer)).status;
      if (after !== 401) await new Promise((r) => setTimeout(r, 100));
    }
    expect(after).toBe(401);
    api = request(system.gatewayUrl);

    const reenabled = await api.patch(`/api/v1/users/${created.body.id}`).set('Authorization', admin).send({ active: true }).expect(200);
    expect(reenabled.body.active).toBe(true);
    await login(staff.email, staff.password).expect(200);
    await api.get(`/api/v1/users/${created.body.id}`).set('Authorization', admin).expect(200);
    await api.get(`/api/v1/users/${randomUUID()}`).set('Authorization', admin).expect(404);
  });

  it('lets a user change their own name, phone and password, and nothing else', async () => {
    const c = await citizen();
    const tokens = (await login(c.email, c.password).expect(200)).body;
    const bearer = `Bearer ${tokens.accessToken}`;
    const updated = await api.patch('/api/v1/me').set('Authorization', bearer).send({ fullName: 'Nama Baru', phone: '+62 813 9999 0001' }).expect(200);
    expect(updated.body).toMatchObject({ fullName: 'Nama Baru', phone: '+6281399990001', roles: ['citizen'] });
    const escalate = await api.patch('/api/v1/me').set('Authorization', bearer).send({ roles: ['admin'] }).expect(400);
    expect(escalate.body.errors).toEqual([expect.objectContaining({ field: 'roles' })]);
    await api.patch('/api/v1/me').set('Authorization', bearer).send({ email: 'other@example.id' }).expect(400);

    const wrong = await api.post('/api/v1/me/password').set('Authorization', bearer).send({ currentPassword: 'nope', newPassword: 'Sandi-Baru-2026' }).expect(400);
    expect(wrong.body.code).toBe('IDENTITY.WRONG_PASSWORD');
    await api.post('/api/v1/me/password').set('Authorization', bearer).send({ currentPassword: c.password, newPassword: 'Sandi-Baru-2026' }).expect(204);
    await login(c.email, c.password).expect(401);
    await login(c.email, 'Sandi-Baru-2026').expect(200);
  });

  it('makes a user who keeps giving a wrong current password wait: password change and erasure (30 wrong ones got no 429 before)', async () => {
    const c = await citizen();
    const bearer = `Bearer ${(await login(c.email, c.password).expect(200)).body.accessToken}`;
    const change = (currentPassword: string) => api.post('/api/v1/me/password').set('Authorization', bearer).send({ currentPassword, newPassword: 'Sandi-Baru-2026-w' });
    for (let i = 0; i < 5; i++) expect((await change(`Tebakan-${i}-abcdef`).expect(400)).body.code).toBe('IDENTITY.WRONG_PASSWORD');
    const waiting = await change(c.password).expect(429);
    expect(waiting.body.code).toBe('IDENTITY.TOO_MANY_ATTEMPTS');
    expect(Number(waiting.headers['retry-after'])).toBeGreaterThan(0);
    // The same count guards erasure, which asks for the password too.
    const erase = await api.delete('/api/v1/me').set('Authorization', bearer).send({ password: c.password }).expect(429);
    expect(erase.body.code).toBe('IDENTITY.TOO_MANY_ATTEMPTS');
    await login(c.email, c.password).expect(200);
  });

  it('limits registrations per client address, 409s for a taken NIK included', async () => {
    const c = await citizen();
    const from = '10.150.0.1';
    const probe = (i: number) =>
      api.post('/api/v1/auth/register').set('X-Forwarded-For', from).send({ nik: c.nik, fullName: 'Penebak NIK', email: `probe${i}@example.id`, phone: `0812990${String(10000 + i)}`, password: 'Rahasia-Labura-77x' });
    // REGISTRATIONS_PER_ADDRESS_PER_HOUR is 5 in this suite (20 by default).
    for (let i = 0; i < 5; i++) expect((await probe(i).expect(409)).body.code).toBe('IDENTITY.NIK_TAKEN');
    const limited = await probe(5).expect(429);
    expect(limited.body.code).toBe('IDENTITY.TOO_MANY_ATTEMPTS');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(3500);
    await api.post('/api/v1/auth/register').set('X-Forwarded-For', '10.150.0.2').send({ nik: c.nik, fullName: 'Warga Lain', email: 'lain@example.id', phone: '081299088888', password: 'Rahasia-Labura-77x' }).expect(409);
  });

  it('makes an address that guesses Open311 api_keys wait, in GeoReport errors with Retry-After', async () => {
    const post = (apiKey: string, from: string) =>
      api.post('/open311/v2/requests.json').set('X-Forwarded-For', from).type('form').send({ api_key: apiKey, service_code: 'JALAN', lat: '2.3', long: '99.6', description: 'Jalan berlubang di depan pasar' });
    for (let i = 0; i < 10; i++) await post(`tebakan-kunci-${i}-0123456789`, '10.160.0.1').expect(403);
    const limited = await post('tebakan-kunci-10-0123456789', '10.160.0.1').expect(429);
    expect(limited.body).toEqual([{ code: 429, description: expect.stringMatching(/too many attempts/) }]);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    await post('tebakan-kunci-11-0123456789', '10.160.0.2').expect(403);
  });

  it('refuses an auditor who is also an officer or agency head (auditors are independent of what they audit)', async () => {
    const admin = `Bearer ${(await login(TEST_ADMIN.email, TEST_ADMIN.password).expect(200)).body.accessToken}`;
    const dlh = (await api.get('/api/v1/agencies?q=DLH').set('Authorization', admin).expect(200)).body.items[0].id;
    const staff = { email: 'inspektur@inspektorat.labura.go.id', fullName: 'Inspektur Pembantu', password: 'Pemeriksa-Kuat-2026', agencyId: dlh };
    for (const roles of [['auditor', 'officer'], ['auditor', 'agency_head']]) {
      const refused = await api.post('/api/v1/users').set('Authorization', admin).send({ ...staff, roles }).expect(400);
      expect(refused.body).toMatchObject({ code: 'IDENTITY.CONFLICTING_ROLES', errors: [{ field: 'roles' }] });
    }
    const officer = (await api.post('/api/v1/users').set('Authorization', admin).send({ ...staff, roles: ['officer'] }).expect(201)).body;
    const refused = await api.patch(`/api/v1/users/${officer.id}`).set('Authorization', admin).send({ roles: ['officer', 'auditor'] }).expect(400);
    expect(refused.body.code).toBe('IDENTITY.CONFLICTING_ROLES');
    const stored = await api.get(`/api/v1/users/${officer.id}`).set('Authorization', admin).expect(200);
    expect(stored.body.roles).toEqual(['officer']);
  });

  it('issues integrator tokens by OAuth 2 client credentials, with the secret shown once', async () => {
    const admin = `Bearer ${(await login(TEST_ADMIN.email, TEST_ADMIN.password).expect(200)).body.accessToken}`;
    const created = await api
      .post('/api/v1/service-accounts')
      .set('Authorization', admin)
      .send({ name: 'SP4N-LAPOR! bridge', scopes: ['open311:write', 'events:read'] })
      .expect(201);
    const { clientId, clientSecret } = created.body;
    expect(clientId).toMatch(/^sa_[0-9a-f]{16}$/);
    expect(clientSecret.length).toBeGreaterThanOrEqual(40);
    const { rows } = await identityDb.query('SELECT * FROM service_accounts WHERE client_id = $1', [clientId]);
    expect(JSON.stringify(rows[0])).not.toContain(clientSecret);

    const form = await api
      .post('/api/v1/auth/token')
      .type('form')
      .send({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope: 'open311:write' })
      .expect(200);
    expect(form.body).toMatchObject({ token_type: 'Bearer', expires_in: 900, scope: 'open311:write' });
    const basic = await api
      .post('/api/v1/auth/token')
      .auth(clientId, clientSecret)
      .type('form')
      .send({ grant_type: 'client_credentials' })
      .expect(200);
    expect(basic.body.scope).toBe('open311:write events:read');

    const integrator = `Bearer ${form.body.access_token}`;
    await api.get('/api/v1/users').set('Authorization', integrator).expect(403);
    const wrong = await api.post('/api/v1/auth/token').type('form').send({ grant_type: 'client_credentials', client_id: clientId, client_secret: 'guess' }).expect(401);
    expect(wrong.body).toMatchObject({ code: 'IDENTITY.INVALID_CLIENT', error: 'invalid_client' });
    const scope = await api
      .post('/api/v1/auth/token')
      .type('form')
      .send({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope: 'reports:read' })
      .expect(400);
    expect(scope.body).toMatchObject({ code: 'IDENTITY.INVALID_SCOPE', error: 'invalid_scope' });
    const citizenToken = (await login((await citizen()).email, `Rahasia-Labura-${n}x`).expect(200)).body.accessToken;
    await api.post('/api/v1/service-accounts').set('Authorization', `Bearer ${citizenToken}`).send({ name: 'Mine', scopes: ['events:read'] }).expect(403);
  });

  it('serves the calendar publicly and lets only admins change it', async () => {
    const year = new Date().getUTCFullYear();
    const calendar = await api.get(`/api/v1/calendar/${year}`).expect(200);
    expect(calendar.body.holidays.map((h: { date: string }) => h.date)).toContain(`${year}-08-17`);
    await api.get('/api/v1/calendar/abc').expect(400);
    const citizenToken = (await login((await citizen()).email, `Rahasia-Labura-${n}x`).expect(200)).body.accessToken;
    await api.put(`/api/v1/calendar/${year}`).set('Authorization', `Bearer ${citizenToken}`).send({ holidays: [] }).expect(403);
    const admin = `Bearer ${(await login(TEST_ADMIN.email, TEST_ADMIN.password).expect(200)).body.accessToken}`;
    const replaced = await api
      .put(`/api/v1/calendar/${year}`)
      .set('Authorization', admin)
      .send({ holidays: [...calendar.body.holidays, { date: `${year}-11-30`, name: 'Hari jadi kabupaten' }] })
      .expect(200);
    expect(replaced.body.holidays).toHaveLength(calendar.body.holidays.length + 1);
  });
});
