import { RegencyCloudEvent, SUBJECTS } from '@smart-regency/contracts';
import { TestRpc, TestSystem } from '@smart-regency/testing';
import { randomUUID } from 'crypto';
import { connect } from 'nats';
import request from 'supertest';
import { People } from './support';

/**
 * `POST /complaints/:id/forward-lapor` through the gateway: who may forward, the 202 and its ETag,
 * the refusals (403, 404, 409, 412, 400), the category that forwards on verification, and the
 * LAPOR! state the outcome leaves, shown to those who see the complaint and on no public route. The
 * notifications service's LAPOR! adapter is played over NATS by the test (its internal subjects).
 */
describe('forwarding complaints to SP4N-LAPOR!', () => {
  let system: TestSystem;
  let api: ReturnType<typeof request>;
  let adapter: TestRpc;
  const people = new People(8600);
  const { bearer, agencies } = people;

  const file = (who = 'ani', categoryCode = 'roads-bridges', visibility = 'public') =>
    api
      .post('/api/v1/complaints')
      .set('Authorization', bearer[who])
      .send({
        categoryCode,
        title: 'Jembatan gantung putus',
        description: 'Jembatan gantung di Desa Gunting Saga putus sejak banjir.',
        location: { lat: 2.578, lng: 99.618, district: 'Kualuh Selatan', address: 'Jl. Lintas Sumatera Km 12' },
        visibility,
      })
      .expect(201)
      .then((r) => r.body);
  const act = (id: string, who: string, action: string, extra: Record<string, unknown> = {}) =>
    api.post(`/api/v1/complaints/${id}/actions`).set('Authorization', bearer[who]).send({ action, ...extra }).expect(200).then((r) => r.body);
  const forward = (id: string, who?: string, body?: Record<string, unknown>, version?: number) => {
    const req = api.post(`/api/v1/complaints/${id}/forward-lapor`);
    if (who) req.set('Authorization', bearer[who]);
    if (version !== undefined) req.set('If-Match', `"${version}"`);
    return body ? req.send(body) : req;
  };
  const get = (id: string, who: string) => api.get(`/api/v1/complaints/${id}`).set('Authorization', bearer[who]);
  const eventsFor = async (subject: string): Promise<RegencyCloudEvent[]> => {
    const env = system.process('complaints').env;
    const nc = await connect({ servers: env.NATS_URL });
    try {
      const jsm = await nc.jetstreamManager();
      await new Promise((r) => setTimeout(r, 400));
      const info = await jsm.streams.info(env.EVENTS_STREAM);
      const out: RegencyCloudEvent[] = [];
      for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
        const e = (await jsm.streams.getMessage(env.EVENTS_STREAM, { seq })).json<RegencyCloudEvent>();
        if (e.subject === subject) out.push(e);
      }
      return out;
    } finally {
      await nc.close();
    }
  };
  /** A PUPR complaint the coordinator verified and disposed to PUPR. */
  const disposed = async (visibility = 'public') => {
    const c = await file('ani', 'roads-bridges', visibility);
    await act(c.id, 'admin', 'verify');
    return act(c.id, 'admin', 'dispose', { agencyId: agencies.PUPR });
  };

  beforeAll(async () => {
    system = await TestSystem.start({ complaints: { CITIZEN_FILINGS_PER_DAY: '1000' } });
    // The test plays the notifications service's LAPOR! adapter itself: the real one must not answer too.
    await system.process('notifications').stop();
    api = request(system.gatewayUrl);
    adapter = await TestRpc.connect(system.env.natsPrefix, system.env.actorSigningKey);
    await people.signIn(system);
    await people.add('ani');
    await people.add('beni');
    await people.add('kadisPupr', { roles: ['agency_head'], agency: 'PUPR' });
    await people.add('pupr', { roles: ['officer'], agency: 'PUPR' });
    await people.add('kadisDlh', { roles: ['agency_head'], agency: 'DLH' });
    await people.add('inspektur', { roles: ['auditor'] });
  }, 120000);

  afterAll(async () => {
    await adapter?.close();
    await system?.stop();
  });

  it("lets the head of the complaint's agency and a coordinator forward it; refuses everyone else without changing anything", async () => {
    const c = await disposed();
    await forward(c.id).expect(401);
    for (const who of ['ani', 'beni', 'pupr', 'inspektur']) expect((await forward(c.id, who).expect(403)).body.code).toBe('COMMON.FORBIDDEN');
    // Another agency's head does not see the complaint: 404, as for one that does not exist.
    expect((await forward(c.id, 'kadisDlh').expect(404)).body.code).toBe('COMPLAINTS.COMPLAINT_NOT_FOUND');
    expect((await forward(randomUUID(), 'admin').expect(404)).body.code).toBe('COMPLAINTS.COMPLAINT_NOT_FOUND');
    await forward('not-a-uuid', 'admin').expect(400);
    expect((await forward(c.id, 'kadisPupr', { note: 'x', priority: 'high' }).expect(400)).body.errors).toEqual([expect.objectContaining({ field: 'priority' })]);
    expect((await forward(c.id, 'kadisPupr', {}, c.version - 1).expect(412)).body.code).toBe('COMPLAINTS.VERSION_MISMATCH');
    expect((await get(c.id, 'admin').expect(200)).body).not.toHaveProperty('lapor');

    const res = await forward(c.id, 'kadisPupr', { note: 'Jembatan di jalan provinsi.' }, c.version).expect(202);
    expect(res.body).toMatchObject({ id: c.id, status: 'dispositioned', version: c.version + 1, lapor: { status: 'requested', requestedAt: expect.any(String) } });
    expect(res.headers.etag).toBe(`"${c.version + 1}"`);
    const again = await forward(c.id, 'admin').expect(409);
    expect(again.body).toMatchObject({ code: 'COMPLAINTS.LAPOR_ALREADY_FORWARDED', status: 409 });

    const events = (await eventsFor(c.id)).filter((e) => e.type.includes('lapor'));
    expect(events).toEqual([expect.objectContaining({ type: 'complaints.complaint.lapor_forward_requested.v1', data: { complaintId: c.id, agencyId: agencies.PUPR, requestedBy: 'agency_head', at: res.body.lapor.requestedAt } })]);

    // A coordinator forwards any complaint, without a body; a rejected one goes nowhere.
    const other = await file('beni');
    expect((await forward(other.id, 'admin').expect(202)).body.lapor.status).toBe('requested');
    const rejected = await file('beni');
    await act(rejected.id, 'admin', 'reject', { note: 'Di luar kewenangan.' });
    expect((await forward(rejected.id, 'admin').expect(409)).body.code).toBe('COMPLAINTS.INVALID_TRANSITION');
  });

  it('shows the outcome to the reporter and the handling staff, and nothing of it on public routes or Open311', async () => {
    const c = await disposed('anonymous');
    await forward(c.id, 'admin').expect(202);
    const [requested] = await eventsFor(c.id).then((events) => events.filter((e) => e.type === 'complaints.complaint.lapor_forward_requested.v1'));
    // The adapter asks what to send, then reports that SP4N-LAPOR! took it, twice (a retry).
    const report = await adapter.send(SUBJECTS.complaints.laporReport, { complaintId: c.id });
    expect(report).toMatchObject({ found: true, trackingNumber: c.trackingNumber, visibility: 'anonymous', agencyCode: 'PUPR', location: { lat: 2.578, lng: 99.618, district: 'Kualuh Selatan' } });
    expect(report.location).not.toHaveProperty('address');
    const outcome = { complaintId: c.id, requestEventId: requested.id, ok: true, laporId: 'LAPOR-2026-004242' };
    expect(await adapter.send(SUBJECTS.complaints.recordLaporForward, outcome)).toEqual({ applied: true });
    expect(await adapter.send(SUBJECTS.complaints.recordLaporForward, outcome)).toEqual({ applied: false });
    expect(await adapter.send(SUBJECTS.complaints.recordLaporUpdate, { complaintId: c.id, laporId: 'LAPOR-2026-004242', status: 'diproses', updatedAt: new Date().toISOString() })).toEqual({
      applied: true,
    });

    for (const who of ['ani', 'pupr', 'kadisPupr', 'admin', 'inspektur']) {
      expect((await get(c.id, who).expect(200)).body.lapor).toEqual({
        status: 'forwarded',
        laporId: 'LAPOR-2026-004242',
        remoteStatus: 'diproses',
        requestedAt: expect.any(String),
        forwardedAt: expect.any(String),
      });
    }
    const queue = (await api.get('/api/v1/complaints?pageSize=100').set('Authorization', bearer.pupr).expect(200)).body;
    expect(queue.items.find((x: { id: string }) => x.id === c.id).lapor).toMatchObject({ status: 'forwarded' });

    const publicBodies = [
      (await api.get(`/api/v1/public/complaints/${c.trackingNumber}`).expect(200)).text,
      (await api.get('/api/v1/public/complaints?pageSize=100').expect(200)).text,
      (await api.get(`/open311/v2/requests/${c.trackingNumber}.json`).expect(200)).text,
      (await api.get(`/open311/v2/requests/${c.trackingNumber}.xml`).expect(200)).text,
    ];
    for (const body of publicBodies) {
      expect(body).toContain(c.trackingNumber);
      expect(body).not.toMatch(/lapor|LAPOR-2026-004242|diproses/i);
    }
  });

  it('forwards complaints of a category set to do so when the coordinator verifies them', async () => {
    const patched = await api.patch('/api/v1/complaint-categories/transport').set('Authorization', bearer.admin).send({ forwardToLapor: true }).expect(200);
    expect(patched.body).toMatchObject({ code: 'transport', forwardToLapor: true, active: true });
    await api.patch('/api/v1/complaint-categories/transport').set('Authorization', bearer.kadisPupr).send({ forwardToLapor: false }).expect(403);
    const listed = (await api.get('/api/v1/complaint-categories?pageSize=100').expect(200)).body.items;
    expect(listed.find((x: { code: string }) => x.code === 'transport')).toMatchObject({ forwardToLapor: true });

    const c = await file('ani', 'transport');
    expect(c).not.toHaveProperty('lapor');
    const verified = await act(c.id, 'admin', 'verify');
    expect(verified).toMatchObject({ status: 'verified', version: 2, lapor: { status: 'requested' } });
    const types = (await eventsFor(c.id)).map((e) => [e.type, (e.data as { requestedBy?: string }).requestedBy]);
    expect(types).toEqual([
      ['complaints.complaint.received.v1', undefined],
      ['complaints.complaint.status_changed.v1', undefined],
      ['complaints.complaint.lapor_forward_requested.v1', 'category'],
    ]);
    expect((await forward(c.id, 'admin').expect(409)).body.code).toBe('COMPLAINTS.LAPOR_ALREADY_FORWARDED');
    await api.patch('/api/v1/complaint-categories/transport').set('Authorization', bearer.admin).send({ forwardToLapor: false }).expect(200);
  });

  it('documents the route and the LAPOR! state in OpenAPI', async () => {
    const spec = (await api.get('/docs/openapi.json').expect(200)).body;
    const route = spec.paths['/api/v1/complaints/{id}/forward-lapor'].post;
    expect(Object.keys(route.responses)).toEqual(expect.arrayContaining(['202', '403', '404', '409', '412']));
    expect(spec.components.schemas.ComplaintResponse.properties).toHaveProperty('lapor');
    expect(spec.components.schemas.LaporState.properties.status.enum).toEqual(['requested', 'forwarded', 'failed']);
    expect(spec.components.schemas.PublicComplaintResponse.properties).not.toHaveProperty('lapor');
  });
});
