import { Actor, ApplicationResponse, SUBJECTS } from '@smart-regency/contracts';
import { DomainError, FileTransfer, fromFilePayload, INLINE_FILE_BYTES, RunningService, secondsUntilJakartaMidnight, sha256Hex, toFilePayload } from '@smart-regency/platform';
import { InProcessService, startInProcess } from '@smart-regency/testing';
import { randomUUID } from 'crypto';
import { DataSource } from 'typeorm';
import { startPermits } from '../src/app';
import { loadPermitsConfig } from '../src/config';
import { DocumentBlobVersions1766610000000 } from '../src/migrations/1766610000000-DocumentBlobVersions';
import { PrivacyService } from '../src/privacy/privacy.service';

/*
 * Every version of a citizen's documents: a replaced version's bytes go at once, erasure leaves no
 * version of any document (not even one an older release left behind), the permit record and its
 * certificate stay; and the daily limits on drafts and uploads, on two replicas of one database.
 */
const LIMITS = { CITIZEN_DRAFTS_PER_DAY: '3', CITIZEN_UPLOADS_PER_DAY: '6' };
const REKLAME = { billboardType: 'Baliho', widthMeters: 4, heightMeters: 3, address: 'Jl. Sudirman, Aek Kanopan' };

/** A PDF whose bytes carry `marker`, so that any copy of it can be found in the database. */
const pdf = (marker: string) => Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.from(`${marker}\n`), Buffer.alloc(2048, 0x20), Buffer.from('\n%%EOF\n')]);
const png = (marker: string) => Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from(marker), Buffer.alloc(512, 1)]);

const citizen = (): Actor => ({ id: randomUUID(), roles: ['citizen'] });

describe('document versions, erasure and daily limits in permits', () => {
  let t: InProcessService;
  let replica: RunningService;
  let transfer: FileTransfer;

  beforeAll(async () => {
    t = await startInProcess('permits', (env) => startPermits(loadPermitsConfig({ ...env, ...LIMITS })));
    // A second process on the same database and subjects, as a second replica is.
    replica = await startPermits(loadPermitsConfig(t.env.serviceEnv('permits', { LOG_LEVEL: 'error', ...LIMITS })));
    transfer = new FileTransfer(t.rpc.connection, t.env.natsPrefix);
  });

  afterAll(async () => {
    await replica?.close();
    await t?.rpc.connection.jetstreamManager().then((jsm) => jsm.streams.delete(`OBJ_${t.env.natsPrefix}_transfer`)).catch(() => undefined);
    await t?.close();
  });

  const draft = (actor: Actor, key?: string) =>
    t.rpc.send(SUBJECTS.permits.createApplication, { permitTypeCode: 'REKLAME', formData: REKLAME }, { actor, ...(key ? { idempotencyKey: key } : {}) });
  const upload = async (actor: Actor, id: string, documentCode: string, bytes: Buffer, contentType: 'application/pdf' | 'image/png' = 'application/pdf') =>
    t.rpc.send(SUBJECTS.permits.uploadDocument, { id, documentCode, contentType, ...(await toFilePayload(transfer, bytes)) }, { actor });
  const download = async (actor: Actor, id: string, documentCode: string) => fromFilePayload(transfer, await t.rpc.send(SUBJECTS.permits.downloadDocument, { id, documentCode }, { actor }));
  const refusal = (promise: Promise<unknown>) =>
    promise.then(
      () => {
        throw new Error('expected a refusal');
      },
      (error: DomainError) => error,
    );
  /** Rows of every bytea column of the database holding `marker`, by table. */
  const copiesOf = async (marker: string) => {
    const { rows: columns } = await t.db.query(`SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' AND data_type = 'bytea'`);
    const hits: string[] = [];
    for (const { table_name, column_name } of columns) {
      const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM "${table_name}" WHERE position(convert_to($1, 'UTF8') IN "${column_name}") > 0`, [marker]);
      if (rows[0].n) hits.push(`${table_name}.${column_name}: ${rows[0].n}`);
    }
    return hits;
  };
  const blobsOf = async (applicationId: string) =>
    (await t.db.query(`SELECT key FROM document_blobs WHERE key LIKE $1 ORDER BY key`, [`applications/${applicationId}/%`])).rows.map((r) => r.key);

  it('deletes the version a document replaces at once, and keeps it when the replacement is refused', async () => {
    const siti = citizen();
    const app = await draft(siti);
    await upload(siti, app.id, 'KTP', pdf('KTP-VERSI-1'));
    expect(await copiesOf('KTP-VERSI-1')).toEqual(['document_blobs.content: 1']);

    const second = pdf('KTP-VERSI-2');
    await upload(siti, app.id, 'KTP', second);
    expect(await copiesOf('KTP-VERSI-1')).toEqual([]);
    expect(await blobsOf(app.id)).toEqual([`applications/${app.id}/KTP/${sha256Hex(second)}`]);
    expect((await download(siti, app.id, 'KTP')).equals(second)).toBe(true);

    // The same bytes again, and a replacement that is refused: the current version stays.
    await upload(siti, app.id, 'KTP', second);
    expect((await refusal(upload(siti, app.id, 'KTP', Buffer.from('not a pdf at all')))).code).toBe('PERMITS.CONTENT_MISMATCH');
    expect(await blobsOf(app.id)).toEqual([`applications/${app.id}/KTP/${sha256Hex(second)}`]);
    expect((await download(siti, app.id, 'KTP')).equals(second)).toBe(true);

    // Another document of the same application is not touched by a replacement.
    await upload(siti, app.id, 'DESAIN_REKLAME', png('DESAIN-1'), 'image/png');
    await upload(siti, app.id, 'KTP', pdf('KTP-VERSI-3'));
    expect(await copiesOf('KTP-VERSI-2')).toEqual([]);
    expect(await copiesOf('DESAIN-1')).toEqual(['document_blobs.content: 1']);
    expect((await blobsOf(app.id)).length).toBe(2);
  });

  it('carries a small file inside the message and a large one through the object store, both ways', async () => {
    const siti = citizen();
    const app = await draft(siti);
    const small = pdf('KECIL');
    await upload(siti, app.id, 'KTP', small);
    const smallBack = await t.rpc.send(SUBJECTS.permits.downloadDocument, { id: app.id, documentCode: 'KTP' }, { actor: siti });
    expect(smallBack.objectName).toBeUndefined();
    expect(Buffer.from(smallBack.contentBase64!, 'base64').equals(small)).toBe(true);

    const large = Buffer.concat([pdf('BESAR'), Buffer.alloc(INLINE_FILE_BYTES, 0x20)]);
    const objectName = await transfer.put(large);
    await t.rpc.send(SUBJECTS.permits.uploadDocument, { id: app.id, documentCode: 'KTP', contentType: 'application/pdf', objectName }, { actor: siti });
    expect(await transfer.take(objectName)).toBeNull(); // taken by permits
    const largeBack = await t.rpc.send(SUBJECTS.permits.downloadDocument, { id: app.id, documentCode: 'KTP' }, { actor: siti });
    expect(largeBack.contentBase64).toBeUndefined();
    expect(Buffer.from((await transfer.take(largeBack.objectName!))!).equals(large)).toBe(true);

    // Neither way named: a clear 400, nothing stored.
    const neither = await refusal(t.rpc.send(SUBJECTS.permits.uploadDocument, { id: app.id, documentCode: 'KTP', contentType: 'application/pdf' }, { actor: siti }));
    expect(neither.code).toBe('COMMON.VALIDATION');
    expect((await download(siti, app.id, 'KTP')).equals(large)).toBe(true);
  });

  it('erases every version of every document, also what an older release left behind; the permit and its certificate stay', async () => {
    const rina = citizen();
    const tono = citizen();
    const app = await draft(rina);
    await upload(rina, app.id, 'KTP', pdf('RINA-KTP-1'));
    await upload(rina, app.id, 'KTP', pdf('RINA-KTP-2'));
    await upload(rina, app.id, 'FOTO_LOKASI', png('RINA-FOTO'), 'image/png');
    // A version replaced before uploads deleted them: bytes under the application's key, no row for them.
    await t.db.query(`INSERT INTO document_blobs (key, content) VALUES ($1, $2)`, [`applications/${app.id}/KTP/${'0'.repeat(64)}`, pdf('RINA-KTP-0')]);
    const other = await draft(tono);
    await upload(tono, other.id, 'KTP', pdf('TONO-KTP'));

    // The permit is issued (set here directly: the lifecycle has its own tests), with staff decisions in its history.
    const staff = randomUUID();
    await t.db.query(
      `UPDATE applications SET status = 'issued', submitted_at = now(), decided_at = now(), issued_at = now(), certificate_number = $2,
              verification_code = $3, holder_name = 'Rina Marlina', expires_at = now() + interval '1 year' WHERE id = $1`,
      [app.id, 'REKLAME/2026/900001', `kode-${app.id.slice(0, 8)}`],
    );
    await t.db.query(
      `INSERT INTO application_history (application_id, action, from_status, to_status, actor_id, actor_role, note) VALUES
         ($1, 'approve', 'recommended', 'approved', $2, 'agency_head', 'Disetujui sesuai rekomendasi teknis'),
         ($1, 'issue', 'approved', 'issued', $2, 'officer', 'Izin diterbitkan')`,
      [app.id, staff],
    );
    for (const marker of ['RINA-KTP-0', 'RINA-KTP-2', 'RINA-FOTO']) expect(await copiesOf(marker)).not.toEqual([]);

    const db = t.service.app.get(DataSource);
    const privacy = t.service.app.get(PrivacyService);
    await db.transaction((m) => privacy.erase(m, rina.id));
    await db.transaction((m) => privacy.erase(m, rina.id)); // idempotent

    for (const marker of ['RINA-KTP-0', 'RINA-KTP-1', 'RINA-KTP-2', 'RINA-FOTO']) expect(await copiesOf(marker)).toEqual([]);
    expect(await blobsOf(app.id)).toEqual([]);
    expect(await copiesOf('TONO-KTP')).toEqual(['document_blobs.content: 1']);
    const admin: Actor = { id: randomUUID(), roles: ['admin'] };
    expect((await refusal(download(admin, app.id, 'KTP'))).code).toBe('PERMITS.DOCUMENT_NOT_FOUND');
    expect((await download(admin, other.id, 'KTP')).includes('TONO-KTP')).toBe(true);

    // What was submitted stays on record (code, size, sha256), and so do the permit, its certificate and the decisions.
    const { rows: docs } = await t.db.query(`SELECT code, storage_key FROM application_documents WHERE application_id = $1 ORDER BY code`, [app.id]);
    expect(docs).toEqual([
      { code: 'FOTO_LOKASI', storage_key: 'erased' },
      { code: 'KTP', storage_key: 'erased' },
    ]);
    const kept: ApplicationResponse = await t.rpc.send(SUBJECTS.permits.getApplication, { id: app.id }, { actor: admin });
    expect(kept).toMatchObject({ status: 'issued', certificateNumber: 'REKLAME/2026/900001' });
    expect(kept.history!.filter((h) => h.actorId === staff).map((h) => [h.action, h.note])).toEqual([
      ['approve', 'Disetujui sesuai rekomendasi teknis'],
      ['issue', 'Izin diterbitkan'],
    ]);
    const verified = await t.rpc.send(SUBJECTS.permits.verifyPermit, { code: `kode-${app.id.slice(0, 8)}` });
    expect(verified).toMatchObject({ valid: true, status: 'issued', certificateNumber: 'REKLAME/2026/900001' });
  });

  it('removes, once at migration, the versions nothing refers to, and nothing else', async () => {
    const dewi = citizen();
    const app = await draft(dewi);
    await upload(dewi, app.id, 'KTP', pdf('DEWI-KTP'));
    // The migration's down, then its up, on the service's own database (whatever migrations follow it).
    const runner = t.service.app.get(DataSource).createQueryRunner();
    const migration = new DocumentBlobVersions1766610000000();
    let before: number;
    try {
      await migration.down(runner);
      expect((await t.db.query(`SELECT count(*)::int AS n FROM pg_indexes WHERE indexname = 'ix_document_blobs_key_prefix'`)).rows[0].n).toBe(0);
      // Replaced versions as the earlier release left them, of this application and of one whose rows are gone.
      await t.db.query(`INSERT INTO document_blobs (key, content) VALUES ($1, $2), ($3, $4)`, [
        `applications/${app.id}/KTP/${'1'.repeat(64)}`,
        pdf('DEWI-KTP-OLD'),
        `applications/${randomUUID()}/KTP/${'2'.repeat(64)}`,
        pdf('GONE-KTP'),
      ]);
      before = Number((await t.db.query(`SELECT count(*) AS n FROM document_blobs`)).rows[0].n);
      await runner.startTransaction();
      await migration.up(runner);
      await runner.commitTransaction();
    } finally {
      await runner.release();
    }
    expect(Number((await t.db.query(`SELECT count(*) AS n FROM document_blobs`)).rows[0].n)).toBe(before - 2);
    expect(await copiesOf('DEWI-KTP-OLD')).toEqual([]);
    expect(await copiesOf('GONE-KTP')).toEqual([]);
    expect((await download(dewi, app.id, 'KTP')).includes('DEWI-KTP')).toBe(true);
    // Every remaining blob is a document's.
    const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM document_blobs b WHERE NOT EXISTS (SELECT 1 FROM application_documents d WHERE d.storage_key = b.key)`);
    expect(rows[0].n).toBe(0);
  });

  it("limits a citizen's drafts per day across replicas, even when they arrive at once", async () => {
    const budi = citizen();
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => draft(budi)));
    const created = results.filter((r) => r.status === 'fulfilled');
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as DomainError] : []));
    expect(created).toHaveLength(3);
    expect(refused).toHaveLength(7);
    const wait = secondsUntilJakartaMidnight();
    for (const error of refused) {
      expect(error.code).toBe('PERMITS.DAILY_DRAFT_LIMIT');
      // Until midnight in Jakarta, as the database's clock sees it.
      expect(Math.abs(error.retryAfter! - wait)).toBeLessThanOrEqual(5);
    }
    const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM applications WHERE applicant_id = $1`, [budi.id]);
    expect(rows[0].n).toBe(3);
    // A retry of a draft that was made is answered from its Idempotency-Key, beyond the limit too.
    const ani = citizen();
    const first = await draft(ani, 'draft-1');
    await draft(ani);
    await draft(ani);
    expect((await draft(ani, 'draft-1')).id).toBe(first.id);
    expect((await refusal(draft(ani, 'draft-2'))).code).toBe('PERMITS.DAILY_DRAFT_LIMIT');
    // Another citizen is not affected; the next day counts afresh.
    await draft(citizen());
    await t.db.query(`UPDATE daily_usage SET day = day - 1 WHERE actor_id = $1`, [budi.id]);
    await draft(budi);
  });

  it("limits a citizen's uploads per day (replacements count; refused uploads do not) and forgets the count at erasure", async () => {
    const cici = citizen();
    const app = await draft(cici);
    expect((await refusal(upload(cici, app.id, 'PASPOR', pdf('X')))).code).toBe('PERMITS.UNKNOWN_DOCUMENT');
    for (let i = 0; i < 6; i++) await upload(cici, app.id, 'KTP', pdf(`CICI-${i}`));
    const refused = await refusal(upload(cici, app.id, 'KTP', pdf('CICI-6')));
    expect(refused).toMatchObject({ code: 'PERMITS.DAILY_UPLOAD_LIMIT', retryAfter: expect.any(Number) });
    expect((await download(cici, app.id, 'KTP')).includes('CICI-5')).toBe(true);
    expect(await copiesOf('CICI-6')).toEqual([]);

    const db = t.service.app.get(DataSource);
    await db.transaction((m) => t.service.app.get(PrivacyService).erase(m, cici.id));
    expect((await t.db.query(`SELECT count(*)::int AS n FROM daily_usage WHERE actor_id = $1`, [cici.id])).rows[0].n).toBe(0);
  });
});
