import { Actor, RegencyCloudEvent, REFERENCE_AGENCIES, SUBJECTS } from '@smart-regency/contracts';
import { DomainError, runMigrations, withEventTables } from '@smart-regency/platform';
import { InProcessService, startInProcess, tablesOf } from '@smart-regency/testing';
import { randomUUID } from 'crypto';
import { startIdentity } from '../src/app';
import { loadIdentityConfig } from '../src/config';
import { identitySchema } from '../src/schema';

describe('identity over NATS, on its own database', () => {
  let t: InProcessService;

  beforeAll(async () => {
    t = await startInProcess('identity', (env) => startIdentity(loadIdentityConfig(env)));
  });

  afterAll(() => t?.close());

  it('creates its schema from an empty database and seeds the agencies', async () => {
    expect(await tablesOf(t.db)).toEqual([
      'agencies',
      'audit_head',
      'audit_log',
      'audit_pending',
      'auth_throttles',
      'calendar_years',
      'holidays',
      'idempotency_keys',
      'login_events',
      'migrations',
      'outbox',
      'processed_events',
      'refresh_tokens',
      'service_accounts',
      'signing_keys',
      'users',
    ]);
    const { rows } = await t.db.query('SELECT name FROM migrations ORDER BY id');
    expect(rows.map((r) => r.name)).toEqual([
      'CreateAgencies1764300000000',
      'CreateEventTables1764400000000',
      'CreateIdempotencyKeys1764450000000',
      'CreateUsers1764500000000',
      'CreateAuth1764600000000',
      'UserAdministration1764700000000',
      'CreateCalendar1764800000000',
      'CreateServiceAccounts1764900000000',
      'UserErasure1765200000000',
      'CreateAuditLog1766000000000',
      'QueueAuditChain1766100000000',
      'IndexAuditListSubjects1766300000000',
      'EncryptSigningKeys1767100000000',
      'SignInThrottles1767200000000',
      'GuardAuditPending1767300000000',
      'ChangedMeanwhile1767800000000',
      'RefreshInOneCall1767900000000',
    ]);
    const { rows: agencies } = await t.db.query('SELECT id, code FROM agencies ORDER BY code');
    expect(agencies).toEqual(REFERENCE_AGENCIES.map(({ id, code }) => ({ id, code })).sort((a, b) => a.code.localeCompare(b.code)));
  });

  it('lists agencies by code with paging and filters', async () => {
    const page = await t.rpc.send(SUBJECTS.identity.listAgencies, { page: 2, pageSize: 4 });
    expect(page).toMatchObject({ page: 2, pageSize: 4, total: REFERENCE_AGENCIES.length });
    const codes = REFERENCE_AGENCIES.map((a) => a.code).sort();
    expect(page.items.map((a) => a.code)).toEqual(codes.slice(4, 8));

    const search = await t.rpc.send(SUBJECTS.identity.listAgencies, { q: 'kesehatan' });
    expect(search.items.map((a) => a.code)).toEqual(['DINKES']);
    // LIKE wildcards in a search are taken literally.
    expect((await t.rpc.send(SUBJECTS.identity.listAgencies, { q: '%' })).total).toBe(0);
  });

  it('validates the payload at its NATS boundary and lists every bad field', async () => {
    const error = await t.rpc.send(SUBJECTS.identity.listAgencies, { pageSize: 0, kind: 'castle', extra: 1 } as never).catch((e) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect(error.code).toBe('COMMON.VALIDATION');
    expect(error.details.map((d: { field: string }) => d.field).sort()).toEqual(['extra', 'kind', 'pageSize']);
  });

  it('reports its health with the database', async () => {
    const health = await t.rpc.send(SUBJECTS.identity.health, {});
    expect(health).toMatchObject({ service: 'identity', status: 'up', checks: { database: 'up' } });
    const ready = await fetch(`${t.service.url}/health/ready`);
    expect(ready.status).toBe(200);
  });

  it('shares requests with a second replica in the same queue group, each handled once', async () => {
    const replica = await startIdentity(loadIdentityConfig(t.env.serviceEnv('identity', { DATABASE_URL: t.databaseUrl, LOG_LEVEL: 'error' })));
    try {
      const handled = async (url: string) => {
        const text = await (await fetch(`${url}/metrics`)).text();
        const line = text.split('\n').find((l) => l.startsWith('nats_requests_total{') && l.includes('subject="identity.agency.list",outcome="ok"'));
        return line ? Number(line.split(' ').pop()) : 0;
      };
      const before = [await handled(t.service.url), await handled(replica.url)];
      const replies = await Promise.all(Array.from({ length: 40 }, () => t.rpc.send(SUBJECTS.identity.listAgencies, {})));
      expect(replies.every((r) => r.total === REFERENCE_AGENCIES.length)).toBe(true);
      const after = [await handled(t.service.url), await handled(replica.url)];
      const delta = [after[0] - before[0], after[1] - before[1]];
      expect(delta[0] + delta[1]).toBe(40);
      expect(delta[0]).toBeGreaterThan(0);
      expect(delta[1]).toBeGreaterThan(0);
    } finally {
      await replica.close();
    }
  });

  // These two add agencies: after the tests that count the seeded directory.
  it('records each created or changed agency in the outbox as identity.agency.changed.v1, with the change and its audit row', async () => {
    const admin: Actor = { id: randomUUID(), roles: ['admin'] };
    const events = async (agencyId: string) =>
      (await t.db.query(`SELECT event FROM outbox WHERE type = 'identity.agency.changed.v1' AND record_id = $1 ORDER BY seq`, [agencyId])).rows.map(
        (r) => r.event as RegencyCloudEvent<{ agencyId: string; code: string; name: string; kind: string; at: string }>,
      );
    const audited = async (agencyId: string) => (await t.db.query(`SELECT action FROM audit_pending WHERE entity_type = 'agency' AND entity_id = $1 UNION SELECT action FROM audit_log WHERE entity_type = 'agency' AND entity_id = $1`, [agencyId])).rows.map((r) => r.action).sort();
    const allAgencyEvents = async () => (await t.db.query(`SELECT count(*)::int AS n FROM outbox WHERE type = 'identity.agency.changed.v1'`)).rows[0].n as number;

    const created = await t.rpc.send(SUBJECTS.identity.createAgency, { code: 'DISPORA', name: 'Dinas Pemuda dan Olahraga', kind: 'dinas' }, { actor: admin });
    const [first] = await events(created.id);
    expect(first).toMatchObject({ type: 'identity.agency.changed.v1', source: '/regency/identity', subject: created.id });
    // What the public directory shows of the agency, and when: nothing more.
    expect(first.data).toEqual({ agencyId: created.id, code: 'DISPORA', name: 'Dinas Pemuda dan Olahraga', kind: 'dinas', at: expect.any(String) });

    const renamed = await t.rpc.send(SUBJECTS.identity.updateAgency, { id: created.id, name: 'Dinas Pemuda, Olahraga dan Pariwisata' }, { actor: admin });
    const [, second] = await events(created.id);
    expect(second.data).toEqual({ ...first.data, name: renamed.name, at: second.data.at });
    expect(Date.parse(second.data.at)).toBeGreaterThan(Date.parse(first.data.at));
    expect(await audited(created.id)).toEqual(['agency.create', 'agency.update']);

    // A refused change records nothing.
    const before = await allAgencyEvents();
    await expect(t.rpc.send(SUBJECTS.identity.createAgency, { code: 'DISPORA', name: 'Dinas Kedua', kind: 'dinas' }, { actor: admin })).rejects.toMatchObject({ code: 'IDENTITY.AGENCY_CODE_TAKEN' });
    await expect(t.rpc.send(SUBJECTS.identity.updateAgency, { id: randomUUID(), name: 'Tidak Ada' }, { actor: admin })).rejects.toMatchObject({ code: 'IDENTITY.AGENCY_NOT_FOUND' });
    expect(await allAgencyEvents()).toBe(before);
  });

  it('gives concurrent changes of one agency events in commit order, the last one as the row ends', async () => {
    const admin: Actor = { id: randomUUID(), roles: ['admin'] };
    const { id } = await t.rpc.send(SUBJECTS.identity.createAgency, { code: 'BKPSDM', name: 'Badan Kepegawaian', kind: 'badan' }, { actor: admin });
    // Half change the name, half the kind: each must keep what the others committed.
    const changes = [
      { id, name: 'Badan Kepegawaian Daerah' },
      { id, kind: 'satuan' as const },
      { id, name: 'Badan Kepegawaian dan Pengembangan SDM' },
      { id, kind: 'kantor' as const },
      { id, name: 'Badan Kepegawaian dan Diklat' },
      { id, kind: 'inspektorat' as const },
    ];
    await Promise.all(changes.map((change) => t.rpc.send(SUBJECTS.identity.updateAgency, change, { actor: admin })));
    const { rows } = await t.db.query(`SELECT event->'data' AS data FROM outbox WHERE type = 'identity.agency.changed.v1' AND record_id = $1 ORDER BY seq`, [id]);
    expect(rows).toHaveLength(1 + changes.length);
    const at = rows.map((r) => Date.parse(r.data.at));
    expect(at).toEqual([...at].sort((a, b) => a - b));
    const [row] = (await t.db.query(`SELECT code, name, kind FROM agencies WHERE id = $1`, [id])).rows;
    expect(rows.at(-1).data).toMatchObject(row);
    // No change was lost to another: both the name and the kind are from a change.
    expect(changes.map((c) => c.name)).toContain(row.name);
    expect(changes.map((c) => c.kind)).toContain(row.kind);
  });

  it('migrations go down and up again', async () => {
    const config = loadIdentityConfig(t.env.serviceEnv('identity', { DATABASE_URL: t.databaseUrl }));
    const quiet = { warn: () => undefined, info: () => undefined };
    const schema = withEventTables(identitySchema);
    const before = await tablesOf(t.db);
    const count = (schema.migrations as unknown[]).length;
    for (let i = 0; i < count; i++) await runMigrations(config, schema, quiet, true);
    expect(await tablesOf(t.db)).toEqual(['migrations']);
    expect(await runMigrations(config, schema, quiet)).toHaveLength(count);
    expect(await tablesOf(t.db)).toEqual(before);
  });

  it('creates a service account with its audit row in one statement: the secret works once stored and never enters the trail', async () => {
    const admin: Actor = { id: randomUUID(), roles: ['admin'] };
    const created = await t.rpc.send(SUBJECTS.identity.createServiceAccount, { name: 'Aplikasi Lapor Kelurahan', scopes: ['open311:write', 'open311:write'] }, { actor: admin });
    expect(created).toMatchObject({ name: 'Aplikasi Lapor Kelurahan', clientId: expect.stringMatching(/^sa_/), clientSecret: expect.any(String) });
    expect(await t.rpc.send(SUBJECTS.identity.authenticateApiKey, { apiKey: created.clientSecret })).toEqual({ id: created.id, name: created.name, scopes: ['open311:write'] });
    const { rows } = await t.db.query(
      `SELECT action, changes FROM (SELECT action, entity_id, changes FROM audit_pending UNION ALL SELECT action, entity_id, changes FROM audit_log) a WHERE entity_id = $1`,
      [created.id],
    );
    expect(rows).toEqual([{ action: 'service_account.create', changes: { after: { name: created.name, clientId: created.clientId, scopes: ['open311:write'], active: true } } }]);
    expect(JSON.stringify(rows)).not.toContain(created.clientSecret);
  });
});
