import { Actor, EXACT_TOTAL_UP_TO, ListApplicationsRequest, SUBJECTS } from '@smart-regency/contracts';
import { InProcessService, startInProcess } from '@smart-regency/testing';
import { randomUUID } from 'crypto';
import { startPermits } from '../src/app';
import { loadPermitsConfig } from '../src/config';

/*
 * The lists run as UNION ALL branches with index-chosen pages (application-list.ts). Each answer is
 * compared with the plain statement it replaces (scope as one OR, one ORDER BY, LIMIT/OFFSET), run
 * here on the same rows: same ids in the same order, same total.
 */
const AGENCY = { a: randomUUID(), b: randomUUID(), c: randomUUID(), d: randomUUID(), big: randomUUID(), edge: randomUUID() };
const CITIZEN = { x: randomUUID(), y: randomUUID() };
// (technical agency, issuing agency): d issues for a, b and itself; a issues what c reviews.
const TYPES = [
  { code: 'T-A', agency: AGENCY.a, issuing: AGENCY.d },
  { code: 'T-B', agency: AGENCY.b, issuing: AGENCY.d },
  { code: 'T-D', agency: AGENCY.d, issuing: AGENCY.d },
  { code: 'T-C', agency: AGENCY.c, issuing: AGENCY.a },
];
const STATUSES = ['draft', 'submitted', 'verified', 'recommended', 'revision_requested', 'approved', 'issued', 'rejected', 'withdrawn'];
const OPEN = `('submitted', 'verified', 'recommended')`;

describe('application lists at the service, against the plain statement', () => {
  let t: InProcessService;

  beforeAll(async () => {
    t = await startInProcess('permits', (env) => startPermits(loadPermitsConfig(env)));
    // 1,200 rows; due_at and created_at on whole days (many ties, broken by id), drafts without due_at.
    await t.db.query(
      `INSERT INTO applications (number, permit_type_code, agency_id, issuing_agency_id, applicant_id, status, sla_working_days, due_at, created_at)
       SELECT 'T-' || g, ty.code, ty.agency::uuid, ty.issuing::uuid,
              CASE WHEN g % 3 = 0 THEN $3::uuid WHEN g % 3 = 1 THEN $4::uuid ELSE gen_random_uuid() END,
              st.status, 5,
              CASE WHEN st.status = 'draft' THEN NULL ELSE date_trunc('day', now()) + ((g * 7919) % 41 - 20) * interval '1 day' END,
              date_trunc('day', now()) - ((g * 104729) % 60) * interval '1 day'
         FROM generate_series(1, 1200) g
         JOIN jsonb_to_recordset($1::jsonb) AS ty(i int, code text, agency text, issuing text) ON ty.i = g % 4
         JOIN (SELECT s.status, s.i - 1 AS i FROM unnest($2::text[]) WITH ORDINALITY AS s(status, i)) st ON st.i = (g / 4) % ${STATUSES.length}`,
      [JSON.stringify(TYPES.map((x, i) => ({ i, ...x }))), STATUSES, CITIZEN.x, CITIZEN.y],
    );
  });

  afterAll(() => t?.close());

  const officer = (agencyId: string): Actor => ({ id: randomUUID(), roles: ['officer'], agencyId }) as Actor;
  const citizen = (id: string): Actor => ({ id, roles: ['citizen'] }) as Actor;
  const admin: Actor = { id: randomUUID(), roles: ['admin'] } as Actor;

  /** The list as the plain statement answers it. */
  async function expected(actor: Actor, q: ListApplicationsRequest) {
    const params: unknown[] = [];
    const p = (v: unknown) => `$${params.push(v)}`;
    const where: string[] = [];
    const staff = actor.roles.includes('officer');
    if (staff) where.push(`(agency_id = ${p(actor.agencyId)} OR issuing_agency_id = $${params.length}) AND status <> 'draft'`);
    else if (actor.roles.includes('citizen')) where.push(`applicant_id = ${p(actor.id)}`);
    if (q.agencyId) where.push(`(agency_id = ${p(q.agencyId)} OR issuing_agency_id = $${params.length})`);
    if (q.status) where.push(`status = ${p(q.status)}`);
    if (q.permitTypeCode) where.push(`permit_type_code = ${p(q.permitTypeCode)}`);
    if (q.from) where.push(`created_at >= ${p(q.from)}`);
    if (q.to) where.push(`created_at < ${p(q.to)}`);
    if (q.overdue !== undefined) where.push(`${q.overdue ? '' : 'NOT '}(status IN ${OPEN} AND due_at < now())`);
    const sort = q.sort ?? (actor.roles.includes('citizen') ? '-createdAt' : 'dueAt');
    const column = sort.endsWith('dueAt') ? 'due_at' : 'created_at';
    const order = `${column} ${sort.startsWith('-') ? 'DESC' : 'ASC'} NULLS LAST, id ASC`;
    const size = q.pageSize ?? 20;
    const condition = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const { rows } = await t.db.query(`SELECT id FROM applications ${condition} ORDER BY ${order} LIMIT ${size} OFFSET ${((q.page ?? 1) - 1) * size}`, params);
    const { rows: count } = await t.db.query(`SELECT count(*)::int AS n FROM applications ${condition}`, params);
    return { ids: rows.map((r) => r.id), total: count[0].n };
  }

  /** What `total` says for a page: exact up to EXACT_TOTAL_UP_TO or on a last page; else a lower bound (1,000, or offset + rows of a full page). */
  function totalOf(want: { ids: string[]; total: number }, q: ListApplicationsRequest) {
    const size = q.pageSize ?? 20;
    const rows = want.ids.length;
    if (want.total <= EXACT_TOTAL_UP_TO || (rows > 0 && rows < size)) return { total: want.total, totalExact: true };
    return { total: rows ? Math.max(EXACT_TOTAL_UP_TO, ((q.page ?? 1) - 1) * size + rows) : EXACT_TOTAL_UP_TO, totalExact: false };
  }

  const list = (actor: Actor, q: ListApplicationsRequest) => t.rpc.send(SUBJECTS.permits.listApplications, q, { actor });

  const cases: Array<[string, () => Actor, ListApplicationsRequest[]]> = [
    ['an officer of a technical agency that also issues', () => officer(AGENCY.a), [{}, { status: 'submitted' }, { overdue: true }, { overdue: false }, { sort: '-dueAt' }, { sort: 'createdAt' }, { sort: '-createdAt', status: 'issued' }, { permitTypeCode: 'T-C' }, { agencyId: AGENCY.c }, { agencyId: AGENCY.d }]],
    ['an officer of the issuing agency', () => officer(AGENCY.d), [{}, { status: 'verified' }, { overdue: true }, { permitTypeCode: 'T-D' }, { agencyId: AGENCY.b, sort: '-dueAt' }]],
    ['an officer of an agency with no applications', () => officer(randomUUID()), [{}, { overdue: true }]],
    ['a citizen', () => citizen(CITIZEN.x), [{}, { status: 'draft' }, { sort: 'dueAt' }, { agencyId: AGENCY.a }, { overdue: true }]],
    ['an admin', () => admin, [{}, { agencyId: AGENCY.a }, { agencyId: AGENCY.d, status: 'submitted' }, { sort: '-createdAt', permitTypeCode: 'T-B' }]],
  ];

  it.each(cases)('gives %s the same pages and totals as the plain statement', async (_who, who, queries) => {
    const actor = who();
    const from = new Date(Date.now() - 30 * 86400000).toISOString();
    for (const base of [...queries, { ...queries[0], from, to: new Date().toISOString() }]) {
      for (const paging of [{ page: 1, pageSize: 20 }, { page: 1, pageSize: 7 }, { page: 2, pageSize: 7 }, { page: 9, pageSize: 7 }, { page: 300, pageSize: 100 }]) {
        const q = { ...base, ...paging };
        const want = await expected(actor, q);
        const got = await list(actor, q);
        expect({ q, ids: got.items.map((i) => i.id), total: got.total, totalExact: got.totalExact }).toEqual({ q, ids: want.ids, ...totalOf(want, q) });
      }
    }
  });

  it('answers with whole applications, flagged overdue where the deadline passed', async () => {
    const page = await list(officer(AGENCY.a), { overdue: true, pageSize: 5 });
    expect(page.items).toHaveLength(5);
    for (const item of page.items) {
      expect(item).toMatchObject({ overdue: true, fee: 0, version: 1, formData: {} });
      expect(new Date(item.dueAt!).getTime()).toBeLessThan(Date.now());
      expect(typeof item.createdAt).toBe('string');
    }
  });

  it(`stops counting past ${EXACT_TOTAL_UP_TO} and says so; a last page still gives the exact total`, async () => {
    const n = EXACT_TOTAL_UP_TO * 2 + 10;
    await t.db.query(
      `INSERT INTO applications (number, permit_type_code, agency_id, issuing_agency_id, applicant_id, status, sla_working_days, due_at)
       SELECT 'BIG-' || g, 'T-BIG', $1, $1, gen_random_uuid(), 'submitted', 5, now() + g * interval '1 minute' FROM generate_series(1, $2::int) g`,
      [AGENCY.big, n],
    );
    const big = officer(AGENCY.big);
    const check = async (q: ListApplicationsRequest, total: number, totalExact: boolean) => {
      const want = await expected(big, q);
      const got = await list(big, q);
      expect(want.total).toBe(n);
      expect({ q, ids: got.items.map((i) => i.id), total: got.total, totalExact: got.totalExact }).toEqual({ q, ids: want.ids, total, totalExact });
    };
    // A lower bound: 1,000, or what a full page past it proves.
    await check({}, EXACT_TOTAL_UP_TO, false);
    await check({ page: 50, pageSize: 20 }, EXACT_TOTAL_UP_TO, false);
    await check({ page: 51, pageSize: 20 }, 1020, false);
    await check({ page: 2, pageSize: 100 }, EXACT_TOTAL_UP_TO, false);
    await check({ page: 11, pageSize: 100 }, 1100, false);
    // The last page, and a page past the end (nothing to prove more than 1,000 with).
    await check({ page: Math.ceil(n / 20), pageSize: 20 }, n, true);
    await check({ page: 300, pageSize: 100 }, EXACT_TOTAL_UP_TO, false);
  });

  it(`counts exactly ${EXACT_TOTAL_UP_TO} matches, and one more as a lower bound`, async () => {
    const edge = officer(AGENCY.edge);
    const insert = (count: number) =>
      t.db.query(
        `INSERT INTO applications (number, permit_type_code, agency_id, issuing_agency_id, applicant_id, status, sla_working_days, due_at)
         SELECT 'EDGE-' || left(gen_random_uuid()::text, 30), 'T-EDGE', $1, $1, gen_random_uuid(), 'verified', 5, now() + g * interval '1 minute' FROM generate_series(1, $2::int) g`,
        [AGENCY.edge, count],
      );
    await insert(EXACT_TOTAL_UP_TO);
    expect(await list(edge, {})).toMatchObject({ total: EXACT_TOTAL_UP_TO, totalExact: true });
    expect(await list(edge, { page: 50 })).toMatchObject({ total: EXACT_TOTAL_UP_TO, totalExact: true });
    await insert(1);
    expect(await list(edge, {})).toMatchObject({ total: EXACT_TOTAL_UP_TO, totalExact: false });
    expect(await list(edge, { page: 51 })).toMatchObject({ total: EXACT_TOTAL_UP_TO + 1, totalExact: true });
  });
});
