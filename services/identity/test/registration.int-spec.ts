import { SUBJECTS } from '@smart-regency/contracts';
import { DomainError } from '@smart-regency/platform';
import { InProcessService, makeNik, startInProcess, waitFor } from '@smart-regency/testing';
import { startIdentity } from '../src/app';
import { loadIdentityConfig } from '../src/config';

describe('citizen registration over NATS', () => {
  let t: InProcessService;
  let n = 0;
  const citizen = (overrides: Record<string, string> = {}) => {
    n++;
    return {
      nik: makeNik({ sequence: n + 100 }),
      fullName: 'Siti Aminah',
      email: `siti${n}@example.id`,
      phone: `08123456${String(1000 + n)}`,
      password: 'Rahasia-Labura-9',
      ...overrides,
    };
  };
  const register = (body: ReturnType<typeof citizen>) => t.rpc.send(SUBJECTS.identity.registerCitizen, body);
  const failure = (body: ReturnType<typeof citizen>) => register(body).then(() => null, (e: DomainError) => e);

  beforeAll(async () => {
    t = await startInProcess('identity', (env) => startIdentity(loadIdentityConfig(env)));
  });

  afterAll(() => t?.close());

  it('registers a citizen with the NIK masked, contacts normalised and nothing secret stored in clear', async () => {
    const body = citizen({ email: '  Siti.Aminah@Example.ID ', phone: '+62 812-3456-0001' });
    const user = await register(body);
    expect(user).toMatchObject({
      nik: `${body.nik.slice(0, 4)}**********${body.nik.slice(14)}`,
      fullName: 'Siti Aminah',
      email: 'siti.aminah@example.id',
      phone: '+6281234560001',
      roles: ['citizen'],
      active: true,
    });
    const { rows } = await t.db.query('SELECT * FROM users WHERE id = $1', [user.id]);
    const stored = JSON.stringify(rows[0]);
    expect(stored).not.toContain(body.nik);
    expect(stored).not.toContain(body.password);
    expect(rows[0].password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(rows[0].consent_version).toBe('2026-11');
  });

  it('records identity.user.registered.v1 with the user and publishes it', async () => {
    const user = await register(citizen());
    const { rows } = await t.db.query(`SELECT event FROM outbox WHERE record_id = $1`, [user.id]);
    expect(rows).toHaveLength(1);
    expect(rows[0].event).toMatchObject({
      specversion: '1.0',
      type: 'identity.user.registered.v1',
      source: '/regency/identity',
      subject: user.id,
      datacontenttype: 'application/json',
      data: { userId: user.id, roles: ['citizen'] },
    });
    expect(JSON.stringify(rows[0].event)).not.toMatch(/Siti|example\.id|\+62/);
    await waitFor('the event to be sent', async () => {
      const sent = await t.db.query(`SELECT sent_at FROM outbox WHERE record_id = $1`, [user.id]);
      return sent.rows[0].sent_at ? true : undefined;
    });
    const jsm = await t.rpc.connection.jetstreamManager();
    const msg = await jsm.streams.getMessage(t.env.eventsStream, { last_by_subj: `${t.env.eventsPrefix}.identity.user.registered.v1` });
    expect(msg.header.get('Nats-Msg-Id')).toBe(rows[0].event.id);
    expect(msg.json()).toEqual(rows[0].event);
  });

  it.each([
    ['1223011705900000', 'sequence'],
    ['1299011705900001', 'regency'],
    ['1223013202900001', 'birth date'],
    ['9923011705900001', 'province'],
  ])('refuses the invalid NIK %s (%s)', async (nik) => {
    const error = await failure(citizen({ nik }));
    expect(error).toMatchObject({ code: 'IDENTITY.INVALID_NIK', details: [{ field: 'nik' }] });
  });

  it('refuses a NIK, email or phone that is already registered, and records nothing for it', async () => {
    const first = citizen();
    await register(first);
    const outboxBefore = (await t.db.query('SELECT count(*)::int AS n FROM outbox')).rows[0].n;
    expect(await failure(citizen({ nik: first.nik }))).toMatchObject({ code: 'IDENTITY.NIK_TAKEN' });
    expect(await failure(citizen({ email: first.email.toUpperCase() }))).toMatchObject({ code: 'IDENTITY.EMAIL_TAKEN' });
    expect(await failure(citizen({ phone: `+62${first.phone.slice(1)}` }))).toMatchObject({ code: 'IDENTITY.PHONE_TAKEN' });
    expect((await t.db.query('SELECT count(*)::int AS n FROM outbox')).rows[0].n).toBe(outboxBefore);
  });

  it('refuses weak passwords and bad phones with the field named', async () => {
    expect(await failure(citizen({ password: 'abcdefghijk' }))).toMatchObject({ code: 'IDENTITY.WEAK_PASSWORD', details: [{ field: 'password' }] });
    expect(await failure(citizen({ phone: '0812' }))).toMatchObject({ code: 'COMMON.VALIDATION' });
    expect(await failure(citizen({ phone: '+62 0812 3456 789' }))).toMatchObject({ code: 'IDENTITY.INVALID_PHONE' });
  });

  it('never takes roles or other fields from the body', async () => {
    const error = await register({ ...citizen(), roles: ['admin'] } as never).catch((e) => e);
    expect(error).toMatchObject({ code: 'COMMON.VALIDATION', details: [{ field: 'roles', rule: 'whitelistValidation' }] });
  });
});
