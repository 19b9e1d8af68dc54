import { AuditEntryResponse } from '@smart-regency/contracts';
import { TestSystem } from '@smart-regency/testing';
import request from 'supertest';
import { People } from './support';

/** Complaint categories kept by admins through the gateway: the catalogue, filing against it, refusals, the trail. */
describe('complaint categories', () => {
  let system: TestSystem;
  let api: ReturnType<typeof request>;
  const people = new People(5100);
  const { bearer, agencies } = people;
  let adminId: string;


  const file = (categoryCode: string) =>
    api
      .post('/api/v1/complaints')
      .set('Authorization', bearer.rina)
      .send({
        categoryCode,
        title: 'Lampu jalan mati',
        description: 'Lampu jalan di depan sekolah mati sejak dua minggu.',
        location: { lat: 2.578, lng: 99.618, district: 'Kualuh Hulu' },
        visibility: 'public',
      });
  const listed = async (code: string) =>
    (await api.get('/api/v1/complaint-categories?pageSize=100').expect(200)).body.items.find((c: { code: string }) => c.code === code);
  const create = (body: Record<string, unknown>, who = 'admin') => api.post('/api/v1/complaint-categories').set('Authorization', bearer[who]).send(body);
  const update = (code: string, body: Record<string, unknown>, who = 'admin') => api.patch(`/api/v1/complaint-categories/${code}`).set('Authorization', bearer[who]).send(body);

  const lighting = () => ({ code: 'street-lighting', name: 'Penerangan jalan umum', description: 'Lampu jalan mati atau rusak.', agencyId: agencies.DISHUB });

  beforeAll(async () => {
    system = await TestSystem.start();
    api = request(system.gatewayUrl);
    await people.signIn(system);
    adminId = (await api.get('/api/v1/me').set('Authorization', bearer.admin).expect(200)).body.id;
    await people.add('rina');
    await people.add('pupr', { roles: ['officer'], agency: 'PUPR' });
    await people.add('kadis', { roles: ['agency_head'], agency: 'DISHUB' });
    await people.add('auditor', { roles: ['auditor'] });
  }, 120000);

  afterAll(() => system?.stop());

  it('adds a category that is listed at once and routes complaints to its agency', async () => {
    const created = await create(lighting()).expect(201);
    expect(created.body).toEqual({ ...lighting(), active: true, forwardToLapor: false });
    expect(await listed('street-lighting')).toEqual({ ...lighting(), active: true, forwardToLapor: false });

    const filed = (await file('street-lighting').expect(201)).body;
    expect(filed).toMatchObject({ categoryCode: 'street-lighting', agencyId: agencies.DISHUB, status: 'received' });

    const closedFromStart = await create({ code: 'street-vendors', name: 'Pedagang kaki lima', description: '', agencyId: agencies.SATPOLPP, active: false }).expect(201);
    expect(closedFromStart.body.active).toBe(false);
    expect((await file('street-vendors').expect(404)).body.code).toBe('COMPLAINTS.CATEGORY_NOT_FOUND');
  });

  it('renames, reroutes and closes a category; complaints filed before keep their agency', async () => {
    // Filing reads the category through the catalogue cache: this fills it.
    const before = (await file('street-lighting').expect(201)).body;
    expect(before.agencyId).toBe(agencies.DISHUB);

    const changed = await update('street-lighting', { name: 'Lampu penerangan jalan', agencyId: agencies.PUPR }).expect(200);
    expect(changed.body).toEqual({ ...lighting(), name: 'Lampu penerangan jalan', agencyId: agencies.PUPR, active: true, forwardToLapor: false });
    expect(await listed('street-lighting')).toEqual(changed.body);

    // The change is seen by the next filing at once (this replica dropped its cached entry).
    const after = (await file('street-lighting').expect(201)).body;
    expect(after.agencyId).toBe(agencies.PUPR);
    const kept = (await api.get(`/api/v1/complaints/${before.id}`).set('Authorization', bearer.rina).expect(200)).body;
    expect(kept.agencyId).toBe(agencies.DISHUB);

    const closed = await update('street-lighting', { active: false }).expect(200);
    expect(closed.body).toMatchObject({ code: 'street-lighting', active: false, agencyId: agencies.PUPR });
    expect((await listed('street-lighting')).active).toBe(false);
    const inactive = (await api.get('/api/v1/complaint-categories?active=false&pageSize=100').expect(200)).body.items.map((c: { code: string }) => c.code);
    expect(inactive).toContain('street-lighting');

    const refused = await file('street-lighting').expect(404);
    expect(refused.body).toMatchObject({ code: 'COMPLAINTS.CATEGORY_NOT_FOUND', errors: [expect.objectContaining({ field: 'categoryCode' })] });
    // Closing the category leaves its open complaints where they are.
    expect((await api.get(`/api/v1/complaints/${after.id}`).set('Authorization', bearer.rina).expect(200)).body).toMatchObject({ status: 'received', agencyId: agencies.PUPR });

    await update('street-lighting', { active: true, description: 'Lampu jalan mati, berkedip atau tiangnya roboh.' }).expect(200);
    expect((await file('street-lighting').expect(201)).body.agencyId).toBe(agencies.PUPR);
  });

  it('refuses a duplicate code (409) and an unknown one (404)', async () => {
    const duplicate = await create(lighting()).expect(409);
    expect(duplicate.body).toMatchObject({ code: 'COMPLAINTS.CATEGORY_CODE_TAKEN', status: 409 });
    expect(duplicate.headers['content-type']).toContain('application/problem+json');
    expect((await create({ ...lighting(), code: 'roads-bridges' }).expect(409)).body.code).toBe('COMPLAINTS.CATEGORY_CODE_TAKEN');

    const unknown = await update('no-such-category', { name: 'Apa saja' }).expect(404);
    expect(unknown.body.code).toBe('COMPLAINTS.CATEGORY_NOT_FOUND');
  });

  it('is for admins only: 401 without a token, 403 for everyone else', async () => {
    await api.post('/api/v1/complaint-categories').send({ ...lighting(), code: 'anon-made' }).expect(401);
    await api.patch('/api/v1/complaint-categories/street-lighting').send({ active: false }).expect(401);
    for (const who of ['rina', 'pupr', 'kadis', 'auditor']) {
      expect((await create({ ...lighting(), code: `by-${who}` }, who).expect(403)).body.code).toBe('COMMON.FORBIDDEN');
      await update('street-lighting', { active: false }, who).expect(403);
    }
    expect(await listed('by-rina')).toBeUndefined();
    expect((await listed('street-lighting')).active).toBe(true);
  });

  it('lists every invalid field in a 400 and changes nothing', async () => {
    const bad = await create({ code: 'Jalan Rusak', name: 'x', description: 5, agencyId: 'PUPR', active: 'yes', priority: 1 })
      .set('Accept-Language', 'en')
      .expect(400);
    expect(bad.body.code).toBe('COMMON.VALIDATION');
    expect(new Set(bad.body.errors.map((e: { field: string }) => e.field))).toEqual(new Set(['code', 'name', 'description', 'agencyId', 'active', 'priority']));

    const empty = await create({}).expect(400);
    expect(new Set(empty.body.errors.map((e: { field: string }) => e.field))).toEqual(new Set(['code', 'name', 'description', 'agencyId']));

    // The code names the category everywhere (complaints, Open311): it cannot change.
    const rename = await update('street-lighting', { code: 'lighting' }).expect(400);
    expect(rename.body.errors).toEqual([expect.objectContaining({ field: 'code' })]);
    const badUpdate = await update('street-lighting', { name: '', agencyId: 'DISHUB', active: 'no' }).expect(400);
    expect(new Set(badUpdate.body.errors.map((e: { field: string }) => e.field))).toEqual(new Set(['name', 'agencyId', 'active']));

    expect(await listed('Jalan Rusak')).toBeUndefined();
    expect(await listed('lighting')).toBeUndefined();
    expect(await listed('street-lighting')).toMatchObject({ name: 'Lampu penerangan jalan', agencyId: agencies.PUPR, active: true });
  });

  it('records every create and update in the audit trail, public texts as they are', async () => {
    const rows: AuditEntryResponse[] = (await api.get('/api/v1/audit?service=complaints&entityId=street-lighting&pageSize=100').set('Authorization', bearer.admin).expect(200)).body
      .items;
    // Newest first: the create, then three updates (refused requests leave no row).
    expect(rows.map((r) => r.action).reverse()).toEqual([
      'complaint_category.create',
      'complaint_category.update',
      'complaint_category.update',
      'complaint_category.update',
    ]);
    for (const row of rows) expect(row).toMatchObject({ service: 'complaints', entityType: 'complaint_category', actorId: adminId, actorRoles: ['admin'] });
    const [reopened, closed, rerouted, created] = rows;
    expect(created.changes).toEqual({ after: { ...lighting(), active: true, forwardToLapor: false } });
    expect(rerouted.changes).toEqual({
      before: { name: 'Penerangan jalan umum', agencyId: agencies.DISHUB },
      after: { name: 'Lampu penerangan jalan', agencyId: agencies.PUPR },
    });
    expect(closed.changes).toEqual({ before: { active: true }, after: { active: false } });
    expect(reopened.changes).toEqual({
      before: { active: false, description: 'Lampu jalan mati atau rusak.' },
      after: { active: true, description: 'Lampu jalan mati, berkedip atau tiangnya roboh.' },
    });

    const vendors = (await api.get('/api/v1/audit?service=complaints&entityId=street-vendors').set('Authorization', bearer.admin).expect(200)).body.items;
    expect(vendors).toEqual([expect.objectContaining({ action: 'complaint_category.create', changes: { after: expect.objectContaining({ active: false }) } })]);
    expect((await api.get('/api/v1/audit/verify?service=complaints').set('Authorization', bearer.admin).expect(200)).body.intact).toBe(true);
  });

  it('documents both routes in OpenAPI', async () => {
    const spec = (await api.get('/docs/openapi.json').expect(200)).body;
    expect(spec.paths['/api/v1/complaint-categories'].post.responses).toHaveProperty('201');
    expect(spec.paths['/api/v1/complaint-categories/{code}'].patch.responses).toHaveProperty('404');
    expect(spec.components.schemas.CreateComplaintCategoryRequest.required).toEqual(expect.arrayContaining(['code', 'name', 'description', 'agencyId']));
    expect(spec.components.schemas.UpdateComplaintCategoryRequest.properties).not.toHaveProperty('code');
    // A PATCH without `active` leaves it alone, so the update body must not promise the create body's default.
    expect(spec.components.schemas.CreateComplaintCategoryRequest.properties.active.default).toBe(true);
    expect(spec.components.schemas.UpdateComplaintCategoryRequest.properties.active).not.toHaveProperty('default');
    expect(spec.components.schemas.CreateComplaintCategoryRequest.properties.forwardToLapor.default).toBe(false);
    expect(spec.components.schemas.UpdateComplaintCategoryRequest.properties.forwardToLapor).not.toHaveProperty('default');
    expect(spec.components.schemas.UpdatePermitTypeRequest.properties.active).not.toHaveProperty('default');
  });
});
