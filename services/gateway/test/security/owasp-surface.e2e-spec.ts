import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { TEST_PNG, TestSystem } from '@smart-regency/testing';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { NatsConnection } from 'nats';
import request from 'supertest';
import { AppModule } from '../../src/app.module';
import { loadGatewayConfig } from '../../src/config';
import { People } from '../support';
import { Canary, Databases, expectRefused, leaks, recording, Seen } from './owasp-support';

const PORTAL = 'https://portal.labura.go.id';
const PUBLIC_BASE_URL = 'https://layanan.labura.go.id';
/** DLH's name as an admin could type it: Open311 renders it into XML (API10). */
const HOSTILE_AGENCY_NAME = 'DLH <agency_responsible>x</agency_responsible> & "co" ]]> \'';

/**
 * OWASP API7 server side request forgery, API8 security misconfiguration, API9 improper inventory
 * management and API10 unsafe consumption of APIs, through the gateway. What system.e2e-spec
 * already checks (nosniff and CSP on one route, /metrics off the API port, CORS for one origin)
 * is not repeated.
 */
describe('OWASP API7, API8, API9, API10: the surface of the gateway', () => {
  let system: TestSystem;
  let api: ReturnType<typeof request>;
  const seen: Seen[] = [];
  const db = new Databases();
  const people = new People(9900);
  const { bearer, ids, agencies } = people;
  let apiKey: string;
  let clientId: string;
  /** Records any request: nothing a caller sends may make the system call it. */
  let canary: Canary;

  beforeAll(async () => {
    canary = await new Canary().open();
    system = await TestSystem.start({ gateway: { CORS_ORIGINS: PORTAL, PUBLIC_BASE_URL } });
    api = recording(system.gatewayUrl, seen);
    await db.open(system);
    await people.signIn(system);
    await people.add('ani');
    await people.add('dlh', { roles: ['officer'], agency: 'DLH' });
    // Before any Open311 answer: the gateway keeps agency names for 5 minutes.
    await api.patch(`/api/v1/agencies/${agencies.DLH}`).set('Authorization', bearer.admin).send({ name: HOSTILE_AGENCY_NAME }).expect(200);
    ({ clientSecret: apiKey, clientId } = (await api.post('/api/v1/service-accounts').set('Authorization', bearer.admin).send({ name: 'Kanal SMS', scopes: ['open311:write'] }).expect(201)).body);
  }, 120000);

  afterAll(async () => {
    await db.close();
    await system?.stop();
    await canary?.close();
  });

  describe('API7 server side request forgery', () => {
    // No route fetches a URL a caller gives (docs/security.md): files arrive as bodies, Open311's
    // media_url is ours to write and never read, PUBLIC_BASE_URL is configuration, and the only
    // outbound connections are PostgreSQL and NATS. The canary proves it for every place a URL can
    // be put today. Webhooks (issue 16) will be the first outbound HTTP: they must refuse loopback,
    // private, link-local and metadata addresses after resolving (and on the socket), follow no
    // redirects, time out and cap what they read; this test then gains a webhook aimed at the canary.
    it('calls no URL a caller puts in a body, a query, a header or a form, wherever it goes', async () => {
      const url = (tag: string) => `${canary.url}/${tag}`;
      await api.post('/api/v1/complaints').set('Authorization', bearer.ani).set('Referer', url('referer')).set('X-Forwarded-Host', new URL(canary.url).host).send({
        categoryCode: 'waste-environment',
        title: 'Lihat foto di tautan',
        description: `Foto: ${url('description')} dan ${url('description-2')}`,
        location: { lat: 2.5, lng: 99.6, address: url('address') },
        visibility: 'public',
      }).expect(201);
      await api.post('/api/v1/permit-applications').set('Authorization', bearer.ani).send({ permitTypeCode: 'REKLAME', formData: { billboardType: 'Baliho', address: url('form') } }).expect(201);
      await api.patch('/api/v1/me').set('Authorization', bearer.ani).send({ fullName: `Ani ${url('name')}`.slice(0, 120) }).expect(200);
      const open311 = await api
        .post('/open311/v2/requests.json')
        .type('form')
        .send({ api_key: apiKey, service_code: 'waste-environment', lat: '2.5', long: '99.6', description: `Lubang besar, foto ${url('open311')}`, media_url: url('media_url'), address_url: url('address_url') })
        .expect(201);
      expect(open311.body[0].service_request_id).toMatch(/^LPR-/);
      await api.post('/api/v1/complaint-categories').set('Authorization', bearer.admin).send({ code: 'tautan', name: 'Kategori tautan', description: url('category'), agencyId: agencies.DLH }).expect(201);
      const c = (await api.get('/api/v1/complaints').set('Authorization', bearer.ani).expect(200)).body.items[0];
      await api.post(`/api/v1/complaints/${c.id}/attachments?fileName=${encodeURIComponent('foto.png')}`).set('Authorization', bearer.ani).set('Content-Type', 'image/png').set('Content-Location', url('content-location')).send(TEST_PNG).expect(201);
      // Let any background work (events, reporting, jobs) run its course.
      await new Promise((r) => setTimeout(r, 1500));
      expect(canary.hits).toEqual([]);
    });
  });

  describe('API8 security misconfiguration', () => {
    it('sends the security headers on answers, errors and docs alike, and no product banner', async () => {
      const answers: Array<[string, request.Response]> = [
        ['a person', await api.get('/api/v1/me').set('Authorization', bearer.ani)],
        ['a catalogue', await api.get('/api/v1/permit-types')],
        ['no route', await api.get('/api/v1/nothing-here')],
        ['bad JSON', await api.post('/api/v1/complaints').set('Authorization', bearer.ani).set('Content-Type', 'application/json').send('{"oops"')],
        ['the docs', await api.get('/docs/openapi.json')],
        ['Open311', await api.get('/open311/v2/services.xml')],
      ];
      for (const [what, res] of answers) {
        const h = res.headers;
        expect({ what, status: res.status < 500, h: { nosniff: h['x-content-type-options'], frames: h['x-frame-options'], referrer: h['referrer-policy'], hsts: h['strict-transport-security'] } }).toEqual({
          what,
          status: true,
          h: { nosniff: 'nosniff', frames: 'SAMEORIGIN', referrer: 'no-referrer', hsts: expect.stringMatching(/max-age=\d{7,}/) },
        });
        expect(h['content-security-policy']).toMatch(/default-src 'self'.*frame-ancestors 'self'|frame-ancestors 'self'.*default-src 'self'/);
        expect(h['x-powered-by']).toBeUndefined();
        expect(h.server).toBeUndefined();
      }
    });

    it('tells every cache to keep no token and no answer about a person; a route with a policy of its own keeps it', async () => {
      const login = await api.post('/api/v1/auth/login').send({ identifier: 'ani@example.id', password: people.passwords.ani }).expect(200);
      const answers: Array<[string, request.Response]> = [
        ['sign-in', login],
        ['refresh', await api.post('/api/v1/auth/refresh').send({ refreshToken: login.body.refreshToken }).expect(200)],
        ['client credentials', await api.post('/api/v1/auth/token').type('form').send({ grant_type: 'client_credentials', client_id: clientId, client_secret: apiKey }).expect(200)],
        ['own account', await api.get('/api/v1/me').set('Authorization', bearer.ani).expect(200)],
        ['own complaints', await api.get('/api/v1/complaints').set('Authorization', bearer.ani).expect(200)],
        ['accounts', await api.get('/api/v1/users').set('Authorization', bearer.admin).expect(200)],
        ['audit trail', await api.get(`/api/v1/audit?subjectId=${ids.ani}`).set('Authorization', bearer.admin).expect(200)],
        ['a refusal', await api.get('/api/v1/users').set('Authorization', bearer.ani).expect(403)],
        ['no token', await api.get('/api/v1/me').expect(401)],
      ];
      for (const [what, res] of answers) expect({ what, cache: res.headers['cache-control'] }).toEqual({ what, cache: 'no-store' });
      const c = (await api.get('/api/v1/complaints').set('Authorization', bearer.ani).expect(200)).body.items[0];
      const [file] = (await api.get(`/api/v1/complaints/${c.id}/attachments`).set('Authorization', bearer.ani).expect(200)).body;
      expect((await api.get(`/api/v1/complaints/${c.id}/attachments/${file.id}`).set('Authorization', bearer.ani).expect(200)).headers['cache-control']).toBe('private, no-store');
      expect((await api.get(`/api/v1/public/complaints/${c.trackingNumber}/attachments/${file.id}`).expect(200)).headers['cache-control']).toBe('public, max-age=300');
    });

    it('answers CORS for the configured origin only, never with credentials, whatever the origin claims', async () => {
      const allowed = await api.get('/api/v1/permit-types').set('Origin', PORTAL).expect(200);
      expect(allowed.headers['access-control-allow-origin']).toBe(PORTAL);
      expect(allowed.headers.vary).toMatch(/Origin/);
      for (const origin of ['https://evil.example', 'null', `${PORTAL}.evil.example`, 'https://portal.labura.go.id:8443', 'http://portal.labura.go.id']) {
        const simple = await api.get('/api/v1/permit-types').set('Origin', origin);
        const preflight = await api.options('/api/v1/me').set('Origin', origin).set('Access-Control-Request-Method', 'PATCH').set('Access-Control-Request-Headers', 'authorization,content-type');
        for (const res of [simple, preflight]) {
          expect({ origin, allow: res.headers['access-control-allow-origin'], credentials: res.headers['access-control-allow-credentials'] }).toEqual({ origin, allow: undefined, credentials: undefined });
        }
      }
      expect(allowed.headers['access-control-allow-credentials']).toBeUndefined();
    });

    it("lets the configured origin's front end use every method and header the API takes, and no other header", async () => {
      for (const [method, path, headers] of [
        ['PATCH', '/api/v1/me', 'authorization,content-type'],
        ['DELETE', '/api/v1/me', 'authorization,content-type'],
        ['PUT', `/api/v1/permit-applications/${ids.ani}/documents/KTP`, 'authorization,content-type'],
        ['POST', `/api/v1/complaints/${ids.ani}/actions`, 'authorization,content-type,if-match,idempotency-key,x-request-id,accept-language'],
      ]) {
        const res = await api.options(path).set('Origin', PORTAL).set('Access-Control-Request-Method', method).set('Access-Control-Request-Headers', headers);
        const allowedMethods = String(res.headers['access-control-allow-methods'] ?? '').split(',').map((m) => m.trim());
        const allowedHeaders = String(res.headers['access-control-allow-headers'] ?? '').toLowerCase().split(',').map((h) => h.trim());
        expect({ method, status: res.status, origin: res.headers['access-control-allow-origin'], method_allowed: allowedMethods.includes(method) }).toEqual({ method, status: 204, origin: PORTAL, method_allowed: true });
        for (const header of headers.split(',')) expect({ method, header, allowed: allowedHeaders.includes(header) }).toEqual({ method, header, allowed: true });
      }
      const odd = await api.options('/api/v1/me').set('Origin', PORTAL).set('Access-Control-Request-Method', 'GET').set('Access-Control-Request-Headers', 'x-forwarded-for,x-actor');
      expect(String(odd.headers['access-control-allow-headers'] ?? '').toLowerCase()).not.toMatch(/x-forwarded-for|x-actor/);
    });

    it("builds Open311's links from configuration, never from a Host or X-Forwarded-Host a caller sends", async () => {
      const c = (await api.get('/api/v1/complaints').set('Authorization', bearer.ani).expect(200)).body.items[0];
      for (const headers of [{ Host: 'evil.example' }, { 'X-Forwarded-Host': 'evil.example', 'X-Forwarded-Proto': 'http' }, {}]) {
        const discovery = (await api.get('/open311/v2/discovery.json').set(headers).expect(200)).body;
        expect(discovery.endpoints[0].url).toBe(`${PUBLIC_BASE_URL}/open311/v2`);
        const [found] = (await api.get(`/open311/v2/requests.json?service_request_id=${c.trackingNumber}`).set(headers).expect(200)).body;
        expect(found.media_url).toMatch(new RegExp(`^${PUBLIC_BASE_URL}/api/v1/public/complaints/${c.trackingNumber}/attachments/[0-9a-f-]{36}$`));
        const xml = (await api.get('/open311/v2/discovery.xml').set(headers).expect(200)).text;
        expect(xml).not.toContain('evil.example');
      }
    });

    it('answers methods a route does not have with a problem, echoing nothing and changing nothing', async () => {
      const before = await db.fingerprint();
      const trace = await api.trace('/api/v1/me').set('Authorization', bearer.ani).set('X-Secret-Echo', 'gema-rahasia');
      expectRefused(trace, 404);
      expect(trace.text).not.toMatch(/gema-rahasia|Bearer/);
      for (const [method, path] of [
        ['put', '/api/v1/me'],
        ['delete', '/api/v1/permit-types/REKLAME'],
        ['delete', `/api/v1/users/${ids.ani}`],
        ['patch', '/api/v1/complaints'],
        ['put', `/api/v1/agencies/${agencies.DLH}`],
        ['delete', '/api/v1/complaint-categories/waste-environment'],
        ['post', '/api/v1/permit-types/REKLAME'],
      ] as const) {
        const res = await api[method](path).set('Authorization', bearer.admin).send({ name: 'x' });
        expect({ method, path, status: res.status, type: res.headers['content-type'] }).toEqual({ method, path, status: 404, type: expect.stringMatching(/^application\/problem\+json/) });
      }
      // HEAD is GET without a body.
      const head = await api.head('/api/v1/permit-types').expect(200);
      expect(head.text ?? '').toBe('');
      expect(await db.fingerprint()).toEqual(before);
    });

    it('never answers with a stack trace or an internal message, whatever it is sent', async () => {
      const en = (req: request.Test) => req.set('Accept-Language', 'en');
      const bad = [
        await en(api.post('/api/v1/auth/login').set('Content-Type', 'application/json').send('{"identifier": "x", "password": ')),
        await en(api.post('/api/v1/auth/login').set('Content-Type', 'application/json').send('{"identifier": {"$gt": ""}, "password": {"$ne": null}}')),
        await en(api.post('/api/v1/auth/login').set('Content-Type', 'application/xml').send('<login/>')),
        await en(api.get('/api/v1/complaints/not-a-uuid').set('Authorization', bearer.ani)),
        await en(api.get('/api/v1/complaints/%E0%A4%A').set('Authorization', bearer.ani)),
        await en(api.get(`/api/v1/calendar/${'9'.repeat(400)}`)),
        await en(api.get('/api/v1/public/complaints?from=2026-02-30T25:61:00Z')),
        await en(api.post(`/api/v1/permit-applications/${ids.ani}/actions`).set('Authorization', bearer.dlh).set('If-Match', '"1e999"').send({ action: 'verify' })),
        await en(api.post('/api/v1/complaints').set('Authorization', bearer.ani).send({ ...{ categoryCode: 'x'.repeat(41) }, title: 12, description: [], location: 'here', visibility: null })),
        await en(api.put(`/api/v1/permit-applications/${ids.ani}/documents/${'A'.repeat(41)}`).set('Authorization', bearer.ani).set('Content-Type', 'application/pdf').send(Buffer.from('%PDF-'))),
        await en(api.get('/api/v1/me').set('Authorization', 'Bearer a.b.c')),
        await en(api.get('/open311/v2/requests.json?start_date=kemarin')),
        await en(api.post('/open311/v2/requests.xml').type('form').send({ api_key: 'x'.repeat(5000) })),
      ];
      for (const [i, res] of bad.entries()) expect({ i, status: res.status >= 400 && res.status < 500 }).toEqual({ i, status: true });
      // Every answer above was scanned as it came: the last test of the suite reads them all.
    });

    it('answers a stopped service with 503 and words of its own, naming nothing inside (no subject, no bus error)', async () => {
      const stopped = ['reporting', 'complaints'] as const;
      for (const name of stopped) await system.process(name).stop();
      try {
        const rest = await api.get('/api/v1/reports/summary').set('Authorization', bearer.admin).set('Accept-Language', 'en');
        expectRefused(rest, 503, 'COMMON.SERVICE_UNAVAILABLE');
        expect(rest.body).toMatchObject({ title: 'Service unavailable', detail: 'Service unavailable' });
        const listed = await api.get('/api/v1/complaints').set('Authorization', bearer.ani).set('Accept-Language', 'en');
        expect({ status: listed.status, detail: listed.body.detail }).toEqual({ status: 503, detail: 'Service unavailable' });
        const open311 = await api.get('/open311/v2/requests.json');
        expect({ status: open311.status, body: open311.body }).toEqual({ status: 503, body: [{ code: 503, description: 'Service unavailable' }] });
      } finally {
        for (const name of stopped) await system.process(name).start();
        await system.waitUntilReady();
      }
    });
  });

  describe('API9 improper inventory management', () => {
    /** Every route the gateway's controllers declare: `METHOD /path/{param}`. */
    const servedRoutes = (): string[] => {
      const module = AppModule.forRoot(loadGatewayConfig({}), {} as NatsConnection);
      // Outside /api/v1, as app.ts sets the global prefix.
      const unprefixed = /^(health\/|\.well-known\/|open311\/)/;
      const routes: string[] = [];
      for (const controller of module.controllers ?? []) {
        const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
        for (const name of Object.getOwnPropertyNames(controller.prototype)) {
          const handler = controller.prototype[name];
          if (name === 'constructor' || typeof handler !== 'function' || Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
          const path = [base, String(Reflect.getMetadata(PATH_METADATA, handler))].filter((p) => p && p !== '/').join('/');
          const full = `/${unprefixed.test(path) ? '' : 'api/v1/'}${path}`.replace(/:([A-Za-z]+)/g, '{$1}');
          routes.push(`${RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler)]} ${full}`);
        }
      }
      return routes.sort();
    };
    /** Served on purpose without an entry in the OpenAPI document. */
    const UNDOCUMENTED = [
      // Probes for orchestration, not API: described in README (Operations).
      'GET /health/live',
      'GET /health/ready',
      // Open311 GeoReport v2 is its own published specification (wiki.open311.org/GeoReport_v2); docs/complaints.md lists what is served.
      'GET /open311/v2/{file}',
      'GET /open311/v2/{kind}/{file}',
      'POST /open311/v2/{file}',
    ];

    it('documents every route it serves in /docs/openapi.json, and documents none it does not serve', async () => {
      const served = servedRoutes();
      expect(served.length).toBeGreaterThan(40);
      const spec = (await api.get('/docs/openapi.json').expect(200)).body;
      const documented = Object.entries(spec.paths as Record<string, Record<string, unknown>>)
        .flatMap(([path, ops]) => Object.keys(ops).filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m)).map((m) => `${m.toUpperCase()} ${path}`))
        .sort();
      expect(served.filter((r) => !UNDOCUMENTED.includes(r))).toEqual(documented);
      for (const route of UNDOCUMENTED) expect(served).toContain(route);
    });

    it('answers no other version, no unversioned path and none of the usual leftovers', async () => {
      for (const path of [
        '/api/v0/permit-types',
        '/api/v2/permit-types',
        '/api/permit-types',
        '/permit-types',
        '/v1/permit-types',
        '/api/v1/../v0/permit-types',
        '/api/v1/admin',
        '/api/v1/internal/users',
        '/api/v1/debug',
        '/graphql',
        '/actuator/health',
        '/.env',
        '/.git/config',
        '/server-status',
        '/swagger.json',
        '/api-docs',
        '/api/v1/docs',
        '/metrics',
        '/open311/v1/discovery.json',
        '/open311/v3/discovery.json',
      ]) {
        const res = await api.get(path).set('Authorization', bearer.admin);
        expect({ path, status: res.status, type: res.headers['content-type'] }).toEqual({ path, status: 404, type: expect.stringMatching(/^application\/problem\+json/) });
      }
    });
  });

  describe('API10 unsafe consumption of APIs', () => {
    it("takes Open311 integrators' input only as far as it is valid: hostile values are GeoReport errors and file nothing", async () => {
      const before = await db.fingerprint();
      const post = (form: Record<string, string | string[]>) => api.post('/open311/v2/requests.json').type('form').send({ api_key: apiKey, service_code: 'waste-environment', lat: '2.5', long: '99.6', description: 'Jalan berlubang dekat pasar.', ...form });
      for (const [form, status] of [
        [{ lat: 'Infinity' }, 400],
        [{ lat: '1e400' }, 400],
        [{ long: 'NaN' }, 400],
        [{ lat: '91' }, 400],
        [{ lat: '' }, 400],
        [{ description: 'x'.repeat(4001) }, 400],
        [{ description: 'pendek' }, 400],
        [{ address_string: 'y'.repeat(301), lat: '', long: '' }, 400],
        [{ service_code: 'x'.repeat(500) }, 404],
        [{ service_code: '../../users' }, 404],
        [{ api_key: 'k'.repeat(64) }, 403],
        [{ description: 'Jalan berlubang\u0000 dekat pasar.' }, 400],
      ] as Array<[Record<string, string>, number]>) {
        const res = await post(form);
        expect({ form: Object.keys(form), status: res.status, body: res.body }).toEqual({ form: Object.keys(form), status, body: [{ code: status, description: expect.any(String) }] });
      }
      expect(await db.fingerprint()).toEqual(before);
    });

    it("renders identity's agency names and integrators' text into Open311 XML escaped: the document stays well-formed", async () => {
      const hostile = HOSTILE_AGENCY_NAME;
      const description = 'Got <![CDATA[ <x/> ]]> & </request><request> injected?';
      const created = await api.post('/open311/v2/requests.xml').type('form').send({ api_key: apiKey, service_code: 'waste-environment', lat: '2.5', long: '99.6', description }).expect(201);
      const id = new XMLParser().parse(created.text).service_requests.request.service_request_id;
      const xml = (await api.get(`/open311/v2/requests/${id}.xml`).expect(200)).text;
      expect(XMLValidator.validate(xml)).toBe(true);
      const request = new XMLParser({ parseTagValue: false, processEntities: true, htmlEntities: true }).parse(xml).service_requests.request;
      expect(request).toMatchObject({ service_request_id: id, description, agency_responsible: hostile });
      const json = (await api.get(`/open311/v2/requests/${id}.json`).expect(200)).body;
      expect(json[0]).toMatchObject({ description, agency_responsible: hostile });
    });
  });

  it('leaked no secret, hash, full NIK, stack trace or internal name in any answer it gave', () => {
    expect(seen.length).toBeGreaterThan(60);
    expect(leaks(seen)).toEqual([]);
  });
});
