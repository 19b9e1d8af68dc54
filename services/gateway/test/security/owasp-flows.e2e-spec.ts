import { secondsUntilJakartaMidnight } from '@smart-regency/platform';
import { TestSystem } from '@smart-regency/testing';
import { randomUUID } from 'crypto';
import request from 'supertest';
import { People, submittedReklame } from '../support';
import { Databases, expectRefused, leaks, recording, Seen } from './owasp-support';

const LIMITS = { CITIZEN_FILINGS_PER_DAY: '3', CITIZEN_DRAFTS_PER_DAY: '3', CITIZEN_COMMENTS_PER_DAY: '3' };

/**
 * OWASP API4 unrestricted resource consumption and API6 unrestricted access to sensitive business
 * flows, beyond limits.e2e-spec (each daily limit one request at a time), hostile-input.e2e-spec
 * (huge, deep and odd bodies) and resources.e2e-spec (slow bodies, parallel uploads, outages):
 * every list's page caps, query strings, report ranges; bursts in parallel against once-only rules
 * and daily limits; steps skipped in both lifecycles; staff on the applicant's side.
 */
describe('OWASP API4, API6: resources and business flows', () => {
  let system: TestSystem;
  let api: ReturnType<typeof request>;
  const seen: Seen[] = [];
  const db = new Databases();
  const people = new People(9800);
  const { bearer, agencies } = people;

  const complaint = { categoryCode: 'waste-environment', title: 'Sampah di pasar', description: 'Sampah menumpuk sejak seminggu.', location: { lat: 2.5, lng: 99.6 }, visibility: 'public' };
  const draftBody = { permitTypeCode: 'REKLAME', formData: { billboardType: 'Baliho', widthMeters: 4, heightMeters: 3 } };
  const fileAs = (who: string) => api.post('/api/v1/complaints').set('Authorization', bearer[who]).send(complaint);
  const act = (kind: 'permit-applications' | 'complaints', id: string, who: string, body: Record<string, unknown>) =>
    api.post(`/api/v1/${kind}/${id}/actions`).set('Authorization', bearer[who]).send(body);

  beforeAll(async () => {
    system = await TestSystem.start({ permits: LIMITS, complaints: LIMITS });
    api = recording(system.gatewayUrl, seen);
    await db.open(system);
    await people.signIn(system);
    for (const name of ['ani', 'rush', 'drafter', 'idem', 'talker']) await people.add(name);
    await people.add('dlh', { roles: ['officer'], agency: 'DLH' });
    await people.add('pupr', { roles: ['officer'], agency: 'PUPR' });
    await people.add('loket', { roles: ['officer'], agency: 'DPMPTSP' });
    await people.add('kadis', { roles: ['agency_head'], agency: 'DPMPTSP' });
    await people.add('auditor', { roles: ['auditor'] });
  }, 180000);

  afterAll(async () => {
    await db.close();
    await system?.stop();
  });

  describe('API4 unrestricted resource consumption', () => {
    it('pages every list at most 100 items and 10,000 pages deep, naming the field beyond', async () => {
      const lists: Array<[string, string?]> = [
        ['/api/v1/agencies'],
        ['/api/v1/permit-types'],
        ['/api/v1/complaint-categories'],
        ['/api/v1/public/complaints'],
        ['/api/v1/users', 'admin'],
        ['/api/v1/permit-applications', 'ani'],
        ['/api/v1/permit-applications', 'auditor'],
        ['/api/v1/complaints', 'ani'],
        ['/api/v1/complaints', 'auditor'],
        ['/api/v1/audit?service=permits', 'auditor'],
      ];
      const get = (path: string, who?: string) => (who ? api.get(path).set('Authorization', bearer[who]) : api.get(path));
      for (const [path, who] of lists) {
        const join = path.includes('?') ? '&' : '?';
        const fields = async (query: string) => {
          const res = await get(`${path}${join}${query}`, who);
          expect({ path, query, status: res.status }).toEqual({ path, query, status: 400 });
          return res.body.errors.map((e: { field: string }) => e.field);
        };
        expect(await fields('pageSize=101')).toEqual(['pageSize']);
        expect(await fields('pageSize=1000000')).toEqual(['pageSize']);
        expect(await fields('pageSize=0')).toEqual(['pageSize']);
        expect(await fields('page=10001')).toEqual(['page']);
        const full = await get(`${path}${join}pageSize=100`, who).expect(200);
        expect({ path, pageSize: full.body.pageSize }).toEqual({ path, pageSize: 100 });
      }
    });

    it('answers huge query strings, floods of parameters and repeated ones with a short 4xx, and stays up', async () => {
      const long = await api.get(`/api/v1/public/complaints?district=${'a'.repeat(15_000)}`);
      expectRefused(long, 400);
      expect(long.body.errors).toEqual([expect.objectContaining({ field: 'district' })]);
      // Past Node's header limit (16 KiB): refused before any route runs.
      const huge = await api.get(`/api/v1/public/complaints?district=${'a'.repeat(70_000)}`);
      expectRefused(huge, 431, 'COMMON.HEADERS_TOO_LARGE');
      const flood = await api.get(`/api/v1/public/complaints?${Array.from({ length: 2000 }, (_, i) => `f${i}=1`).join('&')}`);
      expectRefused(flood, 400);
      expect(flood.body.errors.length).toBeLessThanOrEqual(21);
      expect(flood.text.length).toBeLessThan(5000);
      for (const query of ['status=received&status=closed', 'page=1&page=2', 'pageSize[]=5', 'categoryCode[a]=x']) {
        expectRefused(await api.get(`/api/v1/public/complaints?${query}`), 400);
      }
      // Open311 takes at most 100 ids in one comma list, and no more characters than 100 of them need.
      const ids = Array.from({ length: 500 }, (_, i) => `LPR-2026-${String(i).padStart(6, '0')}`).join(',');
      const open311 = await api.get(`/open311/v2/requests.json?service_request_id=${ids}`);
      expect(open311.status).toBe(400);
      await api.get('/health/live').expect(200);
    });

    it('limits the comments a citizen adds in a day (150 of 15 kB each were taken before), and staff go on', async () => {
      const [first, second] = [(await fileAs('talker').expect(201)).body, (await fileAs('talker').expect(201)).body];
      const comment = (id: string, who: string) => api.post(`/api/v1/complaints/${id}/comments`).set('Authorization', bearer[who]).send({ body: '中'.repeat(5000) });
      for (let i = 0; i < 3; i++) await comment(first.id, 'talker').expect(201);
      // Per citizen, not per thread: another complaint of theirs does not reset it.
      for (const id of [first.id, second.id]) {
        const refused = await comment(id, 'talker');
        expectRefused(refused, 429, 'COMPLAINTS.DAILY_COMMENT_LIMIT');
        expect(Math.abs(Number(refused.headers['retry-after']) - secondsUntilJakartaMidnight())).toBeLessThanOrEqual(10);
      }
      for (let i = 0; i < 4; i++) await comment(first.id, i % 2 ? 'admin' : 'dlh').expect(201);
      const thread = (await api.get(`/api/v1/complaints/${first.id}/comments`).set('Authorization', bearer.talker).expect(200)).body;
      expect(thread.map((t: { authorRole: string }) => t.authorRole)).toEqual(['citizen', 'citizen', 'citizen', 'officer', 'admin', 'officer', 'admin']);
      expect((await db.query('complaints', `SELECT count(*)::int AS n FROM complaint_comments WHERE complaint_id = $1`, [second.id])).rows[0].n).toBe(0);
    });

    it('bounds every time series by its number of points and says which field to narrow', async () => {
      const series = (q: string) => api.get(`/api/v1/reports/timeseries?metric=complaints.received&${q}`).set('Authorization', bearer.auditor);
      for (const [interval, within, beyond] of [['day', ['2024-01-01', '2027-01-04'], ['2024-01-01', '2027-01-05']], ['month', ['2010-01-01', '2029-12-31'], ['2009-12-01', '2029-12-31']]] as const) {
        const ok = await series(`interval=${interval}&from=${within[0]}&to=${within[1]}`).expect(200);
        expect(ok.body.points.length).toBeLessThanOrEqual(interval === 'day' ? 1100 : 240);
        for (const accept of ['application/json', 'text/csv', 'image/svg+xml']) {
          const refused = await series(`interval=${interval}&from=${beyond[0]}&to=${beyond[1]}`).set('Accept', accept);
          expectRefused(refused, 400);
          expect(refused.body.errors.map((e: { field: string }) => e.field)).toEqual(['interval']);
        }
      }
    });
  });

  describe('API6 unrestricted access to sensitive business flows', () => {
    it('keeps a daily limit exact under a burst of parallel filings and drafts', async () => {
      const before = Number((await db.query('complaints', 'SELECT count(*)::int AS n FROM complaints')).rows[0].n);
      const filings = await Promise.all(Array.from({ length: 8 }, () => fileAs('rush')));
      expect(filings.map((r) => r.status).sort()).toEqual([201, 201, 201, 429, 429, 429, 429, 429]);
      for (const r of filings.filter((x) => x.status === 429)) expect(r.body.code).toBe('COMPLAINTS.DAILY_FILING_LIMIT');
      expect((await db.query('complaints', 'SELECT count(*)::int AS n FROM complaints')).rows[0].n).toBe(before + 3);
      const drafts = await Promise.all(Array.from({ length: 8 }, () => api.post('/api/v1/permit-applications').set('Authorization', bearer.drafter).send(draftBody)));
      expect(drafts.map((r) => r.status).sort()).toEqual([201, 201, 201, 429, 429, 429, 429, 429]);
      expect((await api.get('/api/v1/permit-applications').set('Authorization', bearer.drafter).expect(200)).body.total).toBe(3);
    });

    it('lets no Idempotency-Key buy a filing past the daily limit: a retry answers the first, a new key is 429', async () => {
      const keys = [randomUUID(), randomUUID(), randomUUID()];
      const first = await Promise.all(keys.map((k) => fileAs('idem').set('Idempotency-Key', k).expect(201)));
      expectRefused(await fileAs('idem').set('Idempotency-Key', randomUUID()), 429, 'COMPLAINTS.DAILY_FILING_LIMIT');
      const retried = await fileAs('idem').set('Idempotency-Key', keys[0]).expect(201);
      expect(retried.body.id).toBe(first[0].body.id);
      expect((await api.get('/api/v1/complaints').set('Authorization', bearer.idem).expect(200)).body.total).toBe(3);
    });

    it('rates an answer once however many ratings arrive at once, and decides a step once', async () => {
      const c = (await fileAs('ani').expect(201)).body;
      await act('complaints', c.id, 'admin', { action: 'verify' }).expect(200);
      await act('complaints', c.id, 'admin', { action: 'dispose', agencyId: agencies.DLH }).expect(200);
      await act('complaints', c.id, 'dlh', { action: 'resolve', note: 'Sudah diangkut.' }).expect(200);
      const ratings = await Promise.all([1, 2, 3, 4, 5, 1, 2, 3].map((score) => api.post(`/api/v1/complaints/${c.id}/rating`).set('Authorization', bearer.ani).send({ score })));
      expect(ratings.map((r) => r.status).sort()).toEqual([200, 409, 409, 409, 409, 409, 409, 409]);
      const kept = ratings.find((r) => r.status === 200)!.body.rating;
      const stored = await db.query('complaints', `SELECT rating FROM complaints WHERE id = $1`, [c.id]);
      expect(stored.rows[0].rating).toBe(kept);
      expect((await db.query('complaints', `SELECT count(*)::int AS n FROM outbox WHERE record_id = $1 AND type = 'complaints.complaint.rated.v1'`, [c.id])).rows[0].n).toBe(1);

      const app = await submittedReklame(api, bearer.ani);
      for (const action of ['verify', 'recommend']) await act('permit-applications', app.id, 'pupr', { action }).expect(200);
      const decisions = await Promise.all(['approve', 'approve', 'reject', 'approve'].map((action) => act('permit-applications', app.id, 'kadis', { action })));
      expect(decisions.map((r) => r.status).sort()).toEqual([200, 409, 409, 409]);
      const history = await db.query('permits', `SELECT action FROM application_history WHERE application_id = $1 ORDER BY seq`, [app.id]);
      expect(history.rows.filter((h) => ['approve', 'reject'].includes(h.action))).toHaveLength(1);
    });

    it('lets no step of either lifecycle be skipped (payment before issue included); a refused step changes nothing', async () => {
      const app = await submittedReklame(api, bearer.ani);
      const attempt = async (who: string, actions: string[]) => {
        for (const action of actions) {
          const before = await db.fingerprint();
          const res = await act('permit-applications', app.id, who, { action });
          expect({ who, action, status: res.status, code: res.body.code }).toEqual({ who, action, status: 409, code: 'PERMITS.INVALID_TRANSITION' });
          expect(await db.fingerprint()).toEqual(before);
        }
      };
      // submitted: nothing but verification (or a request for revision, a rejection, a withdrawal) comes next.
      await attempt('pupr', ['recommend']);
      await attempt('kadis', ['approve']);
      await attempt('loket', ['record-payment', 'issue', 'revoke']);
      await attempt('ani', ['resubmit']);
      await act('permit-applications', app.id, 'pupr', { action: 'verify' }).expect(200);
      await attempt('kadis', ['approve']);
      await attempt('loket', ['issue']);
      await act('permit-applications', app.id, 'pupr', { action: 'recommend' }).expect(200);
      expect((await act('permit-applications', app.id, 'kadis', { action: 'approve' }).expect(200)).body.status).toBe('awaiting_payment');
      // The fee is owed: no certificate before the payment is recorded, nor a withdrawal after the decision.
      await attempt('loket', ['issue', 'revoke']);
      await attempt('ani', ['withdraw']);
      await act('permit-applications', app.id, 'loket', { action: 'record-payment' }).expect(200);
      await attempt('loket', ['record-payment']);
      expect((await act('permit-applications', app.id, 'loket', { action: 'issue' }).expect(200)).body.status).toBe('issued');

      const c = (await fileAs('ani').expect(201)).body;
      const attemptComplaint = async (who: string, action: string) => {
        const before = await db.fingerprint();
        const res = await act('complaints', c.id, who, { action, note: 'Langsung selesai.' });
        expect({ who, action, status: res.status, code: res.body.code }).toEqual({ who, action, status: 409, code: 'COMPLAINTS.INVALID_TRANSITION' });
        expect(await db.fingerprint()).toEqual(before);
      };
      // Received, not verified nor disposed: no answer, no closing, nothing for the reporter to confirm.
      await attemptComplaint('dlh', 'resolve');
      await attemptComplaint('dlh', 'start');
      await attemptComplaint('admin', 'dispose');
      await attemptComplaint('admin', 'close');
      await attemptComplaint('ani', 'confirm');
      await attemptComplaint('ani', 'reopen');
    });

    it('puts no member of staff on the applicant or reporter side of a flow they decide', async () => {
      const before = await db.fingerprint();
      for (const who of ['dlh', 'pupr', 'loket', 'kadis', 'auditor', 'admin']) {
        expectRefused(await api.post('/api/v1/permit-applications').set('Authorization', bearer[who]).send(draftBody), 403, 'COMMON.FORBIDDEN');
        expectRefused(await fileAs(who), 403, 'COMMON.FORBIDDEN');
      }
      expect(await db.fingerprint()).toEqual(before);
    });
  });

  it('leaked no secret, hash, full NIK, stack trace or internal name in any answer it gave', () => {
    expect(seen.length).toBeGreaterThan(100);
    expect(leaks(seen)).toEqual([]);
  });
});
