import { Actor, referenceAgencyId, SUBJECTS } from '@smart-regency/contracts';
import { InProcessService, startInProcess } from '@smart-regency/testing';
import { randomUUID } from 'crypto';
import { startComplaints } from '../src/app';
import { ComplaintJobs } from '../src/complaints/complaint-jobs';
import { EXACT_TOTAL_UP_TO } from '../src/complaints/complaints.service';
import { loadComplaintsConfig } from '../src/config';

/** Lists over many rows (what `total` means) and the escalation job over a backlog, on a real database. */
describe('complaint lists and the job at volume', () => {
  let t: InProcessService;
  const dlh = referenceAgencyId('DLH');
  const officer: Actor = { id: randomUUID(), roles: ['officer'], agencyId: dlh };

  /** `count` complaints straight into the table (the service path is measured in bench/complaints.js). */
  const insert = (count: number, { visibility = 'public', status = 'received', dueAt = `now() + interval '3 days'`, escalated = `'{}'` } = {}) =>
    t.db.query(
      `INSERT INTO complaints (tracking_number, category_code, reporter_id, title, description, location, district, visibility, status, agency_id, due_at, final_due_at, escalated_stages)
       SELECT 'T-' || $1 || '-' || g, 'waste-environment', gen_random_uuid(), 'Sampah', 'Sampah menumpuk di pasar.', '{"lat": 2.5, "lng": 99.6}', 'Kualuh Hulu', $2, $3, $4, ${dueAt}, now() + interval '60 days', ${escalated}
         FROM generate_series(1, $5) g`,
      [randomUUID().slice(0, 8), visibility, status, dlh, count],
    );

  beforeAll(async () => {
    t = await startInProcess('complaints', (env) => startComplaints(loadComplaintsConfig({ ...env, JOB_INTERVAL_MS: '3600000' })));
  });

  afterAll(() => t?.close());

  it('counts exactly when few match and estimates when many do, saying which', async () => {
    await insert(30);
    await insert(5, { visibility: 'confidential' });
    const small = await t.rpc.send(SUBJECTS.complaints.listPublic, { pageSize: 20 });
    expect(small).toMatchObject({ total: 30, totalExact: true });
    expect(small.items).toHaveLength(20);
    const lastPage = await t.rpc.send(SUBJECTS.complaints.listPublic, { pageSize: 20, page: 2 });
    expect(lastPage).toMatchObject({ total: 30, totalExact: true });
    expect(lastPage.items).toHaveLength(10);

    await t.db.query('ANALYZE complaints');
    const filtered = await t.rpc.send(SUBJECTS.complaints.listPublic, { pageSize: 20, page: 2, district: 'Kualuh Hulu' });
    expect(filtered).toMatchObject({ total: 30, totalExact: true });

    await insert(EXACT_TOTAL_UP_TO * 10);
    await t.db.query('ANALYZE complaints');
    const big = await t.rpc.send(SUBJECTS.complaints.listPublic, { pageSize: 20 });
    expect(big).toMatchObject({ totalExact: false });
    // An estimate, but of the right size (the planner's statistics after ANALYZE).
    expect(big.total).toBeGreaterThan((EXACT_TOTAL_UP_TO * 10 + 30) * 0.5);
    expect(big.total).toBeLessThan((EXACT_TOTAL_UP_TO * 10 + 30) * 2);
    const queue = await t.rpc.send(SUBJECTS.complaints.list, { pageSize: 5, status: 'received' }, { actor: officer });
    expect(queue).toMatchObject({ totalExact: false });
    // Filters below the cap stay exact.
    const secret = await t.rpc.send(SUBJECTS.complaints.list, { pageSize: 100, categoryCode: 'waste-environment', status: 'received', from: new Date(Date.now() + 60_000).toISOString() }, { actor: officer });
    expect(secret).toMatchObject({ total: 0, totalExact: true, items: [] });
  });

  it('pages in a stable order: no complaint twice, none skipped', async () => {
    const seen: string[] = [];
    for (let page = 1; page <= 5; page++) seen.push(...(await t.rpc.send(SUBJECTS.complaints.listPublic, { pageSize: 100, page })).items.map((c) => c.trackingNumber));
    expect(new Set(seen).size).toBe(500);
  });

  it('escalates new misses even behind a backlog of complaints already escalated', async () => {
    await insert(700, { dueAt: `now() - interval '1 day'`, escalated: `'{verification}'` });
    await insert(3, { dueAt: `now() - interval '1 hour'` });
    const jobs = t.service.app.get(ComplaintJobs);
    const round = await jobs.runOnce(new Date());
    // The three new misses, and no second escalation of the 700 (the other rows' deadlines lie ahead).
    expect(round.escalated).toBe(3);
    expect((await jobs.runOnce(new Date())).escalated).toBe(0);
  });
});
