import { RegencyCloudEvent } from '@smart-regency/contracts';
import { TestSystem } from '@smart-regency/testing';
import { parse } from 'csv-parse/sync';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { connect } from 'nats';
import request from 'supertest';
import { People } from './support';

const jakartaToday = () => new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10);

/** Reports through the gateway, fed by the events of real complaints. */
describe('reporting', () => {
  let system: TestSystem;
  let api: ReturnType<typeof request>;
  const people = new People(7000);
  const { bearer, agencies } = people;


  const file = (who: string, categoryCode: string) =>
    api
      .post('/api/v1/complaints')
      .set('Authorization', bearer[who])
      .send({ categoryCode, title: 'Laporan warga', description: 'Mohon ditindaklanjuti, terima kasih.', location: { lat: 2.578, lng: 99.618, district: 'Kualuh Hulu' }, visibility: 'public' })
      .expect(201);
  const act = (id: string, who: string, action: string, extra: Record<string, unknown> = {}) =>
    api.post(`/api/v1/complaints/${id}/actions`).set('Authorization', bearer[who]).send({ action, ...extra }).expect(200);
  const lastEvent = async (): Promise<{ seq: number; event: RegencyCloudEvent }> => {
    const env = system.process('reporting').env;
    const nc = await connect({ servers: env.NATS_URL });
    try {
      const jsm = await nc.jetstreamManager();
      const info = await jsm.streams.info(env.EVENTS_STREAM);
      return { seq: info.state.last_seq, event: (await jsm.streams.getMessage(env.EVENTS_STREAM, { seq: info.state.last_seq })).json() };
    } finally {
      await nc.close();
    }
  };
  const get = (path: string, who: string, accept?: string) => {
    const req = api.get(path).set('Authorization', bearer[who]);
    return accept ? req.set('Accept', accept) : req;
  };
  const records = (text: string) => parse(text, { columns: true }) as Array<Record<string, string>>;
  const figuresOf = (text: string) => Object.fromEntries(records(text).map((r) => [r.figure, r.value]));
  const csvText = (res: request.Response) => (typeof res.text === 'string' && res.text ? res.text : String(res.body));

  beforeAll(async () => {
    system = await TestSystem.start();
    api = request(system.gatewayUrl);
    await people.signIn(system);
    await people.add('sari');
    await people.add('kadis', { roles: ['agency_head'], agency: 'DLH' });
    await people.add('petugas', { roles: ['officer'], agency: 'DLH' });
    await people.add('inspektur', { roles: ['auditor'] });

    // One complaint for PUPR that waits, one for DLH answered, rated and counted in time.
    await file('sari', 'roads-bridges');
    const c = (await file('sari', 'waste-environment')).body;
    await act(c.id, 'admin', 'verify');
    await act(c.id, 'admin', 'dispose', { agencyId: agencies.DLH });
    await act(c.id, 'kadis', 'resolve', { note: 'Sudah diangkut.' });
    await api.post(`/api/v1/complaints/${c.id}/rating`).set('Authorization', bearer.sari).send({ score: 5 }).expect(200);
    // Reporting catches up with the stream on its own.
    const { event } = await lastEvent();
    for (let i = 0; i < 100; i++) {
      const res = await get('/api/v1/reports/summary', 'admin');
      if (res.status === 200 && res.body.asOf?.eventId === event.id) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 180000);

  afterAll(() => system?.stop());

  it('summarises the regency for admins and auditors, and says as of which event', async () => {
    const res = await get('/api/v1/reports/summary', 'inspektur').expect(200);
    const { seq, event } = await lastEvent();
    expect(event.type).toBe('complaints.complaint.rated.v1');
    expect(res.body.asOf).toEqual({ eventId: event.id, eventTime: event.time, streamSequence: seq });
    expect(res.body.complaints).toMatchObject({
      received: 2,
      byStatus: { received: 1, verified: 0, dispositioned: 0, in_progress: 0, resolved: 1, reopened: 0, closed: 0, rejected: 0 },
      resolved: 1,
      finished: 1,
      finishedWithinDeadline: 1,
      slaCompliancePct: 100,
      rated: 1,
      averageRating: 5,
    });
    expect(res.body.complaints.medianHandlingHours).toBeLessThan(0.1);
    expect(res.body.permits).toMatchObject({ submitted: 0, decided: 0, slaCompliancePct: null });
    expect((await get('/api/v1/reports/summary', 'admin').expect(200)).body).toEqual(res.body);
  });

  it("shows an agency head their own agency only; citizens, officers and strangers are refused", async () => {
    const own = await get('/api/v1/reports/summary', 'kadis').expect(200);
    expect(own.body.agencyId).toBe(agencies.DLH);
    expect(own.body.complaints).toMatchObject({ received: 1, resolved: 1 });
    const rows = await get('/api/v1/reports/agencies', 'kadis').expect(200);
    expect(rows.body.items.map((i: { agencyId: string }) => i.agencyId)).toEqual([agencies.DLH]);
    expect((await get(`/api/v1/reports/summary?agencyId=${agencies.PUPR}`, 'kadis').expect(403)).body.code).toBe('COMMON.FORBIDDEN');
    expect((await get('/api/v1/reports/summary', 'sari').expect(403)).headers['content-type']).toMatch(/application\/problem\+json/);
    await get('/api/v1/reports/timeseries?metric=complaints.received', 'petugas').expect(403);
    await api.get('/api/v1/reports/agencies').expect(401);
    const all = await get('/api/v1/reports/agencies', 'admin').expect(200);
    expect(all.body.items.map((i: { agencyId: string }) => i.agencyId).sort()).toEqual([agencies.DLH, agencies.PUPR].sort());
  });

  it('answers CSV with a header row, RFC 4180 line ends and the same figures', async () => {
    const summary = await get('/api/v1/reports/summary', 'admin', 'text/csv').expect(200);
    expect(summary.headers['content-type']).toMatch(/^text\/csv/);
    expect(summary.headers.vary).toMatch(/Accept/);
    const text = csvText(summary);
    expect(text.split('\r\n')[0]).toBe('figure,value');
    const figures = figuresOf(text);
    expect(figures).toMatchObject({ 'complaints.received': '2', 'complaints.byStatus.resolved': '1', 'complaints.averageRating': '5', 'permits.slaCompliancePct': '' });

    const table = records(csvText(await get('/api/v1/reports/agencies', 'admin', 'text/csv').expect(200)));
    expect(table).toHaveLength(2);
    const dlh = table.find((r) => r.agencyId === agencies.DLH);
    expect(dlh).toMatchObject({ 'complaints.received': '1', 'complaints.finishedWithinDeadline': '1', 'permits.submitted': '0' });

    const today = jakartaToday();
    const series = parse(csvText(await get(`/api/v1/reports/timeseries?metric=complaints.received&from=${today}&to=${today}`, 'admin', 'text/csv').expect(200)));
    expect(series).toEqual([
      ['period', 'complaints.received'],
      [today, '2'],
    ]);

    const open = await api.get('/api/v1/public/reports/summary').set('Accept', 'text/csv').expect(200);
    const openFigures = figuresOf(csvText(open));
    expect(openFigures).toMatchObject({ 'complaints.received': '2', 'complaints.open': '2', 'permits.submitted': '0' });
  });

  it('draws the time series as a well-formed SVG chart with axes, labels and a legend', async () => {
    const res = await get('/api/v1/reports/timeseries?metric=complaints.received&interval=day', 'admin', 'image/svg+xml').expect(200);
    expect(res.headers['content-type']).toMatch(/^image\/svg\+xml/);
    const svg = res.body instanceof Buffer ? res.body.toString() : res.text || String(res.body);
    expect(XMLValidator.validate(svg)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(svg).svg;
    expect(doc.xmlns).toBe('http://www.w3.org/2000/svg');
    expect(String(doc.title['#text'] ?? doc.title)).toContain('complaints.received per day');
    type Group = { class: string; text?: unknown; rect?: unknown };
    const groups: Record<string, Group> = Object.fromEntries((doc.g as Group[]).map((g) => [g.class, g]));
    const texts = (g: { text?: unknown }) => ([] as Array<{ '#text'?: unknown } | string>).concat((g.text as never) ?? []).map((t) => String(typeof t === 'object' ? t['#text'] : t));
    expect(texts(groups['y-axis'])).toEqual(expect.arrayContaining(['0', '2', 'complaints.received']));
    expect(texts(groups['x-axis'])).toEqual(expect.arrayContaining([jakartaToday(), 'day (Asia/Jakarta)']));
    expect(texts(groups.legend)).toEqual(['complaints.received']);
    // 30 days, one bar each; today's bar is the tallest.
    const bars = ([] as unknown[]).concat(groups.series.rect) as Array<{ height: string; title: string }>;
    expect(bars).toHaveLength(30);
    expect(bars.at(-1)!.title).toBe(`${jakartaToday()}: 2`);
    expect(Number(bars.at(-1)!.height)).toBeGreaterThan(0);
    expect(bars.slice(0, -1).every((b) => Number(b.height) === 0)).toBe(true);
  });

  it('refuses bad parameters with every bad field, and formats it does not offer', async () => {
    const bad = await get('/api/v1/reports/timeseries?metric=complaints.nope&interval=year&from=2026-13-01&agencyId=42', 'admin').expect(400);
    expect(bad.body.code).toBe('COMMON.VALIDATION');
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['agencyId', 'from', 'interval', 'metric']);
    const reversed = await get('/api/v1/reports/summary?from=2026-11-30&to=2026-11-01', 'admin').expect(400);
    expect(reversed.body.errors).toEqual([expect.objectContaining({ field: 'to' })]);
    expect((await get('/api/v1/reports/summary?colour=red', 'admin').expect(400)).body.errors[0].field).toBe('colour');
    const notOffered = await get('/api/v1/reports/summary', 'admin', 'image/svg+xml').expect(406);
    expect(notOffered.body.code).toBe('REPORTING.NOT_ACCEPTABLE');
    await get('/api/v1/reports/timeseries?metric=permits.issued', 'admin', 'application/xml').expect(406);
  });

  it('documents the routes and their formats in OpenAPI', async () => {
    const doc = (await api.get('/docs/openapi.json').expect(200)).body;
    for (const path of ['/api/v1/reports/summary', '/api/v1/reports/agencies', '/api/v1/reports/timeseries', '/api/v1/public/reports/summary']) {
      expect(Object.keys(doc.paths[path].get.responses['200'].content)).toEqual(expect.arrayContaining(['application/json', 'text/csv']));
    }
    expect(Object.keys(doc.paths['/api/v1/reports/timeseries'].get.responses['200'].content)).toContain('image/svg+xml');
    expect(doc.paths['/api/v1/reports/timeseries'].get.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['metric', 'interval', 'from', 'to', 'agencyId']));
  });
});
