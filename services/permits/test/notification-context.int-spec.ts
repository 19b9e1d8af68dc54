import { Actor, ApplicationResponse, CONTEXTS_PER_REQUEST, NotificationContextRequest, referenceAgencyId, SUBJECTS } from '@smart-regency/contracts';
import { DomainError, prefixed } from '@smart-regency/platform';
import { InProcessService, startInProcess } from '@smart-regency/testing';
import { randomUUID } from 'crypto';
import { JSONCodec, Subscription } from 'nats';
import { DataSource } from 'typeorm';
import { startPermits } from '../src/app';
import { loadPermitsConfig } from '../src/config';
import { ApplicantErasure1767300000000 } from '../src/migrations/1767300000000-ApplicantErasure';
import { PrivacyService } from '../src/privacy/privacy.service';

/*
 * What notifications asks permits, as itself, to turn an application's event into messages: who
 * is told (the applicant, unless erased), which agency's queue the application is in after the
 * event, a link, and the template variables, the note found by the event's action and `at`.
 */
const PUBLIC_BASE_URL = 'https://izin.labura.example.go.id';
const TECHNICAL = referenceAgencyId('PUPR');
const ISSUING = referenceAgencyId('DPMPTSP');
const HOLDER = 'Rahmawati Siregar';
const FEE = 250000;

describe('notification context of permit applications (real PostgreSQL and NATS)', () => {
  let t: InProcessService;
  const identity: Subscription[] = [];
  const admin: Actor = { id: randomUUID(), roles: ['admin'] };
  const officer: Actor = { id: randomUUID(), roles: ['officer'], agencyId: TECHNICAL };
  const head: Actor = { id: randomUUID(), roles: ['agency_head'], agencyId: ISSUING };
  const counter: Actor = { id: randomUUID(), roles: ['officer'], agencyId: ISSUING };

  /** identity, as permits asks it: the calendar (no holidays) and a holder's name. */
  const answer = (subject: string, response: unknown) => {
    const codec = JSONCodec<{ id: string }>();
    identity.push(
      t.rpc.connection.subscribe(prefixed(t.env.natsPrefix, subject), {
        callback: (_error, msg) => msg.respond(JSONCodec().encode({ response, id: codec.decode(msg.data).id })),
      }),
    );
  };

  beforeAll(async () => {
    t = await startInProcess('permits', (env) => startPermits(loadPermitsConfig({ ...env, PUBLIC_BASE_URL })));
    answer(SUBJECTS.identity.getCalendar, { year: 2026, holidays: [] });
    answer(SUBJECTS.identity.holderName, { fullName: HOLDER });
    const type = (code: string, fee: number) =>
      t.rpc.send(
        SUBJECTS.permits.createPermitType,
        { code, name: `Izin ${code}`, agencyId: TECHNICAL, requiredDocuments: [], formFields: [{ code: 'usaha', label: 'Nama usaha', type: 'text', required: true }], slaWorkingDays: 5, fee, validityMonths: 12 },
        { actor: admin },
      );
    await type('NTF-BAYAR', FEE);
    await type('NTF-GRATIS', 0);
  });

  afterAll(async () => {
    for (const s of identity) s.unsubscribe();
    await t?.close();
  });

  /** Notifications asks for a batch of events at once; most tests ask for one. */
  const askAll = async (requests: NotificationContextRequest[]) => (await t.rpc.send(SUBJECTS.permits.notificationContext, { requests })).contexts;
  const ask = async (request: NotificationContextRequest) => {
    const contexts = await askAll([request]);
    expect(contexts).toHaveLength(1);
    return contexts[0];
  };
  const submitted = async (typeCode = 'NTF-BAYAR', citizen: Actor = { id: randomUUID(), roles: ['citizen'] }) => {
    const draft = await t.rpc.send(SUBJECTS.permits.createApplication, { permitTypeCode: typeCode, formData: { usaha: 'Toko Sinar Jaya' } }, { actor: citizen });
    return { citizen, app: await t.rpc.send(SUBJECTS.permits.submitApplication, { id: draft.id }, { actor: citizen }) };
  };
  const act = (actor: Actor, id: string, action: string, note?: string): Promise<ApplicationResponse> =>
    t.rpc.send(SUBJECTS.permits.actOnApplication, { id, action, ...(note ? { note } : {}) }, { actor });
  /** The `status_changed` events of an application as notifications receives them: `{ action, at }`. */
  const changes = async (id: string): Promise<Array<{ action: string; at: string }>> =>
    (await t.db.query(`SELECT event -> 'data' AS data FROM outbox WHERE record_id = $1 AND type = 'permits.application.status_changed.v1' ORDER BY seq`, [id])).rows.map((r) => ({
      action: r.data.action,
      at: r.data.at,
    }));
  const changeOf = async (id: string, action: string, nth = 0) => (await changes(id)).filter((c) => c.action === action)[nth];
  const STATUS_CHANGED = 'permits.application.status_changed.v1';

  it('tells the applicant of a submission, with the technical agency as the queue, and nothing personal', async () => {
    const { citizen, app } = await submitted();
    const context = await ask({ recordId: app.id, eventType: 'permits.application.submitted.v1' });
    expect(context).toEqual({
      found: true,
      agencyId: TECHNICAL,
      recipients: [{ userId: citizen.id, role: 'applicant' }],
      link: `/permit-applications/${app.id}`,
      variables: { number: app.number, permitType: 'Izin NTF-BAYAR', status: 'submitted', dueAt: app.dueAt, fee: String(FEE) },
    });
    expect(Object.values(context.variables).every((v) => typeof v === 'string')).toBe(true);
    // The form (which may name the applicant's business) never goes out.
    expect(JSON.stringify(context)).not.toContain('Sinar Jaya');
  });

  it('gives the note of each revision request by its action and at, and the reason of a rejection', async () => {
    const { citizen, app } = await submitted('NTF-GRATIS');
    await act(officer, app.id, 'request-revision', 'Lengkapi gambar denah lokasi');
    await t.rpc.send(SUBJECTS.permits.actOnApplication, { id: app.id, action: 'resubmit' }, { actor: citizen });
    await act(officer, app.id, 'verify', 'Dokumen lengkap');
    await act(officer, app.id, 'request-revision', 'Foto lokasi buram');
    const [first, second] = [await changeOf(app.id, 'request-revision', 0), await changeOf(app.id, 'request-revision', 1)];

    const one = await ask({ recordId: app.id, eventType: STATUS_CHANGED, ...first });
    expect(one).toMatchObject({ agencyId: TECHNICAL, recipients: [{ userId: citizen.id }], variables: { status: 'revision_requested', note: 'Lengkapi gambar denah lokasi' } });
    expect((await ask({ recordId: app.id, eventType: STATUS_CHANGED, ...second })).variables.note).toBe('Foto lokasi buram');
    // Each history entry carries its event's `at` to the millisecond.
    const { history } = await t.rpc.send(SUBJECTS.permits.getApplication, { id: app.id }, { actor: officer });
    expect(history!.filter((h) => h.action === 'request-revision').map((h) => h.at)).toEqual([first.at, second.at]);
    // Entries written before that took the transaction's start, a moment before the event: still found.
    await t.db.query(`UPDATE application_history SET at = at - interval '300 milliseconds' WHERE application_id = $1 AND action = 'request-revision' AND at = $2`, [app.id, first.at]);
    expect((await ask({ recordId: app.id, eventType: STATUS_CHANGED, ...first })).variables.note).toBe('Lengkapi gambar denah lokasi');
    expect((await ask({ recordId: app.id, eventType: STATUS_CHANGED, ...second })).variables.note).toBe('Foto lokasi buram');
    // The verify between them has its own note; an action that does not match at that moment gives none.
    expect((await ask({ recordId: app.id, eventType: STATUS_CHANGED, ...(await changeOf(app.id, 'verify')) })).variables).toMatchObject({ status: 'verified', note: 'Dokumen lengkap' });
    expect((await ask({ recordId: app.id, eventType: STATUS_CHANGED, action: 'reject', at: first.at })).variables.note).toBeUndefined();
    // Without action and at: the application as it is now, and no note.
    expect((await ask({ recordId: app.id, eventType: 'permits.application.overdue.v1' })).variables).not.toHaveProperty('note');

    const rejected = await submitted('NTF-GRATIS');
    await act(head, rejected.app.id, 'reject', 'Lokasi berada di jalur hijau');
    const rejection = await ask({ recordId: rejected.app.id, eventType: STATUS_CHANGED, ...(await changeOf(rejected.app.id, 'reject')) });
    expect(rejection).toMatchObject({ agencyId: ISSUING, variables: { status: 'rejected', note: 'Lokasi berada di jalur hijau' } });
  });

  it('moves the queue to the issuing agency after recommend, and still answers an earlier event as it was', async () => {
    const { app } = await submitted();
    await act(officer, app.id, 'verify');
    await act(officer, app.id, 'recommend', 'Sesuai tata ruang');
    const recommended = await ask({ recordId: app.id, eventType: STATUS_CHANGED, ...(await changeOf(app.id, 'recommend')) });
    expect(recommended).toMatchObject({ agencyId: ISSUING, variables: { status: 'recommended', note: 'Sesuai tata ruang' } });
    // The verify event, asked later, is still about the technical agency's queue.
    const verified = await ask({ recordId: app.id, eventType: STATUS_CHANGED, ...(await changeOf(app.id, 'verify')) });
    expect(verified).toMatchObject({ agencyId: TECHNICAL, variables: { status: 'verified' } });
    expect(verified.variables.note).toBeUndefined();
  });

  it('gives the fee while awaiting payment, then the certificate number, the verification address and the expiry once issued', async () => {
    const { app } = await submitted();
    for (const [who, action] of [
      [officer, 'verify'],
      [officer, 'recommend'],
      [head, 'approve'],
    ] as const)
      await act(who, app.id, action);
    const awaiting = await ask({ recordId: app.id, eventType: STATUS_CHANGED, ...(await changeOf(app.id, 'approve')) });
    expect(awaiting).toMatchObject({ agencyId: ISSUING, variables: { status: 'awaiting_payment', fee: '250000' } });
    expect(awaiting.variables).not.toHaveProperty('certificateNumber');

    await act(counter, app.id, 'record-payment');
    const issued = await act(counter, app.id, 'issue');
    const context = await ask({ recordId: app.id, eventType: 'permits.application.issued.v1' });
    const { rows } = await t.db.query(`SELECT verification_code FROM applications WHERE id = $1`, [app.id]);
    expect(context).toMatchObject({
      found: true,
      agencyId: ISSUING,
      variables: {
        status: 'issued',
        certificateNumber: issued.certificateNumber,
        verificationUrl: `${PUBLIC_BASE_URL}/api/v1/permits/verify/${rows[0].verification_code}`,
        expiresAt: issued.expiresAt,
      },
    });
    // The address is the certificate's QR code: its code verifies the permit.
    const code = context.variables.verificationUrl.split('/').pop()!;
    expect(await t.rpc.send(SUBJECTS.permits.verifyPermit, { code })).toMatchObject({ valid: true, certificateNumber: issued.certificateNumber });
    // The holder's name is on the certificate, never in a message's context.
    expect(JSON.stringify(context)).not.toMatch(/Rahmawati|R\*+ S\*+/);
  });

  it('answers found: false for an unknown application', async () => {
    expect(await ask({ recordId: randomUUID(), eventType: STATUS_CHANGED, action: 'verify', at: new Date().toISOString() })).toEqual({ found: false, recipients: [], variables: {} });
  });

  it('tells nobody once the applicant is erased, the agency still; erasures from before the column are found in the trail', async () => {
    const { citizen, app } = await submitted();
    const db = t.service.app.get(DataSource);
    await db.transaction((m) => t.service.app.get(PrivacyService).erase(m, citizen.id));
    const context = await ask({ recordId: app.id, eventType: 'permits.application.submitted.v1' });
    expect(context).toMatchObject({ found: true, agencyId: TECHNICAL, recipients: [] });

    // The migration fills the column from the audit trail's erasures (rows chained or still pending).
    const other = await submitted();
    const migration = new ApplicantErasure1767300000000();
    const runner = db.createQueryRunner();
    try {
      await migration.down(runner);
      await migration.up(runner);
    } finally {
      await runner.release();
    }
    const { rows } = await t.db.query(`SELECT id, applicant_erased_at IS NOT NULL AS erased FROM applications WHERE id = ANY($1::uuid[])`, [[app.id, other.app.id]]);
    expect(Object.fromEntries(rows.map((r) => [r.id, r.erased]))).toEqual({ [app.id]: true, [other.app.id]: false });
    expect((await ask({ recordId: app.id, eventType: 'permits.application.submitted.v1' })).recipients).toEqual([]);
    expect((await ask({ recordId: other.app.id, eventType: 'permits.application.submitted.v1' })).recipients).toEqual([{ userId: other.citizen.id, role: 'applicant' }]);
  });

  it('answers a batch in the order asked, an unknown application in its place', async () => {
    const one = await submitted('NTF-GRATIS');
    const two = await submitted('NTF-BAYAR');
    await act(officer, two.app.id, 'request-revision', 'Lengkapi NPWP');
    const revision = await changeOf(two.app.id, 'request-revision');
    const unknown = randomUUID();
    const contexts = await askAll([
      { recordId: two.app.id, eventType: STATUS_CHANGED, ...revision },
      { recordId: unknown, eventType: 'permits.application.submitted.v1' },
      { recordId: one.app.id, eventType: 'permits.application.submitted.v1' },
      // The same record twice, about different events: each gets its own entry.
      { recordId: two.app.id, eventType: 'permits.application.submitted.v1' },
    ]);
    expect(contexts.map((c) => [c.found, c.recipients[0]?.userId, c.variables.status, c.variables.note])).toEqual([
      [true, two.citizen.id, 'revision_requested', 'Lengkapi NPWP'],
      [false, undefined, undefined, undefined],
      [true, one.citizen.id, 'submitted', undefined],
      [true, two.citizen.id, 'submitted', undefined],
    ]);
    expect(contexts[0].variables.number).toBe(two.app.number);
    expect(contexts[2].variables.number).toBe(one.app.number);
  });

  it('refuses malformed requests', async () => {
    const { app } = await submitted('NTF-GRATIS');
    const cases: Array<[string, unknown]> = [
      ['recordId', { recordId: 'PRM-2026-000001', eventType: STATUS_CHANGED }],
      ['eventType', { recordId: app.id, eventType: 'permits.application.status_changed' }],
      ['eventType', { recordId: app.id }],
      ['at', { recordId: app.id, eventType: STATUS_CHANGED, at: 'yesterday' }],
      ['action', { recordId: app.id, eventType: STATUS_CHANGED, action: 'x'.repeat(41) }],
      ['applicantId', { recordId: app.id, eventType: STATUS_CHANGED, applicantId: randomUUID() }],
    ];
    const refusal = (payload: unknown) =>
      t.rpc.send(SUBJECTS.permits.notificationContext, payload as never).then(
        () => null,
        (e: DomainError) => e,
      );
    for (const [field, request] of cases) {
      // The bad request is the second of two: the whole batch is refused, naming its place.
      const error = await refusal({ requests: [{ recordId: app.id, eventType: STATUS_CHANGED }, request] });
      expect(error?.code).toBe('COMMON.VALIDATION');
      expect(error?.details?.map((d) => d.field)).toContain(`requests[1].${field}`);
    }
    // A batch is one to CONTEXTS_PER_REQUEST events, and a list.
    const many = Array.from({ length: CONTEXTS_PER_REQUEST + 1 }, () => ({ recordId: app.id, eventType: STATUS_CHANGED }));
    for (const payload of [{ requests: [] }, { requests: many }, { requests: { recordId: app.id, eventType: STATUS_CHANGED } }, { recordId: app.id, eventType: STATUS_CHANGED }]) {
      const error = await refusal(payload);
      expect(error?.code).toBe('COMMON.VALIDATION');
      expect(error?.details?.map((d) => d.field)).toContain('requests');
    }
    expect(await askAll(many.slice(1))).toHaveLength(CONTEXTS_PER_REQUEST);
  });
});
