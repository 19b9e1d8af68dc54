import { TEST_JPEG, TEST_PDF, TEST_PNG, TestSystem } from '@smart-regency/testing';
import { randomUUID } from 'crypto';
import request from 'supertest';
import { People, submittedReklame } from '../support';
import { Databases, expectRefused, leaks, recording, sansRequestId, Seen } from './owasp-support';

/**
 * OWASP API Security Top 10 (2023), through the gateway, as other citizens, officers of other
 * agencies, an auditor and an integrator would try it:
 * - API1 broken object level authorization: every kind of record by id, across citizens and
 *   agencies; a hidden record answers exactly as one that does not exist;
 * - API3 broken object property level authorization: fields a caller may not set (mass
 *   assignment) and fields a caller may not see (excessive data exposure, scanned in every answer);
 * - API5 broken function level authorization: admin routes for everyone else, writes for the
 *   read-only auditor, people's routes for a service account, other agencies' and the coordinator's steps.
 * Each refusal leaves every business table and the outbox (so: no event) as they were.
 * What other suites already try is not repeated here (docs/security.md maps them).
 */
describe('OWASP API1, API3, API5: who may reach which record, field and function', () => {
  let system: TestSystem;
  let api: ReturnType<typeof request>;
  const seen: Seen[] = [];
  const db = new Databases();
  const people = new People(9600);
  const { bearer, ids, agencies } = people;
  let issued: { id: string };
  let submitted: { id: string };
  let recommended: { id: string };
  let draft: { id: string };
  let pub: { id: string; trackingNumber: string };
  let anon: { id: string; trackingNumber: string };
  let secret: { id: string; trackingNumber: string };
  let beniOwn: { id: string };
  let attachment: { id: string };

  const act = (path: string, who: string, body: Record<string, unknown>) => api.post(path).set('Authorization', bearer[who]).send(body);
  const file = (who: string, visibility: string) =>
    api
      .post('/api/v1/complaints')
      .set('Authorization', bearer[who])
      .send({ categoryCode: 'waste-environment', title: 'Sampah di parit', description: 'Parit di depan rumah tersumbat sampah.', location: { lat: 2.57, lng: 99.61, address: 'Jl. Parit No. 1' }, visibility })
      .expect(201)
      .then((r) => r.body);

  beforeAll(async () => {
    system = await TestSystem.start();
    api = recording(system.gatewayUrl, seen);
    await db.open(system);
    await people.signIn(system);
    for (const name of ['ani', 'beni']) await people.add(name);
    await people.add('dlh', { roles: ['officer'], agency: 'DLH' });
    await people.add('kadisDlh', { roles: ['agency_head'], agency: 'DLH' });
    await people.add('pupr', { roles: ['officer'], agency: 'PUPR' });
    await people.add('kadisPupr', { roles: ['agency_head'], agency: 'PUPR' });
    await people.add('dinkes', { roles: ['officer'], agency: 'DINKES' });
    await people.add('loket', { roles: ['officer'], agency: 'DPMPTSP' });
    await people.add('kadis', { roles: ['agency_head'], agency: 'DPMPTSP' });
    await people.add('auditor', { roles: ['auditor'] });
    const account = (await api.post('/api/v1/service-accounts').set('Authorization', bearer.admin).send({ name: 'Jembatan SP4N-LAPOR', scopes: ['open311:write', 'events:read', 'reports:read'] }).expect(201)).body;
    const token = (await api.post('/api/v1/auth/token').type('form').send({ grant_type: 'client_credentials', client_id: account.clientId, client_secret: account.clientSecret }).expect(200)).body;
    bearer.integrator = `Bearer ${token.access_token}`;

    // Ani's records in every state an attacker would look for.
    issued = await submittedReklame(api, bearer.ani);
    for (const [who, action] of [['pupr', 'verify'], ['pupr', 'recommend'], ['kadis', 'approve'], ['loket', 'record-payment'], ['loket', 'issue']]) {
      await act(`/api/v1/permit-applications/${issued.id}/actions`, who, { action }).expect(200);
    }
    submitted = await submittedReklame(api, bearer.ani);
    recommended = await submittedReklame(api, bearer.ani);
    for (const action of ['verify', 'recommend']) await act(`/api/v1/permit-applications/${recommended.id}/actions`, 'pupr', { action }).expect(200);
    draft = (await api.post('/api/v1/permit-applications').set('Authorization', bearer.ani).send({ permitTypeCode: 'REKLAME', formData: { billboardType: 'Spanduk' } }).expect(201)).body;
    await api.put(`/api/v1/permit-applications/${draft.id}/documents/KTP`).set('Authorization', bearer.ani).set('Content-Type', 'application/pdf').send(TEST_PDF).expect(200);
    pub = await file('ani', 'public');
    anon = await file('ani', 'anonymous');
    secret = await file('ani', 'confidential');
    beniOwn = await file('beni', 'public');
    await api.post(`/api/v1/complaints/${pub.id}/comments`).set('Authorization', bearer.ani).send({ body: 'Mohon segera.' }).expect(201);
    attachment = (await api.post(`/api/v1/complaints/${pub.id}/attachments`).set('Authorization', bearer.ani).set('Content-Type', 'image/png').send(TEST_PNG).expect(201)).body;
    await api.post(`/api/v1/complaints/${anon.id}/attachments`).set('Authorization', bearer.ani).set('Content-Type', 'image/jpeg').send(TEST_JPEG).expect(201);
  }, 240000);

  afterAll(async () => {
    await db.close();
    await system?.stop();
  });

  /** One way of reaching a record by its id; `id` is the record's, or a random one for comparison. */
  type Probe = [string, (id: string) => request.Test];
  const permitProbes = (): Array<[string, string, Probe[1]]> => [
    ['read an application', submitted.id, (id) => api.get(`/api/v1/permit-applications/${id}`)],
    ['read its document', submitted.id, (id) => api.get(`/api/v1/permit-applications/${id}/documents/KTP`)],
    ['read its certificate', issued.id, (id) => api.get(`/api/v1/permit-applications/${id}/certificate`)],
    ['replace a document', draft.id, (id) => api.put(`/api/v1/permit-applications/${id}/documents/KTP`).set('Content-Type', 'application/pdf').send(TEST_PDF)],
    ['submit a draft', draft.id, (id) => api.post(`/api/v1/permit-applications/${id}/submit`)],
    ['withdraw', submitted.id, (id) => api.post(`/api/v1/permit-applications/${id}/actions`).send({ action: 'withdraw' })],
    ['verify', submitted.id, (id) => api.post(`/api/v1/permit-applications/${id}/actions`).send({ action: 'verify' })],
    ['revoke', issued.id, (id) => api.post(`/api/v1/permit-applications/${id}/actions`).send({ action: 'revoke' })],
  ];
  const complaintProbes = (): Array<[string, string, Probe[1]]> => [
    ['read a complaint', pub.id, (id) => api.get(`/api/v1/complaints/${id}`)],
    ['read its comments', pub.id, (id) => api.get(`/api/v1/complaints/${id}/comments`)],
    ['add a comment', pub.id, (id) => api.post(`/api/v1/complaints/${id}/comments`).send({ body: 'Saya juga melihatnya.' })],
    ['rate it', pub.id, (id) => api.post(`/api/v1/complaints/${id}/rating`).send({ score: 1 })],
    ['list its files', pub.id, (id) => api.get(`/api/v1/complaints/${id}/attachments`)],
    ['download a file', pub.id, (id) => api.get(`/api/v1/complaints/${id}/attachments/${attachment.id}`)],
    ['attach a file', pub.id, (id) => api.post(`/api/v1/complaints/${id}/attachments`).set('Content-Type', 'image/png').send(TEST_PNG)],
    ['reopen', pub.id, (id) => api.post(`/api/v1/complaints/${id}/actions`).send({ action: 'reopen' })],
    ['confirm', pub.id, (id) => api.post(`/api/v1/complaints/${id}/actions`).send({ action: 'confirm' })],
    ['start', pub.id, (id) => api.post(`/api/v1/complaints/${id}/actions`).send({ action: 'start' })],
  ];

  /**
   * Each probe as `who` on the hidden record and on a random id: refused both times with the same
   * problem, English details included (404; or 403 where the route is not for the caller's role at all).
   */
  const expectHiddenAsMissing = async (who: string, probes: Array<[string, string, Probe[1]]>) => {
    for (const [what, id, probe] of probes) {
      const hidden = await probe(id).set('Authorization', bearer[who]).set('Accept-Language', 'en');
      const missing = await probe(randomUUID()).set('Authorization', bearer[who]).set('Accept-Language', 'en');
      expect({ who, what, refused: [403, 404].includes(hidden.status), type: hidden.headers['content-type'] }).toEqual({ who, what, refused: true, type: expect.stringMatching(/^application\/problem\+json/) });
      expect({ who, what, status: hidden.status, body: sansRequestId(hidden.body) }).toEqual({ who, what, status: missing.status, body: sansRequestId(missing.body) });
    }
  };

  describe('API1 broken object level authorization', () => {
    it("answers another citizen's every record as one that does not exist, and changes nothing", async () => {
      const before = await db.fingerprint();
      await expectHiddenAsMissing('beni', [...permitProbes(), ...complaintProbes()]);
      // An id of another's file under one's own complaint: not found, exactly as an id that exists nowhere.
      const crossed = await api.get(`/api/v1/complaints/${beniOwn.id}/attachments/${attachment.id}`).set('Authorization', bearer.beni).set('Accept-Language', 'en');
      const nowhere = await api.get(`/api/v1/complaints/${beniOwn.id}/attachments/${randomUUID()}`).set('Authorization', bearer.beni).set('Accept-Language', 'en');
      expectRefused(crossed, 404, 'COMPLAINTS.ATTACHMENT_NOT_FOUND');
      expect(sansRequestId(crossed.body)).toEqual(sansRequestId(nowhere.body));
      expect(await db.fingerprint()).toEqual(before);
    });

    it("answers an agency's records to officers of other agencies as records that do not exist, and changes nothing", async () => {
      const before = await db.fingerprint();
      // The permit is PUPR's (technical) and DPMPTSP's (issuing); the complaint DLH's.
      for (const who of ['dinkes', 'dlh', 'kadisDlh']) await expectHiddenAsMissing(who, permitProbes());
      for (const who of ['pupr', 'kadisPupr', 'dinkes', 'loket', 'kadis']) await expectHiddenAsMissing(who, complaintProbes());
      expect(await db.fingerprint()).toEqual(before);
    });

    it("never widens a list by its filters: another agency's or another citizen's records stay out", async () => {
      const list = async (path: string, who: string) => (await api.get(path).set('Authorization', bearer[who]).expect(200)).body;
      expect(await list(`/api/v1/permit-applications?agencyId=${agencies.PUPR}`, 'dinkes')).toMatchObject({ items: [], total: 0 });
      expect(await list(`/api/v1/permit-applications?agencyId=${agencies.DPMPTSP}`, 'dlh')).toMatchObject({ items: [], total: 0 });
      expect(await list(`/api/v1/complaints?agencyId=${agencies.DLH}`, 'pupr')).toMatchObject({ items: [], total: 0 });
      const beniApps = await list(`/api/v1/permit-applications?agencyId=${agencies.PUPR}&pageSize=100`, 'beni');
      expect(beniApps.total).toBe(0);
      const beniComplaints = await list(`/api/v1/complaints?agencyId=${agencies.DLH}&pageSize=100`, 'beni');
      expect(beniComplaints.items.map((c: { id: string }) => c.id)).toEqual([beniOwn.id]);
    });

    it('hides a confidential complaint from the public exactly as a tracking number nobody has', async () => {
      for (const path of ['/api/v1/public/complaints/%s', '/open311/v2/requests/%s.json', '/open311/v2/tokens/%s.json']) {
        const hidden = await api.get(path.replace('%s', secret.trackingNumber)).set('Accept-Language', 'en');
        const missing = await api.get(path.replace('%s', 'LPR-2099-999999')).set('Accept-Language', 'en');
        expect({ path, status: hidden.status }).toEqual({ path, status: 404 });
        const strip = (b: unknown) => (Array.isArray(b) ? b : sansRequestId(b as Record<string, unknown>));
        expect(strip(hidden.body)).toEqual(strip(missing.body));
      }
    });

    it("exports the caller's own data whoever it names in the query", async () => {
      const doc = (await api.get(`/api/v1/me/data-export?userId=${ids.ani}&id=${ids.ani}`).set('Authorization', bearer.beni).expect(200)).body;
      expect(doc.identity.profile.id).toBe(ids.beni);
      const text = JSON.stringify(doc);
      for (const other of [ids.ani, ...people.personal.ani, pub.id, anon.id, submitted.id]) expect(text).not.toContain(other);
    });
  });

  describe('API3 broken object property level authorization', () => {
    /** A 400 that names exactly these fields. */
    const expectFields = (res: request.Response, fields: string[]) => {
      expectRefused(res, 400);
      expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([...fields].sort());
    };

    it('refuses fields a caller may not set, naming each, on every write that takes a body; nothing changes', async () => {
      const before = await db.fingerprint();
      const nik = '1223015705900777';
      const registration = { nik, fullName: 'Pendaftar Nakal', email: 'nakal@example.id', phone: '081296009999', password: 'Rahasia-Labura-77x' };
      expectFields(
        await api.post('/api/v1/auth/register').send({ ...registration, roles: ['admin'], agencyId: agencies.DLH, active: true, id: randomUUID(), consent: { version: 'x' } }),
        ['roles', 'agencyId', 'active', 'id', 'consent'],
      );
      const selfElevation = { roles: ['admin'], agencyId: agencies.DLH, active: true, email: 'lain@example.id', nik, id: ids.beni, passwordHash: 'x' };
      expectFields(await api.patch('/api/v1/me').set('Authorization', bearer.ani).send({ fullName: 'Ani Baru', ...selfElevation }), Object.keys(selfElevation));
      // Staff change their own name and phone, nothing that decides what they may do.
      expectFields(await api.patch('/api/v1/me').set('Authorization', bearer.dlh).send({ agencyId: agencies.PUPR, roles: ['admin'] }), ['agencyId', 'roles']);
      const filing = { categoryCode: 'waste-environment', title: 'Sampah di pasar', description: 'Sampah menumpuk sejak seminggu.', location: { lat: 2.5, lng: 99.6 }, visibility: 'public' };
      const filedAs = { status: 'closed', agencyId: agencies.PUPR, reporterId: ids.beni, trackingNumber: 'LPR-2026-000001', id: randomUUID(), version: 9, rating: 5, answer: 'Selesai', dueAt: '2099-01-01T00:00:00Z' };
      expectFields(await api.post('/api/v1/complaints').set('Authorization', bearer.ani).send({ ...filing, ...filedAs }), Object.keys(filedAs));
      const drafted = { status: 'issued', fee: 0, applicantId: ids.beni, agencyId: agencies.DINKES, issuingAgencyId: agencies.DINKES, number: 'PRM-2026-000001', certificateNumber: 'X/1', version: 5 };
      expectFields(await api.post('/api/v1/permit-applications').set('Authorization', bearer.ani).send({ permitTypeCode: 'REKLAME', formData: {}, ...drafted }), Object.keys(drafted));
      expectFields(await act(`/api/v1/permit-applications/${submitted.id}/actions`, 'pupr', { action: 'verify', status: 'issued', fee: 0, agencyId: agencies.PUPR }), ['status', 'fee', 'agencyId']);
      expectFields(await act(`/api/v1/complaints/${pub.id}/actions`, 'admin', { action: 'verify', status: 'closed', reporterId: ids.beni }), ['status', 'reporterId']);
      expectFields(await act(`/api/v1/complaints/${pub.id}/comments`, 'ani', { body: 'x', authorRole: 'admin', authorId: ids.admin }), ['authorRole', 'authorId']);
      expectFields(await act(`/api/v1/complaints/${pub.id}/rating`, 'ani', { score: 5, reporterId: ids.beni, rating: 5 }), ['reporterId', 'rating']);
      const upload = await api.post(`/api/v1/complaints/${pub.id}/attachments?uploaderRole=admin&uploadedBy=${ids.admin}`).set('Authorization', bearer.ani).set('Content-Type', 'image/png').send(TEST_PNG);
      expectFields(upload, ['uploaderRole', 'uploadedBy']);
      // An admin sets roles, agency, name and the active flag of staff; never a login, a password or a NIK.
      expectFields(await api.patch(`/api/v1/users/${ids.dlh}`).set('Authorization', bearer.admin).send({ email: 'x@pemda.labura.go.id', password: 'Sandi-Baru-2026-q', nik }), ['email', 'password', 'nik']);
      const keepsCitizen = await api.patch(`/api/v1/users/${ids.ani}`).set('Authorization', bearer.admin).send({ roles: ['officer'], agencyId: agencies.DLH });
      expectRefused(keepsCitizen, 400);
      expect(await db.fingerprint()).toEqual(before);
      expect((await api.get('/api/v1/me').set('Authorization', bearer.ani).expect(200)).body).toMatchObject({ id: ids.ani, roles: ['citizen'], fullName: 'Warga ani' });
    });

    it('lets a dispose-only field move nothing in another step', async () => {
      const c = await file('beni', 'public');
      await act(`/api/v1/complaints/${c.id}/actions`, 'admin', { action: 'verify', agencyId: agencies.PUPR }).expect(200);
      await act(`/api/v1/complaints/${c.id}/actions`, 'admin', { action: 'dispose', agencyId: agencies.DLH }).expect(200);
      const started = (await act(`/api/v1/complaints/${c.id}/actions`, 'dlh', { action: 'start', agencyId: agencies.PUPR }).expect(200)).body;
      expect(started).toMatchObject({ status: 'in_progress', agencyId: agencies.DLH });
      await api.get(`/api/v1/complaints/${c.id}`).set('Authorization', bearer.pupr).expect(404);
    });

    it("shows an anonymous reporter to nobody but the handling staff: not to an auditor, in a list or alone", async () => {
      const reporterOf = async (who: string) => (await api.get(`/api/v1/complaints/${anon.id}`).set('Authorization', bearer[who]).expect(200)).body.reporterId;
      expect(await reporterOf('auditor')).toBeUndefined();
      expect(await reporterOf('dlh')).toBe(ids.ani);
      expect(await reporterOf('kadisDlh')).toBe(ids.ani);
      const listed = (await api.get('/api/v1/complaints?pageSize=100').set('Authorization', bearer.auditor).expect(200)).body.items;
      expect(listed.find((c: { id: string }) => c.id === anon.id)).not.toHaveProperty('reporterId');
      // A public complaint's reporter is no secret from staff; still never shown to the public.
      expect(listed.find((c: { id: string }) => c.id === pub.id).reporterId).toBe(ids.ani);
      for (const path of [`/api/v1/complaints/${anon.id}/attachments`, `/api/v1/complaints/${anon.id}/comments`]) {
        const res = await api.get(path).set('Authorization', bearer.dlh).expect(200);
        expect(res.text).not.toContain(ids.ani);
      }
      await api.get(`/api/v1/complaints/${anon.id}/comments`).set('Authorization', bearer.auditor).expect(404);
      const publicText = (await api.get('/api/v1/public/complaints?pageSize=100').expect(200)).text + (await api.get('/open311/v2/requests.xml').expect(200)).text;
      for (const value of [ids.ani, ...people.personal.ani]) expect(publicText).not.toContain(value);
    });
  });

  describe('API5 broken function level authorization', () => {
    const year = new Date().getUTCFullYear();
    /** Every route only an admin may call, with a body that would work for one. */
    const adminRoutes = (): Array<[string, string, Record<string, unknown>?]> => [
      ['GET', '/api/v1/users'],
      ['GET', `/api/v1/users/${ids.ani}`],
      ['POST', '/api/v1/users', { email: 'penyusup@pemda.labura.go.id', fullName: 'Penyusup', roles: ['admin'], password: 'Sandi-Penyusup-2026' }],
      ['PATCH', `/api/v1/users/${ids.dlh}`, { roles: ['admin'], agencyId: null }],
      ['POST', '/api/v1/agencies', { code: 'PALSU', name: 'Badan Palsu', kind: 'badan' }],
      ['PATCH', `/api/v1/agencies/${agencies.DLH}`, { name: 'Dinas Lain' }],
      ['POST', '/api/v1/service-accounts', { name: 'Kunci saya', scopes: ['open311:write'] }],
      ['PUT', `/api/v1/calendar/${year}`, { holidays: [] }],
      ['POST', '/api/v1/permit-types', { code: 'PALSU', name: 'Izin palsu', agencyId: agencies.DLH, requiredDocuments: [], formFields: [], slaWorkingDays: 1, fee: 0, validityMonths: 1 }],
      ['PATCH', '/api/v1/permit-types/REKLAME', { fee: 0 }],
      ['POST', '/api/v1/complaint-categories', { code: 'palsu', name: 'Kategori palsu', description: 'Tidak ada', agencyId: agencies.DLH }],
      ['PATCH', '/api/v1/complaint-categories/waste-environment', { agencyId: agencies.PUPR }],
    ];
    const send = (method: string, path: string, who: string, body?: Record<string, unknown>) => {
      const req = api[method.toLowerCase() as 'get'](path).set('Authorization', bearer[who]);
      return body ? req.send(body) : req;
    };

    it('answers every admin route 403 to a citizen, an officer, an agency head, the auditor and an integrator; nothing changes', async () => {
      const before = await db.fingerprint();
      for (const who of ['ani', 'dlh', 'kadisDlh', 'auditor', 'integrator']) {
        for (const [method, path, body] of adminRoutes()) {
          const res = await send(method, path, who, body);
          expect({ who, route: `${method} ${path}`, status: res.status, code: res.body.code }).toEqual({ who, route: `${method} ${path}`, status: 403, code: 'COMMON.FORBIDDEN' });
        }
        // Nor is the audit trail, which is the auditor's.
        if (who === 'auditor') continue;
        for (const path of [`/api/v1/audit?subjectId=${ids.ani}`, '/api/v1/audit/head', '/api/v1/audit/verify']) expectRefused(await send('GET', path, who), 403, 'COMMON.FORBIDDEN');
      }
      expect(await db.fingerprint()).toEqual(before);
    });

    it('keeps the auditor read-only: every write refused, every record as it was', async () => {
      const before = await db.fingerprint();
      const writes: Array<[string, string, Record<string, unknown>?]> = [
        ['POST', '/api/v1/complaints', { categoryCode: 'waste-environment', title: 'Sampah', description: 'Sampah menumpuk lama.', location: { lat: 2.5, lng: 99.6 }, visibility: 'public' }],
        ['POST', '/api/v1/permit-applications', { permitTypeCode: 'REKLAME', formData: {} }],
        ['POST', `/api/v1/permit-applications/${submitted.id}/actions`, { action: 'verify' }],
        ['POST', `/api/v1/permit-applications/${issued.id}/actions`, { action: 'revoke' }],
        ['POST', `/api/v1/permit-applications/${draft.id}/submit`],
        ['POST', `/api/v1/complaints/${pub.id}/actions`, { action: 'verify' }],
        ['POST', `/api/v1/complaints/${pub.id}/actions`, { action: 'reject', note: 'bukan kewenangan' }],
        ['POST', `/api/v1/complaints/${pub.id}/comments`, { body: 'Catatan pemeriksa.' }],
        ['POST', `/api/v1/complaints/${pub.id}/rating`, { score: 1 }],
        ['DELETE', '/api/v1/me', { password: people.passwords.auditor }],
      ];
      for (const [method, path, body] of writes) {
        const res = await send(method, path, 'auditor', body);
        expect({ route: `${method} ${path}`, refused: [403, 404].includes(res.status) }).toEqual({ route: `${method} ${path}`, refused: true });
      }
      const upload = await api.put(`/api/v1/permit-applications/${draft.id}/documents/KTP`).set('Authorization', bearer.auditor).set('Content-Type', 'application/pdf').send(TEST_PDF);
      expectRefused(upload, 403);
      expectRefused(await api.post(`/api/v1/complaints/${pub.id}/attachments`).set('Authorization', bearer.auditor).set('Content-Type', 'image/png').send(TEST_PNG), 403);
      expect(await db.fingerprint()).toEqual(before);
      // Reading stays possible: that is the auditor's work.
      await api.get(`/api/v1/permit-applications/${submitted.id}`).set('Authorization', bearer.auditor).expect(200);
      await api.post('/api/v1/audit/verify').set('Authorization', bearer.auditor).send({ heads: [] }).expect(200);
    });

    it("refuses a service account's token on every person's route", async () => {
      const before = await db.fingerprint();
      const routes: Array<[string, string, Record<string, unknown>?]> = [
        ['GET', '/api/v1/permit-applications'],
        ['GET', `/api/v1/permit-applications/${submitted.id}`],
        ['POST', '/api/v1/permit-applications', { permitTypeCode: 'REKLAME', formData: {} }],
        ['GET', '/api/v1/complaints'],
        ['GET', `/api/v1/complaints/${pub.id}`],
        ['POST', '/api/v1/complaints', { categoryCode: 'waste-environment', title: 'Sampah', description: 'Sampah menumpuk lama.', location: { lat: 2.5, lng: 99.6 }, visibility: 'public' }],
        ['POST', `/api/v1/complaints/${pub.id}/comments`, { body: 'Dari integrasi.' }],
        ['GET', '/api/v1/me/data-export'],
        ['DELETE', '/api/v1/me', { password: 'whatever-1234' }],
        // reports:read is a scope for the event stream's consumers; the REST reports are for people.
        ['GET', '/api/v1/reports/summary'],
      ];
      for (const [method, path, body] of routes) {
        const res = await send(method, path, 'integrator', body);
        expect({ route: `${method} ${path}`, status: res.status }).toEqual({ route: `${method} ${path}`, status: 403 });
      }
      // A service account is no person: /me has nobody to show or change.
      for (const [method, path, body] of [['GET', '/api/v1/me'], ['PATCH', '/api/v1/me', { fullName: 'Bukan Orang' }], ['POST', '/api/v1/me/password', { currentPassword: 'x', newPassword: 'Sandi-Baru-2026-y' }]] as const) {
        expectRefused(await send(method, path, 'integrator', body), 404, 'IDENTITY.USER_NOT_FOUND');
      }
      expect(await db.fingerprint()).toEqual(before);
    });

    it("refuses officers the steps of another agency and of the coordinator; nothing moves", async () => {
      const verified = await file('beni', 'public');
      await act(`/api/v1/complaints/${verified.id}/actions`, 'admin', { action: 'verify' }).expect(200);
      const before = await db.fingerprint();
      const onPermit = (app: { id: string }, who: string, action: string) => act(`/api/v1/permit-applications/${app.id}/actions`, who, { action });
      // The issuing agency (DPMPTSP) sees the application, but the technical steps are PUPR's and
      // deciding is DPMPTSP's head's: not PUPR's head, whose agency recommended it.
      for (const [who, action] of [['loket', 'verify'], ['kadis', 'verify'], ['kadis', 'request-revision']]) expectRefused(await onPermit(submitted, who, action), 403, 'PERMITS.NOT_ALLOWED');
      for (const [who, action] of [['kadisPupr', 'approve'], ['kadisPupr', 'reject'], ['pupr', 'approve']]) expectRefused(await onPermit(recommended, who, action), 403, 'PERMITS.NOT_ALLOWED');
      expectRefused(await onPermit(issued, 'kadisPupr', 'revoke'), 403, 'PERMITS.NOT_ALLOWED');
      // The coordinator's steps (verify, reject, dispose) are the admin's, not the handling agency's head's.
      for (const action of ['verify', 'reject']) expectRefused(await act(`/api/v1/complaints/${pub.id}/actions`, 'kadisDlh', { action }), 403, 'COMPLAINTS.NOT_ALLOWED');
      for (const [who, action] of [['kadisDlh', 'dispose'], ['dlh', 'dispose'], ['kadisDlh', 'reject']]) {
        expectRefused(await act(`/api/v1/complaints/${verified.id}/actions`, who, { action, agencyId: agencies.PUPR }), 403, 'COMPLAINTS.NOT_ALLOWED');
      }
      // An admin coordinates but is not the reporter: no confirming, rating or reopening in a citizen's name.
      expectRefused(await act(`/api/v1/complaints/${pub.id}/rating`, 'admin', { score: 5 }), 403);
      expect(await db.fingerprint()).toEqual(before);
    });
  });

  it('leaked no secret, hash, full NIK, stack trace or internal name in any answer it gave', () => {
    expect(seen.length).toBeGreaterThan(100);
    expect(leaks(seen)).toEqual([]);
  });
});
