import { RegencyCloudEvent } from '@smart-regency/contracts';
import { TestSystem, TEST_PDF as PDF } from '@smart-regency/testing';
import { createHash, randomUUID } from 'crypto';
import { connect } from 'nats';
import { Client } from 'pg';
import request from 'supertest';
import { announceOversized, People, workingDaysAgo } from './support';

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(700, 1)]);
/** Larger than what rides inline in a NATS message: travels through the JetStream object store. */
const BIG_JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(2 * 1024 * 1024, 7)]);
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const binary = (res: import('superagent').Response, done: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
};

/** Complaints through the gateway: lifecycle, deadlines, privacy, comments, ratings, attachments. */
describe('complaints', () => {
  let system: TestSystem;
  let api: ReturnType<typeof request>;
  const people = new People(8000);
  const { bearer, ids, agencies, passwords, personal: personalData } = people;
  /** NIK, full name, email and phone of each citizen: none may appear on a public route or in an event. */


  const complaintsDb = async (sql: string, params: unknown[] = []) => {
    const client = new Client({ connectionString: system.process('complaints').env.DATABASE_URL });
    await client.connect();
    try {
      return await client.query(sql, params);
    } finally {
      await client.end();
    }
  };
  const file = (who: string, visibility = 'public', overrides: Record<string, unknown> = {}) =>
    api
      .post('/api/v1/complaints')
      .set('Authorization', bearer[who])
      .send({
        categoryCode: 'waste-environment',
        title: 'Sampah menumpuk di pasar',
        description: 'Sampah di Pasar Aek Kanopan tidak diangkut sejak seminggu.',
        location: { lat: 2.578, lng: 99.618, district: 'Kualuh Hulu', village: 'Aek Kanopan', address: 'Jl. Pasar No. 3' },
        visibility,
        ...overrides,
      });
  const act = (id: string, who: string, action: string, extra: Record<string, unknown> = {}, version?: number) => {
    const req = api.post(`/api/v1/complaints/${id}/actions`).set('Authorization', bearer[who]);
    if (version !== undefined) req.set('If-Match', `"${version}"`);
    return req.send({ action, ...extra });
  };
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
  const waitUntil = async (what: string, probe: () => Promise<boolean>) => {
    for (let i = 0; i < 60; i++) {
      if (await probe()) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting for ${what}`);
  };

  beforeAll(async () => {
    // Ani files about 40 complaints here, beyond a citizen's daily limit (tested in limits.e2e-spec).
    system = await TestSystem.start({ complaints: { JOB_INTERVAL_MS: '300', CITIZEN_FILINGS_PER_DAY: '1000' } });
    api = request(system.gatewayUrl);
    await people.signIn(system);
    await people.add('ani');
    await people.add('beni');
    await people.add('dlh', { roles: ['officer'], agency: 'DLH' });
    await people.add('pupr', { roles: ['officer'], agency: 'PUPR' });
    await people.add('inspektur', { roles: ['auditor'] });
  }, 120000);

  afterAll(() => system?.stop());

  it('runs from filing to a rated, confirmed answer with the deadlines of each stage', async () => {
    const filed = (await file('ani').expect(201)).body;
    expect(filed).toMatchObject({ status: 'received', agencyId: agencies.DLH, visibility: 'public', reporterId: ids.ani });
    expect(filed.trackingNumber).toMatch(/^LPR-\d{4}-\d{6}$/);
    const verifyDue = new Date(filed.dueAt).getTime();
    expect(verifyDue).toBeGreaterThan(Date.now() + 2 * 86400_000); // 3 working days
    expect(new Date(filed.finalDueAt).getTime() - new Date(filed.createdAt).getTime()).toBeGreaterThan(59 * 86400_000);

    await act(filed.id, 'admin', 'verify', {}, 1).expect(200);
    const disposed = (await act(filed.id, 'admin', 'dispose', { agencyId: agencies.DLH }).expect(200)).body;
    expect(disposed.status).toBe('dispositioned');
    await act(filed.id, 'dlh', 'start').expect(200);
    const resolved = (await act(filed.id, 'dlh', 'resolve', { note: 'Sampah sudah diangkut pada hari Senin.' }).expect(200)).body;
    expect(resolved).toMatchObject({ status: 'resolved', answer: 'Sampah sudah diangkut pada hari Senin.' });
    const rated = (await api.post(`/api/v1/complaints/${filed.id}/rating`).set('Authorization', bearer.ani).send({ score: 5, comment: 'Cepat' }).expect(200)).body;
    expect(rated.rating).toBe(5);
    expect((await api.post(`/api/v1/complaints/${filed.id}/rating`).set('Authorization', bearer.ani).send({ score: 4 }).expect(409)).body.code).toBe('COMPLAINTS.ALREADY_RATED');
    expect((await act(filed.id, 'ani', 'confirm').expect(200)).body.status).toBe('closed');

    const events = await eventsFor(filed.id);
    expect(events.map((e) => e.type)).toEqual([
      'complaints.complaint.received.v1',
      'complaints.complaint.status_changed.v1',
      'complaints.complaint.status_changed.v1',
      'complaints.complaint.status_changed.v1',
      'complaints.complaint.status_changed.v1',
      'complaints.complaint.rated.v1',
      'complaints.complaint.status_changed.v1',
    ]);
    expect(events[0].data).toMatchObject({ complaintId: filed.id, categoryCode: 'waste-environment', agencyId: agencies.DLH, visibility: 'public', location: { lat: 2.578, lng: 99.618, district: 'Kualuh Hulu' } });
    expect(JSON.stringify(events)).not.toMatch(/Pelapor|example\.id|Jl\. Pasar|Aek Kanopan|\d{16}/);
  });

  it('refuses what the rules forbid', async () => {
    const c = (await file('ani').expect(201)).body;
    await api.get(`/api/v1/complaints/${c.id}`).set('Authorization', bearer.beni).expect(404);
    await api.get(`/api/v1/complaints/${c.id}`).set('Authorization', bearer.pupr).expect(404);
    expect((await act(c.id, 'dlh', 'verify').expect(403)).body.code).toBe('COMPLAINTS.NOT_ALLOWED');
    expect((await act(c.id, 'dlh', 'start').expect(409)).body.code).toBe('COMPLAINTS.INVALID_TRANSITION');
    expect((await act(c.id, 'admin', 'teleport').expect(400)).body.code).toBe('COMPLAINTS.UNKNOWN_ACTION');
    expect((await act(c.id, 'admin', 'verify', {}, 9).expect(412)).body.code).toBe('COMPLAINTS.VERSION_MISMATCH');
    await act(c.id, 'admin', 'verify').expect(200);
    await act(c.id, 'ani', 'dispose', { agencyId: agencies.PUPR }).expect(403);
    expect((await act(c.id, 'admin', 'dispose').expect(400)).body.code).toBe('COMPLAINTS.AGENCY_REQUIRED');
    await act(c.id, 'admin', 'dispose', { agencyId: agencies.PUPR }).expect(200);
    // Now PUPR handles it and DLH no longer sees it.
    await api.get(`/api/v1/complaints/${c.id}`).set('Authorization', bearer.dlh).expect(404);
    await act(c.id, 'dlh', 'resolve', { note: 'x' }).expect(404);
    expect((await act(c.id, 'pupr', 'resolve').expect(400)).body.code).toBe('COMPLAINTS.ANSWER_REQUIRED');
    expect((await api.post(`/api/v1/complaints/${c.id}/rating`).set('Authorization', bearer.ani).send({ score: 3 }).expect(409)).body.code).toBe('COMPLAINTS.NOT_RESOLVED');
    await act(c.id, 'pupr', 'resolve', { note: 'Ditangani.' }).expect(200);
    await api.post(`/api/v1/complaints/${c.id}/rating`).set('Authorization', bearer.ani).send({ score: 6 }).expect(400);
    // Reopening works within 10 working days of the answer (the 10th included), not after.
    expect((await act(c.id, 'ani', 'reopen').expect(200)).body.status).toBe('reopened');
    await act(c.id, 'pupr', 'resolve', { note: 'Ditangani lagi.' }).expect(200);
    await complaintsDb(`UPDATE complaints SET resolved_at = $2 WHERE id = $1`, [c.id, await workingDaysAgo(api, 10)]);
    expect((await act(c.id, 'ani', 'reopen').expect(200)).body.status).toBe('reopened');
    await act(c.id, 'pupr', 'resolve', { note: 'Ditangani sekali lagi.' }).expect(200);
    await complaintsDb(`UPDATE complaints SET resolved_at = $2 WHERE id = $1`, [c.id, await workingDaysAgo(api, 11)]);
    expect((await act(c.id, 'ani', 'reopen').expect(409)).body.code).toBe('COMPLAINTS.REOPEN_TOO_LATE');
    await api.get(`/api/v1/complaints/${randomUUID()}`).set('Authorization', bearer.admin).expect(404);
  });

  it('keeps anonymous reporters hidden and confidential complaints out of public view and events', async () => {
    const anon = (await file('ani', 'anonymous', { location: { lat: 2.57812, lng: 99.61849, district: 'Kualuh Hulu', village: 'Aek Kanopan', address: 'Jl. Pasar No. 3' } }).expect(201)).body;
    const secret = (await file('ani', 'confidential', { title: 'Pungutan liar di kantor desa' }).expect(201)).body;
    const publicList = (await api.get('/api/v1/public/complaints?pageSize=100').expect(200)).body;
    const numbers = publicList.items.map((c: { trackingNumber: string }) => c.trackingNumber);
    expect(publicList).toMatchObject({ total: publicList.items.length, totalExact: true });
    expect(numbers).toContain(anon.trackingNumber);
    expect(numbers).not.toContain(secret.trackingNumber);
    expect(JSON.stringify(publicList)).not.toMatch(new RegExp(`${ids.ani}|reporterId`));
    const listedAnon = publicList.items.find((c: { trackingNumber: string }) => c.trackingNumber === anon.trackingNumber);
    expect(listedAnon).not.toHaveProperty('address');
    expect(listedAnon).toMatchObject({ lat: 2.578, lng: 99.618 });
    await api.get(`/api/v1/public/complaints/${secret.trackingNumber}`).expect(404);
    const one = (await api.get(`/api/v1/public/complaints/${anon.trackingNumber}`).expect(200)).body;
    expect(one).toMatchObject({ trackingNumber: anon.trackingNumber, district: 'Kualuh Hulu' });
    expect(one).not.toHaveProperty('reporterId');

    // The handling agency and the coordinator know the reporter of an anonymous complaint; an auditor does not.
    expect((await api.get(`/api/v1/complaints/${anon.id}`).set('Authorization', bearer.dlh).expect(200)).body.reporterId).toBe(ids.ani);
    expect((await api.get(`/api/v1/complaints/${anon.id}`).set('Authorization', bearer.admin).expect(200)).body.reporterId).toBe(ids.ani);
    expect((await api.get(`/api/v1/complaints/${anon.id}`).set('Authorization', bearer.inspektur).expect(200)).body).not.toHaveProperty('reporterId');

    // Its event places it as the public list does (~110 m), never at the exact point.
    const [anonReceived] = await eventsFor(anon.id);
    expect(anonReceived.data).toMatchObject({ visibility: 'anonymous', location: { lat: listedAnon.lat, lng: listedAnon.lng, district: 'Kualuh Hulu' } });
    expect(JSON.stringify(anonReceived)).not.toMatch(/2\.57812|99\.61849|Jl\. Pasar/);

    const [received] = await eventsFor(secret.id);
    expect(received.type).toBe('complaints.complaint.received.v1');
    expect(received.data).toMatchObject({ visibility: 'confidential', location: { district: 'Kualuh Hulu' } });
    expect((received.data as { location: object }).location).toEqual({ district: 'Kualuh Hulu' });
    expect(JSON.stringify(received)).not.toMatch(/Pungutan|2\.578|99\.618|Aek Kanopan/);
  });

  it('escalates each missed deadline once and closes silent answers after 10 working days', async () => {
    const late = (await file('beni').expect(201)).body;
    await complaintsDb(`UPDATE complaints SET due_at = now() - interval '1 hour' WHERE id = $1`, [late.id]);
    await waitUntil('the escalation', async () => (await complaintsDb(`SELECT escalated_stages FROM complaints WHERE id = $1`, [late.id])).rows[0].escalated_stages.length > 0);
    const overdue = (await api.get('/api/v1/complaints?overdue=true').set('Authorization', bearer.dlh).expect(200)).body;
    expect(overdue.items.map((c: { id: string }) => c.id)).toContain(late.id);
    await complaintsDb(`UPDATE complaints SET final_due_at = now() - interval '1 hour' WHERE id = $1`, [late.id]);
    await waitUntil('the final escalation', async () => (await complaintsDb(`SELECT escalated_stages FROM complaints WHERE id = $1`, [late.id])).rows[0].escalated_stages.includes('final'));
    await new Promise((r) => setTimeout(r, 700));
    const escalations = (await eventsFor(late.id)).filter((e) => e.type === 'complaints.complaint.escalated.v1');
    expect(escalations.map((e) => (e.data as { stage: string }).stage)).toEqual(['verification', 'final']);

    const answered = (await file('beni').expect(201)).body;
    await act(answered.id, 'admin', 'verify').expect(200);
    await act(answered.id, 'admin', 'dispose', { agencyId: agencies.DLH }).expect(200);
    await act(answered.id, 'dlh', 'resolve', { note: 'Selesai.' }).expect(200);
    await complaintsDb(`UPDATE complaints SET due_at = now() - interval '1 minute' WHERE id = $1`, [answered.id]);
    await waitUntil('the auto-close', async () => (await api.get(`/api/v1/complaints/${answered.id}`).set('Authorization', bearer.beni)).body.status === 'closed');
  });

  it('refuses each party what is not theirs, and a refusal changes nothing', async () => {
    const c = (await file('ani').expect(201)).body;
    await api.get(`/api/v1/complaints/${c.id}`).expect(401);
    await act(c.id, 'ani', 'verify').expect(403);
    await act(c.id, 'inspektur', 'verify').expect(403);
    await act(c.id, 'dlh', 'reject').expect(403);
    await act(c.id, 'ani', 'confirm').expect(409);
    await act(c.id, 'admin', 'verify').expect(200);
    await act(c.id, 'dlh', 'dispose', { agencyId: agencies.DLH }).expect(403);
    await act(c.id, 'admin', 'dispose', { agencyId: agencies.DLH }).expect(200);
    // Wrong agency: PUPR does not even see it; DLH may not do the coordinator's part.
    await act(c.id, 'pupr', 'start').expect(404);
    await act(c.id, 'pupr', 'resolve', { note: 'Bukan kami.' }).expect(404);
    await act(c.id, 'dlh', 'close').expect(409);
    await act(c.id, 'admin', 'verify').expect(409);
    const started = (await act(c.id, 'dlh', 'start').expect(200)).body;
    // Stale If-Match: 412 and nothing moves.
    expect((await act(c.id, 'dlh', 'resolve', { note: 'Sudah.' }, started.version - 1).expect(412)).body.code).toBe('COMPLAINTS.VERSION_MISMATCH');
    expect((await api.get(`/api/v1/complaints/${c.id}`).set('Authorization', bearer.ani).expect(200)).body).toMatchObject({ status: 'in_progress', version: started.version });
    const resolved = (await act(c.id, 'dlh', 'resolve', { note: 'Sudah diangkut.' }, started.version).expect(200)).body;
    expect(resolved.version).toBe(started.version + 1);
    // Another citizen: the complaint does not exist for them.
    await act(c.id, 'beni', 'confirm').expect(404);
    await act(c.id, 'beni', 'reopen').expect(404);
    await api.post(`/api/v1/complaints/${c.id}/rating`).set('Authorization', bearer.beni).send({ score: 1 }).expect(404);
    // Only the reporter reopens, confirms and rates.
    expect((await act(c.id, 'admin', 'reopen').expect(403)).body.code).toBe('COMPLAINTS.NOT_ALLOWED');
    await act(c.id, 'dlh', 'confirm').expect(403);
    await api.post(`/api/v1/complaints/${c.id}/rating`).set('Authorization', bearer.dlh).send({ score: 5 }).expect(403);
    await api.post(`/api/v1/complaints/${c.id}/rating`).set('Authorization', bearer.admin).send({ score: 5 }).expect(403);
    expect((await api.get(`/api/v1/complaints/${c.id}`).set('Authorization', bearer.ani).expect(200)).body).toMatchObject({ status: 'resolved', version: resolved.version });
    expect((await complaintsDb(`SELECT rating FROM complaints WHERE id = $1`, [c.id])).rows[0].rating).toBeNull();
    // Reopen is possible up to the 10th working day after the answer; the coordinator closes.
    await complaintsDb(`UPDATE complaints SET resolved_at = $2 WHERE id = $1`, [c.id, await workingDaysAgo(api, 11)]);
    expect((await act(c.id, 'ani', 'reopen').expect(409)).body.code).toBe('COMPLAINTS.REOPEN_TOO_LATE');
    expect((await act(c.id, 'admin', 'close').expect(200)).body.status).toBe('closed');
    expect((await act(c.id, 'ani', 'reopen').expect(409)).body.code).toBe('COMPLAINTS.INVALID_TRANSITION');
    // Rating after the coordinator closed it is still the reporter's right, once.
    await api.post(`/api/v1/complaints/${c.id}/rating`).set('Authorization', bearer.ani).send({ score: 2 }).expect(200);
    await api.post(`/api/v1/complaints/${c.id}/rating`).set('Authorization', bearer.ani).send({ score: 3 }).expect(409);
    const history = (await complaintsDb(`SELECT action FROM complaint_history WHERE complaint_id = $1 ORDER BY seq`, [c.id])).rows.map((r) => r.action);
    expect(history).toEqual(['file', 'verify', 'dispose', 'start', 'resolve', 'close']);
  });

  it('shows no reporter, NIK, email or phone on any public route or in any event; confidential ones nowhere public and their events carry no text and no place finer than the district', async () => {
    const secretTexts = ['Kepala desa meminta uang', 'Pungutan liar 500 ribu setiap surat', 'Jl. Rahasia No. 9', 'Dusun Tersembunyi', 'Sudah ditegur oleh inspektorat', 'Terima kasih, tuntas', 'Ada bukti kuitansi'];
    const secret = (
      await file('ani', 'confidential', {
        title: secretTexts[0],
        description: secretTexts[1],
        location: { lat: 2.41234, lng: 99.51234, address: secretTexts[2], village: secretTexts[3], district: 'Kualuh Selatan' },
      }).expect(201)
    ).body;
    const anonTexts = ['Jl. Kenanga No. 12', 'Lampu jalan mati sebulan'];
    const anon = (
      await file('ani', 'anonymous', { title: 'Lampu jalan mati', description: anonTexts[1], location: { lat: 2.45678, lng: 99.54321, address: anonTexts[0], district: 'Kualuh Hulu' } }).expect(201)
    ).body;
    // The answer to an anonymous complaint is published (the public sees how the regency responds); comments and rating remarks are not.
    const answers: Record<string, string> = { [secret.id]: secretTexts[4], [anon.id]: 'Lampu sudah diganti' };
    for (const c of [secret, anon]) {
      await api.post(`/api/v1/complaints/${c.id}/comments`).set('Authorization', bearer.ani).send({ body: secretTexts[6] }).expect(201);
      await act(c.id, 'admin', 'verify', { note: secretTexts[6] }).expect(200);
      await act(c.id, 'admin', 'dispose', { agencyId: agencies.DLH }).expect(200);
      await act(c.id, 'dlh', 'resolve', { note: answers[c.id] }).expect(200);
      await api.post(`/api/v1/complaints/${c.id}/rating`).set('Authorization', bearer.ani).send({ score: 4, comment: secretTexts[5] }).expect(200);
      await act(c.id, 'ani', 'reopen').expect(200);
      await complaintsDb(`UPDATE complaints SET due_at = now() - interval '1 hour', final_due_at = now() - interval '1 hour' WHERE id = $1`, [c.id]);
    }
    await waitUntil('both escalations', async () => (await complaintsDb(`SELECT count(*)::int AS n FROM complaints WHERE id = ANY($1) AND 'final' = ANY(escalated_stages)`, [[secret.id, anon.id]])).rows[0].n === 2);

    const identity = [ids.ani, ...personalData.ani];
    const never = (text: string, extra: string[] = []) => {
      for (const value of [...identity, ...extra]) expect(text).not.toContain(value);
      expect(text).not.toMatch(/\b\d{16}\b|@example\.id|\b08\d{8,}\b|reporterId|reporter_id/);
    };

    // Every public route, in every format.
    const publicBodies = [
      (await api.get('/api/v1/public/complaints?pageSize=100').expect(200)).text,
      (await api.get('/api/v1/public/complaints?pageSize=100&district=Kualuh%20Selatan').expect(200)).text,
      (await api.get(`/api/v1/public/complaints/${anon.trackingNumber}`).expect(200)).text,
      (await api.get('/open311/v2/requests.json').expect(200)).text,
      (await api.get('/open311/v2/requests.xml').expect(200)).text,
      (await api.get(`/open311/v2/requests/${anon.trackingNumber}.json`).expect(200)).text,
      (await api.get(`/open311/v2/requests/${anon.trackingNumber}.xml`).expect(200)).text,
      (await api.get(`/open311/v2/tokens/${anon.trackingNumber}.json`).expect(200)).text,
      (await api.get(`/open311/v2/requests.json?service_request_id=${secret.trackingNumber},${anon.trackingNumber}`).expect(200)).text,
    ];
    for (const body of publicBodies) never(body, [...secretTexts, secret.trackingNumber, '2.41234', '99.51234', anonTexts[0], '2.45678', '99.54321']);
    expect(publicBodies[0]).toContain(anon.trackingNumber);
    expect(publicBodies[2]).toContain(answers[anon.id]);
    await api.get(`/api/v1/public/complaints/${secret.trackingNumber}`).expect(404);
    await api.get(`/open311/v2/requests/${secret.trackingNumber}.json`).expect(404);
    await api.get(`/open311/v2/tokens/${secret.trackingNumber}.xml`).expect(404);

    // Every event of both complaints: received, status changes, comments, rating, escalations.
    const events = [...(await eventsFor(secret.id)), ...(await eventsFor(anon.id))];
    expect(new Set(events.map((e) => e.type))).toEqual(
      new Set([
        'complaints.complaint.received.v1',
        'complaints.complaint.status_changed.v1',
        'complaints.complaint.commented.v1',
        'complaints.complaint.rated.v1',
        'complaints.complaint.escalated.v1',
      ]),
    );
    for (const e of events) never(JSON.stringify(e), [...secretTexts, ...anonTexts, answers[anon.id], 'Lampu jalan mati', '2.41234', '99.51234']);
    const secretReceived = events.find((e) => e.subject === secret.id && e.type === 'complaints.complaint.received.v1')!;
    expect((secretReceived.data as { location: unknown }).location).toEqual({ district: 'Kualuh Selatan' });
  });

  it('keeps a comment thread for the reporter, the assigned agency and coordinators only', async () => {
    const c = (await file('ani').expect(201)).body;
    await api.post(`/api/v1/complaints/${c.id}/comments`).set('Authorization', bearer.ani).send({ body: 'Mohon segera ditindaklanjuti.' }).expect(201);
    await api.post(`/api/v1/complaints/${c.id}/comments`).set('Authorization', bearer.dlh).send({ body: 'Tim akan datang besok.' }).expect(201);
    await api.post(`/api/v1/complaints/${c.id}/comments`).set('Authorization', bearer.beni).send({ body: 'Saya juga!' }).expect(404);
    await api.get(`/api/v1/complaints/${c.id}/comments`).set('Authorization', bearer.pupr).expect(404);
    const thread = (await api.get(`/api/v1/complaints/${c.id}/comments`).set('Authorization', bearer.admin).expect(200)).body;
    expect(thread.map((t: { authorRole: string; body: string }) => [t.authorRole, t.body])).toEqual([
      ['citizen', 'Mohon segera ditindaklanjuti.'],
      ['officer', 'Tim akan datang besok.'],
    ]);
  });

  it('validates a forwarded body once, in the service, with the same 400 (filing and a permit draft)', async () => {
    // The gateway passes these bodies on whole (ForwardedBody); the owning service validates them.
    const empty = await api.post('/api/v1/complaints').set('Authorization', bearer.ani).send({}).expect(400);
    expect(empty.body).toMatchObject({ code: 'COMMON.VALIDATION' });
    expect(empty.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['categoryCode', 'description', 'location', 'title', 'visibility']);
    const extra = await file('ani', 'public', { reporterId: ids.beni }).expect(400);
    expect(extra.body.errors.map((e: { field: string }) => e.field)).toEqual(['reporterId']);
    await api.post('/api/v1/complaints').set('Authorization', bearer.ani).set('content-type', 'application/json').send('[1, 2]').expect(400);
    const draft = await api.post('/api/v1/permit-applications').set('Authorization', bearer.ani).send({ formData: {} }).expect(400);
    expect(draft.body).toMatchObject({ code: 'COMMON.VALIDATION' });
    expect(draft.body.errors.map((e: { field: string }) => e.field)).toEqual(['permitTypeCode']);
    // Roles are still the gateway's: staff cannot file, whatever the body.
    await api.post('/api/v1/complaints').set('Authorization', bearer.dlh).send({}).expect(403);
    // The OpenAPI document still describes both bodies.
    const spec = (await api.get('/docs/openapi.json').expect(200)).body;
    expect(spec.paths['/api/v1/complaints'].post.requestBody.content['application/json'].schema.$ref).toBe('#/components/schemas/FileComplaintRequest');
    expect(spec.paths['/api/v1/permit-applications'].post.requestBody.content['application/json'].schema.$ref).toBe('#/components/schemas/CreateApplicationRequest');
  });

  it('validates filings and lists each role its own', async () => {
    const bad = await file('ani', 'public', { location: { lat: 123, lng: 99 }, visibility: 'secret' }).expect(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['location.lat', 'visibility']);
    await file('ani', 'public', { categoryCode: 'nope' }).expect(404);
    // A place is lat and lng together, or an address alone.
    expect((await file('ani', 'public', { location: { lat: 2.5 } }).expect(400)).body.errors.map((e: { field: string }) => e.field)).toEqual(['location.lng']);
    expect((await file('ani', 'public', { location: { lng: 99.6, address: 'Jl. Sisingamangaraja 12' } }).expect(400)).body.errors.map((e: { field: string }) => e.field)).toEqual(['location.lat']);
    await file('ani', 'public', { location: {} }).expect(400);
    const placed = (await file('ani', 'public', { location: { address: 'Pasar Aek Kanopan, los 3' } }).expect(201)).body;
    expect((await api.get(`/api/v1/public/complaints/${placed.trackingNumber}`).expect(200)).body).toMatchObject({ address: 'Pasar Aek Kanopan, los 3' });
    expect((await api.get(`/api/v1/public/complaints/${placed.trackingNumber}`).expect(200)).body).not.toHaveProperty('lat');
    await file('dlh').expect(403);
    const mine = (await api.get('/api/v1/complaints?pageSize=100').set('Authorization', bearer.beni).expect(200)).body;
    expect(mine.items.every((c: { reporterId: string }) => c.reporterId === ids.beni)).toBe(true);
    const queue = (await api.get('/api/v1/complaints?pageSize=100').set('Authorization', bearer.dlh).expect(200)).body;
    expect(queue.items.every((c: { agencyId: string }) => c.agencyId === agencies.DLH)).toBe(true);
    expect(queue).toMatchObject({ total: queue.items.length, totalExact: true });
    const key = `k-${randomUUID()}`;
    const first = await file('beni').set('Idempotency-Key', key).expect(201);
    const retry = await file('beni').set('Idempotency-Key', key).expect(201);
    expect(retry.body.id).toBe(first.body.id);
  });

  describe('attachments', () => {
    const upload = (id: string, who: string, type: string, body: Buffer, query = '') =>
      api.post(`/api/v1/complaints/${id}/attachments${query}`).set('Authorization', bearer[who]).set('Content-Type', type).send(body);
    const download = (path: string, who?: string) => {
      const req = api.get(path).buffer(true).parse(binary);
      return who ? req.set('Authorization', bearer[who]) : req;
    };
    const attachmentRows = async (id: string) => (await complaintsDb(`SELECT size, sha256 FROM complaint_attachments WHERE complaint_id = $1 ORDER BY uploaded_at`, [id])).rows;

    it('takes photos and PDFs from the reporter and the handling staff, sniffed, hashed and given back to those who may see them', async () => {
      const c = (await file('ani').expect(201)).body;
      const photo = (await upload(c.id, 'ani', 'image/png', PNG, '?fileName=sampah.png').expect(201)).body;
      expect(photo).toMatchObject({ contentType: 'image/png', size: PNG.length, sha256: sha256(PNG), fileName: 'sampah.png', uploaderRole: 'citizen' });
      const big = (await upload(c.id, 'dlh', 'image/jpeg', BIG_JPEG).expect(201)).body;
      expect(big).toMatchObject({ contentType: 'image/jpeg', size: BIG_JPEG.length, sha256: sha256(BIG_JPEG), uploaderRole: 'officer' });
      await upload(c.id, 'admin', 'application/pdf', PDF).expect(201);
      expect(await attachmentRows(c.id)).toEqual([
        { size: PNG.length, sha256: sha256(PNG) },
        { size: BIG_JPEG.length, sha256: sha256(BIG_JPEG) },
        { size: PDF.length, sha256: sha256(PDF) },
      ]);

      for (const who of ['ani', 'dlh', 'admin', 'inspektur']) {
        const back = await download(`/api/v1/complaints/${c.id}/attachments/${big.id}`, who).expect(200);
        expect(back.headers['content-type']).toBe('image/jpeg');
        expect(back.headers.digest).toBe(`sha-256=${Buffer.from(sha256(BIG_JPEG), 'hex').toString('base64')}`);
        expect(sha256(back.body)).toBe(sha256(BIG_JPEG));
      }
      const listed = (await api.get(`/api/v1/complaints/${c.id}/attachments`).set('Authorization', bearer.dlh).expect(200)).body;
      expect(listed.map((a: { id: string }) => a.id)).toEqual([photo.id, big.id, expect.any(String)]);
      // Another citizen and another agency do not learn that the complaint or its files exist.
      await download(`/api/v1/complaints/${c.id}/attachments/${photo.id}`, 'beni').expect(404);
      await download(`/api/v1/complaints/${c.id}/attachments/${photo.id}`, 'pupr').expect(404);
      await api.get(`/api/v1/complaints/${c.id}/attachments`).set('Authorization', bearer.beni).expect(404);
      await upload(c.id, 'beni', 'image/png', PNG).expect(404);
      await upload(c.id, 'pupr', 'image/png', PNG).expect(404);
      // An auditor reads but does not add.
      expect((await upload(c.id, 'inspektur', 'image/png', PNG).expect(403)).body.code).toBe('COMPLAINTS.NOT_ALLOWED');
      expect((await download(`/api/v1/complaints/${c.id}/attachments/${randomUUID()}`, 'ani').expect(404)).body.toString()).toMatch(/COMPLAINTS.ATTACHMENT_NOT_FOUND/);
    });

    it('refuses wrong types, oversized and empty files with a clear status, and keeps what was there', async () => {
      const c = (await file('ani').expect(201)).body;
      await upload(c.id, 'ani', 'application/pdf', PDF).expect(201);
      const mismatch = await upload(c.id, 'ani', 'image/png', PDF).expect(415);
      expect(mismatch.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(mismatch.body.code).toBe('COMPLAINTS.CONTENT_MISMATCH');
      expect((await upload(c.id, 'ani', 'image/jpeg', Buffer.from('GIF89a not a jpeg at all')).expect(415)).body.code).toBe('COMPLAINTS.CONTENT_MISMATCH');
      expect((await upload(c.id, 'ani', 'image/gif', Buffer.from('GIF89a')).expect(415)).body.code).toBe('COMMON.UNSUPPORTED_MEDIA_TYPE');
      expect((await upload(c.id, 'ani', 'image/png', Buffer.alloc(0)).expect(400)).body.code).toBe('COMMON.VALIDATION');
      expect((await upload(c.id, 'ani', 'image/png', PNG, '?fileName=../../etc/passwd').expect(400)).body.errors[0].field).toBe('fileName');
      const tooLarge = await announceOversized(`${system.gatewayUrl}/api/v1/complaints/${c.id}/attachments`, { contentType: 'image/png', authorization: bearer.ani, declaredBytes: 10 * 1024 * 1024 + 1, firstChunk: PNG });
      expect(tooLarge).toMatchObject({ status: 413, body: { code: 'COMMON.PAYLOAD_TOO_LARGE' } });
      expect(await attachmentRows(c.id)).toEqual([{ size: PDF.length, sha256: sha256(PDF) }]);
      // Exactly 10 MiB is allowed.
      const tenMiB = Buffer.concat([PDF.subarray(0, 9), Buffer.alloc(10 * 1024 * 1024 - 9, 0x20)]);
      expect((await upload(c.id, 'ani', 'application/pdf', tenMiB).expect(201)).body.size).toBe(10 * 1024 * 1024);
      for (let i = 2; i < 10; i++) await upload(c.id, 'ani', 'image/png', PNG).expect(201);
      expect((await upload(c.id, 'ani', 'image/png', PNG).expect(409)).body.code).toBe('COMPLAINTS.TOO_MANY_ATTACHMENTS');
      expect(await attachmentRows(c.id)).toHaveLength(10);

      const closed = (await file('ani').expect(201)).body;
      await act(closed.id, 'admin', 'reject', { note: 'Bukan kewenangan pemerintah kabupaten.' }).expect(200);
      expect((await upload(closed.id, 'ani', 'image/png', PNG).expect(409)).body.code).toBe('COMPLAINTS.ATTACHMENTS_LOCKED');
    });

    it("erases what a citizen uploaded when they erase their account, and keeps an address-only place free of coordinates", async () => {
      await people.add('cici');
      const pub = (await file('cici').expect(201)).body;
      const placed = (await file('cici', 'public', { location: { address: 'Pasar Aek Kanopan, los 7', district: 'Kualuh Hulu' } }).expect(201)).body;
      await upload(pub.id, 'cici', 'image/png', PNG).expect(201);
      const staffCopy = (await upload(pub.id, 'dlh', 'image/png', PNG).expect(201)).body;
      const other = (await upload(placed.id, 'cici', 'application/pdf', PDF).expect(201)).body;
      await api.delete('/api/v1/me').set('Authorization', bearer.cici).send({ password: passwords.cici }).expect(202);
      await waitUntil('the erasure in complaints', async () => (await complaintsDb(`SELECT count(*)::int AS n FROM complaint_attachments WHERE uploaded_by = $1`, [ids.cici])).rows[0].n === 0);
      // The staff's copy of the same bytes stays; the reporter's own file is gone with its bytes.
      expect((await api.get(`/api/v1/complaints/${pub.id}/attachments`).set('Authorization', bearer.dlh).expect(200)).body.map((a: { id: string }) => a.id)).toEqual([staffCopy.id]);
      await download(`/api/v1/complaints/${pub.id}/attachments/${staffCopy.id}`, 'dlh').expect(200);
      await download(`/api/v1/complaints/${placed.id}/attachments/${other.id}`, 'admin').expect(404);
      expect((await complaintsDb(`SELECT count(*)::int AS n FROM complaint_blobs WHERE key LIKE $1`, [`complaints/${placed.id}/%`])).rows[0].n).toBe(0);
      const [row] = (await complaintsDb(`SELECT location FROM complaints WHERE id = $1`, [placed.id])).rows;
      expect(row.location).toEqual({ district: 'Kualuh Hulu' });
    });

    it('publishes the files of public complaints only, never of anonymous or confidential ones', async () => {
      const pub = (await file('beni').expect(201)).body;
      const anon = (await file('beni', 'anonymous').expect(201)).body;
      const secret = (await file('beni', 'confidential').expect(201)).body;
      const files: Record<string, string> = {};
      for (const c of [pub, anon, secret]) files[c.id] = (await upload(c.id, 'beni', 'image/png', PNG).expect(201)).body.id;

      const shown = (await api.get(`/api/v1/public/complaints/${pub.trackingNumber}`).expect(200)).body;
      expect(shown.attachments).toEqual([expect.objectContaining({ id: files[pub.id], contentType: 'image/png', sha256: sha256(PNG) })]);
      expect(JSON.stringify(shown.attachments)).not.toContain(ids.beni);
      const back = await download(`/api/v1/public/complaints/${pub.trackingNumber}/attachments/${files[pub.id]}`).expect(200);
      expect(sha256(back.body)).toBe(sha256(PNG));

      const anonShown = (await api.get(`/api/v1/public/complaints/${anon.trackingNumber}`).expect(200)).body;
      expect(anonShown).not.toHaveProperty('attachments');
      await download(`/api/v1/public/complaints/${anon.trackingNumber}/attachments/${files[anon.id]}`).expect(404);
      await download(`/api/v1/public/complaints/${secret.trackingNumber}/attachments/${files[secret.id]}`).expect(404);
      // A public complaint's tracking number does not unlock another complaint's file.
      await download(`/api/v1/public/complaints/${pub.trackingNumber}/attachments/${files[anon.id]}`).expect(404);
      const list = (await api.get(`/api/v1/public/complaints?trackingNumbers=${pub.trackingNumber},${anon.trackingNumber}`).expect(200)).body;
      expect(list.items.find((c: { trackingNumber: string }) => c.trackingNumber === pub.trackingNumber).attachments).toHaveLength(1);
      expect(list.items.find((c: { trackingNumber: string }) => c.trackingNumber === anon.trackingNumber)).not.toHaveProperty('attachments');

      // Open311: media_url for the public complaint's photo, empty for the anonymous one.
      const open311 = (await api.get(`/open311/v2/requests.json?service_request_id=${pub.trackingNumber},${anon.trackingNumber}`).expect(200)).body;
      const byId = Object.fromEntries(open311.map((r: { service_request_id: string }) => [r.service_request_id, r]));
      expect(byId[pub.trackingNumber].media_url).toMatch(new RegExp(`/api/v1/public/complaints/${pub.trackingNumber}/attachments/${files[pub.id]}$`));
      expect(byId[anon.trackingNumber].media_url).toBe('');
      const media = await download(new URL(byId[pub.trackingNumber].media_url).pathname).expect(200);
      expect(sha256(media.body)).toBe(sha256(PNG));
    });
  });
});
