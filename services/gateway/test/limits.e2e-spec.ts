import { secondsUntilJakartaMidnight } from '@smart-regency/platform';
import { TEST_JPEG, TEST_PDF, TestSystem } from '@smart-regency/testing';
import { randomBytes } from 'crypto';
import request from 'supertest';
import { People } from './support';

/**
 * A citizen's filings, drafts and uploads per day (CITIZEN_*_PER_DAY, two each here): beyond them
 * the citizen gets 429 problem+json with the limit's code and a Retry-After until midnight WIB;
 * other citizens and the handling staff go on.
 */
describe('per-citizen daily limits', () => {
  let system: TestSystem;
  let api: ReturnType<typeof request>;
  const people = new People(7400);
  const { bearer } = people;

  const complaint = { categoryCode: 'waste-environment', title: 'Sampah menumpuk', description: 'Tumpukan sampah di ujung gang belum diangkut.', location: { lat: 2.41, lng: 99.52 }, visibility: 'public' };
  const reklame = { permitTypeCode: 'REKLAME', formData: { billboardType: 'Baliho', widthMeters: 4, heightMeters: 3 } };
  const photo = () => Buffer.concat([TEST_JPEG, randomBytes(64)]);

  beforeAll(async () => {
    const limits = { CITIZEN_FILINGS_PER_DAY: '2', CITIZEN_DRAFTS_PER_DAY: '2', CITIZEN_UPLOADS_PER_DAY: '2' };
    system = await TestSystem.start({ permits: limits, complaints: limits });
    api = request(system.gatewayUrl);
    await people.signIn(system);
    await people.add('ani');
    await people.add('beni');
    await people.add('dlh', { roles: ['officer'], agency: 'DLH' });
  }, 120000);

  afterAll(() => system?.stop());

  /** The refusal a citizen sees: 429, the code, a title in their language, and when to come back. */
  const limited = (res: request.Response, code: string) => {
    expect(res.status).toBe(429);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 429, code });
    const retryAfter = Number(res.headers['retry-after']);
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(Math.abs(retryAfter - secondsUntilJakartaMidnight())).toBeLessThanOrEqual(10);
  };

  it('refuses a third complaint of the day, and not another citizen', async () => {
    for (let i = 0; i < 2; i++) await api.post('/api/v1/complaints').set('Authorization', bearer.ani).send(complaint).expect(201);
    const third = await api.post('/api/v1/complaints').set('Authorization', bearer.ani).set('Accept-Language', 'en').send(complaint);
    limited(third, 'COMPLAINTS.DAILY_FILING_LIMIT');
    expect(third.body.title).toBe('Daily limit of complaints reached; try again tomorrow');
    await api.post('/api/v1/complaints').set('Authorization', bearer.beni).send(complaint).expect(201);
    expect((await api.get('/api/v1/complaints').set('Authorization', bearer.ani).expect(200)).body.total).toBe(2);
  });

  it('refuses a third draft and a third document upload of the day (a replacement counts)', async () => {
    const draft = (await api.post('/api/v1/permit-applications').set('Authorization', bearer.ani).send(reklame).expect(201)).body;
    await api.post('/api/v1/permit-applications').set('Authorization', bearer.ani).send(reklame).expect(201);
    limited(await api.post('/api/v1/permit-applications').set('Authorization', bearer.ani).send(reklame), 'PERMITS.DAILY_DRAFT_LIMIT');

    const put = () => api.put(`/api/v1/permit-applications/${draft.id}/documents/KTP`).set('Authorization', bearer.ani).set('Content-Type', 'application/pdf').send(TEST_PDF);
    await put().expect(200);
    await put().expect(200);
    limited(await put(), 'PERMITS.DAILY_UPLOAD_LIMIT');
  });

  it("refuses a citizen's third attachment of the day, while the handling staff go on adding theirs", async () => {
    const c = (await api.post('/api/v1/complaints').set('Authorization', bearer.beni).send(complaint).expect(201)).body;
    const attach = (who: string) => api.post(`/api/v1/complaints/${c.id}/attachments`).set('Authorization', bearer[who]).set('Content-Type', 'image/jpeg').send(photo());
    await attach('beni').expect(201);
    await attach('beni').expect(201);
    limited(await attach('beni'), 'COMPLAINTS.DAILY_UPLOAD_LIMIT');
    for (let i = 0; i < 3; i++) await attach('dlh').expect(201);
    expect((await api.get(`/api/v1/complaints/${c.id}/attachments`).set('Authorization', bearer.beni).expect(200)).body).toHaveLength(5);
  });
});
