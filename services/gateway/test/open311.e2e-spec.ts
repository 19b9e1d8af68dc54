import { makeNik, TEST_ADMIN, TestSystem } from '@smart-regency/testing';
import { XMLParser } from 'fast-xml-parser';
import { Client } from 'pg';
import request from 'supertest';

/** The fields GeoReport v2 gives every service request, in this order. */
const REQUEST_FIELDS = [
  'service_request_id',
  'status',
  'status_notes',
  'service_name',
  'service_code',
  'description',
  'agency_responsible',
  'service_notice',
  'requested_datetime',
  'updated_datetime',
  'expected_datetime',
  'address',
  'address_id',
  'zipcode',
  'lat',
  'long',
  'media_url',
];
const SERVICE_FIELDS = ['service_code', 'service_name', 'description', 'metadata', 'type', 'keywords', 'group'];
const W3C = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Contract tests written from the Open311 GeoReport v2 specification (wiki.open311.org/GeoReport_v2):
 * discovery, services, service definitions, service requests (GET with its filters, POST with an
 * api_key), a request by id, tokens, and errors as `[{ code, description }]` in JSON and XML.
 */
describe('Open311 GeoReport v2', () => {
  let system: TestSystem;
  let api: ReturnType<typeof request>;
  let admin: string;
  let citizen: string;
  let apiKey: string;
  let readerKey: string;
  const xml = new XMLParser({ parseTagValue: false });
  const form = (extra: Record<string, string>) => ({
    api_key: apiKey,
    service_code: 'roads-bridges',
    lat: '2.601',
    long: '99.642',
    description: 'Jembatan kayu di km 5 patah sebagian.',
    ...extra,
  });
  const post = (format: 'json' | 'xml', body: Record<string, string>) => api.post(`/open311/v2/requests.${format}`).type('form').send(body);
  const count = async () => {
    const db = new Client({ connectionString: system.process('complaints').env.DATABASE_URL });
    await db.connect();
    try {
      return (await db.query(`SELECT count(*)::int AS n FROM complaints`)).rows[0].n as number;
    } finally {
      await db.end();
    }
  };
  const complaintsDb = async (sql: string, params: unknown[]) => {
    const db = new Client({ connectionString: system.process('complaints').env.DATABASE_URL });
    await db.connect();
    try {
      await db.query(sql, params);
    } finally {
      await db.end();
    }
  };
  const ids = (body: Array<{ service_request_id: string }>) => body.map((r) => r.service_request_id);
  /** An error answer: the status, the content type of the format, and `[{ code: status, description }]`. */
  const expectError = (res: request.Response, status: number, format: 'json' | 'xml') => {
    expect(res.status).toBe(status);
    if (format === 'json') {
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body).toEqual([{ code: status, description: expect.any(String) }]);
      expect(res.body[0].description.length).toBeGreaterThan(5);
    } else {
      expect(res.headers['content-type']).toMatch(/^text\/xml/);
      expect(res.text).toMatch(/^<\?xml version="1.0" encoding="utf-8"\?>/i);
      expect(xml.parse(res.text).errors.error).toEqual({ code: String(status), description: expect.any(String) });
    }
    return res;
  };

  beforeAll(async () => {
    system = await TestSystem.start();
    api = request(system.gatewayUrl);
    admin = `Bearer ${await system.login(TEST_ADMIN.email, TEST_ADMIN.password)}`;
    apiKey = (await api.post('/api/v1/service-accounts').set('Authorization', admin).send({ name: 'SP4N-LAPOR! bridge', scopes: ['open311:write'] }).expect(201)).body.clientSecret;
    readerKey = (await api.post('/api/v1/service-accounts').set('Authorization', admin).send({ name: 'Dashboard', scopes: ['reports:read'] }).expect(201)).body.clientSecret;
    const password = 'Sandi-Laporan-Warga-77';
    await api
      .post('/api/v1/auth/register')
      .send({ nik: makeNik({ sequence: 9311 }), fullName: 'Warga Open311', email: 'open311@example.id', phone: '081293110001', password })
      .expect(201);
    citizen = `Bearer ${await system.login('open311@example.id', password)}`;
  }, 120000);

  afterAll(() => system?.stop());

  describe('service discovery', () => {
    it('names the v2 specification, this endpoint and both formats, in JSON and XML', async () => {
      const json = await api.get('/open311/v2/discovery.json').expect(200);
      expect(json.headers['content-type']).toMatch(/^application\/json/);
      expect(json.body).toMatchObject({ changeset: expect.stringMatching(W3C), contact: expect.any(String), key_service: expect.any(String) });
      expect(json.body.endpoints).toEqual([
        { specification: 'http://wiki.open311.org/GeoReport_v2', url: expect.stringMatching(/\/open311\/v2$/), changeset: expect.stringMatching(W3C), type: 'production', formats: ['application/json', 'text/xml'] },
      ]);
      const asXml = await api.get('/open311/v2/discovery.xml').expect(200);
      expect(asXml.headers['content-type']).toMatch(/^text\/xml; charset=utf-8/);
      const endpoint = xml.parse(asXml.text).discovery.endpoints.endpoint;
      expect(endpoint).toMatchObject({ specification: 'http://wiki.open311.org/GeoReport_v2', type: 'production' });
      expect(endpoint.formats.format).toEqual(['application/json', 'text/xml']);
    });
  });

  describe('services', () => {
    it('lists the complaint categories with every GeoReport field, in JSON and XML', async () => {
      const json = (await api.get('/open311/v2/services.json').expect(200)).body;
      expect(json).toHaveLength(11);
      for (const service of json) expect(Object.keys(service)).toEqual(SERVICE_FIELDS);
      expect(json.find((s: { service_code: string }) => s.service_code === 'roads-bridges')).toMatchObject({ service_name: 'Jalan dan jembatan', metadata: false, type: 'realtime' });
      const services = xml.parse((await api.get('/open311/v2/services.xml').expect(200)).text).services.service;
      expect(services).toHaveLength(11);
      expect(services.find((s: { service_code: string }) => s.service_code === 'roads-bridges')).toMatchObject({ service_name: 'Jalan dan jembatan', metadata: 'false', type: 'realtime' });
    });

    it('gives a service definition for a known code and 404 for an unknown one', async () => {
      expect((await api.get('/open311/v2/services/roads-bridges.json').expect(200)).body).toEqual({ service_code: 'roads-bridges', attributes: [] });
      const def = xml.parse((await api.get('/open311/v2/services/roads-bridges.xml').expect(200)).text).service_definition;
      expect(def.service_code).toBe('roads-bridges');
      expectError(await api.get('/open311/v2/services/no-such-service.json'), 404, 'json');
      expectError(await api.get('/open311/v2/services/no-such-service.xml'), 404, 'xml');
    });
  });

  describe('POST service request', () => {
    it('creates a request from lat/long or from address_string alone, answering its service_request_id', async () => {
      const created = await post('json', form({ address_string: 'Jl. Lintas Sumatera km 5' })).expect(201);
      expect(created.headers['content-type']).toMatch(/^application\/json/);
      expect(created.body).toEqual([{ service_request_id: expect.stringMatching(/^LPR-\d{4}-\d{6}$/), service_notice: '', account_id: '' }]);
      const id = created.body[0].service_request_id;
      const [shown] = (await api.get(`/open311/v2/requests/${id}.json`).expect(200)).body;
      expect(Object.keys(shown)).toEqual(REQUEST_FIELDS);
      expect(shown).toMatchObject({
        service_request_id: id,
        status: 'open',
        service_code: 'roads-bridges',
        service_name: 'Jalan dan jembatan',
        description: 'Jembatan kayu di km 5 patah sebagian.',
        agency_responsible: 'Dinas Pekerjaan Umum dan Penataan Ruang',
        address: 'Jl. Lintas Sumatera km 5',
        lat: 2.601,
        long: 99.642,
        requested_datetime: expect.stringMatching(W3C),
        updated_datetime: expect.stringMatching(W3C),
        expected_datetime: expect.stringMatching(W3C),
      });

      const addressOnly = await post('xml', form({ lat: '', long: '', address_string: 'Jembatan Aek Kanopan, Kualuh Hulu' })).expect(201);
      expect(addressOnly.headers['content-type']).toMatch(/^text\/xml/);
      const xmlId = xml.parse(addressOnly.text).service_requests.request.service_request_id;
      expect(xmlId).toMatch(/^LPR-\d{4}-\d{6}$/);
      const [placed] = (await api.get(`/open311/v2/requests/${xmlId}.json`).expect(200)).body;
      expect(placed).toMatchObject({ address: 'Jembatan Aek Kanopan, Kualuh Hulu', lat: '', long: '' });

      // The api_key may also come in the query string.
      const { api_key: key, ...rest } = form({});
      await api.post(`/open311/v2/requests.json?api_key=${encodeURIComponent(key)}`).type('form').send(rest).expect(201);
    });

    it('refuses bad keys (403), missing or invalid fields (400) and unknown services (404), creating nothing', async () => {
      const before = await count();
      const { api_key: _unused, ...keyless } = form({});
      expectError(await post('json', keyless), 403, 'json');
      expectError(await post('xml', form({ api_key: 'not-a-real-key-123456' })), 403, 'xml');
      expectError(await post('json', form({ api_key: readerKey })), 403, 'json');
      expect((expectError(await post('json', form({ service_code: '' })), 400, 'json')).body[0].description).toMatch(/service_code/);
      expect((expectError(await post('json', form({ lat: '', long: '' })), 400, 'json')).body[0].description).toMatch(/lat and long, or address_string/);
      expect((expectError(await post('json', form({ lat: '', long: '', address_id: '42' })), 400, 'json')).body[0].description).toMatch(/address_id/);
      expectError(await post('json', form({ long: '' })), 400, 'json');
      expectError(await post('xml', form({ lat: '95', long: '99.6' })), 400, 'xml');
      expectError(await post('json', form({ lat: 'north', long: '99.6' })), 400, 'json');
      expect((expectError(await post('json', form({ description: '' })), 400, 'json')).body[0].description).toMatch(/description/);
      expect((expectError(await post('json', form({ description: 'x'.repeat(4001) })), 400, 'json')).body[0].description).toMatch(/4000/);
      expectError(await post('json', form({ service_code: 'no-such-service' })), 404, 'json');
      expectError(await post('xml', form({ service_code: 'no-such-service' })), 404, 'xml');
      expectError(await api.post('/open311/v2/services.json').type('form').send(form({})), 404, 'json');
      expect(await count()).toBe(before);
    });
  });

  describe('GET service requests', () => {
    const made: Record<string, string> = {};
    let startedAt: string;

    beforeAll(async () => {
      startedAt = new Date(Date.now() - 1000).toISOString();
      made.road = (await post('json', form({})).expect(201)).body[0].service_request_id;
      made.waste = (await post('json', form({ service_code: 'waste-environment', description: 'Sampah menumpuk di pasar sejak seminggu.' })).expect(201)).body[0].service_request_id;
      made.rejected = (await post('json', form({ description: 'Laporan ganda tentang jembatan km 5.' })).expect(201)).body[0].service_request_id;
      made.old = (await post('json', form({ description: 'Jalan berlubang di depan sekolah sejak lama.' })).expect(201)).body[0].service_request_id;
      const file = (visibility: string) =>
        api
          .post('/api/v1/complaints')
          .set('Authorization', citizen)
          .send({ categoryCode: 'roads-bridges', title: 'Jalan rusak parah', description: 'Jalan desa rusak parah setelah hujan.', location: { lat: 2.61234, lng: 99.65678, address: 'Gang Melati 4' }, visibility })
          .expect(201);
      made.anonymous = (await file('anonymous')).body.trackingNumber;
      made.confidential = (await file('confidential')).body.trackingNumber;
      const rejected = (await api.get(`/api/v1/complaints?pageSize=100&categoryCode=roads-bridges`).set('Authorization', admin).expect(200)).body.items.find(
        (c: { trackingNumber: string }) => c.trackingNumber === made.rejected,
      );
      await api.post(`/api/v1/complaints/${rejected.id}/actions`).set('Authorization', admin).send({ action: 'reject', note: 'Ganda.' }).expect(200);
      await complaintsDb(`UPDATE complaints SET created_at = now() - interval '120 days' WHERE tracking_number = $1`, [made.old]);
    });

    it('lists the public and anonymous requests of the last 90 days by default, never confidential ones', async () => {
      const listed = ids((await api.get('/open311/v2/requests.json').expect(200)).body);
      expect(listed).toEqual(expect.arrayContaining([made.road, made.waste, made.rejected, made.anonymous]));
      expect(listed).not.toContain(made.confidential);
      expect(listed).not.toContain(made.old);
      const asXml = xml.parse((await api.get('/open311/v2/requests.xml').expect(200)).text).service_requests.request;
      expect(asXml.map((r: { service_request_id: string }) => r.service_request_id).sort()).toEqual([...listed].sort());
      for (const r of asXml) expect(Object.keys(r)).toEqual(expect.arrayContaining(['service_request_id', 'status', 'service_code', 'requested_datetime']));
    });

    it('filters by service_request_id (overriding every other filter), service_code, status and dates', async () => {
      const byId = ids((await api.get(`/open311/v2/requests.json?service_request_id=${made.road},${made.old},${made.confidential}&service_code=health&status=closed`).expect(200)).body);
      expect(byId.sort()).toEqual([made.road, made.old].sort());

      const roads = (await api.get('/open311/v2/requests.json?service_code=roads-bridges').expect(200)).body;
      expect(roads.every((r: { service_code: string }) => r.service_code === 'roads-bridges')).toBe(true);
      expect(ids(roads)).toEqual(expect.arrayContaining([made.road, made.rejected]));
      expect(ids(roads)).not.toContain(made.waste);
      const both = ids((await api.get('/open311/v2/requests.json?service_code=roads-bridges,waste-environment').expect(200)).body);
      expect(both).toEqual(expect.arrayContaining([made.road, made.waste]));

      const open = (await api.get('/open311/v2/requests.json?status=open').expect(200)).body;
      expect(open.every((r: { status: string }) => r.status === 'open')).toBe(true);
      expect(ids(open)).toContain(made.road);
      expect(ids(open)).not.toContain(made.rejected);
      const closed = (await api.get('/open311/v2/requests.json?status=closed').expect(200)).body;
      expect(closed.every((r: { status: string }) => r.status === 'closed')).toBe(true);
      expect(closed.find((r: { service_request_id: string }) => r.service_request_id === made.rejected)).toMatchObject({ status: 'closed', status_notes: '' });
      expect(ids((await api.get('/open311/v2/requests.json?status=open,closed').expect(200)).body)).toEqual(expect.arrayContaining([made.road, made.rejected]));

      const now = new Date(Date.now() + 1000).toISOString();
      const window = ids((await api.get(`/open311/v2/requests.json?start_date=${startedAt}&end_date=${now}`).expect(200)).body);
      expect(window).toEqual(expect.arrayContaining([made.road, made.waste, made.rejected]));
      expect(window).not.toContain(made.old);
      const longAgo = new Date(Date.now() - 200 * 86_400_000).toISOString();
      expect(ids((await api.get(`/open311/v2/requests.json?start_date=${longAgo}`).expect(200)).body)).toContain(made.old);
      expect(ids((await api.get(`/open311/v2/requests.json?end_date=${startedAt}`).expect(200)).body)).not.toContain(made.road);
      expect((await api.get(`/open311/v2/requests.json?start_date=${now}`).expect(200)).body).toEqual([]);
    });

    it('refuses malformed filters with 400 in the requested format', async () => {
      expectError(await api.get('/open311/v2/requests.json?start_date=yesterday'), 400, 'json');
      expectError(await api.get('/open311/v2/requests.xml?end_date=2026-13-45T00:00:00Z'), 400, 'xml');
      expectError(await api.get(`/open311/v2/requests.json?start_date=2026-11-02T00:00:00Z&end_date=2026-11-01T00:00:00Z`), 400, 'json');
      expectError(await api.get('/open311/v2/requests.json?status=pending'), 400, 'json');
    });

    it('shares an identical list for a moment (Cache-Control, Age), whatever the order of its parameters, and only that list', async () => {
      const query = 'service_code=waste-environment&status=open';
      const first = await api.get(`/open311/v2/requests.json?${query}`).expect(200);
      const sharedAt = Date.now();
      expect(first.headers['cache-control']).toBe('public, max-age=2');
      expect(Number(first.headers.age)).toBeGreaterThanOrEqual(0);
      expect(ids(first.body)).toContain(made.waste);
      // The request leaves the public list (confidential now); identical lists asked meanwhile are the shared answer.
      await complaintsDb(`UPDATE complaints SET visibility = 'confidential' WHERE tracking_number = $1`, [made.waste]);
      try {
        const again = await api.get('/open311/v2/requests.json?status=open&service_code=waste-environment').expect(200);
        if (Date.now() - sharedAt < 1500) expect(again.body).toEqual(first.body);
        // Another query (another format, another filter) is asked of complaints.
        expect(ids((await api.get(`/open311/v2/requests.json?${query}&start_date=${startedAt}`).expect(200)).body)).not.toContain(made.waste);
        const asXml = xml.parse((await api.get(`/open311/v2/requests.xml?${query}`).expect(200)).text).service_requests;
        expect(JSON.stringify(asXml)).not.toContain(made.waste);
        // A refused query is refused, never answered from a shared list.
        expectError(await api.get(`/open311/v2/requests.json?${query}&start_date=yesterday`), 400, 'json');
        // Once the answer has aged out, the list is asked again.
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, sharedAt + 2100 - Date.now())));
        expect(ids((await api.get(`/open311/v2/requests.json?${query}`).expect(200)).body)).not.toContain(made.waste);
      } finally {
        await complaintsDb(`UPDATE complaints SET visibility = 'public' WHERE tracking_number = $1`, [made.waste]);
      }
    });

    it('shows one request by id and by token, and 404 for an unknown or confidential one', async () => {
      const json = (await api.get(`/open311/v2/requests/${made.anonymous}.json`).expect(200)).body;
      expect(json).toHaveLength(1);
      expect(Object.keys(json[0])).toEqual(REQUEST_FIELDS);
      // Anonymous: the place is coarsened and the street address left out, so it cannot point to the reporter.
      expect(json[0]).toMatchObject({ service_request_id: made.anonymous, lat: 2.612, long: 99.657, address: '' });
      const one = xml.parse((await api.get(`/open311/v2/requests/${made.road}.xml`).expect(200)).text).service_requests.request;
      expect(one).toMatchObject({ service_request_id: made.road, status: 'open', service_code: 'roads-bridges', lat: '2.601', long: '99.642' });
      expect((await api.get(`/open311/v2/tokens/${made.road}.json`).expect(200)).body).toEqual([{ service_request_id: made.road, token: made.road }]);
      expect(xml.parse((await api.get(`/open311/v2/tokens/${made.road}.xml`).expect(200)).text).service_requests.request).toEqual({ service_request_id: made.road, token: made.road });
      for (const format of ['json', 'xml'] as const) {
        expectError(await api.get(`/open311/v2/requests/LPR-1999-000001.${format}`), 404, format);
        expectError(await api.get(`/open311/v2/requests/${made.confidential}.${format}`), 404, format);
        expectError(await api.get(`/open311/v2/tokens/${made.confidential}.${format}`), 404, format);
      }
    });
  });

  it('answers unknown resources and formats with 404 in the GeoReport error format', async () => {
    expectError(await api.get('/open311/v2/nothing.json'), 404, 'json');
    expectError(await api.get('/open311/v2/nothing.xml'), 404, 'xml');
    expectError(await api.get('/open311/v2/requests.txt'), 404, 'json');
    expectError(await api.get('/open311/v2/widgets/1.xml'), 404, 'xml');
  });

  it('lists every category past the first hundred, and knows the last one', async () => {
    const agencyId = (await api.get('/api/v1/complaint-categories').expect(200)).body.items[0].agencyId;
    const before = (await api.get('/open311/v2/services.json').expect(200)).body.length;
    for (let i = 0; i < 100; i++) {
      const code = `kategori-${String(i).padStart(3, '0')}`;
      await api.post('/api/v1/complaint-categories').set('Authorization', admin).send({ code, name: `Kategori ${i}`, description: 'Uji daftar panjang', agencyId }).expect(201);
    }
    const services = (await api.get('/open311/v2/services.json').expect(200)).body;
    expect(services).toHaveLength(before + 100);
    expect(services.map((s: { service_code: string }) => s.service_code)).toContain('kategori-099');
    expect((await api.get('/open311/v2/services/kategori-099.json').expect(200)).body).toEqual({ service_code: 'kategori-099', attributes: [] });
  });
});
