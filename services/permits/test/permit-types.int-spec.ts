import { randomUUID } from 'crypto';
import { Actor, referenceAgencyId, SUBJECTS } from '@smart-regency/contracts';
import { DomainError } from '@smart-regency/platform';
import { InProcessService, startInProcess, tablesOf } from '@smart-regency/testing';
import { startPermits } from '../src/app';
import { loadPermitsConfig } from '../src/config';

describe('permits over NATS, on its own database', () => {
  let t: InProcessService;

  beforeAll(async () => {
    t = await startInProcess('permits', (env) => startPermits(loadPermitsConfig(env)));
  });

  afterAll(() => t?.close());

  it('creates its schema from an empty database with a usable catalogue', async () => {
    expect(await tablesOf(t.db)).toEqual([
      'agency_directory',
      'agency_directory_bootstrap',
      'application_certificates',
      'application_documents',
      'application_history',
      'applications',
      'audit_head',
      'audit_log',
      'audit_pending',
      'calendar_years',
      'daily_usage',
      'document_blobs',
      'idempotency_keys',
      'migrations',
      'outbox',
      'permit_types',
      'processed_events',
    ]);
    const { rows } = await t.db.query(`SELECT indexname FROM pg_indexes WHERE tablename = 'permit_types' ORDER BY indexname`);
    expect(rows.map((r) => r.indexname)).toEqual(
      expect.arrayContaining(['ix_permit_types_agency_id', 'ix_permit_types_issuing_agency_id', 'uq_permit_types_code']),
    );
  });

  it('lists the catalogue with the technical and issuing agency of each type', async () => {
    const all = await t.rpc.send(SUBJECTS.permits.listPermitTypes, {});
    expect(all.items.map((p) => p.code)).toEqual(['KERAMAIAN', 'PBG', 'REKLAME', 'SIP-NAKES', 'SKU']);
    const reklame = all.items.find((p) => p.code === 'REKLAME')!;
    expect(reklame).toMatchObject({ fee: 250000, validityMonths: 12, issuingAgencyId: referenceAgencyId('DPMPTSP') });
    expect(typeof reklame.fee).toBe('number');
    for (const type of all.items) {
      expect(type.requiredDocuments.some((d) => d.code === 'KTP' && d.required)).toBe(true);
      expect(type.formFields.length).toBeGreaterThan(0);
    }

    const health = await t.rpc.send(SUBJECTS.permits.listPermitTypes, { agencyId: referenceAgencyId('DINKES') });
    expect(health.items.map((p) => p.code)).toEqual(['SIP-NAKES']);
  });

  it('filters by the active flag', async () => {
    await t.db.query(`UPDATE permit_types SET active = false WHERE code = 'SKU'`);
    const inactive = await t.rpc.send(SUBJECTS.permits.listPermitTypes, { active: 'false' } as never);
    expect(inactive.items.map((p) => p.code)).toEqual(['SKU']);
    const active = await t.rpc.send(SUBJECTS.permits.listPermitTypes, { active: true });
    expect(active.total).toBe(4);
  });

  it('keeps the catalogue for admins even when the gateway is bypassed', async () => {
    const body = {
      code: 'NO-GATEWAY',
      name: 'Izin tanpa gateway',
      agencyId: referenceAgencyId('PUPR'),
      requiredDocuments: [],
      formFields: [],
      slaWorkingDays: 3,
      fee: 0,
      validityMonths: 12,
    };
    await expect(t.rpc.send(SUBJECTS.permits.createPermitType, body)).rejects.toMatchObject({ code: 'COMMON.UNAUTHENTICATED' });
    await expect(t.rpc.send(SUBJECTS.permits.createPermitType, body, { actor: { id: randomUUID(), roles: ['citizen'] } })).rejects.toMatchObject({ code: 'COMMON.FORBIDDEN' });
    const officer: Actor = { id: randomUUID(), roles: ['officer'], agencyId: referenceAgencyId('PUPR') };
    await expect(t.rpc.send(SUBJECTS.permits.updatePermitType, { code: 'PBG', slaWorkingDays: 1 }, { actor: officer })).rejects.toMatchObject({ code: 'COMMON.FORBIDDEN' });
    const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM permit_types WHERE code = 'NO-GATEWAY'`);
    expect(rows[0].n).toBe(0);
    expect((await t.rpc.send(SUBJECTS.permits.getPermitType, { code: 'PBG' })).slaWorkingDays).toBe(28);
  });

  it('refuses an agency id that is not a UUID', async () => {
    const error = await t.rpc.send(SUBJECTS.permits.listPermitTypes, { agencyId: 'PUPR' }).catch((e) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: 'COMMON.VALIDATION', details: [{ field: 'agencyId', rule: 'isUuid' }] });
  });
});
