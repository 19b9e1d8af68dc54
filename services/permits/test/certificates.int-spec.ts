import { Actor, ApplicationResponse, referenceAgencyId, SUBJECTS } from '@smart-regency/contracts';
import { DomainError, FileTransfer, fromFilePayload, prefixed } from '@smart-regency/platform';
import { InProcessService, pdfsig, startInProcess } from '@smart-regency/testing';
import { execFileSync } from 'child_process';
import { createHash, randomUUID } from 'crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { JSONCodec, Subscription } from 'nats';
import { tmpdir } from 'os';
import { join } from 'path';
import { DataSource } from 'typeorm';
import { startPermits } from '../src/app';
import { CertificateSigner } from '../src/certificates/certificate-signer';
import { CERTIFICATES_CONSUMER } from '../src/certificates/certificates.service';
import { selfSignedPkcs12 } from '../src/certificates/signing-key';
import { loadPermitsConfig } from '../src/config';
import { PrivacyService } from '../src/privacy/privacy.service';

/*
 * Issued certificates: rendered, signed (PAdES, the regency's PKCS#12 key) and stored once, by
 * permits' consumer of its own issued event or by the first download; every download then gets
 * the stored bytes, which pdfsig finds validly signed. Real PostgreSQL, NATS and JetStream.
 */
const TECHNICAL = referenceAgencyId('PUPR');
const ISSUING = referenceAgencyId('DPMPTSP');
const AGENCY_NAME = 'Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Uji';
const HOLDER = 'Rahmawati Siregar';
const SIGNER = 'Pemerintah Kabupaten Labuhanbatu Utara (uji)';
const PASSPHRASE = 'sandi-kunci-sertifikat-uji';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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

describe('signed certificates, made once (real PostgreSQL and NATS)', () => {
  let t: InProcessService;
  let transfer: FileTransfer;
  const keyDir = mkdtempSync(join(tmpdir(), 'permits-key-'));
  const identity: Subscription[] = [];
  /** How often permits asked identity's agency directory: once, to fill its copy (AgencyReadModel). */
  let directoryAsked = 0;
  /** Certificates signed, each one rendered: counted at the signer. */
  let signed = 0;
  const officer: Actor = { id: randomUUID(), roles: ['officer'], agencyId: TECHNICAL };
  const head: Actor = { id: randomUUID(), roles: ['agency_head'], agencyId: ISSUING };
  const counter: Actor = { id: randomUUID(), roles: ['officer'], agencyId: ISSUING };
  const admin: Actor = { id: randomUUID(), roles: ['admin'] };

  const answer = (subject: string, respond: () => unknown) => {
    const codec = JSONCodec<{ id: string }>();
    identity.push(
      t.rpc.connection.subscribe(prefixed(t.env.natsPrefix, subject), {
        callback: (_error, msg) => msg.respond(JSONCodec().encode({ response: respond(), id: codec.decode(msg.data).id })),
      }),
    );
  };

  beforeAll(async () => {
    const p12 = join(keyDir, 'signer.p12');
    const passphrase = join(keyDir, 'passphrase');
    writeFileSync(p12, selfSignedPkcs12({ commonName: SIGNER, passphrase: PASSPHRASE }));
    writeFileSync(passphrase, `${PASSPHRASE}\n`);
    t = await startInProcess('permits', (env) => startPermits(loadPermitsConfig({ ...env, CERTIFICATE_P12_FILE: p12, CERTIFICATE_P12_PASSPHRASE_FILE: passphrase })));
    transfer = new FileTransfer(t.rpc.connection, t.env.natsPrefix);
    const signer = t.service.app.get(CertificateSigner);
    const sign = signer.sign.bind(signer);
    signer.sign = (pdf) => (signed++, sign(pdf));
    answer(SUBJECTS.identity.getCalendar, () => ({ year: 2026, holidays: [] }));
    answer(SUBJECTS.identity.holderName, () => ({ fullName: HOLDER }));
    answer(SUBJECTS.identity.listAgencies, () => {
      directoryAsked++;
      return { items: [{ id: ISSUING, code: 'DPMPTSP', name: AGENCY_NAME, kind: 'dinas' }], page: 1, pageSize: 100, total: 1 };
    });
    await t.rpc.send(
      SUBJECTS.permits.createPermitType,
      { code: 'SRT-UJI', name: 'Izin Uji Sertifikat', agencyId: TECHNICAL, requiredDocuments: [], formFields: [{ code: 'usaha', label: 'Nama usaha', type: 'text', required: true }], slaWorkingDays: 5, fee: 0, validityMonths: 12 },
      { actor: admin },
    );
  });

  afterAll(async () => {
    for (const s of identity) s.unsubscribe();
    await t?.rpc.connection.jetstreamManager().then((jsm) => jsm.streams.delete(`OBJ_${t.env.natsPrefix}_transfer`)).catch(() => undefined);
    await t?.close();
    rmSync(keyDir, { recursive: true, force: true });
  });

  const act = (actor: Actor, id: string, action: string): Promise<ApplicationResponse> => t.rpc.send(SUBJECTS.permits.actOnApplication, { id, action }, { actor });
  /** A citizen's application taken to `approved` (no fee), and the citizen. */
  const approved = async () => {
    const citizen: Actor = { id: randomUUID(), roles: ['citizen'] };
    const draft = await t.rpc.send(SUBJECTS.permits.createApplication, { permitTypeCode: 'SRT-UJI', formData: { usaha: 'Toko Sinar Jaya' } }, { actor: citizen });
    await t.rpc.send(SUBJECTS.permits.submitApplication, { id: draft.id }, { actor: citizen });
    await act(officer, draft.id, 'verify');
    await act(officer, draft.id, 'recommend');
    expect((await act(head, draft.id, 'approve')).status).toBe('approved');
    return { citizen, id: draft.id };
  };
  const download = async (actor: Actor, id: string) => {
    const file = await t.rpc.send(SUBJECTS.permits.certificate, { id }, { actor });
    return { ...file, pdf: await fromFilePayload(transfer, file) };
  };
  const refusal = (promise: Promise<unknown>) =>
    promise.then(
      () => {
        throw new Error('expected a refusal');
      },
      (error: DomainError) => error,
    );
  const storedRows = async (id: string) =>
    (await t.db.query(`SELECT certificate_number, content, size, sha256, signer, signed_at FROM application_certificates WHERE application_id = $1`, [id])).rows;
  /** The stored certificate, once the consumer has made it. */
  const storedSoon = async (id: string) => {
    for (let i = 0; i < 200; i++) {
      const [row] = await storedRows(id);
      if (row) return row;
      await sleep(50);
    }
    throw new Error(`no certificate stored for ${id}`);
  };
  const consumed = async (eventId: string) => {
    for (let i = 0; i < 200; i++) {
      const { rows } = await t.db.query(`SELECT 1 FROM processed_events WHERE consumer = $1 AND event_id = $2`, [CERTIFICATES_CONSUMER, eventId]);
      if (rows.length) return;
      await sleep(50);
    }
    throw new Error(`event ${eventId} was not consumed`);
  };

  it('signs and stores the certificate after the issue, and every download serves those bytes: pdfsig finds the signature valid', async () => {
    const { citizen, id } = await approved();
    const before = signed;
    const issued = await act(counter, id, 'issue');
    const row = await storedSoon(id);
    expect(signed - before).toBe(1);
    // The agency's name came from permits' copy of the directory, filled from identity this once.
    expect(directoryAsked).toBe(1);
    expect(row).toMatchObject({ certificate_number: issued.certificateNumber, size: row.content.length, sha256: sha256(row.content), signer: `p12 ${SIGNER}` });

    const first = await download(citizen, id);
    const second = await download(counter, id);
    expect(first.certificateNumber).toBe(issued.certificateNumber);
    expect(first.pdf.equals(row.content)).toBe(true);
    expect(second.pdf.equals(first.pdf)).toBe(true);
    // Neither download rendered or signed again: the same row.
    expect(signed - before).toBe(1);
    const [after] = await storedRows(id);
    expect(after.signed_at).toEqual(row.signed_at);

    const { output } = await pdfsig(first.pdf);
    process.stdout.write(`pdfsig on the downloaded certificate:\n${output}\n`);
    expect(output).toContain('Signature Validation: Signature is Valid.');
    expect(output).toContain(`Signer Certificate Common Name: ${SIGNER}`);
    expect(output).toContain('Signature Type: ETSI.CAdES.detached');
    expect(output).toContain('Total document signed');
    const text = textOf(first.pdf);
    for (const printed of [issued.certificateNumber!, HOLDER, AGENCY_NAME, 'Toko Sinar Jaya']) expect(text).toContain(printed);
  });

  it('reports a downloaded certificate with one changed byte as invalid', async () => {
    const { citizen, id } = await approved();
    await act(counter, id, 'issue');
    await storedSoon(id);
    const { pdf } = await download(citizen, id);
    const tampered = Buffer.from(pdf);
    const at = tampered.indexOf('stream\n') + 'stream\n'.length + 20;
    tampered[at] ^= 0x20;
    const { output } = await pdfsig(tampered);
    process.stdout.write(`pdfsig on a certificate with one byte changed:\n${output}\n`);
    expect(output).not.toContain('Signature Validation: Signature is Valid.');
    expect(output).toMatch(/Signature Validation: (Digest Mismatch|Signature is Invalid)/);
  });

  it('makes a missing certificate at the first download, once however many downloads come at the same time', async () => {
    const { citizen, id } = await approved();
    await act(counter, id, 'issue');
    await storedSoon(id);
    // As for a permit issued before this release: no stored certificate.
    await t.db.query(`DELETE FROM application_certificates WHERE application_id = $1`, [id]);
    const before = signed;
    const downloads = await Promise.all([download(citizen, id), download(counter, id), download(head, id), download(citizen, id)]);
    expect(signed - before).toBe(1);
    const [row] = await storedRows(id);
    for (const { pdf } of downloads) expect(pdf.equals(row.content)).toBe(true);
    expect((await pdfsig(row.content)).output).toContain('Signature Validation: Signature is Valid.');
  });

  it('signs nothing again when the issued event comes back, and skips one that names no application', async () => {
    const { id } = await approved();
    await act(counter, id, 'issue');
    const row = await storedSoon(id);
    const { rows } = await t.db.query(`SELECT event FROM outbox WHERE record_id = $1 AND type = 'permits.application.issued.v1'`, [id]);
    const js = t.rpc.connection.jetstream();
    const before = signed;
    const again = { ...rows[0].event, id: randomUUID() };
    const hostile = { ...rows[0].event, id: randomUUID(), data: { applicationId: "'; DROP TABLE applications; --" } };
    const unknown = { ...rows[0].event, id: randomUUID(), data: { applicationId: randomUUID() } };
    for (const event of [again, hostile, unknown]) await js.publish(`${t.env.eventsPrefix}.permits.application.issued.v1`, JSON.stringify(event));
    for (const event of [again, hostile, unknown]) await consumed(event.id);
    expect(signed).toBe(before);
    const [after] = await storedRows(id);
    expect(after.sha256).toBe(row.sha256);
    expect(after.signed_at).toEqual(row.signed_at);
  });

  it('keeps the download to the owner and the handling staff, and only once issued', async () => {
    const { citizen, id } = await approved();
    expect((await refusal(download(citizen, id))).code).toBe('PERMITS.NOT_ISSUED');
    await act(counter, id, 'issue');
    const stranger: Actor = { id: randomUUID(), roles: ['citizen'] };
    const otherAgency: Actor = { id: randomUUID(), roles: ['officer'], agencyId: referenceAgencyId('DINKES') };
    for (const actor of [stranger, otherAgency]) expect((await refusal(download(actor, id))).code).toBe('PERMITS.APPLICATION_NOT_FOUND');
    expect((await refusal(download(citizen, randomUUID()))).code).toBe('PERMITS.APPLICATION_NOT_FOUND');
    expect((await download(admin, id)).pdf.equals((await storedSoon(id)).content)).toBe(true);
  });

  it("drops the stored certificate at the applicant's erasure: the next one names nobody", async () => {
    const { citizen, id } = await approved();
    await act(counter, id, 'issue');
    const before = await storedSoon(id);
    expect(textOf(before.content)).toContain(HOLDER);
    await t.service.app.get(DataSource).transaction((m) => t.service.app.get(PrivacyService).erase(m, citizen.id));
    expect(await storedRows(id)).toEqual([]);
    const { pdf } = await download(admin, id);
    const text = textOf(pdf);
    expect(text).not.toContain(HOLDER);
    expect(text).not.toContain('Toko Sinar Jaya');
    expect((await pdfsig(pdf)).output).toContain('Signature Validation: Signature is Valid.');
  });
});
