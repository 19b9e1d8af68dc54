import { RegencyCloudEvent } from '@smart-regency/contracts';
import { pdfsig, TestSystem, TEST_PDF as PDF, TEST_PNG as PNG, TEST_JPEG as JPEG } from '@smart-regency/testing';
import { randomUUID } from 'crypto';
import { connect } from 'nats';
import { Client } from 'pg';
import request from 'supertest';
import { announceOversized, People } from './support';


/** A permit from draft to issued through the gateway, with every kind of refusal on the way. */
describe('permit applications', () => {
  let system: TestSystem;
  let api: ReturnType<typeof request>;
  const people = new People(7000);
  const { bearer, agencies } = people;



  const reklame = { billboardType: 'Baliho', widthMeters: 4, heightMeters: 3, address: 'Jl. Sudirman, Aek Kanopan' };
  const create = async (who = 'siti') =>
    (await api.post('/api/v1/permit-applications').set('Authorization', bearer[who]).send({ permitTypeCode: 'REKLAME', formData: reklame }).expect(201)).body;
  const upload = (id: string, code: string, type: string, body: Buffer, who = 'siti') =>
    api.put(`/api/v1/permit-applications/${id}/documents/${code}`).set('Authorization', bearer[who]).set('Content-Type', type).send(body);
  const uploadAll = async (id: string, who = 'siti') => {
    await upload(id, 'KTP', 'application/pdf', PDF, who).expect(200);
    await upload(id, 'DESAIN_REKLAME', 'image/png', PNG, who).expect(200);
    await upload(id, 'FOTO_LOKASI', 'image/jpeg', JPEG, who).expect(200);
  };
  const act = (id: string, who: string, action: string, version?: number) => {
    const req = api.post(`/api/v1/permit-applications/${id}/actions`).set('Authorization', bearer[who]);
    if (version !== undefined) req.set('If-Match', `"${version}"`);
    return req.send({ action, note: `${action} oleh ${who}` });
  };

  beforeAll(async () => {
    system = await TestSystem.start({ permits: { JOB_INTERVAL_MS: '300' } });
    api = request(system.gatewayUrl);
    await people.signIn(system);
    await people.add('siti');
    await people.add('budi');
    await people.add('pupr', { roles: ['officer'], agency: 'PUPR' });
    await people.add('dinkes', { roles: ['officer'], agency: 'DINKES' });
    await people.add('loket', { roles: ['officer'], agency: 'DPMPTSP' });
    await people.add('kadis', { roles: ['agency_head'], agency: 'DPMPTSP' });
  }, 120000);

  afterAll(() => system?.stop());

  const permitsDb = async (sql: string, params: unknown[] = []) => {
    const client = new Client({ connectionString: system.process('permits').env.DATABASE_URL });
    await client.connect();
    try {
      return await client.query(sql, params);
    } finally {
      await client.end();
    }
  };

  it('goes from draft to issued, with a fee, and records every step', async () => {
    const draft = await create();
    expect(draft).toMatchObject({ status: 'draft', permitTypeCode: 'REKLAME', agencyId: agencies.PUPR, issuingAgencyId: agencies.DPMPTSP, fee: 250000, version: 1 });
    expect(draft.number).toMatch(/^PRM-\d{4}-\d{6}$/);

    const missing = await api.post(`/api/v1/permit-applications/${draft.id}/submit`).set('Authorization', bearer.siti).expect(409);
    expect(missing.body.code).toBe('PERMITS.MISSING_DOCUMENTS');
    expect(missing.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['documents.DESAIN_REKLAME', 'documents.FOTO_LOKASI', 'documents.KTP']);

    await uploadAll(draft.id);
    const back = await api.get(`/api/v1/permit-applications/${draft.id}/documents/KTP`).set('Authorization', bearer.siti).expect(200);
    expect(back.headers['content-type']).toBe('application/pdf');
    expect(Buffer.compare(back.body, PDF)).toBe(0);

    await api.post(`/api/v1/permit-applications/${draft.id}/submit`).set('Authorization', bearer.siti).set('If-Match', '"7"').expect(412);
    const submitted = await api.post(`/api/v1/permit-applications/${draft.id}/submit`).set('Authorization', bearer.siti).set('If-Match', '"1"').expect(200);
    expect(submitted.body.status).toBe('submitted');
    expect(submitted.headers.etag).toBe('"2"');
    expect(new Date(submitted.body.dueAt).getTime()).toBeGreaterThan(Date.now() + 5 * 86400_000); // 7 working days
    expect(submitted.body.overdue).toBe(false);

    let v = 2;
    expect((await act(draft.id, 'pupr', 'verify', v++).expect(200)).body.status).toBe('verified');
    expect((await act(draft.id, 'pupr', 'recommend', v++).expect(200)).body.status).toBe('recommended');
    expect((await act(draft.id, 'kadis', 'approve', v++).expect(200)).body.status).toBe('awaiting_payment');
    expect((await act(draft.id, 'loket', 'record-payment', v++).expect(200)).body.status).toBe('approved');
    const issued = (await act(draft.id, 'loket', 'issue', v++).expect(200)).body;
    expect(issued).toMatchObject({ status: 'issued', version: v });
    expect(issued.certificateNumber).toMatch(/^REKLAME\/\d{4}\/\d{6}$/);
    expect(new Date(issued.expiresAt).getTime() - new Date(issued.issuedAt).getTime()).toBeGreaterThan(360 * 86400_000);

    // Anyone can check it by the code in the QR; the holder appears as initials.
    const { rows } = await permitsDb(`SELECT verification_code FROM applications WHERE id = $1`, [draft.id]);
    const code = rows[0].verification_code;
    const verified = await api.get(`/api/v1/permits/verify/${code}`).expect(200);
    expect(verified.body).toEqual({
      valid: true,
      status: 'issued',
      permitTypeCode: 'REKLAME',
      certificateNumber: issued.certificateNumber,
      holderName: 'W**** s***',
      issuedAt: issued.issuedAt,
      expiresAt: issued.expiresAt,
    });
    await api.get('/api/v1/permits/verify/not-a-real-code').expect(404);
    const certificate = (who: string) =>
      api.get(`/api/v1/permit-applications/${draft.id}/certificate`).set('Authorization', bearer[who]).buffer(true).parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    const pdf = await certificate('siti').expect(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect((pdf.body as Buffer).subarray(0, 5).toString()).toBe('%PDF-');
    // Signed once and stored: the issuing staff get the very same file, and its signature holds.
    expect(((await certificate('loket').expect(200)).body as Buffer).equals(pdf.body as Buffer)).toBe(true);
    expect((await pdfsig(pdf.body as Buffer)).output).toContain('Signature Validation: Signature is Valid.');
    await api.get(`/api/v1/permit-applications/${draft.id}/certificate`).set('Authorization', bearer.budi).expect(404);

    const full = await api.get(`/api/v1/permit-applications/${draft.id}`).set('Authorization', bearer.siti).expect(200);
    expect(full.body.history.map((h: { action: string }) => h.action)).toEqual(['create', 'submit', 'verify', 'recommend', 'approve', 'record-payment', 'issue']);
    expect(full.body.history[2]).toMatchObject({ fromStatus: 'submitted', toStatus: 'verified', actorRole: 'officer', note: 'verify oleh pupr' });
    expect(full.body.documents.map((d: { code: string }) => d.code)).toEqual(['DESAIN_REKLAME', 'FOTO_LOKASI', 'KTP']);
    expect(full.body.documents.find((d: { code: string }) => d.code === 'KTP')).toMatchObject({ size: PDF.length, contentType: 'application/pdf' });

    // Events: one per transition, plus submitted and issued; no personal data in any of them.
    const identityEnv = system.process('permits').env;
    const nc = await connect({ servers: identityEnv.NATS_URL });
    try {
      const jsm = await nc.jetstreamManager();
      const events: RegencyCloudEvent[] = [];
      await new Promise((r) => setTimeout(r, 500));
      const info = await jsm.streams.info(identityEnv.EVENTS_STREAM);
      for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
        const event = (await jsm.streams.getMessage(identityEnv.EVENTS_STREAM, { seq })).json<RegencyCloudEvent>();
        if (event.subject === draft.id) events.push(event);
      }
      expect(events.map((e) => e.type)).toEqual([
        'permits.application.submitted.v1',
        'permits.application.status_changed.v1',
        'permits.application.status_changed.v1',
        'permits.application.status_changed.v1',
        'permits.application.status_changed.v1',
        'permits.application.status_changed.v1',
        'permits.application.status_changed.v1',
        'permits.application.issued.v1',
      ]);
      expect(events[0].data).toMatchObject({ applicationId: draft.id, number: draft.number, permitTypeCode: 'REKLAME', agencyId: agencies.PUPR, dueAt: submitted.body.dueAt });
      expect(events.map((e) => (e.data as { toStatus?: string }).toStatus).filter(Boolean)).toEqual(['submitted', 'verified', 'recommended', 'awaiting_payment', 'approved', 'issued']);
      expect(JSON.stringify(events)).not.toMatch(/Warga|example\.id|\d{16}/);
    } finally {
      await nc.close();
    }
  });

  it('revokes an issued permit, and the public check says so', async () => {
    const app = await create();
    await uploadAll(app.id);
    await api.post(`/api/v1/permit-applications/${app.id}/submit`).set('Authorization', bearer.siti).expect(200);
    for (const [who, action] of [['pupr', 'verify'], ['pupr', 'recommend'], ['kadis', 'approve'], ['loket', 'record-payment'], ['loket', 'issue']]) {
      await act(app.id, who, action).expect(200);
    }
    await act(app.id, 'pupr', 'revoke').expect(403);
    expect((await act(app.id, 'loket', 'revoke').expect(200)).body.status).toBe('revoked');
    const { rows } = await permitsDb(`SELECT verification_code FROM applications WHERE id = $1`, [app.id]);
    const check = await api.get(`/api/v1/permits/verify/${rows[0].verification_code}`).expect(200);
    expect(check.body).toMatchObject({ valid: false, status: 'revoked' });
  });

  it('flags an application past its deadline once, and expires a permit past its validity', async () => {
    const late = await create();
    await uploadAll(late.id);
    await api.post(`/api/v1/permit-applications/${late.id}/submit`).set('Authorization', bearer.siti).expect(200);
    // Move the deadline into the past, as the calendar would after SLA days.
    await permitsDb(`UPDATE applications SET due_at = now() - interval '1 hour' WHERE id = $1`, [late.id]);
    let flagged: { overdue_notified_at: Date | null } | undefined;
    for (let i = 0; i < 50 && !flagged?.overdue_notified_at; i++) {
      flagged = (await permitsDb(`SELECT overdue_notified_at FROM applications WHERE id = $1`, [late.id])).rows[0];
      if (!flagged?.overdue_notified_at) await new Promise((r) => setTimeout(r, 100));
    }
    expect(flagged?.overdue_notified_at).toBeTruthy();
    const overdue = await api.get('/api/v1/permit-applications?overdue=true').set('Authorization', bearer.pupr).expect(200);
    expect(overdue.body.items.map((a: { id: string; overdue: boolean }) => [a.id, a.overdue])).toContainEqual([late.id, true]);
    await new Promise((r) => setTimeout(r, 800)); // more job rounds: still one event
    const events = (await permitsDb(`SELECT count(*)::int AS n FROM outbox WHERE record_id = $1 AND type = 'permits.application.overdue.v1'`, [late.id])).rows[0].n;
    expect(events).toBe(1);

    // Deciding clears it from the overdue list.
    await act(late.id, 'pupr', 'verify').expect(200);
    await act(late.id, 'pupr', 'recommend').expect(200);
    await act(late.id, 'kadis', 'reject').expect(200);
    const after = await api.get('/api/v1/permit-applications?overdue=true').set('Authorization', bearer.pupr).expect(200);
    expect(after.body.items.map((a: { id: string }) => a.id)).not.toContain(late.id);

    const permit = await create();
    await uploadAll(permit.id);
    await api.post(`/api/v1/permit-applications/${permit.id}/submit`).set('Authorization', bearer.siti).expect(200);
    for (const [who, action] of [['pupr', 'verify'], ['pupr', 'recommend'], ['kadis', 'approve'], ['loket', 'record-payment'], ['loket', 'issue']]) {
      await act(permit.id, who, action).expect(200);
    }
    await permitsDb(`UPDATE applications SET expires_at = now() - interval '1 minute' WHERE id = $1`, [permit.id]);
    let status = '';
    for (let i = 0; i < 50 && status !== 'expired'; i++) {
      status = (await api.get(`/api/v1/permit-applications/${permit.id}`).set('Authorization', bearer.siti).expect(200)).body.status;
      if (status !== 'expired') await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe('expired');
    const history = (await api.get(`/api/v1/permit-applications/${permit.id}`).set('Authorization', bearer.siti)).body.history;
    expect(history[history.length - 1]).toMatchObject({ action: 'expire', fromStatus: 'issued', toStatus: 'expired', actorRole: 'system', actorId: null });
  });

  it('refuses what the rules forbid, with the status each deserves', async () => {
    const app = await create();
    await uploadAll(app.id);
    await api.post(`/api/v1/permit-applications/${app.id}/submit`).set('Authorization', bearer.siti).expect(200);

    // Another citizen, and staff of an unrelated agency, cannot even see it.
    await api.get(`/api/v1/permit-applications/${app.id}`).set('Authorization', bearer.budi).expect(404);
    await act(app.id, 'budi', 'withdraw').expect(404);
    await api.get(`/api/v1/permit-applications/${app.id}`).set('Authorization', bearer.dinkes).expect(404);
    // The issuing agency sees it but cannot do the technical agency's step; a citizen cannot either.
    expect((await act(app.id, 'loket', 'verify').expect(403)).body.code).toBe('PERMITS.NOT_ALLOWED');
    await act(app.id, 'siti', 'verify').expect(403);
    expect((await act(app.id, 'pupr', 'issue').expect(409)).body.code).toBe('PERMITS.INVALID_TRANSITION');
    expect((await act(app.id, 'pupr', 'fly').expect(400)).body.code).toBe('PERMITS.UNKNOWN_ACTION');
    await act(app.id, 'pupr', 'expire').expect(400);
    expect((await act(app.id, 'pupr', 'verify', 1).expect(412)).body.code).toBe('PERMITS.VERSION_MISMATCH');
    await api.post(`/api/v1/permit-applications/${app.id}/actions`).set('Authorization', bearer.pupr).set('If-Match', 'soon').send({ action: 'verify' }).expect(400);
    await act(app.id, 'pupr', 'verify').expect(200);
    await act(app.id, 'pupr', 'recommend').expect(200);
    // Only the issuing agency's head decides.
    await act(app.id, 'loket', 'approve').expect(403);
    await act(app.id, 'pupr', 'reject').expect(403);
    expect((await act(app.id, 'kadis', 'reject').expect(200)).body.status).toBe('rejected');
    await act(app.id, 'siti', 'withdraw').expect(409);
    await api.get(`/api/v1/permit-applications/${randomUUID()}`).set('Authorization', bearer.siti).expect(404);
  });

  it('checks uploads: real content, allowed types, size, the owner, and only while editable', async () => {
    const app = await create();
    expect((await upload(app.id, 'KTP', 'image/png', PDF).expect(415)).body.code).toBe('PERMITS.CONTENT_MISMATCH');
    await upload(app.id, 'KTP', 'application/pdf', Buffer.from('plain text pretending')).expect(415);
    await upload(app.id, 'KTP', 'text/plain', Buffer.from('hello')).expect(415);
    // The gateway answers 413 as soon as it sees the size and closes; read the answer, not the pipe.
    const tooLarge = await announceOversized(`${system.gatewayUrl}/api/v1/permit-applications/${app.id}/documents/KTP`, { method: 'PUT', contentType: 'application/pdf', authorization: bearer.siti, declaredBytes: 10 * 1024 * 1024 + 1, firstChunk: PDF });
    expect(tooLarge).toMatchObject({ status: 413, body: { code: 'COMMON.PAYLOAD_TOO_LARGE' } });
    expect((await upload(app.id, 'PASPOR', 'application/pdf', PDF).expect(404)).body.code).toBe('PERMITS.UNKNOWN_DOCUMENT');
    await upload(app.id, 'KTP', 'application/pdf', PDF, 'budi').expect(404);
    await uploadAll(app.id);
    await api.post(`/api/v1/permit-applications/${app.id}/submit`).set('Authorization', bearer.siti).expect(200);
    expect((await upload(app.id, 'KTP', 'application/pdf', PDF).expect(409)).body.code).toBe('PERMITS.DOCUMENTS_LOCKED');
    // Staff of the handling agency may read the documents; others may not.
    await api.get(`/api/v1/permit-applications/${app.id}/documents/FOTO_LOKASI`).set('Authorization', bearer.pupr).expect(200);
    await api.get(`/api/v1/permit-applications/${app.id}/documents/FOTO_LOKASI`).set('Authorization', bearer.dinkes).expect(404);
  });

  it('sends an application back for revision, takes it again, and lets the owner withdraw before a decision', async () => {
    const app = await create();
    await uploadAll(app.id);
    await api.post(`/api/v1/permit-applications/${app.id}/submit`).set('Authorization', bearer.siti).expect(200);
    expect((await act(app.id, 'pupr', 'request-revision').expect(200)).body.status).toBe('revision_requested');
    await upload(app.id, 'FOTO_LOKASI', 'image/jpeg', JPEG).expect(200);
    expect((await act(app.id, 'siti', 'resubmit').expect(200)).body.status).toBe('submitted');
    expect((await act(app.id, 'siti', 'withdraw').expect(200)).body.status).toBe('withdrawn');
  });

  it('refuses a form that does not fit the permit type', async () => {
    const wrong = await api
      .post('/api/v1/permit-applications')
      .set('Authorization', bearer.siti)
      .send({ permitTypeCode: 'REKLAME', formData: { widthMeters: 'four', colour: 'red' } })
      .expect(400);
    expect(wrong.body.code).toBe('PERMITS.INVALID_FORM');
    expect(wrong.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['formData.colour', 'formData.widthMeters']);
    await api.post('/api/v1/permit-applications').set('Authorization', bearer.siti).send({ permitTypeCode: 'NOPE', formData: {} }).expect(404);
    await api.post('/api/v1/permit-applications').set('Authorization', bearer.pupr).send({ permitTypeCode: 'REKLAME', formData: {} }).expect(403);
    const incomplete = (await api.post('/api/v1/permit-applications').set('Authorization', bearer.siti).send({ permitTypeCode: 'REKLAME', formData: { billboardType: 'Spanduk' } }).expect(201)).body;
    await uploadAll(incomplete.id);
    const refused = await api.post(`/api/v1/permit-applications/${incomplete.id}/submit`).set('Authorization', bearer.siti).expect(400);
    expect(refused.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['formData.address', 'formData.heightMeters', 'formData.widthMeters']);
  });

  it('lists for each role: the citizen their own, the agency its queue by deadline, with filters', async () => {
    await people.add('rina');
    const a = await create('rina');
    await uploadAll(a.id, 'rina');
    await api.post(`/api/v1/permit-applications/${a.id}/submit`).set('Authorization', bearer.rina).expect(200);
    const own = await api.get('/api/v1/permit-applications').set('Authorization', bearer.rina).expect(200);
    expect(own.body.items.map((x: { id: string }) => x.id)).toEqual([a.id]);

    const queue = await api.get('/api/v1/permit-applications?status=submitted').set('Authorization', bearer.pupr).expect(200);
    expect(queue.body.items.map((x: { id: string }) => x.id)).toContain(a.id);
    const dues = queue.body.items.map((x: { dueAt: string }) => x.dueAt);
    expect(dues).toEqual([...dues].sort());
    expect(queue.body.items.every((x: { agencyId: string; issuingAgencyId: string }) => x.agencyId === agencies.PUPR || x.issuingAgencyId === agencies.PUPR)).toBe(true);
    const other = await api.get('/api/v1/permit-applications').set('Authorization', bearer.dinkes).expect(200);
    expect(other.body).toMatchObject({ total: 0, totalExact: true });
    const all = await api.get('/api/v1/permit-applications?permitTypeCode=REKLAME&overdue=false').set('Authorization', bearer.admin).expect(200);
    expect(all.body.total).toBeGreaterThanOrEqual(4);
    // Exact below 1,000 matches (libs/contracts countedTotal; the rule itself is tested in permits' list tests).
    expect(all.body.totalExact).toBe(true);
    expect((await api.get('/api/v1/permit-applications?overdue=true').set('Authorization', bearer.admin).expect(200)).body.total).toBe(0);
    await api.get('/api/v1/permit-applications?status=flying').set('Authorization', bearer.admin).expect(400);
  });

  it('lets an admin keep the catalogue; open applications keep their terms', async () => {
    const body = {
      code: 'SLF',
      name: 'Sertifikat Laik Fungsi',
      agencyId: agencies.PUPR,
      requiredDocuments: [{ code: 'KTP', name: 'KTP pemilik', required: true }],
      formFields: [
        { code: 'buildingName', label: 'Nama bangunan', type: 'text', required: true },
        { code: 'use', label: 'Fungsi', type: 'select', required: true, options: ['hunian', 'usaha'] },
      ],
      slaWorkingDays: 10,
      fee: 0,
      validityMonths: 60,
    };
    await api.post('/api/v1/permit-types').set('Authorization', bearer.siti).send(body).expect(403);
    const created = await api.post('/api/v1/permit-types').set('Authorization', bearer.admin).send(body).expect(201);
    expect(created.body).toMatchObject({ code: 'SLF', issuingAgencyId: agencies.DPMPTSP, active: true });
    await api.post('/api/v1/permit-types').set('Authorization', bearer.admin).send(body).expect(409);
    const badSelect = await api
      .post('/api/v1/permit-types')
      .set('Authorization', bearer.admin)
      .send({ ...body, code: 'SLF2', formFields: [{ code: 'use', label: 'Fungsi', type: 'select', required: true }] })
      .expect(400);
    expect(badSelect.body.errors).toEqual([expect.objectContaining({ field: 'formFields[0].options' })]);
    expect((await api.get('/api/v1/permit-types/SLF').expect(200)).body.slaWorkingDays).toBe(10);

    const app = (await api.post('/api/v1/permit-applications').set('Authorization', bearer.siti).send({ permitTypeCode: 'SLF', formData: { buildingName: 'Ruko', use: 'usaha' } }).expect(201)).body;
    await api.patch('/api/v1/permit-types/SLF').set('Authorization', bearer.admin).send({ fee: 500000, slaWorkingDays: 20 }).expect(200);
    const kept = await api.get(`/api/v1/permit-applications/${app.id}`).set('Authorization', bearer.siti).expect(200);
    expect(kept.body.fee).toBe(0);

    await api.patch('/api/v1/permit-types/SLF').set('Authorization', bearer.admin).send({ active: false }).expect(200);
    const closed = await api.post('/api/v1/permit-applications').set('Authorization', bearer.siti).send({ permitTypeCode: 'SLF', formData: {} }).expect(409);
    expect(closed.body.code).toBe('PERMITS.PERMIT_TYPE_INACTIVE');
    await api.patch('/api/v1/permit-types/NOPE').set('Authorization', bearer.admin).send({ fee: 1 }).expect(404);
  });

  it('honours Idempotency-Key on creation: same answer, nothing new; another body is 422', async () => {
    const key = `k-${randomUUID()}`;
    const body = { permitTypeCode: 'REKLAME', formData: reklame };
    const first = await api.post('/api/v1/permit-applications').set('Authorization', bearer.siti).set('Idempotency-Key', key).send(body).expect(201);
    const again = await api.post('/api/v1/permit-applications').set('Authorization', bearer.siti).set('Idempotency-Key', key).send(body).expect(201);
    expect(again.body).toEqual(first.body);
    const before = (await api.get('/api/v1/permit-applications?pageSize=100').set('Authorization', bearer.siti)).body.total;
    await api.post('/api/v1/permit-applications').set('Authorization', bearer.siti).set('Idempotency-Key', key).send(body).expect(201);
    expect((await api.get('/api/v1/permit-applications?pageSize=100').set('Authorization', bearer.siti)).body.total).toBe(before);
    const other = await api
      .post('/api/v1/permit-applications')
      .set('Authorization', bearer.siti)
      .set('Idempotency-Key', key)
      .send({ ...body, formData: { ...reklame, widthMeters: 9 } })
      .expect(422);
    expect(other.body.code).toBe('COMMON.IDEMPOTENCY_MISMATCH');
    // Keys belong to the caller: another citizen may use the same one.
    await api.post('/api/v1/permit-applications').set('Authorization', bearer.budi).set('Idempotency-Key', key).send(body).expect(201);
    await api.post('/api/v1/permit-applications').set('Authorization', bearer.siti).set('Idempotency-Key', 'bad key with spaces').send(body).expect(400);
  });
});
