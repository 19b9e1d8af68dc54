import { Actor, referenceAgencyId, SUBJECTS } from '@smart-regency/contracts';
import { randomUUID } from 'crypto';
import { InProcessService, startInProcess, tablesOf } from '@smart-regency/testing';
import { startComplaints } from '../src/app';
import { loadComplaintsConfig } from '../src/config';

describe('complaints over NATS, on its own database', () => {
  let t: InProcessService;

  beforeAll(async () => {
    t = await startInProcess('complaints', (env) => startComplaints(loadComplaintsConfig(env)));
  });

  afterAll(() => t?.close());

  it('creates its schema from an empty database', async () => {
    expect(await tablesOf(t.db)).toEqual([
      'audit_head',
      'audit_log',
      'audit_pending',
      'calendar_years',
      'complaint_attachments',
      'complaint_blobs',
      'complaint_categories',
      'complaint_comments',
      'complaint_history',
      'complaint_lapor_updates',
      'complaints',
      'daily_usage',
      'idempotency_keys',
      'migrations',
      'outbox',
      'processed_events',
    ]);
  });

  it('lists the usual regency categories, each routed to an agency', async () => {
    const page = await t.rpc.send(SUBJECTS.complaints.listCategories, { pageSize: 100 });
    expect(page.total).toBe(11);
    const byCode = Object.fromEntries(page.items.map((c) => [c.code, c]));
    expect(byCode['roads-bridges'].agencyId).toBe(referenceAgencyId('PUPR'));
    expect(byCode['waste-environment'].agencyId).toBe(referenceAgencyId('DLH'));
    expect(byCode['village-funds'].agencyId).toBe(referenceAgencyId('DPMD'));
    // Sorted by name for pickers.
    const names = page.items.map((c) => c.name);
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
  });

  it('filters by agency', async () => {
    const page = await t.rpc.send(SUBJECTS.complaints.listCategories, { agencyId: referenceAgencyId('DINKES') });
    expect(page.items.map((c) => c.code)).toEqual(['health']);
  });

  it('lets only an admin add or change a category, even when the gateway is bypassed', async () => {
    const body = { code: 'flooding', name: 'Banjir', description: 'Genangan dan banjir.', agencyId: referenceAgencyId('PUPR') };
    const citizen: Actor = { id: randomUUID(), roles: ['citizen'] };
    const officer: Actor = { id: randomUUID(), roles: ['officer'], agencyId: referenceAgencyId('DINKES') };
    const admin: Actor = { id: randomUUID(), roles: ['admin'] };

    await expect(t.rpc.send(SUBJECTS.complaints.createCategory, body)).rejects.toMatchObject({ code: 'COMMON.UNAUTHENTICATED' });
    await expect(t.rpc.send(SUBJECTS.complaints.createCategory, body, { actor: citizen })).rejects.toMatchObject({ code: 'COMMON.FORBIDDEN' });
    await expect(t.rpc.send(SUBJECTS.complaints.updateCategory, { code: 'health', active: false }, { actor: officer })).rejects.toMatchObject({ code: 'COMMON.FORBIDDEN' });
    expect((await t.db.query(`SELECT code FROM complaint_categories WHERE code = 'flooding' OR (code = 'health' AND NOT active)`)).rows).toEqual([]);

    expect(await t.rpc.send(SUBJECTS.complaints.createCategory, body, { actor: admin })).toEqual({ ...body, active: true, forwardToLapor: false });
    expect(await t.rpc.send(SUBJECTS.complaints.updateCategory, { code: 'flooding', active: false }, { actor: admin })).toEqual({ ...body, active: false, forwardToLapor: false });
    await expect(t.rpc.send(SUBJECTS.complaints.updateCategory, { code: 'flooding', agencyId: 'PUPR' }, { actor: admin })).rejects.toMatchObject({
      code: 'COMMON.VALIDATION',
      details: [expect.objectContaining({ field: 'agencyId' })],
    });
    // Rows join the chain in the background; chain what has committed before reading audit_log.
    await t.db.query('SELECT audit_chain_pending(100000, true)');
    const trail = await t.db.query(`SELECT action, actor_id, changes FROM audit_log WHERE entity_type = 'complaint_category' ORDER BY seq`);
    expect(trail.rows).toEqual([
      { action: 'complaint_category.create', actor_id: admin.id, changes: { after: { ...body, active: true, forwardToLapor: false } } },
      { action: 'complaint_category.update', actor_id: admin.id, changes: { before: { active: true }, after: { active: false } } },
    ]);
  });
});
