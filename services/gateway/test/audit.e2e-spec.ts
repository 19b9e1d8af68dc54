import { AuditEntryResponse, ChainVerification } from '@smart-regency/contracts';
import { canonicalRow, chainHash, storedAuditRow } from '@smart-regency/platform';
import { TestSystem } from '@smart-regency/testing';
import { Client } from 'pg';
import request from 'supertest';
import { People, submittedReklame } from './support';


/** The audit trail through the gateway: who did and who looked, merged across services, and verified. */
describe('audit trail', () => {
  let system: TestSystem;
  let api: ReturnType<typeof request>;
  const people = new People(6000);
  const { bearer, ids, agencies } = people;


  const trail = async (query: string, who = 'auditor'): Promise<AuditEntryResponse[]> =>
    (await api.get(`/api/v1/audit?${query}`).set('Authorization', bearer[who]).expect(200)).body.items;
  /** As a superuser with the triggers switched off, on one service's database. */
  const tamper = async (service: 'complaints', work: (db: Client) => Promise<unknown>) => {
    const db = new Client({ connectionString: system.process(service).env.DATABASE_URL });
    await db.connect();
    try {
      await db.query('SET session_replication_role = replica');
      await work(db);
    } finally {
      await db.end();
    }
  };

  beforeAll(async () => {
    system = await TestSystem.start();
    api = request(system.gatewayUrl);
    await people.signIn(system);
    await people.add('sari');
    await people.add('auditor', { roles: ['auditor'] });
    await people.add('dlh', { roles: ['officer'], agency: 'DLH' });
    await people.add('pupr', { roles: ['officer'], agency: 'PUPR' });
  }, 120000);

  afterAll(() => system?.stop());

  it("records a complaint's steps and the officer who looked at the reporter's complaint", async () => {
    const filed = (
      await api
        .post('/api/v1/complaints')
        .set('Authorization', bearer.sari)
        .send({ categoryCode: 'waste-environment', title: 'Sampah di parit', description: 'Parit di depan rumah saya tersumbat sampah.', location: { lat: 2.5, lng: 99.6 }, visibility: 'public' })
        .expect(201)
    ).body;
    await api.post(`/api/v1/complaints/${filed.id}/actions`).set('Authorization', bearer.admin).send({ action: 'verify' }).expect(200);
    await api.post(`/api/v1/complaints/${filed.id}/actions`).set('Authorization', bearer.admin).send({ action: 'dispose', agencyId: agencies.PUPR }).expect(200);
    await api.get(`/api/v1/complaints/${filed.id}`).set('Authorization', bearer.pupr).set('X-Request-Id', 'look-at-complaint').expect(200);
    await api.post(`/api/v1/complaints/${filed.id}/comments`).set('Authorization', bearer.pupr).send({ body: 'Kami cek besok pagi.' }).expect(201);

    const rows = await trail(`entityId=${filed.id}`);
    expect(rows.map((r) => [r.service, r.action])).toEqual([
      ['complaints', 'comment.add'],
      ['complaints', 'complaint.read'],
      ['complaints', 'complaint.dispose'],
      ['complaints', 'complaint.verify'],
      ['complaints', 'complaint.file'],
    ]);
    expect(rows[1]).toMatchObject({ actorId: ids.pupr, actorRoles: ['officer'], actorAgencyId: agencies.PUPR, subjectId: ids.sari, requestId: 'look-at-complaint' });
    expect(rows[2].changes).toEqual({
      before: { status: 'verified', agencyId: agencies.DLH, dueAt: expect.any(String), version: 2 },
      after: { status: 'dispositioned', agencyId: agencies.PUPR, dueAt: expect.any(String), version: 3 },
    });
    expect(rows[4]).toMatchObject({ actorId: ids.sari, changes: { after: { status: 'received', title: '[personal]', description: '[personal]', location: '[personal]' } } });
    expect(JSON.stringify(rows)).not.toMatch(/Sampah di parit|tersumbat|Kami cek/);
    // The reporter reading their own complaint is not an access to someone else's data.
    await api.get(`/api/v1/complaints/${filed.id}`).set('Authorization', bearer.sari).expect(200);
    expect((await trail(`entityId=${filed.id}`)).length).toBe(rows.length);
  });

  it('records a permit application from upload to verification, and staff opening its documents', async () => {
    const draft = await submittedReklame(api, bearer.sari);
    await api.get(`/api/v1/permit-applications/${draft.id}`).set('Authorization', bearer.pupr).expect(200);
    await api.get(`/api/v1/permit-applications/${draft.id}/documents/KTP`).set('Authorization', bearer.pupr).expect(200);
    await api.post(`/api/v1/permit-applications/${draft.id}/actions`).set('Authorization', bearer.pupr).send({ action: 'verify', note: 'lengkap' }).expect(200);

    const rows = await trail(`service=permits&entityId=${draft.id}`, 'admin');
    expect(rows.map((r) => r.action)).toEqual(['application.verify', 'document.read', 'application.read', 'application.submit', 'document.upload', 'document.upload', 'document.upload', 'application.create']);
    expect(rows.every((r) => r.service === 'permits' && r.subjectId === ids.sari)).toBe(true);
    expect(rows[0]).toMatchObject({ actorId: ids.pupr, changes: { before: { status: 'submitted' }, after: { status: 'verified' }, note: '[personal]' } });
    expect(rows[1]).toMatchObject({ actorId: ids.pupr, changes: { documentCode: 'KTP' } });
    expect(rows[4].changes).toMatchObject({ after: { documentCode: expect.any(String), size: expect.any(Number), sha256: expect.stringMatching(/^[0-9a-f]{64}$/) } });
  });

  it("records an admin opening a citizen's account, and merges every service's rows by time", async () => {
    await api.get(`/api/v1/users/${ids.sari}`).set('Authorization', bearer.admin).expect(200);
    const rows = await trail(`subjectId=${ids.sari}&pageSize=100`);
    expect(new Set(rows.map((r) => r.service))).toEqual(new Set(['identity', 'permits', 'complaints']));
    expect(rows[0]).toMatchObject({ service: 'identity', action: 'user.read', entityId: ids.sari });
    expect(rows.map((r) => r.at)).toEqual([...rows.map((r) => r.at)].sort().reverse());
    const page2 = (await api.get(`/api/v1/audit?subjectId=${ids.sari}&page=2&pageSize=3`).set('Authorization', bearer.auditor).expect(200)).body;
    expect(page2).toMatchObject({ page: 2, pageSize: 3, total: rows.length });
    expect(page2.items.map((r: AuditEntryResponse) => [r.service, r.seq])).toEqual(rows.slice(3, 6).map((r) => [r.service, r.seq]));
    const since = (await trail(`subjectId=${ids.sari}&from=${encodeURIComponent(rows[0].at)}`)).map((r) => r.action);
    expect(since).toContain('user.read');
    expect(since).not.toContain('user.register');
  });

  it('is for admins and auditors only; bad filters are 400 with every field named', async () => {
    await api.get('/api/v1/audit').expect(401);
    for (const who of ['sari', 'dlh']) {
      for (const path of ['/api/v1/audit', '/api/v1/audit/verify', '/api/v1/audit/head']) {
        const res = await api.get(path).set('Authorization', bearer[who]).expect(403);
        expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      }
      await api.post('/api/v1/audit/verify').set('Authorization', bearer[who]).send({ heads: [] }).expect(403);
    }
    const bad = (await api.get('/api/v1/audit?service=finance&from=kemarin&pageSize=500').set('Authorization', bearer.auditor).expect(400)).body;
    expect(bad.code).toBe('COMMON.VALIDATION');
    expect(bad.errors.map((e: { field: string }) => e.field).sort()).toEqual(['from', 'pageSize', 'service']);
    expect((await api.get('/api/v1/audit?page=101&pageSize=100').set('Authorization', bearer.auditor).expect(400)).body.code).toBe('AUDIT.PAGE_TOO_DEEP');
    expect((await api.get('/api/v1/audit/verify?anchor=complaints:1:abc').set('Authorization', bearer.auditor).expect(400)).body.code).toBe('COMMON.VALIDATION');
    const twice = `complaints:1:${'a'.repeat(64)},complaints:2:${'b'.repeat(64)}`;
    expect((await api.get(`/api/v1/audit/verify?anchor=${twice}`).set('Authorization', bearer.auditor).expect(400)).body.code).toBe('AUDIT.INVALID_ANCHOR');
    expect((await api.get(`/api/v1/audit/verify?service=identity&anchor=complaints:1:${'a'.repeat(64)}`).set('Authorization', bearer.auditor).expect(400)).body.code).toBe('AUDIT.INVALID_ANCHOR');
    await api.post('/api/v1/audit/verify').set('Authorization', bearer.auditor).send({ heads: [{ service: 'complaints', seq: -1, hash: 'x' }] }).expect(400);
  });

  it('verifies every chain, finds a row an insider changed, and catches a re-hashed chain against an exported head', async () => {
    const intact = (await api.get('/api/v1/audit/verify').set('Authorization', bearer.auditor).expect(200)).body;
    expect(intact.intact).toBe(true);
    expect(intact.services.map((s: ChainVerification) => [s.service, s.intact])).toEqual([['identity', true], ['permits', true], ['complaints', true], ['notifications', true]]);
    const exported = (await api.get('/api/v1/audit/head').set('Authorization', bearer.auditor).expect(200)).body;
    expect(exported.heads.map((h: { service: string; seq: number }) => h.service)).toEqual(['identity', 'permits', 'complaints', 'notifications']);
    // Notifications' trail is empty here (no webhook changed in this suite): its head is the genesis.
    const [working, empty] = [exported.heads.slice(0, 3), exported.heads[3]];
    expect(working.every((h: { seq: number; hash: string }) => h.seq > 0 && /^[0-9a-f]{64}$/.test(h.hash))).toBe(true);
    expect(empty).toMatchObject({ service: 'notifications', seq: 0, hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const complaintsHead = exported.heads[2];

    // An insider turns the verification of the first complaint into a rejection, without the hashes.
    let seq = '';
    await tamper('complaints', async (db) => {
      seq = (await db.query(`SELECT seq FROM audit_log WHERE action = 'complaint.verify' ORDER BY seq LIMIT 1`)).rows[0].seq;
    });
    await tamper('complaints', (db) => db.query(`UPDATE audit_log SET action = 'complaint.reject' WHERE seq = $1`, [seq]));
    const broken = (await api.get('/api/v1/audit/verify').set('Authorization', bearer.auditor).expect(200)).body;
    expect(broken.intact).toBe(false);
    expect(broken.services[2]).toMatchObject({ service: 'complaints', intact: false, broken: { seq: Number(seq), reason: 'hash_mismatch' } });
    expect(broken.services[0].intact && broken.services[1].intact).toBe(true);

    // The same insider re-hashes the chain from that row on: alone it looks intact again…
    await tamper('complaints', async (db) => {
      const { rows } = await db.query(`SELECT * FROM audit_log WHERE seq >= $1 ORDER BY seq`, [seq]);
      let prev = (await db.query(`SELECT hash FROM audit_log WHERE seq = $1`, [Number(seq) - 1])).rows[0]?.hash ?? '0'.repeat(64);
      for (const r of rows) {
        // The insider re-hashes with the published algorithm, as anyone could.
        const hash = chainHash(prev, canonicalRow(storedAuditRow('complaints', r)));
        await db.query(`UPDATE audit_log SET prev_hash = $2, hash = $3 WHERE seq = $1`, [r.seq, prev, hash]);
        prev = hash;
      }
      await db.query(`UPDATE audit_head SET hash = $1 WHERE id = 1`, [prev]);
    });
    expect((await api.get('/api/v1/audit/verify?service=complaints').set('Authorization', bearer.auditor).expect(200)).body).toMatchObject({ intact: true });
    // …but not against the head exported before, given as a query or as the exported document.
    const anchor = `complaints:${complaintsHead.seq}:${complaintsHead.hash}`;
    const caught = (await api.get(`/api/v1/audit/verify?anchor=${anchor}`).set('Authorization', bearer.auditor).expect(200)).body;
    expect(caught.intact).toBe(false);
    expect(caught.services[2]).toMatchObject({ intact: false, anchorChecked: false, broken: { seq: complaintsHead.seq, reason: 'anchor_mismatch' } });
    const posted = (await api.post('/api/v1/audit/verify').set('Authorization', bearer.auditor).send(exported).expect(200)).body;
    expect(posted.services.map((s: ChainVerification) => [s.service, s.intact, s.anchorChecked])).toEqual([
      ['identity', true, true],
      ['permits', true, true],
      ['complaints', false, false],
      ['notifications', true, true],
    ]);
  });
});
