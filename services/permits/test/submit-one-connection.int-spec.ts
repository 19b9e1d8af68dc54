import { Actor, referenceAgencyId, SUBJECTS } from '@smart-regency/contracts';
import { prefixed } from '@smart-regency/platform';
import { InProcessService, startInProcess } from '@smart-regency/testing';
import { randomUUID } from 'crypto';
import { JSONCodec, Subscription } from 'nats';
import { startPermits } from '../src/app';
import { loadPermitsConfig } from '../src/config';

/*
 * The write path reads permit types from a cache; a miss inside a transaction must use that
 * transaction's connection. Read on a second pool connection, a submission waits for a connection
 * that only it could free: with a pool of one it can never finish (under load the pool times out).
 */
describe('writes on a pool of one database connection', () => {
  let t: InProcessService;
  const identity: Subscription[] = [];
  const codec = JSONCodec<{ id: string }>();
  const admin = { id: randomUUID(), roles: ['admin'] } as Actor;
  const citizen = { id: randomUUID(), roles: ['citizen'] } as Actor;

  beforeAll(async () => {
    // One citizen starts 40 drafts here, beyond the daily limit (documents.int-spec tests it).
    t = await startInProcess('permits', (env) => startPermits(loadPermitsConfig({ ...env, DB_POOL_SIZE: '1', CITIZEN_DRAFTS_PER_DAY: '1000' })));
    // identity, as a submission asks it: the calendar (the deadline; no holidays) and the holder's name.
    const answer = (subject: string, response: unknown) =>
      identity.push(
        t.rpc.connection.subscribe(prefixed(t.env.natsPrefix, subject), {
          callback: (_error, msg) => msg.respond(JSONCodec().encode({ response, id: codec.decode(msg.data).id })),
        }),
      );
    answer(SUBJECTS.identity.getCalendar, { year: 2026, holidays: [] });
    answer(SUBJECTS.identity.holderName, { fullName: 'Toko Satu Pemilik' });
  });

  afterAll(async () => {
    for (const s of identity) s.unsubscribe();
    await t?.close();
  });

  it('submits after the permit type changed, reading it on its own connection', async () => {
    await t.rpc.send(
      SUBJECTS.permits.createPermitType,
      {
        code: 'ONE-CONN',
        name: 'Izin satu koneksi',
        agencyId: referenceAgencyId('PUPR'),
        requiredDocuments: [],
        formFields: [{ code: 'name', label: 'Nama', type: 'text', required: true }],
        slaWorkingDays: 3,
        fee: 0,
        validityMonths: 12,
      },
      { actor: admin },
    );
    const draft = await t.rpc.send(SUBJECTS.permits.createApplication, { permitTypeCode: 'ONE-CONN', formData: { name: 'Toko Satu' } }, { actor: citizen });
    // The change drops the cached type: the submission reads it again, inside its transaction.
    await t.rpc.send(SUBJECTS.permits.updatePermitType, { code: 'ONE-CONN', slaWorkingDays: 4 }, { actor: admin });
    const submitted = await t.rpc.send(SUBJECTS.permits.submitApplication, { id: draft.id }, { actor: citizen });
    expect(submitted).toMatchObject({ id: draft.id, status: 'submitted', version: 2 });
    const { rows } = await t.db.query(`SELECT action FROM application_history WHERE application_id = $1 ORDER BY seq`, [draft.id]);
    expect(rows.map((r) => r.action)).toEqual(['create', 'submit']);
    // The holder's name for the certificate was asked of identity at submission and kept.
    const kept = await t.db.query(`SELECT holder_name FROM applications WHERE id = $1`, [draft.id]);
    expect(kept.rows[0].holder_name).toBe('Toko Satu Pemilik');
  });
  it('creates drafts in one statement each (number, history, audit row), every number once, even on one connection', async () => {
    const drafts = await Promise.all(
      Array.from({ length: 40 }, (_, i) => t.rpc.send(SUBJECTS.permits.createApplication, { permitTypeCode: 'ONE-CONN', formData: { name: `Toko ${i}` } }, { actor: citizen })),
    );
    const numbers = drafts.map((d) => d.number);
    expect(new Set(numbers).size).toBe(40);
    for (const n of numbers) expect(n).toMatch(/^PRM-\d{4}-\d{6,}$/);
    const ids = drafts.map((d) => d.id);
    const { rows } = await t.db.query(
      `SELECT a.id, a.number, a.created_at, (SELECT count(*)::int FROM application_history h WHERE h.application_id = a.id AND h.action = 'create') AS history
         FROM applications a WHERE a.id = ANY($1::uuid[])`,
      [ids],
    );
    expect(rows).toHaveLength(40);
    for (const row of rows) {
      const answered = drafts.find((d) => d.id === row.id)!;
      expect(row).toMatchObject({ number: answered.number, history: 1 });
      expect(row.created_at.toISOString()).toBe(answered.createdAt);
    }
    await t.db.query('SELECT audit_chain_pending(100000, true)');
    const audit = await t.db.query(`SELECT entity_id, changes -> 'after' ->> 'number' AS number FROM audit_log WHERE action = 'application.create' AND entity_id = ANY($1)`, [ids]);
    expect(audit.rows).toHaveLength(40);
    for (const row of audit.rows) expect(row.number).toBe(drafts.find((d) => d.id === row.entity_id)!.number);
  });
});
