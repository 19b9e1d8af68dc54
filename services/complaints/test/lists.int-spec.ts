import { Actor, EXACT_TOTAL_UP_TO, ListComplaintsRequest, ListPublicComplaintsRequest, referenceAgencyId, SUBJECTS } from '@smart-regency/contracts';
import { InProcessService, startInProcess } from '@smart-regency/testing';
import { randomUUID } from 'crypto';
import { startComplaints } from '../src/app';
import { ComplaintJobs } from '../src/complaints/complaint-jobs';
import { loadComplaintsConfig } from '../src/config';

const OPEN = `('received', 'verified', 'dispositioned', 'in_progress', 'reopened')`;
const STATUSES = ['received', 'verified', 'dispositioned', 'in_progress', 'resolved', 'reopened', 'closed', 'rejected'];
const VISIBILITIES = ['public', 'public', 'anonymous', 'confidential'];
const CATEGORIES = ['waste-environment', 'roads-bridges', 'health'];
const DISTRICTS = ['Kualuh Hulu', 'Aek Natas', 'Marbau'];

/**
 * Lists over many rows, each answer compared with the plain statement it stands for (scope, filters,
 * one ORDER BY, LIMIT/OFFSET, count(*)) on the same rows: same complaints in the same order, same
 * total; and the escalation job over a backlog, on a real database.
 */
describe('complaint lists and the job at volume', () => {
  let t: InProcessService;
  const dlh = referenceAgencyId('DLH');
  const pupr = referenceAgencyId('PUPR');
  const citizen = randomUUID();
  const officer: Actor = { id: randomUUID(), roles: ['officer'], agencyId: dlh };
  const admin: Actor = { id: randomUUID(), roles: ['admin'] };
  const auditor: Actor = { id: randomUUID(), roles: ['auditor'] };
  const reporter: Actor = { id: citizen, roles: ['citizen'] };

  /** `count` complaints straight into the table (the service path is measured in bench/complaints.js). */
  const insert = (count: number, { visibility = 'public', status = 'received', dueAt = `now() + interval '3 days'`, escalated = `'{}'`, agency = dlh } = {}) =>
    t.db.query(
      `INSERT INTO complaints (tracking_number, category_code, reporter_id, title, description, location, district, visibility, status, agency_id, due_at, final_due_at, escalated_stages)
       SELECT 'T-' || $1 || '-' || g, 'waste-environment', gen_random_uuid(), 'Sampah', 'Sampah menumpuk di pasar.', '{"lat": 2.5, "lng": 99.6}', 'Kualuh Hulu', $2, $3, $4, ${dueAt}, now() + interval '60 days', ${escalated}
         FROM generate_series(1, $5) g`,
      [randomUUID().slice(0, 8), visibility, status, agency, count],
    );

  beforeAll(async () => {
    t = await startInProcess('complaints', (env) => startComplaints(loadComplaintsConfig({ ...env, JOB_INTERVAL_MS: '3600000' })));
    // 900 mixed rows: deadlines and filing times on whole days (many ties, broken by id), closed ones without a deadline.
    await t.db.query(
      `INSERT INTO complaints (tracking_number, category_code, reporter_id, title, description, location, district, visibility, status, agency_id, due_at, final_due_at, created_at, escalated_stages)
       SELECT 'M-' || g, ($1::text[])[1 + g % 3], CASE WHEN g % 5 = 0 THEN $2::uuid ELSE gen_random_uuid() END, 'Keluhan ' || g, 'Uraian keluhan ' || g || '.',
              jsonb_build_object('lat', 2.5 + g / 100000.0, 'lng', 99.6, 'address', 'Jl. ' || g, 'district', ($3::text[])[1 + g % 3]), ($3::text[])[1 + g % 3],
              ($4::text[])[1 + (g / 3) % 4], st.status, CASE WHEN g % 2 = 0 THEN $5::uuid ELSE $6::uuid END,
              CASE WHEN st.status IN ('closed', 'rejected') THEN NULL ELSE date_trunc('day', now()) + ((g * 7919) % 21 - 10) * interval '1 day' END,
              now() + interval '60 days', date_trunc('day', now()) - ((g * 104729) % 40) * interval '1 day', '{}'
         FROM generate_series(1, 900) g
         JOIN (SELECT s.status, s.i - 1 AS i FROM unnest($7::text[]) WITH ORDINALITY AS s(status, i)) st ON st.i = (g / 7) % ${STATUSES.length}`,
      [CATEGORIES, citizen, DISTRICTS, VISIBILITIES, dlh, pupr, STATUSES],
    );
  });

  afterAll(() => t?.close());

  type Query = ListComplaintsRequest & ListPublicComplaintsRequest;

  /** The list as the plain statement answers it: tracking numbers in order, and the total. */
  async function expected(who: Actor | 'public', q: Query) {
    const params: unknown[] = [];
    const p = (v: unknown) => `$${params.push(v)}`;
    const where: string[] = [];
    if (who === 'public') where.push(`visibility <> 'confidential'`);
    else if (who.roles.includes('officer')) where.push(`agency_id = ${p(who.agencyId)}`);
    else if (who.roles.includes('citizen')) where.push(`reporter_id = ${p(who.id)}`);
    if (q.status) where.push(`status = ${p(q.status)}`);
    if (q.categoryCode) where.push(`category_code = ${p(q.categoryCode)}`);
    if (q.agencyId) where.push(`agency_id = ${p(q.agencyId)}`);
    if (q.overdue !== undefined) where.push(`${q.overdue ? '' : 'NOT '}(status IN ${OPEN} AND due_at < now())`);
    if (q.categoryCodes) where.push(`category_code IN (${q.categoryCodes.split(',').map((c) => p(c.trim())).join(', ')})`);
    if (q.district) where.push(`district = ${p(q.district)}`);
    if (q.trackingNumbers) where.push(`tracking_number IN (${q.trackingNumbers.split(',').map((c) => p(c.trim())).join(', ')})`);
    if (q.state) where.push(`${q.state === 'open' ? 'NOT ' : ''}(status IN ('closed', 'rejected'))`);
    if (q.from) where.push(`created_at >= ${p(q.from)}`);
    if (q.to) where.push(`created_at < ${p(q.to)}`);
    const byDeadline = who !== 'public' && !who.roles.includes('citizen');
    const order = byDeadline ? 'due_at ASC NULLS LAST, id ASC' : 'created_at DESC, id DESC';
    const size = q.pageSize ?? 20;
    const condition = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const { rows } = await t.db.query(`SELECT tracking_number FROM complaints ${condition} ORDER BY ${order} LIMIT ${size} OFFSET ${((q.page ?? 1) - 1) * size}`, params);
    const { rows: count } = await t.db.query(`SELECT count(*)::int AS n FROM complaints ${condition}`, params);
    return { numbers: rows.map((r) => r.tracking_number as string), total: count[0].n as number };
  }

  const staffList = (who: Actor, q: ListComplaintsRequest) => t.rpc.send(SUBJECTS.complaints.list, q, { actor: who });
  const list = (who: Actor | 'public', q: Query): Promise<{ items: Array<{ trackingNumber: string }>; total: number; totalExact?: boolean }> =>
    who === 'public' ? t.rpc.send(SUBJECTS.complaints.listPublic, q) : staffList(who, q);

  const day = 86_400_000;
  const cases: Array<[string, Actor | 'public', Query[]]> = [
    [
      'the public',
      'public',
      [{}, { status: 'in_progress' }, { categoryCode: 'health', status: 'received' }, { categoryCodes: 'health, roads-bridges' }, { categoryCodes: 'health' }, { categoryCodes: 'roads-bridges,health,roads-bridges', state: 'open' }, { district: 'Marbau' }, { state: 'open' }, { state: 'closed' }, { trackingNumbers: 'M-3,M-4,M-5,M-6,M-10,M-11' }],
    ],
    ['an officer', officer, [{}, { status: 'dispositioned' }, { overdue: true }, { overdue: false }, { categoryCode: 'roads-bridges' }, { agencyId: pupr }]],
    ['a coordinator', admin, [{}, { agencyId: pupr, status: 'received' }, { overdue: true }]],
    ['an auditor', auditor, [{ categoryCode: 'health' }]],
    ['a reporter', reporter, [{}, { status: 'closed' }, { overdue: true }]],
  ];

  it.each(cases)('gives %s the same pages and totals as the plain statement', async (_who, who, queries) => {
    const from = new Date(Date.now() - 20 * day).toISOString();
    for (const base of [...queries, { ...queries[0], from, to: new Date(Date.now() - 5 * day).toISOString() }]) {
      for (const paging of [{ page: 1, pageSize: 20 }, { page: 1, pageSize: 7 }, { page: 2, pageSize: 7 }, { page: 9, pageSize: 7 }, { page: 300, pageSize: 100 }]) {
        const q = { ...base, ...paging };
        const want = await expected(who, q);
        const got = await list(who, q);
        expect(want.total).toBeLessThanOrEqual(EXACT_TOTAL_UP_TO);
        expect({ q, numbers: got.items.map((i) => i.trackingNumber), total: got.total, totalExact: got.totalExact }).toEqual({ q, numbers: want.numbers, total: want.total, totalExact: true });
      }
    }
  });

  it('never shows the public a reporter or a confidential complaint, nor an auditor who filed an anonymous one', async () => {
    const { rows } = await t.db.query(`SELECT tracking_number FROM complaints WHERE visibility = 'confidential'`);
    const confidential = new Set(rows.map((r) => r.tracking_number));
    expect(confidential.size).toBeGreaterThan(100);
    const shown = (await Promise.all([1, 2, 3, 4, 5, 6, 7].map((page) => t.rpc.send(SUBJECTS.complaints.listPublic, { pageSize: 100, page })))).flatMap((p) => p.items);
    expect(shown.length).toBeGreaterThan(600);
    for (const item of shown) {
      expect(item).not.toHaveProperty('reporterId');
      expect(confidential.has(item.trackingNumber)).toBe(false);
    }
    const anonymous = (await t.rpc.send(SUBJECTS.complaints.listPublic, { pageSize: 100, trackingNumbers: 'M-6,M-7,M-8' })).items;
    expect(anonymous).toHaveLength(3);
    for (const item of anonymous) expect(item).not.toHaveProperty('address');
    const audited = await staffList(auditor, { pageSize: 100 });
    for (const item of audited.items) expect('reporterId' in item).toBe(item.visibility !== 'anonymous');
    const handled = await staffList(officer, { pageSize: 100 });
    expect(handled.items.every((i) => typeof i.reporterId === 'string')).toBe(true);
  });

  it(`counts at most ${EXACT_TOTAL_UP_TO + 1} matches: above that total is a lower bound and says so`, async () => {
    const n = EXACT_TOTAL_UP_TO * 2;
    await insert(n, { status: 'verified', agency: pupr });
    await insert(5, { visibility: 'confidential', status: 'verified', agency: pupr });
    const queue: Actor = { id: randomUUID(), roles: ['officer'], agencyId: pupr };
    const matches = (await expected(queue, { status: 'verified' })).total;
    expect(matches).toBeGreaterThan(n);
    const check = async (who: Actor | 'public', q: Query, total: number, totalExact: boolean) => {
      const want = await expected(who, q);
      const got = await list(who, q);
      expect({ q, numbers: got.items.map((i) => i.trackingNumber), total: got.total, totalExact: got.totalExact }).toEqual({ q, numbers: want.numbers, total, totalExact });
    };
    await check(queue, { status: 'verified' }, EXACT_TOTAL_UP_TO, false);
    await check(queue, { status: 'verified', page: 50 }, EXACT_TOTAL_UP_TO, false);
    await check(queue, { status: 'verified', page: 51 }, 1020, false);
    await check(queue, { status: 'verified', page: Math.ceil(matches / 20) }, matches, true);
    await check(queue, { status: 'verified', page: 500 }, EXACT_TOTAL_UP_TO, false);
    await check('public', { status: 'verified', pageSize: 100, page: 3 }, EXACT_TOTAL_UP_TO, false);
    // Filters below the cap stay exact.
    await check(queue, { status: 'verified', from: new Date(Date.now() + 60_000).toISOString() }, 0, true);
  });

  it(`is exact at ${EXACT_TOTAL_UP_TO} matches and not at one more`, async () => {
    const agency = randomUUID();
    const staff: Actor = { id: randomUUID(), roles: ['officer'], agencyId: agency };
    await insert(EXACT_TOTAL_UP_TO, { agency });
    expect(await list(staff, {})).toMatchObject({ total: EXACT_TOTAL_UP_TO, totalExact: true });
    expect(await list(staff, { page: 50 })).toMatchObject({ total: EXACT_TOTAL_UP_TO, totalExact: true });
    await insert(1, { agency });
    expect(await list(staff, {})).toMatchObject({ total: EXACT_TOTAL_UP_TO, totalExact: false });
    expect(await list(staff, { page: 51 })).toMatchObject({ total: EXACT_TOTAL_UP_TO + 1, totalExact: true });
  });

  it('pages in a stable order: no complaint twice, none skipped', async () => {
    const seen: string[] = [];
    for (let page = 1; page <= 5; page++) seen.push(...(await t.rpc.send(SUBJECTS.complaints.listPublic, { pageSize: 100, page })).items.map((c) => c.trackingNumber));
    expect(new Set(seen).size).toBe(500);
  });

  it('escalates new misses even behind a backlog of complaints already escalated', async () => {
    // Only the rows below are overdue and not escalated yet: move the mixed rows' deadlines out of the way.
    await t.db.query(`UPDATE complaints SET due_at = now() + interval '30 days' WHERE due_at IS NOT NULL`);
    await insert(700, { dueAt: `now() - interval '1 day'`, escalated: `'{verification}'` });
    await insert(3, { dueAt: `now() - interval '1 hour'` });
    const jobs = t.service.app.get(ComplaintJobs);
    const round = await jobs.runOnce(new Date());
    // The three new misses, and no second escalation of the 700 (the other rows' deadlines lie ahead).
    expect(round.escalated).toBe(3);
    expect((await jobs.runOnce(new Date())).escalated).toBe(0);
  });
});
