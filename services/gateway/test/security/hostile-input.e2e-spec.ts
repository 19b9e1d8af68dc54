import { ACTOR_HEADER, REQUEST_ID_HEADER, SUBJECTS } from '@smart-regency/contracts';
import { prefixed } from '@smart-regency/platform';
import { TEST_NATS_URL, TestSystem } from '@smart-regency/testing';
import { randomUUID } from 'crypto';
import { connect, headers as natsHeaders, NatsConnection } from 'nats';
import request from 'supertest';
import { People } from '../support';

const NUL = '\u0000';
const LONE = '\ud800';
const complaint = (overrides: Record<string, unknown> = {}) => ({
  categoryCode: 'waste-environment',
  title: 'Sampah di pasar',
  description: 'Sampah menumpuk di pasar sejak seminggu.',
  location: { lat: 2.5, lng: 99.6 },
  visibility: 'public',
  ...overrides,
});

/**
 * Inputs an attacker sends to crash a process or make it answer 500: each is a clear 4xx, and every
 * process is still up at the end (issue 15, "500s for client mistakes" and "a reply too big").
 */
describe('hostile input', () => {
  let system: TestSystem;
  let api: ReturnType<typeof request>;
  let nc: NatsConnection;
  const people = new People(9300);
  const { bearer, ids } = people;

  beforeAll(async () => {
    system = await TestSystem.start();
    api = request(system.gatewayUrl);
    await people.signIn(system);
    await people.add('warga');
    nc = await connect({ servers: TEST_NATS_URL });
  }, 120000);

  afterAll(async () => {
    await nc?.close();
    await system?.stop();
  });

  const everyProcessUp = () => {
    for (const [name, proc] of system.processes) expect({ name, running: proc.running }).toEqual({ name, running: true });
  };
  const expect400 = async (res: request.Test, field?: string) => {
    const r = await res;
    expect({ status: r.status, type: r.headers['content-type'] }).toEqual({ status: 400, type: expect.stringContaining('application/problem+json') });
    if (field) expect(r.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    return r;
  };

  it('refuses a body of 80,000 unknown keys early, with one short error, and the service lives', async () => {
    const wide = Object.fromEntries(Array.from({ length: 80_000 }, (_, i) => [`k${i}`, 1]));
    for (const path of ['/api/v1/complaints', '/api/v1/permit-applications']) {
      const r = await expect400(api.post(path).set('Authorization', bearer.warga).send(wide));
      expect(r.body.errors).toEqual([{ field: '(body)', message: expect.stringContaining('5000') }]);
    }
    // 4,000 unknown keys pass the shape check and reach validation: the answer lists 20 and counts the rest.
    const many = { ...complaint(), ...Object.fromEntries(Array.from({ length: 4000 }, (_, i) => [`k${i}`, 1])) };
    const listed = await expect400(api.post('/api/v1/complaints').set('Authorization', bearer.warga).send(many));
    expect(listed.body.errors.length).toBeLessThanOrEqual(21);
    expect(listed.body.errors.at(-1).message).toMatch(/3980 more/);
    everyProcessUp();
    await api.post('/api/v1/complaints').set('Authorization', bearer.warga).send(complaint()).expect(201);
  });

  it('refuses JSON nested 50,000 deep', async () => {
    const deep = `${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}`;
    for (const path of ['/api/v1/complaints', '/api/v1/auth/login', '/api/v1/auth/register']) {
      await expect400(api.post(path).set('Authorization', bearer.warga).set('Content-Type', 'application/json').send(deep));
    }
    everyProcessUp();
  });

  it('refuses NUL characters and lone surrogates in every kind of value', async () => {
    for (const bad of [NUL, LONE]) {
      await expect400(api.post('/api/v1/auth/login').send({ identifier: `warga${bad}@example.id`, password: `x${bad}` }), 'identifier');
      await expect400(api.post('/api/v1/auth/register').send({ nik: '1223015705900001', fullName: `Siti${bad}`, email: 's@example.id', phone: '081234567890', password: 'Rahasia-Labura-9' }), 'fullName');
      await expect400(api.post('/api/v1/complaints').set('Authorization', bearer.warga).send(complaint({ title: `Sampah${bad}` })), 'title');
      await expect400(api.post('/api/v1/permit-applications').set('Authorization', bearer.warga).send({ permitTypeCode: 'REKLAME', formData: { address: `Jl.${bad}` } }), 'formData.address');
      await expect400(api.patch('/api/v1/me').set('Authorization', bearer.warga).send({ fullName: `Warga${bad}` }), 'fullName');
    }
    // Path values: the NUL reaches the route (and is refused there), a malformed %-escape is refused before routing.
    await expect400(api.get('/api/v1/public/complaints/%00'), 'path.trackingNumber');
    await expect400(api.get('/api/v1/permits/verify/%00'), 'path.verificationCode');
    await expect400(api.get('/api/v1/permit-types/%00'));
    await expect400(api.get('/api/v1/public/complaints/%ED%A0%80'));
    await expect400(api.get('/api/v1/public/complaints?categoryCode=sampah%00'), 'query.categoryCode');
    const filed = (await api.post('/api/v1/complaints').set('Authorization', bearer.warga).send(complaint()).expect(201)).body;
    await expect400(api.post(`/api/v1/complaints/${filed.id}/comments`).set('Authorization', bearer.warga).send({ body: `halo${NUL}` }), 'body');
    // Open311 answers in its own format, still 400.
    for (const path of ['/open311/v2/requests/%00.json', '/open311/v2/services/%00.xml', `/open311/v2/requests.json?service_code=${encodeURIComponent(NUL)}`]) {
      const r = await api.get(path);
      expect(r.status).toBe(400);
    }
    everyProcessUp();
  });

  it('refuses absurd numbers, dates and nulls', async () => {
    for (const path of ['/api/v1/public/complaints?page=1e308', '/api/v1/public/complaints?pageSize=1e308', '/api/v1/agencies?page=99999999999', '/api/v1/permit-types?page=-0']) {
      await expect400(api.get(path));
    }
    await expect400(api.get('/api/v1/complaints?page=1e308').set('Authorization', bearer.admin), 'page');
    await expect400(api.get('/api/v1/audit?service=identity&page=1e308').set('Authorization', bearer.admin));
    // Dates far outside any record: an empty answer or a 400, never a 500.
    for (const path of [
      '/api/v1/complaints?from=0001-01-01&to=9999-12-31',
      '/api/v1/permit-applications?from=0001-01-01&to=9999-12-31',
      '/api/v1/reports/summary?from=0001-01-01&to=9999-12-31',
      '/api/v1/reports/timeseries?metric=complaints.received&interval=day&from=0001-01-01&to=9999-12-31',
      '/api/v1/audit?from=0001-01-01T00:00:00Z&to=9999-12-31T00:00:00Z',
      '/open311/v2/requests.json?start_date=0001-01-01T00:00:00Z&end_date=9999-12-31T00:00:00Z',
    ]) {
      const r = await api.get(path).set('Authorization', bearer.admin);
      expect({ path, status: r.status < 500 }).toEqual({ path, status: true });
    }
    // null where a PATCH means "leave as is" by omission: refused, not stored as NULL.
    await expect400(api.patch('/api/v1/me').set('Authorization', bearer.warga).send({ fullName: null, phone: null }), 'fullName');
    await expect400(api.patch(`/api/v1/users/${ids.warga}`).set('Authorization', bearer.admin).send({ fullName: null, roles: null }));
    await expect400(api.patch('/api/v1/permit-types/REKLAME').set('Authorization', bearer.admin).send({ name: null, slaWorkingDays: null }));
    await expect400(api.patch('/api/v1/complaint-categories/waste-environment').set('Authorization', bearer.admin).send({ name: null }));
    expect((await api.get('/api/v1/me').set('Authorization', bearer.warga).expect(200)).body.fullName).toBe('Warga warga');
    everyProcessUp();
  });

  it('answers URLs too long or malformed, and headers too large, as problem+json', async () => {
    const long = await api.get(`/api/v1/public/complaints/${'a'.repeat(5000)}`);
    expect({ status: long.status, type: long.headers['content-type'], code: long.body.code }).toEqual({ status: 414, type: expect.stringContaining('application/problem+json'), code: 'COMMON.URI_TOO_LONG' });
    // Refused by Node's parser before any route (16 KiB of headers at most): still a problem.
    const headers = await fetch(`${system.gatewayUrl}/api/v1/agencies`, { headers: { 'x-padding': 'a'.repeat(20_000) } });
    expect({ status: headers.status, type: headers.headers.get('content-type'), code: ((await headers.json()) as { code: string }).code }).toEqual({
      status: 431,
      type: expect.stringContaining('application/problem+json'),
      code: 'COMMON.HEADERS_TOO_LARGE',
    });
  });

  it('answers hostile NATS requests without dying: garbage, forged callers, huge and deep payloads', async () => {
    const ask = async (subject: string, body: Uint8Array, headers: Record<string, string> = {}) => {
      const h = natsHeaders();
      h.set(REQUEST_ID_HEADER, randomUUID());
      for (const [k, v] of Object.entries(headers)) h.set(k, v);
      const reply = await nc.request(prefixed(system.env.natsPrefix, subject), body, { timeout: 5000, headers: h });
      return JSON.parse(Buffer.from(reply.data).toString()) as { response?: unknown; err?: { code: string } };
    };
    const wire = (data: unknown) => Buffer.from(JSON.stringify({ pattern: 'x', data, id: randomUUID() }));
    expect((await ask(SUBJECTS.complaints.listPublic, Buffer.from('{not json'))).err?.code).toBe('COMMON.MALFORMED_BODY');
    expect((await ask(SUBJECTS.complaints.listPublic, Buffer.from('[1,2,3]'))).err?.code).toBe('COMMON.MALFORMED_BODY');
    expect((await ask(SUBJECTS.complaints.listPublic, wire(Object.fromEntries(Array.from({ length: 80_000 }, (_, i) => [`k${i}`, 1]))))).err?.code).toBe('COMMON.VALIDATION');
    expect((await ask(SUBJECTS.complaints.listPublic, Buffer.from(`{"pattern":"x","id":"1","data":${'['.repeat(50_000)}${']'.repeat(50_000)}}`))).err?.code).toBe('COMMON.VALIDATION');
    // Anyone on the (development) bus who names an admin without the gateway's signature is refused,
    // and asking without a caller reaches nothing but public subjects.
    const admin = JSON.stringify({ id: randomUUID(), roles: ['admin'] });
    const forged = await ask(SUBJECTS.identity.listUsers, wire({}), { [ACTOR_HEADER]: admin });
    expect(forged).toEqual({ err: expect.objectContaining({ code: 'COMMON.UNAUTHENTICATED' }), isDisposed: true });
    expect((await ask(SUBJECTS.identity.listUsers, wire({}))).err?.code).toBe('COMMON.UNAUTHENTICATED');
    expect((await ask(SUBJECTS.identity.getUser, wire({ id: ids.warga }))).err?.code).toBe('COMMON.UNAUTHENTICATED');
    expect((await ask(SUBJECTS.identity.listAgencies, wire({}))).response).toMatchObject({ total: expect.any(Number) });
    everyProcessUp();
  });
});
