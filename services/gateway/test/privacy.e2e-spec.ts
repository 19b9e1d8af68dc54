import { makeNik, TEST_ADMIN, TestSystem, waitFor } from '@smart-regency/testing';
import { randomBytes } from 'crypto';
import request from 'supertest';
import { serviceRows } from './support';

/**
 * Citizens' data rights (UU 27/2022 PDP) across the whole system: consent shown, the export of
 * everything held about a person (and nothing of anybody else), and erasure — after which no
 * table of any service holds the person's name, NIK, email or phone, public figures do not move,
 * the account cannot sign in, and a service that was down while it happened catches up.
 */
describe('data rights: export and erasure', () => {
  let system: TestSystem;
  let api: ReturnType<typeof request>;
  const bearer: Record<string, string> = {};
  const agencies: Record<string, string> = {};

  const rina = {
    nik: makeNik({ sequence: 9101 }),
    fullName: 'Rina Marlina Siregar',
    email: 'rina.siregar@example.id',
    phone: '081277009101',
    normalizedPhone: '+6281277009101',
    password: 'Sandi-Rina-9101-Labura',
  };
  const tono = { nik: makeNik({ sequence: 9102 }), fullName: 'Tono Hasibuan', email: 'tono.h@example.id', phone: '081277009102', password: 'Sandi-Tono-9102-Labura' };
  // A "KTP scan" that carries the person's data inside the file, as real uploads do; the random
  // rest keeps PostgreSQL from compressing it, so its bytes are on disk as they were sent.
  const ktp = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.from(`NIK ${rina.nik} NAMA ${rina.fullName.toUpperCase()} ${rina.fullName}\n`), randomBytes(4096), Buffer.from('\n%%EOF\n')]);
  // The scan she uploaded first and then replaced.
  const REPLACED = `KTP-BURAM-${rina.nik}`;
  const ktpReplaced = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.from(`${REPLACED}\n`), randomBytes(4096), Buffer.from('\n%%EOF\n')]);
  // Tono's document, kept: small enough to stay in the table's own pages.
  const TONO_FILE = 'KTP-TONO-HASIBUAN-ASLI';
  const tonoKtp = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.from(`${TONO_FILE}\n`), randomBytes(300), Buffer.from('\n%%EOF\n')]);
  const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(256, 1)]);
  const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(256, 2)]);

  const db = <T = Record<string, unknown>>(service: 'identity' | 'permits' | 'complaints' | 'reporting' | 'notifications', sql: string, params: unknown[] = []) =>
    serviceRows<T>(system, service, sql, params);
  /** Reporting has applied every event the services have published (it batches for up to 100 ms). */
  const reportingCaughtUp = () =>
    waitFor('reporting to apply every published event', async () => {
      let published = 0;
      for (const service of ['identity', 'permits', 'complaints'] as const) {
        const [outbox] = await db<{ pending: number; sent: number }>(
          service,
          `SELECT count(*) FILTER (WHERE sent_at IS NULL)::int AS pending, count(*) FILTER (WHERE sent_at IS NOT NULL)::int AS sent FROM outbox`,
        );
        if (outbox.pending) return undefined;
        published += outbox.sent;
      }
      const [applied] = await db<{ n: number }>('reporting', `SELECT count(*)::int AS n FROM processed_events WHERE consumer = 'reporting'`);
      return applied.n >= published ? true : undefined;
    });

  /** Every table of every service database, every column (bytea included), searched for each needle. */
  const findEverywhere = async (needles: string[]): Promise<string[]> => {
    const hits: string[] = [];
    for (const service of ['identity', 'permits', 'complaints', 'reporting', 'notifications'] as const) {
      const tables = await db<{ table_name: string }>(service, `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`);
      const byteaColumns = await db<{ table_name: string; column_name: string }>(
        service,
        `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' AND data_type = 'bytea'`,
      );
      for (const { table_name } of tables) {
        for (const needle of needles) {
          const [{ n }] = await db<{ n: number }>(service, `SELECT count(*)::int AS n FROM "${table_name}" t WHERE t::text ILIKE '%' || $1 || '%'`, [needle]);
          if (n) hits.push(`${service}.${table_name} has ${needle}`);
        }
      }
      for (const { table_name, column_name } of byteaColumns) {
        for (const needle of needles) {
          const [{ n }] = await db<{ n: number }>(
            service,
            `SELECT count(*)::int AS n FROM "${table_name}" WHERE position(convert_to($1, 'UTF8') IN "${column_name}") > 0`,
            [needle],
          );
          if (n) hits.push(`${service}.${table_name}.${column_name} (bytes) has ${needle}`);
        }
      }
    }
    return hits;
  };
  /** supertest: the body as a Buffer, whatever its type. */
  const binary = (res: import('superagent').Response, done: (error: Error | null, body: Buffer) => void) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('end', () => done(null, Buffer.concat(chunks)));
  };
  const personalOf = (p: typeof rina) => [p.nik, p.fullName, p.email, p.phone, p.normalizedPhone.slice(1), p.normalizedPhone.slice(3)];

  let application: { id: string; number: string };
  let complaint: { id: string; trackingNumber: string };
  let tonoComplaint: { id: string };
  let tonoApplication: { id: string };
  let photoId: string;
  let replacedFoundBefore: string[];

  beforeAll(async () => {
    system = await TestSystem.start({ permits: { JOB_INTERVAL_MS: '500' }, complaints: { JOB_INTERVAL_MS: '500' } });
    api = request(system.gatewayUrl);
    bearer.admin = `Bearer ${await system.login(TEST_ADMIN.email, TEST_ADMIN.password)}`;
    for (const a of (await api.get('/api/v1/agencies?pageSize=100').set('Authorization', bearer.admin).expect(200)).body.items) agencies[a.code] = a.id;
    for (const [name, p] of Object.entries({ rina, tono })) {
      await api.post('/api/v1/auth/register').send({ nik: p.nik, fullName: p.fullName, email: p.email, phone: p.phone, password: p.password }).expect(201);
      bearer[name] = `Bearer ${await system.login(p.email, p.password)}`;
    }
    await api.post('/api/v1/users').set('Authorization', bearer.admin).send({ email: 'dlh@pemda.labura.go.id', fullName: 'Petugas DLH', roles: ['officer'], agencyId: agencies.DLH, password: 'Sandi-Petugas-DLH-1' }).expect(201);
    bearer.dlh = `Bearer ${await system.login('dlh@pemda.labura.go.id', 'Sandi-Petugas-DLH-1')}`;

    // Rina's permit: free text that names her, an address, and documents with her data inside.
    application = (
      await api
        .post('/api/v1/permit-applications')
        .set('Authorization', bearer.rina)
        .send({ permitTypeCode: 'REKLAME', formData: { billboardType: `Baliho toko ${rina.fullName}`, widthMeters: 4, heightMeters: 3, address: 'Jl. Melati No. 9, Aek Kanopan' }, location: { lat: 2.5791234, lng: 99.6184321, address: 'Jl. Melati No. 9' } })
        .expect(201)
    ).body;
    const put = (code: string, type: string, body: Buffer) =>
      api.put(`/api/v1/permit-applications/${application.id}/documents/${code}`).set('Authorization', bearer.rina).set('Content-Type', type).send(body).expect(200);
    await put('KTP', 'application/pdf', ktpReplaced);
    replacedFoundBefore = await findEverywhere([REPLACED]);
    await put('KTP', 'application/pdf', ktp);
    await put('DESAIN_REKLAME', 'image/png', png);
    await put('FOTO_LOKASI', 'image/jpeg', jpeg);
    await api.post(`/api/v1/permit-applications/${application.id}/submit`).set('Authorization', bearer.rina).send({}).expect(200);

    // Rina's complaint: she wrote her phone into it, comments, and rates the answer with a remark.
    complaint = (
      await api
        .post('/api/v1/complaints')
        .set('Authorization', bearer.rina)
        .send({
          categoryCode: 'waste-environment',
          title: `Sampah di depan rumah ${rina.fullName}`,
          description: `Tidak diangkut dua minggu. Hubungi saya di ${rina.phone} atau ${rina.email}.`,
          location: { lat: 2.5791234, lng: 99.6184321, district: 'Kualuh Hulu', village: 'Aek Kanopan', address: 'Jl. Melati No. 9' },
          visibility: 'public',
        })
        .expect(201)
    ).body;
    // A "photo" whose metadata carries her name, as phone cameras' EXIF owner fields do.
    const photo = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe1]), Buffer.from(`Exif Owner ${rina.fullName} ${rina.phone}`), randomBytes(4096)]);
    photoId = (
      await api.post(`/api/v1/complaints/${complaint.id}/attachments?fileName=depan-rumah.jpg`).set('Authorization', bearer.rina).set('Content-Type', 'image/jpeg').send(photo).expect(201)
    ).body.id;
    await api.post(`/api/v1/complaints/${complaint.id}/actions`).set('Authorization', bearer.admin).send({ action: 'verify' }).expect(200);
    await api.post(`/api/v1/complaints/${complaint.id}/actions`).set('Authorization', bearer.admin).send({ action: 'dispose', agencyId: agencies.DLH }).expect(200);
    await api.post(`/api/v1/complaints/${complaint.id}/comments`).set('Authorization', bearer.rina).send({ body: `Saya ${rina.fullName}, tetangga juga mengeluh.` }).expect(201);
    await api.post(`/api/v1/complaints/${complaint.id}/comments`).set('Authorization', bearer.dlh).send({ body: 'Truk dijadwalkan besok pagi.' }).expect(201);
    await api.post(`/api/v1/complaints/${complaint.id}/actions`).set('Authorization', bearer.dlh).send({ action: 'start' }).expect(200);
    await api.post(`/api/v1/complaints/${complaint.id}/actions`).set('Authorization', bearer.dlh).send({ action: 'resolve', note: 'Sampah sudah diangkut.' }).expect(200);
    await api.post(`/api/v1/complaints/${complaint.id}/rating`).set('Authorization', bearer.rina).send({ score: 4, comment: `Terima kasih, salam ${rina.fullName}` }).expect(200);

    tonoComplaint = (
      await api
        .post('/api/v1/complaints')
        .set('Authorization', bearer.tono)
        .send({ categoryCode: 'roads-bridges', title: 'Jalan berlubang', description: `Lapor dari ${tono.fullName}`, location: { lat: 2.6, lng: 99.7, district: 'Aek Natas' }, visibility: 'public' })
        .expect(201)
    ).body;
    tonoApplication = (
      await api.post('/api/v1/permit-applications').set('Authorization', bearer.tono).send({ permitTypeCode: 'REKLAME', formData: { billboardType: 'Papan nama', widthMeters: 1, heightMeters: 1 } }).expect(201)
    ).body;
    await api.put(`/api/v1/permit-applications/${tonoApplication.id}/documents/KTP`).set('Authorization', bearer.tono).set('Content-Type', 'application/pdf').send(tonoKtp).expect(200);
  }, 180000);

  afterAll(() => system?.stop());

  it('shows the consent given at registration', async () => {
    const me = (await api.get('/api/v1/me').set('Authorization', bearer.rina).expect(200)).body;
    expect(me.consent.version).toEqual(expect.any(String));
    expect(me.consent.version.length).toBeGreaterThan(0);
    expect(Math.abs(Date.parse(me.consent.at) - Date.now())).toBeLessThan(10 * 60_000);
    const staff = (await api.get('/api/v1/me').set('Authorization', bearer.dlh).expect(200)).body;
    expect(staff.consent).toBeUndefined();
  });

  it('exports everything held about the caller and nothing about anybody else', async () => {
    const res = await api.get('/api/v1/me/data-export').set('Authorization', bearer.rina).expect(200);
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename=/);
    expect(res.headers['cache-control']).toBe('no-store');
    const doc = res.body;
    expect(doc).toMatchObject({ formatVersion: 1, reporting: { personalData: false } });
    expect(doc.identity.profile).toMatchObject({ fullName: rina.fullName, email: rina.email, phone: rina.normalizedPhone, roles: ['citizen'] });
    expect(doc.identity.profile.nik).toMatch(/\*/); // identity keeps only the masked NIK and a keyed hash
    expect(doc.identity.profile.consent.version).toEqual(expect.any(String));
    expect(doc.identity.loginHistory.filter((l: { success: boolean }) => l.success).length).toBeGreaterThanOrEqual(1);
    expect(doc.identity.sessions.length).toBeGreaterThanOrEqual(1);

    expect(doc.permits.applications).toHaveLength(1);
    const app = doc.permits.applications[0];
    expect(app).toMatchObject({ id: application.id, number: application.number, status: 'submitted', formData: { billboardType: `Baliho toko ${rina.fullName}` } });
    expect(app.documents.map((d: { code: string }) => d.code).sort()).toEqual(['DESAIN_REKLAME', 'FOTO_LOKASI', 'KTP']);
    expect(app.history.map((h: { action: string }) => h.action)).toEqual(['create', 'submit']);

    expect(doc.complaints.complaints).toHaveLength(1);
    const c = doc.complaints.complaints[0];
    expect(c).toMatchObject({ id: complaint.id, trackingNumber: complaint.trackingNumber, rating: 4, ratingComment: `Terima kasih, salam ${rina.fullName}`, answer: 'Sampah sudah diangkut.' });
    expect(c.comments.map((x: { body: string; mine?: boolean }) => [x.body, !!x.mine])).toEqual([
      [`Saya ${rina.fullName}, tetangga juga mengeluh.`, true],
      ['Truk dijadwalkan besok pagi.', false],
    ]);
    expect(c.history.map((h: { action: string }) => h.action)).toEqual(['file', 'verify', 'dispose', 'start', 'resolve']);
    expect(c.attachments).toEqual([expect.objectContaining({ contentType: 'image/jpeg', fileName: 'depan-rumah.jpg', uploaderRole: 'citizen' })]);

    const text = JSON.stringify(doc);
    for (const other of [tono.fullName, tono.email, tonoComplaint.id, 'Petugas DLH', 'dlh@pemda']) expect(text).not.toContain(other);
    expect(text).not.toMatch(/passwordHash|password_hash|tokenHash|nikHash/i);
  });

  it('lets only citizens export and erase', async () => {
    expect((await api.get('/api/v1/me/data-export').set('Authorization', bearer.dlh).expect(403)).body.code).toBe('COMMON.FORBIDDEN');
    await api.delete('/api/v1/me').set('Authorization', bearer.dlh).send({ password: 'Sandi-Petugas-DLH-1' }).expect(403);
    await api.get('/api/v1/me/data-export').expect(401);
  });

  it('erases the person everywhere, keeps the records and the figures, and catches up after an outage', async () => {
    const publicBefore = (await api.get('/api/v1/public/complaints?pageSize=100').expect(200)).body;
    await reportingCaughtUp();
    const reportBefore = (await api.get('/api/v1/public/reports/summary').expect(200)).body;
    expect(await findEverywhere(personalOf(rina))).not.toEqual([]); // the search finds what is there
    // The scan she replaced was there while it was current, and went when she replaced it.
    expect(replacedFoundBefore).toEqual([`permits.document_blobs.content (bytes) has ${REPLACED}`]);
    expect(await findEverywhere([REPLACED])).toEqual([]);
    // Her files can be read before: the document by staff, the photo of her public complaint by anyone.
    const before = await api.get(`/api/v1/permit-applications/${application.id}/documents/KTP`).set('Authorization', bearer.admin).buffer(true).parse(binary).expect(200);
    expect(Buffer.compare(before.body, ktp)).toBe(0);
    await api.get(`/api/v1/public/complaints/${complaint.trackingNumber}/attachments/${photoId}`).expect(200);

    const missing = await api.delete('/api/v1/me').set('Authorization', bearer.rina).send({}).expect(400);
    expect(missing.body.errors.map((e: { field: string }) => e.field)).toContain('password');
    expect((await api.delete('/api/v1/me').set('Authorization', bearer.rina).send({ password: 'salah-sekali-123' }).expect(400)).body.code).toBe('IDENTITY.WRONG_PASSWORD');

    // Complaints is down while the erasure happens; it must catch up from the stream when it returns.
    await system.process('complaints').stop();
    const erased = (await api.delete('/api/v1/me').set('Authorization', bearer.rina).send({ password: rina.password }).expect(202)).body;
    expect(erased).toMatchObject({ propagatesTo: ['permits', 'complaints', 'notifications'] });
    expect(Date.parse(erased.erasedAt)).toBeGreaterThan(Date.now() - 60_000);

    // Sessions end at once; no identifier signs in any more.
    await api.get('/api/v1/me').set('Authorization', bearer.rina).expect(401);
    for (const identifier of [rina.email, rina.phone, rina.nik]) {
      await api.post('/api/v1/auth/login').send({ identifier, password: rina.password }).expect(401);
    }
    // Registering again with the same NIK, email and phone is possible: nothing of them is kept.
    // (Checked last, below, so the search does not find the new account.)

    await waitFor('permits to anonymise the applicant', async () => {
      const [row] = await db<{ form_data: Record<string, unknown> }>('permits', `SELECT form_data FROM applications WHERE id = $1`, [application.id]);
      return row.form_data.billboardType === '[dihapus]' ? true : undefined;
    });
    await system.process('complaints').start();
    await waitFor('complaints to catch up after its outage', async () => {
      const [row] = await db<{ title: string }>('complaints', `SELECT title FROM complaints WHERE id = $1`, [complaint.id]);
      return row.title.startsWith('[dihapus') ? true : undefined;
    }).catch((error) => {
      // What complaints said (e.g. a failing erasure handler) is the first thing to read when this fails.
      throw new Error(`${(error as Error).message}\n${system.process('complaints').output.slice(-20).join('\n')}`);
    });
    await system.waitUntilReady();
    await waitFor('notifications to forget her messages and empty what quoted her', async () => {
      const [row] = await db<{ n: number }>('notifications', `SELECT count(*)::int AS n FROM erased_users WHERE user_id = $1`, [erased.userId]);
      return row.n ? true : undefined;
    });

    expect(await findEverywhere(personalOf(rina))).toEqual([]);
    expect(await findEverywhere(['Jl. Melati'])).toEqual([]);
    // Tono is untouched.
    expect((await findEverywhere([tono.fullName])).length).toBeGreaterThan(0);

    // The records the regency keeps are still there, pseudonymised; the figures do not move.
    const [app] = await db<{ status: string; number: string; form_data: Record<string, unknown>; location: Record<string, unknown> }>(
      'permits',
      `SELECT status, number, form_data, location FROM applications WHERE id = $1`,
      [application.id],
    );
    expect(app).toMatchObject({ status: 'submitted', number: application.number, form_data: { widthMeters: 4, heightMeters: 3 }, location: { lat: 2.5791234, lng: 99.6184321 } });
    const docs = await db<{ code: string; sha256: string }>('permits', `SELECT code, sha256 FROM application_documents WHERE application_id = $1 ORDER BY code`, [application.id]);
    expect(docs.map((d) => d.code)).toEqual(['DESAIN_REKLAME', 'FOTO_LOKASI', 'KTP']);
    expect(await db('permits', `SELECT key FROM document_blobs WHERE key LIKE $1`, [`applications/${application.id}/%`])).toEqual([]);

    // Through the API no version of her files can be read any more, by staff or by the public; Tono's can.
    for (const code of ['KTP', 'DESAIN_REKLAME', 'FOTO_LOKASI']) {
      const gone = await api.get(`/api/v1/permit-applications/${application.id}/documents/${code}`).set('Authorization', bearer.admin).expect(404);
      expect(gone.body.code).toBe('PERMITS.DOCUMENT_NOT_FOUND');
    }
    await api.get(`/api/v1/complaints/${complaint.id}/attachments/${photoId}`).set('Authorization', bearer.dlh).expect(404);
    await api.get(`/api/v1/public/complaints/${complaint.trackingNumber}/attachments/${photoId}`).expect(404);
    expect((await api.get(`/api/v1/complaints/${complaint.id}/attachments`).set('Authorization', bearer.dlh).expect(200)).body).toEqual([]);
    const tonos = await api.get(`/api/v1/permit-applications/${tonoApplication.id}/documents/KTP`).set('Authorization', bearer.admin).buffer(true).parse(binary).expect(200);
    expect(Buffer.compare(tonos.body, tonoKtp)).toBe(0);

    // On disk: once the tables are rewritten (VACUUM FULL; a plain VACUUM only marks the space free,
    // see docs/privacy.md) their files hold none of her bytes, while Tono's are found where they are.
    const onDisk = async (service: 'permits' | 'complaints', table: string, needle: string) => {
      const [found] = await db<{ heap: number; toast: number }>(
        service,
        `SELECT position(convert_to($2, 'UTF8') IN pg_read_binary_file(pg_relation_filepath(oid))) AS heap,
                position(convert_to($2, 'UTF8') IN pg_read_binary_file(pg_relation_filepath(reltoastrelid))) AS toast
           FROM pg_class WHERE oid = $1::regclass`,
        [table, needle],
      );
      return found.heap > 0 || found.toast > 0;
    };
    await db('permits', 'VACUUM FULL document_blobs');
    await db('complaints', 'VACUUM FULL complaint_blobs');
    expect(await onDisk('permits', 'document_blobs', TONO_FILE)).toBe(true);
    for (const needle of [REPLACED, rina.nik, rina.fullName]) expect(await onDisk('permits', 'document_blobs', needle)).toBe(false);
    for (const needle of [rina.fullName, rina.phone]) expect(await onDisk('complaints', 'complaint_blobs', needle)).toBe(false);
    const [kept] = await db<{ status: string; rating: number; location: Record<string, unknown>; answer: string }>(
      'complaints',
      `SELECT status, rating, location, answer FROM complaints WHERE id = $1`,
      [complaint.id],
    );
    expect(kept).toEqual({ status: 'resolved', rating: 4, answer: 'Sampah sudah diangkut.', location: { lat: 2.579, lng: 99.618, district: 'Kualuh Hulu' } });
    const publicAfter = (await api.get('/api/v1/public/complaints?pageSize=100').expect(200)).body;
    expect(publicAfter.total).toBe(publicBefore.total);
    expect(publicAfter.items.map((i: { trackingNumber: string }) => i.trackingNumber).sort()).toEqual(publicBefore.items.map((i: { trackingNumber: string }) => i.trackingNumber).sort());
    expect(JSON.stringify(publicAfter)).not.toContain(rina.fullName);
    await reportingCaughtUp();
    const reportAfter = (await api.get('/api/v1/public/reports/summary').expect(200)).body;
    const { asOf: _a, generatedAt: _g, ...figuresAfter } = reportAfter;
    const { asOf: _b, generatedAt: _h, ...figuresBefore } = reportBefore;
    expect(figuresAfter).toEqual(figuresBefore);

    // Staff still see the case, without the person.
    const seen = (await api.get(`/api/v1/complaints/${complaint.id}`).set('Authorization', bearer.dlh).expect(200)).body;
    expect(JSON.stringify(seen)).not.toMatch(new RegExp(`${rina.fullName}|${rina.phone}|${rina.email}`));

    // The trail shows the erasure in every service that held the person, and is still intact.
    const trail = (await api.get(`/api/v1/audit?subjectId=${erased.userId}&pageSize=100`).set('Authorization', bearer.admin).expect(200)).body.items;
    const erasures = trail.filter((e: { action: string }) => e.action === 'user.erase').map((e: { service: string }) => e.service);
    expect(erasures.sort()).toEqual(['complaints', 'identity', 'permits']);
    expect((await api.get('/api/v1/audit/verify').set('Authorization', bearer.admin).expect(200)).body.intact).toBe(true);

    // Erasing is final and repeatable in effect: the same person may register afresh.
    await api.post('/api/v1/auth/register').send({ nik: rina.nik, fullName: rina.fullName, email: rina.email, phone: rina.phone, password: rina.password }).expect(201);
  }, 120000);
});
