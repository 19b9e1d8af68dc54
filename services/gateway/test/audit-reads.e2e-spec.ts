import { AuditEntryResponse, AuditHeadsResponse } from '@smart-regency/contracts';
import { TestSystem } from '@smart-regency/testing';
import request from 'supertest';
import { People, submittedReklame } from './support';


/**
 * Who looked at which citizen's data in list views and comment threads: one audit row per list
 * page (records shown, subjects whose data they hold), a row per thread read by staff, none for
 * a citizen's own records, and never the reporter of an anonymous complaint.
 */
describe('audit trail of reads: lists and comment threads', () => {
  let system: TestSystem;
  let api: ReturnType<typeof request>;
  const people = new People(7100);
  const { bearer, ids, agencies } = people;
  let application: { id: string };
  let publicComplaint: { id: string };
  let anonymousComplaint: { id: string };


  const trail = async (query: string): Promise<AuditEntryResponse[]> =>
    (await api.get(`/api/v1/audit?pageSize=100&${query}`).set('Authorization', bearer.auditor).expect(200)).body.items;
  const heads = async (): Promise<Record<string, number>> => {
    const body: AuditHeadsResponse = (await api.get('/api/v1/audit/head').set('Authorization', bearer.auditor).expect(200)).body;
    return Object.fromEntries(body.heads.map((h) => [h.service, h.seq]));
  };
  const fileComplaint = async (who: string, visibility: string) =>
    (
      await api
        .post('/api/v1/complaints')
        .set('Authorization', bearer[who])
        .send({ categoryCode: 'waste-environment', title: `Sampah menumpuk (${who})`, description: 'Tumpukan sampah di depan rumah saya belum diangkut.', location: { lat: 2.41, lng: 99.52 }, visibility })
        .expect(201)
    ).body;

  beforeAll(async () => {
    system = await TestSystem.start();
    api = request(system.gatewayUrl);
    await people.signIn(system);
    await people.add('sari');
    await people.add('budi');
    await people.add('auditor', { roles: ['auditor'] });
    await people.add('pupr', { roles: ['officer'], agency: 'PUPR' });
    await people.add('dlh', { roles: ['officer'], agency: 'DLH' });

    application = await submittedReklame(api, bearer.sari);
    publicComplaint = await fileComplaint('sari', 'public');
    anonymousComplaint = await fileComplaint('budi', 'anonymous');
    await api.post(`/api/v1/complaints/${publicComplaint.id}/comments`).set('Authorization', bearer.sari).send({ body: 'Sudah tiga hari, mohon segera.' }).expect(201);
    await api.post(`/api/v1/complaints/${anonymousComplaint.id}/comments`).set('Authorization', bearer.budi).send({ body: 'Baunya sampai ke rumah saya.' }).expect(201);
  }, 120000);

  afterAll(() => system?.stop());

  it("records an officer listing their queue: one row naming the applications shown and whose they are", async () => {
    const page = (await api.get('/api/v1/permit-applications?status=submitted&pageSize=50').set('Authorization', bearer.pupr).set('X-Request-Id', 'queue-pupr').expect(200)).body;
    expect(page.items.map((a: { id: string }) => a.id)).toContain(application.id);
    const rows = await trail(`service=permits&actorId=${ids.pupr}`);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      action: 'application.list',
      entityType: 'application',
      entityId: 'list',
      actorId: ids.pupr,
      actorRoles: ['officer'],
      actorAgencyId: agencies.PUPR,
      requestId: 'queue-pupr',
      changes: { query: { status: 'submitted', page: 1, pageSize: 50 }, shown: page.items.length, records: page.items.map((a: { id: string }) => a.id), subjects: [ids.sari] },
    });
    expect(rows[0].subjectId).toBeUndefined();
  });

  it('records an admin listing complaints, naming the reporters except an anonymous one', async () => {
    const page = (await api.get('/api/v1/complaints?pageSize=100').set('Authorization', bearer.admin).set('X-Request-Id', 'complaints-admin').expect(200)).body;
    const shown = page.items.map((c: { id: string }) => c.id);
    expect(shown).toEqual(expect.arrayContaining([publicComplaint.id, anonymousComplaint.id]));
    const [row, ...more] = await trail(`service=complaints&actorId=${ids.admin}`);
    expect(more.filter((r) => r.action === 'complaint.list')).toEqual([]);
    expect(row).toMatchObject({
      action: 'complaint.list',
      entityId: 'list',
      actorRoles: ['admin'],
      requestId: 'complaints-admin',
      changes: { query: { page: 1, pageSize: 100 }, shown: shown.length, records: shown, subjects: [ids.sari] },
    });
  });

  it('records an admin listing staff accounts', async () => {
    const page = (await api.get(`/api/v1/users?role=officer&q=${encodeURIComponent('Staf')}`).set('Authorization', bearer.admin).expect(200)).body;
    const shown = page.items.map((u: { id: string }) => u.id);
    expect(shown).toEqual(expect.arrayContaining([ids.pupr, ids.dlh]));
    const [row] = (await trail(`service=identity&actorId=${ids.admin}`)).filter((r) => r.action === 'user.list');
    expect(row).toMatchObject({ entityType: 'user', entityId: 'list', changes: { query: { role: 'officer', q: '[personal]', page: 1, pageSize: 20 }, shown: shown.length, records: shown } });
    expect([...(row.changes.subjects as string[])].sort()).toEqual([...shown].sort());
  });

  it("records staff reading a comment thread, and not the reporter reading their own", async () => {
    await api.get(`/api/v1/complaints/${publicComplaint.id}/comments`).set('Authorization', bearer.dlh).set('X-Request-Id', 'thread-dlh').expect(200);
    await api.get(`/api/v1/complaints/${anonymousComplaint.id}/comments`).set('Authorization', bearer.dlh).expect(200);
    const before = await heads();
    await api.get(`/api/v1/complaints/${publicComplaint.id}/comments`).set('Authorization', bearer.sari).expect(200);
    await api.get(`/api/v1/complaints/${anonymousComplaint.id}/comments`).set('Authorization', bearer.budi).expect(200);
    expect(await heads()).toEqual(before);

    const reads = (await trail(`service=complaints&actorId=${ids.dlh}`)).filter((r) => r.action === 'comment.read');
    expect(reads.map((r) => r.entityId)).toEqual([anonymousComplaint.id, publicComplaint.id]);
    expect(reads[1]).toMatchObject({ entityType: 'complaint', subjectId: ids.sari, actorAgencyId: agencies.DLH, requestId: 'thread-dlh', changes: { shown: 1 } });
    expect(reads[0].subjectId).toBeUndefined();
  });

  it("finds the list views and threads that showed a citizen's data by their id", async () => {
    const rows = await trail(`subjectId=${ids.sari}`);
    const looked = rows.filter((r) => ['application.list', 'complaint.list', 'comment.read'].includes(r.action)).map((r) => [r.service, r.action, r.actorId]);
    expect(looked).toEqual(
      expect.arrayContaining([
        ['permits', 'application.list', ids.pupr],
        ['complaints', 'complaint.list', ids.admin],
        ['complaints', 'comment.read', ids.dlh],
      ]),
    );
    expect(looked).toHaveLength(3);
    // Paged and counted with the list rows in.
    const total = (await api.get(`/api/v1/audit?service=permits&subjectId=${ids.sari}&pageSize=1`).set('Authorization', bearer.auditor).expect(200)).body.total;
    expect(total).toBe(rows.filter((r) => r.service === 'permits').length);
  });

  it('adds no row when citizens list their own records', async () => {
    const before = await heads();
    for (const who of ['sari', 'budi']) {
      expect((await api.get('/api/v1/permit-applications').set('Authorization', bearer[who]).expect(200)).body.items.length).toBe(who === 'sari' ? 1 : 0);
      expect((await api.get('/api/v1/complaints').set('Authorization', bearer[who]).expect(200)).body.items).toHaveLength(1);
    }
    expect(await heads()).toEqual(before);
  });

  it('records an auditor listing too, and never names the reporter of an anonymous complaint in any row', async () => {
    await api.get('/api/v1/complaints?pageSize=100').set('Authorization', bearer.auditor).expect(200);
    await api.get(`/api/v1/complaints?agencyId=${agencies.DLH}`).set('Authorization', bearer.dlh).expect(200);
    const complaintRows = await trail('service=complaints');
    expect(complaintRows.filter((r) => r.action === 'complaint.list').map((r) => r.actorRoles[0])).toEqual(['officer', 'auditor', 'admin']);
    expect(complaintRows.filter((r) => r.action === 'complaint.list').every((r) => (r.changes.records as string[]).includes(anonymousComplaint.id))).toBe(true);
    expect(JSON.stringify(complaintRows)).not.toContain(ids.budi);
    // Only identity knows budi: his account, and notifications reading how to reach him (to tell
    // him of his complaint) as rows that name no complaint; nothing ties him to it.
    const aboutBudi = await trail(`subjectId=${ids.budi}`);
    expect(aboutBudi.filter((r) => r.action !== 'user.contacts.read').map((r) => [r.service, r.action])).toEqual([['identity', 'user.register']]);
    const reads = aboutBudi.filter((r) => r.action === 'user.contacts.read');
    expect(reads.every((r) => r.service === 'identity' && r.actorRoles.includes('service:notifications'))).toBe(true);
    expect(JSON.stringify(reads)).not.toContain(anonymousComplaint.id);
    const verified = (await api.get('/api/v1/audit/verify').set('Authorization', bearer.auditor).expect(200)).body;
    expect(verified.intact).toBe(true);
  });
});
