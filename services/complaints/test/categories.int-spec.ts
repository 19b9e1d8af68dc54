import { referenceAgencyId, SUBJECTS } from '@smart-regency/contracts';
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
      'complaint_attachments',
      'complaint_blobs',
      'complaint_categories',
      'complaint_comments',
      'complaint_history',
      'complaints',
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
});
