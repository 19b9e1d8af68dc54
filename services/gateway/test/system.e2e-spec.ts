import { makeNik, REPO_ROOT, TestSystem, waitFor } from '@smart-regency/testing';
import { spawn } from 'child_process';
import request from 'supertest';
import { announceOversized } from './support';

/** The whole system as separate processes: HTTP -> gateway -> NATS -> service -> PostgreSQL. */
describe('walking skeleton, end to end', () => {
  let system: TestSystem;
  let api: ReturnType<typeof request>;
  let admin: string;

  beforeAll(async () => {
    system = await TestSystem.start({ gateway: { CORS_ORIGINS: 'https://portal.labura.go.id' } });
    api = request(system.gatewayUrl);
    admin = `Bearer ${await system.login()}`;
  }, 90000);

  afterAll(async () => {
    await system?.stop();
  });

  it('is ready with NATS and all four services listed', async () => {
    const res = await api.get('/health/ready').expect(200);
    expect(Object.keys(res.body.details).sort()).toEqual(['complaints', 'identity', 'nats', 'notifications', 'permits', 'reporting']);
    for (const service of ['identity', 'permits', 'complaints', 'reporting', 'notifications']) {
      expect(res.body.details[service]).toMatchObject({ status: 'up', database: 'up' });
    }
  });

  it('answers each walking route from its service database', async () => {
    const agencies = await api.get('/api/v1/agencies?pageSize=100').set('Authorization', admin).expect(200);
    expect(agencies.body.items.map((a: { code: string }) => a.code)).toEqual(
      expect.arrayContaining(['DPMPTSP', 'DISKOMINFO', 'PUPR', 'DLH', 'DISDUKCAPIL', 'DINKES', 'DISDIK', 'DISHUB', 'SATPOLPP', 'DINSOS']),
    );
    expect(agencies.body).toMatchObject({ page: 1, pageSize: 100, total: agencies.body.items.length });

    const types = await api.get('/api/v1/permit-types').expect(200);
    const pbg = types.body.items.find((t: { code: string }) => t.code === 'PBG');
    const pupr = agencies.body.items.find((a: { code: string }) => a.code === 'PUPR');
    const dpmptsp = agencies.body.items.find((a: { code: string }) => a.code === 'DPMPTSP');
    expect(pbg).toMatchObject({ agencyId: pupr.id, issuingAgencyId: dpmptsp.id, active: true });
    expect(pbg.requiredDocuments.length).toBeGreaterThan(0);

    const categories = await api.get('/api/v1/complaint-categories?pageSize=50').expect(200);
    expect(categories.body.total).toBe(11);
    const agencyIds = new Set(agencies.body.items.map((a: { id: string }) => a.id));
    for (const c of categories.body.items) expect(agencyIds.has(c.agencyId)).toBe(true);

    const summary = await api.get('/api/v1/public/reports/summary').expect(200);
    // No complaint or permit yet; asOf is null until reporting has read its first event (identity's
    // registration of the bootstrap admin may already be one).
    expect(summary.body).toEqual({
      asOf: summary.body.asOf === null ? null : expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      complaints: { received: 0, resolved: 0, open: 0, slaCompliancePct: null, averageRating: null },
      permits: { submitted: 0, issued: 0, inProcess: 0, slaCompliancePct: null },
    });
  });

  it('filters and pages lists', async () => {
    const res = await api.get('/api/v1/agencies?kind=satuan').set('Authorization', admin).expect(200);
    expect(res.body.items.map((a: { code: string }) => a.code)).toEqual(['SATPOLPP']);
    const page2 = await api.get('/api/v1/agencies?pageSize=3&page=2').set('Authorization', admin).expect(200);
    expect(page2.body.items).toHaveLength(3);
    const page1 = await api.get('/api/v1/agencies?pageSize=3&page=1').set('Authorization', admin).expect(200);
    expect(page1.body.items[0].code).not.toBe(page2.body.items[0].code);
  });

  it('answers invalid input with problem+json listing every bad field, in the caller language', async () => {
    const id = await api.get('/api/v1/agencies?pageSize=500&kind=castle&color=red').set('Authorization', admin).expect(400);
    expect(id.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(id.body).toMatchObject({ status: 400, code: 'COMMON.VALIDATION', title: 'Data yang dikirim tidak valid' });
    expect(id.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['color', 'kind', 'pageSize']);
    expect(id.body.requestId).toBe(id.headers['x-request-id']);

    const en = await api.get('/api/v1/permit-types?active=maybe').set('Accept-Language', 'en-US,en;q=0.9').expect(400);
    expect(en.body).toMatchObject({ title: 'The request is not valid', errors: [{ field: 'active' }] });
  });

  it('answers unknown routes with a 404 problem', async () => {
    const res = await api.get('/api/v1/no-such-thing').expect(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 404, code: 'COMMON.ROUTE_NOT_FOUND' });
  });

  it('echoes the request id and carries it into the service log', async () => {
    const requestId = `e2e-${Date.now()}`;
    const res = await api.get('/api/v1/agencies').set('Authorization', admin).set('X-Request-Id', requestId).expect(200);
    expect(res.headers['x-request-id']).toBe(requestId);
    const identity = system.process('identity');
    await identity.waitForOutput(new RegExp(requestId));
    const line = identity.records().find((r) => r.requestId === requestId);
    expect(line).toMatchObject({ service: 'identity', subject: 'identity.agency.list', outcome: 'ok' });
    await system.process('gateway').waitForOutput(new RegExp(requestId));
    const gatewayLine = system.process('gateway').records().find((r) => r.requestId === requestId);
    expect(gatewayLine).toMatchObject({ service: 'gateway', method: 'GET', url: '/api/v1/agencies', statusCode: 200 });
  });

  it('replaces a malformed request id with its own', async () => {
    const res = await api.get('/api/v1/agencies').set('Authorization', admin).set('X-Request-Id', 'bad id with spaces').expect(200);
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('allows only the configured CORS origins', async () => {
    const allowed = await api
      .options('/api/v1/agencies')
      .set('Origin', 'https://portal.labura.go.id')
      .set('Access-Control-Request-Method', 'GET')
      .expect(204);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://portal.labura.go.id');
    const other = await api.get('/api/v1/permit-types').set('Origin', 'https://evil.example').expect(200);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('sets security headers and serves metrics and API docs', async () => {
    const res = await api.get('/api/v1/agencies').set('Authorization', admin).expect(200);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain(`default-src 'self'`);

    // Metrics are on the gateway's internal port only, never on the public API port.
    expect((await api.get('/metrics').expect(404)).headers['content-type']).toContain('application/problem+json');
    const metrics = await request(system.gatewayMetricsUrl).get('/metrics').expect(200);
    expect(metrics.text).toMatch(/http_request_duration_seconds_bucket\{[^}]*route="\/api\/v1\/agencies"/);
    expect(metrics.text).toMatch(/rpc_client_duration_seconds_count\{[^}]*subject="identity\.agency\.list"/);
    expect(metrics.text).toContain('process_resident_memory_bytes');

    const identityMetrics = await request(system.process('identity').url).get('/metrics').expect(200);
    expect(identityMetrics.text).toMatch(/nats_requests_total\{[^}]*subject="identity\.agency\.list",outcome="ok"/);

    const spec = await api.get('/docs/openapi.json').expect(200);
    expect(spec.body.openapi).toBe('3.1.0');
    for (const path of ['/api/v1/agencies', '/api/v1/permit-types', '/api/v1/complaint-categories', '/api/v1/public/reports/summary']) {
      expect(spec.body.paths[path]?.get).toBeDefined();
    }
    expect(spec.body.components.schemas.AgencyResponse.properties).toHaveProperty('code');
    // The large lists say whether total is exact, under one name.
    for (const page of ['ApplicationPage', 'ComplaintPage', 'PublicComplaintPage']) expect(spec.body.components.schemas[page].properties.totalExact).toMatchObject({ type: 'boolean' });
    const ui = await api.get('/docs').expect(200);
    expect(ui.text).toContain('swagger-ui');
  });

  it('registers a citizen over HTTP and refuses a duplicate and a bad NIK as problems', async () => {
    const body = { nik: makeNik({ sequence: 4242 }), fullName: 'Rina Marpaung', email: 'rina@example.id', phone: '081277001122', password: 'Rahasia-Labura-9' };
    const created = await api.post('/api/v1/auth/register').send(body).expect(201);
    expect(created.body).toMatchObject({ fullName: 'Rina Marpaung', roles: ['citizen'], nik: `${body.nik.slice(0, 4)}**********${body.nik.slice(14)}` });
    expect(JSON.stringify(created.body)).not.toContain(body.password);

    const duplicate = await api.post('/api/v1/auth/register').send({ ...body, nik: makeNik({ sequence: 4243 }), phone: '081277001123' }).expect(409);
    expect(duplicate.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(duplicate.body).toMatchObject({ code: 'IDENTITY.EMAIL_TAKEN', title: 'Email sudah terdaftar', errors: [{ field: 'email' }] });

    const invalid = await api.post('/api/v1/auth/register').set('Accept-Language', 'en').send({ ...body, nik: '1223011705900000' }).expect(400);
    expect(invalid.body).toMatchObject({ code: 'IDENTITY.INVALID_NIK', title: 'Invalid NIK', errors: [{ field: 'nik' }] });

    const malformed = await api.post('/api/v1/auth/register').set('Content-Type', 'application/json').send('{"nik":').expect(400);
    expect(malformed.body).toMatchObject({ code: 'COMMON.MALFORMED_BODY' });
    const wrongType = await api.post('/api/v1/auth/register').set('Content-Type', 'text/plain').send('hello').expect(415);
    expect(wrongType.body).toMatchObject({ code: 'COMMON.UNSUPPORTED_MEDIA_TYPE' });
    // Refused from Content-Length alone; the client reads the answer while its upload is cut short
    // (sending all 2 MiB first raced the early answer: EPIPE on a loaded machine).
    const tooLarge = await announceOversized(`${system.gatewayUrl}/api/v1/auth/register`, { contentType: 'application/json', declaredBytes: 2 * 1024 * 1024, firstChunk: '{"fullName":"' });
    expect(tooLarge).toMatchObject({ status: 413, body: { code: 'COMMON.PAYLOAD_TOO_LARGE' } });
  });

  it('delivers live events to the example integrator script', async () => {
    const identityEnv = system.process('identity').env;
    const subscriber = spawn(
      process.execPath,
      [
        'docs/examples/subscribe-events.js',
        '--durable=e2e-example',
        `--filter=${identityEnv.EVENTS_SUBJECT_PREFIX}.identity.>`,
        `--since=${new Date().toISOString()}`,
        '--max=1',
      ],
      { cwd: REPO_ROOT, env: { PATH: process.env.PATH, NATS_URL: identityEnv.NATS_URL, EVENTS_STREAM: identityEnv.EVENTS_STREAM } },
    );
    let out = '';
    subscriber.stdout.on('data', (chunk) => (out += chunk));
    const exited = new Promise<number | null>((resolve) => subscriber.once('exit', resolve));

    const body = { nik: makeNik({ sequence: 4343 }), fullName: 'Andi Siregar', email: 'andi@example.id', phone: '081277003344', password: 'Rahasia-Labura-9' };
    const created = await api.post('/api/v1/auth/register').send(body).expect(201);
    expect(await exited).toBe(0);
    const events = out.trim().split('\n').map((line) => JSON.parse(line));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'identity.user.registered.v1', subject: created.body.id, data: { userId: created.body.id, roles: ['citizen'] } });
    expect(out).not.toContain(body.email);
    expect(out).not.toContain(body.nik);
  });

  it('answers 503 at once while a service is stopped, and recovers when it is back', async () => {
    const permits = system.process('permits');
    expect(await permits.stop('SIGTERM')).toBe(0);

    const started = Date.now();
    const down = await api.get('/api/v1/permit-types').expect(503);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(down.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(down.body).toMatchObject({ status: 503, code: 'COMMON.SERVICE_UNAVAILABLE' });
    expect(down.headers['retry-after']).toBeDefined();

    // Readiness shares one check a second (READINESS_SHARED_MS), so it says so within that second.
    const ready = await waitFor('readiness to answer 503', async () => {
      const res = await api.get('/health/ready');
      return res.status === 503 ? res : undefined;
    }, 3000);
    expect(Date.now() - started).toBeLessThan(2000 + 1000);
    expect(ready.body.error).toHaveProperty('permits');
    expect(ready.body.info).toHaveProperty('identity');
    // The other services keep working.
    await api.get('/api/v1/agencies').set('Authorization', admin).expect(200);

    await permits.start();
    await system.waitUntilReady();
    await api.get('/api/v1/permit-types').expect(200);
  });
});
