import { Actor, Revocation, REVOCATION_SUBJECT, SUBJECTS, TokenResponse } from '@smart-regency/contracts';
import { DomainError, prefixed, RunningService } from '@smart-regency/platform';
import { InProcessService, makeNik, startInProcess, TEST_ADMIN, TestRpc } from '@smart-regency/testing';
import { decodeJwt } from 'jose';
import { JSONCodec, Subscription } from 'nats';
import { startIdentity } from '../src/app';
import { loadIdentityConfig } from '../src/config';
import { ThrottleKind, ThrottleService } from '../src/throttling/throttle.service';

/**
 * Throttling of guesses (sign-in, registration, current passwords, client secrets) and the end of
 * sessions, against identity's real database, with two replicas sharing it: counts made by one
 * hold on the other.
 */
describe('sign-in throttling and sessions (two replicas, one database)', () => {
  let t: InProcessService;
  let other: RunningService;
  let otherRpc: TestRpc;
  let n = 0;
  const settings = { REGISTRATIONS_PER_ADDRESS_PER_HOUR: '4', LOGIN_MAX_FAILURES_PER_ADDRESS: '12' };

  const citizen = () => {
    n++;
    return { nik: makeNik({ sequence: 900 + n }), fullName: `Dewi Lestari ${n}`, email: `dewi${n}@example.id`, phone: `0813777${String(10000 + n)}`, password: `Rahasia-Labura-${n}x` };
  };
  /** Registers without a client address: not through the gateway, so not throttled. */
  const registered = async () => {
    const body = citizen();
    return { ...body, id: (await t.rpc.send(SUBJECTS.identity.registerCitizen, body)).id };
  };
  /** Alternates between the replicas, as the queue group would. */
  let turn = 0;
  const rpc = () => (turn++ % 2 ? otherRpc : t.rpc);
  const login = (identifier: string, password: string, clientIp: string) =>
    rpc()
      .send(SUBJECTS.identity.login, { identifier, password }, { clientIp })
      .then(
        (tokens: TokenResponse) => tokens,
        (e: DomainError) => e,
      );
  const failure = async <T>(call: Promise<T>): Promise<DomainError> => {
    const outcome = await call.then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!(outcome instanceof DomainError)) throw new Error(`expected a refusal, got ${JSON.stringify(outcome)}`);
    return outcome;
  };
  /** Moves a throttle's wait into the past, as the clock would. */
  const waitOver = (kind: ThrottleKind, ...parts: string[]) =>
    t.db.query(`UPDATE auth_throttles SET blocked_until = now() - interval '1 second' WHERE key = $1`, [t.service.app.get(ThrottleService).key(kind, ...parts).id]);

  beforeAll(async () => {
    let env: Record<string, string> = {};
    t = await startInProcess('identity', (e) => {
      env = { ...e, ...settings };
      return startIdentity(loadIdentityConfig(env));
    });
    // A second replica on the same database, reachable on a prefix of its own so a test can pick it.
    other = await startIdentity(loadIdentityConfig({ ...env, NATS_PREFIX: `${env.NATS_PREFIX}-b` }));
    otherRpc = await TestRpc.connect(`${env.NATS_PREFIX}-b`, env.ACTOR_SIGNING_KEY);
  });

  afterAll(async () => {
    await otherRpc?.close();
    await other?.close();
    await t?.close();
  });

  describe('sign-in', () => {
    it('answers a known and an unknown account alike: 401 five times, then 429 for that address, on either replica', async () => {
      const known = await registered();
      const outcomes: Record<string, Array<{ code: string; message: string; retryAfter?: number }>> = { known: [], unknown: [] };
      for (const [name, identifier] of [['known', known.email], ['unknown', 'nobody-here@example.id']]) {
        for (let i = 0; i < 7; i++) {
          const e = (await login(identifier, `Wrong-Password-${i}`, '10.1.0.1')) as DomainError;
          outcomes[name].push({ code: e.code, message: e.message.replace(/\d+ s$/, 'N s'), retryAfter: e.retryAfter });
        }
      }
      expect(outcomes.known.map((o) => o.code)).toEqual([...Array(5).fill('IDENTITY.INVALID_CREDENTIALS'), 'IDENTITY.TOO_MANY_ATTEMPTS', 'IDENTITY.TOO_MANY_ATTEMPTS']);
      expect(outcomes.unknown.map((o) => ({ ...o, retryAfter: o.retryAfter && o.retryAfter > 0 }))).toEqual(
        outcomes.known.map((o) => ({ ...o, retryAfter: o.retryAfter && o.retryAfter > 0 })),
      );
      for (const o of [...outcomes.known, ...outcomes.unknown].filter((x) => x.retryAfter)) expect(o.retryAfter).toBeLessThanOrEqual(30);
    });

    it("keeps the owner's door open: the attacker's address waits even with the right password, another address signs in", async () => {
      const owner = await registered();
      for (let i = 0; i < 5; i++) expect(await login(owner.email, `Guess-${i}-abcdef`, '10.1.0.2')).toMatchObject({ code: 'IDENTITY.INVALID_CREDENTIALS' });
      // The right password from the attacking address does not tell the attacker it was right.
      expect(await login(owner.email, owner.password, '10.1.0.2')).toMatchObject({ code: 'IDENTITY.TOO_MANY_ATTEMPTS' });
      expect(await login(owner.email, owner.password, '10.1.0.3')).toMatchObject({ tokenType: 'Bearer', accessToken: expect.any(String) });
      // The identifier's count is per form as typed: the phone is another key, so it tells nothing about which account the email is.
      expect(await login(owner.phone, 'Guess-phone-abcdef', '10.1.0.2')).toMatchObject({ code: 'IDENTITY.INVALID_CREDENTIALS' });
    });

    it('doubles the wait with each further failure, up to LOGIN_LOCKOUT_MINUTES', async () => {
      const c = await registered();
      const from = '10.1.0.4';
      for (let i = 0; i < 5; i++) await login(c.email, `Guess-${i}-abcdef`, from);
      const waits: number[] = [];
      for (let round = 0; round < 3; round++) {
        await waitOver('login-identifier', `email\0${c.email}`, from);
        expect(await login(c.email, `Again-${round}-abcdef`, from)).toMatchObject({ code: 'IDENTITY.INVALID_CREDENTIALS' });
        waits.push(((await login(c.email, c.password, from)) as DomainError).retryAfter!);
      }
      expect(waits[0]).toBeGreaterThan(30);
      expect(waits[0]).toBeLessThanOrEqual(60);
      expect(waits[1]).toBeGreaterThan(60);
      expect(waits[1]).toBeLessThanOrEqual(120);
      expect(waits[2]).toBeGreaterThan(120);
      expect(waits[2]).toBeLessThanOrEqual(240);
      // Many failures later the wait stops growing at 15 minutes.
      const key = t.service.app.get(ThrottleService).key('login-identifier', `email\0${c.email}`, from).id;
      await t.db.query(`UPDATE auth_throttles SET failures = 1000, blocked_until = now() - interval '1 second' WHERE key = $1`, [key]);
      await login(c.email, 'One-more-guess-1', from);
      const capped = ((await login(c.email, c.password, from)) as DomainError).retryAfter!;
      expect(capped).toBeGreaterThan(880);
      expect(capped).toBeLessThanOrEqual(900);
    });

    it('forgets an identifier’s failures from an address once the right password came from there', async () => {
      const c = await registered();
      for (let round = 0; round < 2; round++) {
        for (let i = 0; i < 4; i++) expect(await login(c.phone, `Typo-${round}-${i}-abc`, '10.1.0.5')).toMatchObject({ code: 'IDENTITY.INVALID_CREDENTIALS' });
        expect(await login(c.phone, c.password, '10.1.0.5')).toMatchObject({ tokenType: 'Bearer' });
      }
    });

    it('makes an address that sprays passwords over many accounts wait (LOGIN_MAX_FAILURES_PER_ADDRESS)', async () => {
      const from = '10.1.0.6';
      for (let i = 0; i < 12; i++) expect(await login(`spray${i}@example.id`, 'Musim-Hujan-2026', from)).toMatchObject({ code: 'IDENTITY.INVALID_CREDENTIALS' });
      const c = await registered();
      expect(await login(c.email, c.password, from)).toMatchObject({ code: 'IDENTITY.TOO_MANY_ATTEMPTS', retryAfter: expect.any(Number) });
      expect(await login(c.email, c.password, '10.1.0.7')).toMatchObject({ tokenType: 'Bearer' });
    });
  });

  it('limits registrations per address, 409s included (REGISTRATIONS_PER_ADDRESS_PER_HOUR)', async () => {
    const taken = citizen();
    const register = (body: ReturnType<typeof citizen>, clientIp: string) => rpc().send(SUBJECTS.identity.registerCitizen, body, { clientIp });
    await register(taken, '10.2.0.1');
    // Probing which NIKs are registered: each 409 counts.
    for (let i = 0; i < 3; i++) expect(await failure(register({ ...citizen(), nik: taken.nik }, '10.2.0.1'))).toMatchObject({ code: 'IDENTITY.NIK_TAKEN' });
    const limited = await failure(register(citizen(), '10.2.0.1'));
    expect(limited).toMatchObject({ code: 'IDENTITY.TOO_MANY_ATTEMPTS' });
    expect(limited.retryAfter).toBeGreaterThan(3500);
    expect(limited.retryAfter).toBeLessThanOrEqual(3600);
    expect(await register(citizen(), '10.2.0.2')).toMatchObject({ roles: ['citizen'] });
  });

  it('throttles wrong current passwords per user, for a password change and erasure alike', async () => {
    const c = await registered();
    const actor: Actor = { id: c.id, roles: ['citizen'] };
    const change = (currentPassword: string) => rpc().send(SUBJECTS.identity.changePassword, { currentPassword, newPassword: 'Sandi-Baru-2026-x' }, { actor });
    for (let i = 0; i < 5; i++) expect(await failure(change(`Guess-${i}-abcdef`))).toMatchObject({ code: 'IDENTITY.WRONG_PASSWORD', details: [{ field: 'currentPassword' }] });
    expect(await failure(change(c.password))).toMatchObject({ code: 'IDENTITY.TOO_MANY_ATTEMPTS' });
    const erase = await failure(rpc().send(SUBJECTS.identity.eraseMe, { password: c.password }, { actor }));
    expect(erase).toMatchObject({ code: 'IDENTITY.TOO_MANY_ATTEMPTS', retryAfter: expect.any(Number) });
    await waitOver('password', c.id);
    await change(c.password);
  });

  it('throttles wrong api_keys and client secrets per address (CLIENT_MAX_FAILURES_PER_ADDRESS)', async () => {
    const guess = (i: number, clientIp: string) => rpc().send(SUBJECTS.identity.authenticateApiKey, { apiKey: `guessed-key-${i}-0123456789` }, { clientIp });
    for (let i = 0; i < 10; i++) expect(await failure(guess(i, '10.3.0.1'))).toMatchObject({ code: 'IDENTITY.INVALID_CLIENT' });
    expect(await failure(guess(10, '10.3.0.1'))).toMatchObject({ code: 'IDENTITY.TOO_MANY_ATTEMPTS' });
    const oauth = rpc().send(SUBJECTS.identity.clientToken, { grant_type: 'client_credentials', client_id: 'sa_0000000000000000', client_secret: 'guess' }, { clientIp: '10.3.0.1' });
    expect(await failure(oauth)).toMatchObject({ code: 'IDENTITY.TOO_MANY_ATTEMPTS' });
    expect(await failure(guess(11, '10.3.0.2'))).toMatchObject({ code: 'IDENTITY.INVALID_CLIENT' });
  });

  describe('sessions', () => {
    const revocations: Revocation[] = [];
    let subscription: Subscription;
    const broadcast = async (match: (r: Revocation) => boolean) => {
      for (let i = 0; i < 50 && !revocations.some(match); i++) await new Promise((r) => setTimeout(r, 20));
      return revocations.find(match);
    };

    beforeAll(() => {
      subscription = t.rpc.connection.subscribe(prefixed(t.env.natsPrefix, REVOCATION_SUBJECT), {
        callback: (_, msg) => revocations.push(JSONCodec<Revocation>().decode(msg.data)),
      });
    });
    afterAll(() => subscription?.unsubscribe());

    const signIn = async (c: { email: string; password: string }) => {
      const tokens = await t.rpc.send(SUBJECTS.identity.login, { identifier: c.email, password: c.password });
      return { accessToken: tokens.accessToken, refreshToken: String(tokens.refreshToken), sid: String(decodeJwt(tokens.accessToken).sid) };
    };

    it('ends a session at logout and when a used refresh token comes back, and tells every gateway', async () => {
      const c = await registered();
      const first = await signIn(c);
      await t.rpc.send(SUBJECTS.identity.logout, { refreshToken: first.refreshToken });
      expect(await broadcast((r) => !!r.sessionIds?.includes(first.sid))).toMatchObject({ userId: c.id, sessionIds: [first.sid] });

      const second = await signIn(c);
      const rotated = await t.rpc.send(SUBJECTS.identity.refresh, { refreshToken: second.refreshToken });
      expect(decodeJwt(rotated.accessToken).sid).toBe(second.sid);
      expect(await failure(t.rpc.send(SUBJECTS.identity.refresh, { refreshToken: second.refreshToken }))).toMatchObject({ code: 'IDENTITY.INVALID_REFRESH_TOKEN' });
      expect(await broadcast((r) => !!r.sessionIds?.includes(second.sid))).toMatchObject({ userId: c.id, sessionIds: [second.sid] });
      expect(await failure(t.rpc.send(SUBJECTS.identity.refresh, { refreshToken: String(rotated.refreshToken) }))).toMatchObject({ code: 'IDENTITY.INVALID_REFRESH_TOKEN' });

      // A gateway that starts later learns both from the list.
      const listed = (await t.rpc.send(SUBJECTS.identity.revocations, {})).filter((r) => r.userId === c.id);
      expect(listed.flatMap((r) => r.sessionIds ?? []).sort()).toEqual([first.sid, second.sid].sort());
    });

    it('lets one of two overlapping refreshes of a token through and ends the session for the other, and ends a session whose logout overlaps a refresh', async () => {
      const c = await registered();
      const session = await signIn(c);
      const answers = await Promise.allSettled([1, 2, 3].map(() => t.rpc.send(SUBJECTS.identity.refresh, { refreshToken: session.refreshToken })));
      const issued = answers.filter((a): a is PromiseFulfilledResult<Awaited<ReturnType<typeof t.rpc.send<'identity.auth.refresh'>>>> => a.status === 'fulfilled');
      expect(issued).toHaveLength(1);
      expect(answers.filter((a) => a.status === 'rejected').map((a) => (a as PromiseRejectedResult).reason.code)).toEqual(['IDENTITY.INVALID_REFRESH_TOKEN', 'IDENTITY.INVALID_REFRESH_TOKEN']);
      // The replays came after the rotation: the token it issued is ended with the session.
      expect(await failure(t.rpc.send(SUBJECTS.identity.refresh, { refreshToken: String(issued[0].value.refreshToken) }))).toMatchObject({ code: 'IDENTITY.INVALID_REFRESH_TOKEN' });

      const other = await signIn(c);
      await Promise.allSettled([t.rpc.send(SUBJECTS.identity.refresh, { refreshToken: other.refreshToken }), t.rpc.send(SUBJECTS.identity.logout, { refreshToken: other.refreshToken })]);
      const { rows } = await t.db.query(`SELECT count(*)::int AS live FROM refresh_tokens WHERE family_id = $1 AND revoked_at IS NULL AND used_at IS NULL`, [other.sid]);
      expect(rows[0].live).toBe(0);
    });

    it("ends every other session at a password change and keeps the one that made it", async () => {
      const c = await registered();
      const mine = await signIn(c);
      const others = [await signIn(c), await signIn(c)];
      const actor: Actor = { id: c.id, roles: ['citizen'], sessionId: mine.sid };
      await t.rpc.send(SUBJECTS.identity.changePassword, { currentPassword: c.password, newPassword: 'Sandi-Baru-2026-y' }, { actor });
      const ended = await broadcast((r) => r.userId === c.id);
      expect(ended?.sessionIds?.sort()).toEqual(others.map((o) => o.sid).sort());
      await t.rpc.send(SUBJECTS.identity.refresh, { refreshToken: mine.refreshToken });
      for (const o of others) expect(await failure(t.rpc.send(SUBJECTS.identity.refresh, { refreshToken: o.refreshToken }))).toMatchObject({ code: 'IDENTITY.INVALID_REFRESH_TOKEN' });
    });
  });

  it("changes one's own name and phone from either replica at once, each change audited once, a taken phone refused", async () => {
    const c = await registered();
    const actor: Actor = { id: c.id, roles: ['citizen'] };
    const names = Array.from({ length: 10 }, (_, k) => `Dewi Berganti ${k}`);
    const answers = await Promise.all(names.map((fullName) => rpc().send(SUBJECTS.identity.updateMe, { fullName }, { actor })));
    expect(answers.map((a) => a.fullName)).toEqual(names);
    const { rows } = await t.db.query(`SELECT full_name FROM users WHERE id = $1`, [c.id]);
    expect(names).toContain(rows[0].full_name);
    const { rows: audited } = await t.db.query(
      `SELECT count(*)::int AS n FROM (SELECT action, entity_id FROM audit_pending UNION ALL SELECT action, entity_id FROM audit_log) a WHERE entity_id = $1 AND action = 'user.update'`,
      [c.id],
    );
    expect(audited[0].n).toBe(names.length);

    expect((await t.rpc.send(SUBJECTS.identity.updateMe, { phone: '+62 813-1111-2222' }, { actor })).phone).toBe('+6281311112222');
    const other = await registered();
    expect(await failure(t.rpc.send(SUBJECTS.identity.updateMe, { phone: '081311112222' }, { actor: { id: other.id, roles: ['citizen'] } }))).toMatchObject({ code: 'IDENTITY.PHONE_TAKEN' });
  });

  it('refuses an auditor who is also an officer or agency head, on create and on update', async () => {
    const { rows } = await t.db.query(`SELECT id FROM users WHERE email = $1`, [TEST_ADMIN.email]);
    const admin: Actor = { id: rows[0].id, roles: ['admin'] };
    const [agency] = (await t.rpc.send(SUBJECTS.identity.listAgencies, { pageSize: 1 }, { actor: admin })).items;
    type StaffRoles = Parameters<typeof t.rpc.send<'identity.user.create'>>[1]['roles'];
    const staff = (roles: StaffRoles, i: number, agencyId: string | undefined = agency.id) => ({ email: `staf${i}@inspektorat.labura.go.id`, fullName: `Staf ${i}`, roles, agencyId, password: 'Staf-Kuat-2026-x' });
    for (const [i, roles] of ([['auditor', 'officer'], ['agency_head', 'auditor']] as StaffRoles[]).entries()) {
      const refused = await failure(t.rpc.send(SUBJECTS.identity.createStaff, staff(roles, i), { actor: admin }));
      expect(refused).toMatchObject({ code: 'IDENTITY.CONFLICTING_ROLES', details: [{ field: 'roles' }] });
    }
    const auditor = await t.rpc.send(SUBJECTS.identity.createStaff, staff(['auditor'], 10, undefined), { actor: admin });
    const officer = await t.rpc.send(SUBJECTS.identity.createStaff, staff(['officer'], 11), { actor: admin });
    expect(await failure(t.rpc.send(SUBJECTS.identity.updateUser, { id: auditor.id, roles: ['auditor', 'agency_head'], agencyId: agency.id }, { actor: admin }))).toMatchObject({
      code: 'IDENTITY.CONFLICTING_ROLES',
    });
    expect(await failure(t.rpc.send(SUBJECTS.identity.updateUser, { id: officer.id, roles: ['officer', 'auditor'] }, { actor: admin }))).toMatchObject({ code: 'IDENTITY.CONFLICTING_ROLES' });
    // Moving someone from the agency to the Inspektorat is one change, not two roles at once.
    expect(await t.rpc.send(SUBJECTS.identity.updateUser, { id: officer.id, roles: ['auditor'], agencyId: null }, { actor: admin })).toMatchObject({ roles: ['auditor'] });
  });
});
