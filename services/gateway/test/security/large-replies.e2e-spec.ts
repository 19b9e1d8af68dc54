import { TestSystem } from '@smart-regency/testing';
import request from 'supertest';
import { People } from '../support';

/**
 * Answers larger than a NATS message (1 MB here): 80 public complaints of 200 × "中" and
 * 5,000 × "中" (within every length limit) make a 100-item page of ~1.5 MB. Before, each such list
 * ended the complaints process, again after every restart; now the reply travels through the
 * transfer object store, as files do, and comes back whole.
 */
describe('replies larger than a NATS message', () => {
  let system: TestSystem;
  let api: ReturnType<typeof request>;
  const people = new People(9400);
  const { bearer } = people;
  const reporters = ['a', 'b', 'c', 'd', 'e'];
  const filed: string[] = [];

  beforeAll(async () => {
    system = await TestSystem.start();
    api = request(system.gatewayUrl);
    await people.signIn(system);
    for (const r of reporters) await people.add(r);
    // 16 each: within the daily filing limit a citizen has.
    for (const r of reporters) {
      for (let i = 0; i < 16; i++) {
        const res = await api
          .post('/api/v1/complaints')
          .set('Authorization', bearer[r])
          .send({ categoryCode: 'waste-environment', title: '中'.repeat(200), description: '中'.repeat(5000), location: { lat: 2.5, lng: 99.6 }, visibility: 'public' })
          .expect(201);
        filed.push(res.body.trackingNumber);
      }
    }
  }, 300000);

  afterAll(() => system?.stop());

  it('serves the public list, Open311, a coordinator\'s list and a data export whole, and complaints stays up', async () => {
    const publicPage = await api.get('/api/v1/public/complaints?pageSize=100').expect(200);
    expect(Buffer.byteLength(publicPage.text)).toBeGreaterThan(1024 * 1024);
    expect(publicPage.body.items.map((c: { trackingNumber: string }) => c.trackingNumber).sort()).toEqual([...filed].sort());
    expect(publicPage.body.items.every((c: { description: string }) => c.description === '中'.repeat(5000))).toBe(true);

    const open311 = await api.get('/open311/v2/requests.json').expect(200);
    expect(open311.body).toHaveLength(80);
    const xml = await api.get('/open311/v2/requests.xml').expect(200);
    expect(xml.text.match(/<request>/g)).toHaveLength(80);

    const adminPage = await api.get('/api/v1/complaints?pageSize=100').set('Authorization', bearer.admin).expect(200);
    expect(adminPage.body.items).toHaveLength(80);

    const exported = await api.get('/api/v1/me/data-export').set('Authorization', bearer.a).expect(200);
    expect(exported.body.complaints.complaints).toHaveLength(16);

    // Twice more, as a restart loop would: still up, still whole.
    for (let i = 0; i < 2; i++) expect((await api.get('/api/v1/public/complaints?pageSize=100').expect(200)).body.items).toHaveLength(80);
    expect(system.process('complaints').running).toBe(true);
    expect((await api.get('/health/ready').expect(200)).body.status).toBe('ok');
  });
});
