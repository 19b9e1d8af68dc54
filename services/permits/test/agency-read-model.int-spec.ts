import { Actor, AgencyKind, REFERENCE_AGENCIES, referenceAgencyId, SUBJECTS } from '@smart-regency/contracts';
import { AgencyReadModel, buildEvent, DomainError, FileTransfer, fromFilePayload, prefixed } from '@smart-regency/platform';
import { InProcessService, startInProcess, waitFor } from '@smart-regency/testing';
import { execFileSync } from 'child_process';
import { randomUUID } from 'crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { JSONCodec, Subscription } from 'nats';
import { tmpdir } from 'os';
import { join } from 'path';
import { startPermits } from '../src/app';
import { loadPermitsConfig } from '../src/config';

/*
 * Identity off the write path for agencies: permits keeps its own copy of identity's agency
 * directory from `identity.agency.changed.v1` events. Identity's directory is paged once, when the
 * copy was never filled; a certificate then prints the issuing agency's name as the events left it.
 */
const TECHNICAL = referenceAgencyId('PUPR');
const ISSUING = referenceAgencyId('DPMPTSP');
const REFERENCE_NAME = REFERENCE_AGENCIES.find((a) => a.id === ISSUING)!.name;
const RENAMED = 'Dinas Penanaman Modal, Pelayanan Terpadu Satu Pintu dan Tenaga Kerja';

type Agency = { id: string; code: string; name: string; kind: AgencyKind };
// More than a page of 100: the reference agencies and the regency's health centres.
const CENTRES: Agency[] = Array.from({ length: 110 }, (_, i) => ({ id: randomUUID(), code: `UPT-PKM-${i + 1}`, name: `UPT Puskesmas Wilayah ${i + 1}`, kind: 'kantor' }));
/** Created in identity after permits started; its event comes before permits ever needed an agency. */
const NEWCOMER: Agency = { id: randomUUID(), code: 'BPBD', name: 'Badan Penanggulangan Bencana Daerah', kind: 'badan' };
const DIRECTORY: Agency[] = [...REFERENCE_AGENCIES, ...CENTRES, NEWCOMER].sort((a, b) => a.code.localeCompare(b.code));
const LAST_PAGE = DIRECTORY.at(-1)!;

/** The page's text as poppler reads it, its line breaks folded into spaces. */
function textOf(pdf: Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'pdftotext-'));
  try {
    writeFileSync(join(dir, 'c.pdf'), pdf);
    return execFileSync('pdftotext', [join(dir, 'c.pdf'), '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("permits' copy of the agency directory (real PostgreSQL and NATS)", () => {
  let t: InProcessService;
  let transfer: FileTransfer;
  let agencies: AgencyReadModel;
  const identity: Subscription[] = [];
  /** The pages of its directory identity was asked for. */
  const pagesAsked: number[] = [];
  const admin: Actor = { id: randomUUID(), roles: ['admin'] };
  const officer: Actor = { id: randomUUID(), roles: ['officer'], agencyId: TECHNICAL };

  beforeAll(async () => {
    t = await startInProcess('permits', (env) => startPermits(loadPermitsConfig({ ...env, CITIZEN_DRAFTS_PER_DAY: '1000' })));
    transfer = new FileTransfer(t.rpc.connection, t.env.natsPrefix);
    agencies = t.service.app.get(AgencyReadModel);
    const codec = JSONCodec<{ id: string; data?: Record<string, number> }>();
    const answer = (subject: string, respond: (request: Record<string, number>) => unknown) =>
      identity.push(
        t.rpc.connection.subscribe(prefixed(t.env.natsPrefix, subject), {
          callback: (_error, msg) => {
            const request = codec.decode(msg.data);
            msg.respond(JSONCodec().encode({ response: respond(request.data ?? {}), id: request.id }));
          },
        }),
      );
    answer(SUBJECTS.identity.getCalendar, ({ year }) => ({ year, holidays: [] }));
    answer(SUBJECTS.identity.holderName, () => ({ fullName: 'Rahmawati Siregar' }));
    // identity's directory as GET /agencies pages it (by code).
    answer(SUBJECTS.identity.listAgencies, ({ page = 1, pageSize = 20 }) => {
      pagesAsked.push(page);
      return { items: DIRECTORY.slice((page - 1) * pageSize, page * pageSize), page, pageSize, total: DIRECTORY.length };
    });
  });

  afterAll(async () => {
    for (const s of identity) s.unsubscribe();
    await t?.rpc.connection.jetstreamManager().then((jsm) => jsm.streams.delete(`OBJ_${t.env.natsPrefix}_transfer`)).catch(() => undefined);
    await t?.close();
  });

  /** identity's event about an agency, as its outbox relay publishes it. */
  const publish = async (agency: Agency, at: Date) => {
    const event = buildEvent('identity.agency.changed.v1', { agencyId: agency.id, code: agency.code, name: agency.name, kind: agency.kind, at: at.toISOString() });
    await t.rpc.connection.jetstream().publish(`${t.env.eventsPrefix}.${event.type}`, JSON.stringify(event), { msgID: event.id });
    return event.id;
  };
  const consumed = (eventId: string) =>
    waitFor('the agency event to be consumed', async () => {
      const { rows } = await t.db.query(`SELECT 1 FROM processed_events WHERE consumer = 'permits-agencies' AND event_id = $1`, [eventId]);
      return rows.length ? true : undefined;
    });
  const stored = async (agencyId: string) => (await t.db.query(`SELECT code, name, kind, changed_at FROM agency_directory WHERE agency_id = $1`, [agencyId])).rows[0];

  let types = 0;
  /** An issued permit of a new type that `issuing` decides and issues, and its owner. */
  const issued = async (issuing: string) => {
    const code = `AGN-${++types}`;
    await t.rpc.send(
      SUBJECTS.permits.createPermitType,
      { code, name: 'Izin uji direktori', agencyId: TECHNICAL, issuingAgencyId: issuing, requiredDocuments: [], formFields: [], slaWorkingDays: 5, fee: 0, validityMonths: 12 },
      { actor: admin },
    );
    const citizen: Actor = { id: randomUUID(), roles: ['citizen'] };
    const act = (actor: Actor, id: string, action: string) => t.rpc.send(SUBJECTS.permits.actOnApplication, { id, action }, { actor });
    const draft = await t.rpc.send(SUBJECTS.permits.createApplication, { permitTypeCode: code, formData: {} }, { actor: citizen });
    await t.rpc.send(SUBJECTS.permits.submitApplication, { id: draft.id }, { actor: citizen });
    await act(officer, draft.id, 'verify');
    await act(officer, draft.id, 'recommend');
    await act({ id: randomUUID(), roles: ['agency_head'], agencyId: issuing }, draft.id, 'approve');
    expect((await act({ id: randomUUID(), roles: ['officer'], agencyId: issuing }, draft.id, 'issue')).status).toBe('issued');
    return { citizen, id: draft.id };
  };
  /** The certificate's text, as its owner downloads it. */
  const printed = async ({ citizen, id }: { citizen: Actor; id: string }) => {
    const file = await t.rpc.send(SUBJECTS.permits.certificate, { id }, { actor: citizen });
    return textOf(await fromFilePayload(transfer, file));
  };

  it('keeps an event that comes before the copy was ever filled, and still fills the copy', async () => {
    await consumed(await publish(NEWCOMER, new Date()));
    expect(await stored(NEWCOMER.id)).toMatchObject({ code: 'BPBD', name: NEWCOMER.name, kind: 'badan' });
    expect(pagesAsked).toEqual([]);
    expect((await t.db.query(`SELECT count(*)::int AS n FROM agency_directory_bootstrap`)).rows[0].n).toBe(0);
  });

  it("pages identity's directory once, at the first certificate, and prints every agency's name from the copy", async () => {
    expect(await printed(await issued(ISSUING))).toContain(REFERENCE_NAME);
    expect(pagesAsked).toEqual([1, 2]);
    expect((await t.db.query(`SELECT count(*)::int AS n FROM agency_directory`)).rows[0].n).toBe(DIRECTORY.length);
    expect((await t.db.query(`SELECT agencies FROM agency_directory_bootstrap`)).rows).toEqual([{ agencies: DIRECTORY.length }]);

    // An agency from the second page, and one more certificate: no new question to identity.
    expect(await printed(await issued(LAST_PAGE.id))).toContain(LAST_PAGE.name);
    expect(await printed(await issued(ISSUING))).toContain(REFERENCE_NAME);
    expect(pagesAsked).toEqual([1, 2]);
  });

  it("takes a rename from identity's event, and a certificate issued after it prints the new name", async () => {
    const dpmptsp = DIRECTORY.find((a) => a.id === ISSUING)!;
    await consumed(await publish({ ...dpmptsp, name: RENAMED }, new Date()));
    expect(await stored(ISSUING)).toMatchObject({ name: RENAMED, changed_at: expect.any(Date) });
    // This replica drops its memory just after the event's commit (another replica's lasts 30 s at most).
    await waitFor('the rename to be read', async () => ((await agencies.name(ISSUING)) === RENAMED ? true : undefined));
    const text = await printed(await issued(ISSUING));
    expect(text).toContain(RENAMED);
    expect(text).not.toContain(REFERENCE_NAME);
    expect(pagesAsked).toEqual([1, 2]);
  });

  it('ignores an event older than the change it keeps', async () => {
    const dpmptsp = DIRECTORY.find((a) => a.id === ISSUING)!;
    const kept = await stored(ISSUING);
    // An event from before the rename, delivered late (a replay, a redelivery).
    await consumed(await publish({ ...dpmptsp, name: 'Kantor Pelayanan Perizinan Lama', kind: 'kantor' }, new Date(kept.changed_at.getTime() - 3_600_000)));
    expect(await stored(ISSUING)).toEqual(kept);
    expect(await agencies.get(ISSUING)).toEqual({ id: ISSUING, code: 'DPMPTSP', name: RENAMED, kind: dpmptsp.kind });
    expect(await printed(await issued(ISSUING))).toContain(RENAMED);
  });

  it("refuses a certificate whose issuing agency is not in identity's directory, retryably, until its event comes", async () => {
    const unknown: Agency = { id: randomUUID(), code: 'BAPENDA', name: 'Badan Pendapatan Daerah', kind: 'badan' };
    const permit = await issued(unknown.id);
    const error: DomainError = await printed(permit).then(
      () => {
        throw new Error('expected a refusal');
      },
      (e: DomainError) => e,
    );
    expect(error).toMatchObject({ code: 'PERMITS.CERTIFICATE_UNAVAILABLE', retryAfter: 60 });
    // No placeholder was signed, and identity was not asked again.
    expect((await t.db.query(`SELECT count(*)::int AS n FROM application_certificates WHERE application_id = $1`, [permit.id])).rows[0].n).toBe(0);
    expect(pagesAsked).toEqual([1, 2]);

    // identity creates it: its event makes the certificate.
    await consumed(await publish(unknown, new Date()));
    await waitFor('the new agency to be read', async () => ((await agencies.name(unknown.id)) === unknown.name ? true : undefined));
    expect(await printed(permit)).toContain(unknown.name);
  });
});
