import { Actor, ComplaintResponse, SUBJECTS } from '@smart-regency/contracts';
import { DomainError, prefixed, secondsUntilJakartaMidnight } from '@smart-regency/platform';
import { InProcessService, startInProcess } from '@smart-regency/testing';
import { randomUUID } from 'crypto';
import { JSONCodec, Subscription } from 'nats';
import { DataSource } from 'typeorm';
import { startComplaints } from '../src/app';
import { loadComplaintsConfig } from '../src/config';
import { PrivacyService } from '../src/privacy/privacy.service';

/*
 * What complaints lets out about a reporter: the `received` event places an anonymous complaint no
 * finer than the public API does; erasure takes every file the citizen uploaded, bytes included;
 * and a citizen's filings and uploads per day are limited, staff and integrators' are not.
 */
const LIMITS = { CITIZEN_FILINGS_PER_DAY: '4', CITIZEN_UPLOADS_PER_DAY: '3' };
const PLACE = { lat: 2.5781234, lng: 99.6184987, district: 'Kualuh Hulu', village: 'Aek Kanopan', address: 'Jl. Pasar No. 3' };

const jpeg = (marker: string) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe1]), Buffer.from(marker), Buffer.alloc(256, 3)]);
const citizen = (): Actor => ({ id: randomUUID(), roles: ['citizen'] });

describe('complaints: places in events, erasure of files, daily limits', () => {
  let t: InProcessService;
  let calendar: Subscription;

  beforeAll(async () => {
    t = await startInProcess('complaints', (env) => startComplaints(loadComplaintsConfig({ ...env, ...LIMITS })));
    const codec = JSONCodec<{ data: { year: number }; id: string }>();
    calendar = t.rpc.connection.subscribe(prefixed(t.env.natsPrefix, SUBJECTS.identity.getCalendar), {
      callback: (_err, msg) => {
        const { data, id } = codec.decode(msg.data);
        msg.respond(JSONCodec().encode({ response: { year: data.year, holidays: [] }, isDisposed: true, id }));
      },
    });
  });

  afterAll(async () => {
    calendar?.unsubscribe();
    await t?.close();
  });

  const file = (actor: Actor, visibility: 'public' | 'anonymous' | 'confidential' = 'public') =>
    t.rpc.send(
      SUBJECTS.complaints.file,
      { categoryCode: 'roads-bridges', title: 'Jalan berlubang', description: 'Jalan berlubang di depan sekolah.', location: PLACE, visibility },
      { actor },
    );
  const attach = (actor: Actor, id: string, bytes: Buffer) =>
    t.rpc.send(SUBJECTS.complaints.uploadAttachment, { id, contentType: 'image/jpeg', contentBase64: bytes.toString('base64') }, { actor });
  const refusal = (promise: Promise<unknown>) =>
    promise.then(
      () => {
        throw new Error('expected a refusal');
      },
      (error: DomainError) => error,
    );
  const receivedEvent = async (c: ComplaintResponse) => {
    const { rows } = await t.db.query(`SELECT event -> 'data' AS data FROM outbox WHERE record_id = $1 AND type = 'complaints.complaint.received.v1'`, [c.id]);
    expect(rows).toHaveLength(1);
    return rows[0].data;
  };
  const copiesOf = async (marker: string) =>
    (await t.db.query(`SELECT count(*)::int AS n FROM complaint_blobs WHERE position(convert_to($1, 'UTF8') IN content) > 0`, [marker])).rows[0].n;

  it('places an anonymous complaint in its event exactly as the public API does, never finer', async () => {
    const reporter = citizen();
    const anonymous = await file(reporter, 'anonymous');
    const listed = await t.rpc.send(SUBJECTS.complaints.getPublic, { trackingNumber: anonymous.trackingNumber });
    expect(listed).toMatchObject({ lat: 2.578, lng: 99.618, district: 'Kualuh Hulu' });
    const event = await receivedEvent(anonymous);
    expect(event.location).toEqual({ lat: listed.lat, lng: listed.lng, district: 'Kualuh Hulu' });
    expect(JSON.stringify(event)).not.toMatch(/2\.5781234|99\.6184987|Pasar/);

    // Public complaints show (and tell) the exact point; confidential ones the district only.
    const open = await file(reporter, 'public');
    expect((await receivedEvent(open)).location).toEqual({ lat: 2.5781234, lng: 99.6184987, district: 'Kualuh Hulu' });
    expect(await t.rpc.send(SUBJECTS.complaints.getPublic, { trackingNumber: open.trackingNumber })).toMatchObject({ lat: 2.5781234, lng: 99.6184987 });
    expect((await receivedEvent(await file(reporter, 'confidential'))).location).toEqual({ district: 'Kualuh Hulu' });
  });

  it("erases every file the citizen uploaded, rows and bytes, and keeps the staff's", async () => {
    const rina = citizen();
    const c = await file(rina);
    const officer: Actor = { id: randomUUID(), roles: ['officer'], agencyId: c.agencyId };
    await attach(rina, c.id, jpeg('RINA-FOTO-1'));
    await attach(rina, c.id, jpeg('RINA-FOTO-2'));
    await attach(officer, c.id, jpeg('PETUGAS-FOTO'));
    expect(await copiesOf('RINA-FOTO-1')).toBe(1);

    const db = t.service.app.get(DataSource);
    await db.transaction((m) => t.service.app.get(PrivacyService).erase(m, rina.id));

    expect(await copiesOf('RINA-FOTO-1')).toBe(0);
    expect(await copiesOf('RINA-FOTO-2')).toBe(0);
    expect(await copiesOf('PETUGAS-FOTO')).toBe(1);
    const files = await t.rpc.send(SUBJECTS.complaints.listAttachments, { id: c.id }, { actor: officer });
    expect(files.map((f) => f.uploaderRole)).toEqual(['officer']);
    const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM complaint_blobs b WHERE NOT EXISTS (SELECT 1 FROM complaint_attachments a WHERE a.storage_key = b.key)`);
    expect(rows[0].n).toBe(0);
    expect((await t.db.query(`SELECT count(*)::int AS n FROM daily_usage WHERE actor_id = $1`, [rina.id])).rows[0].n).toBe(0);
  });

  it("limits a citizen's filings per day, even when they arrive at once; integrators and staff are not limited", async () => {
    const budi = citizen();
    const results = await Promise.allSettled(Array.from({ length: 9 }, () => file(budi)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(4);
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as DomainError] : []));
    expect(refused).toHaveLength(5);
    for (const error of refused) {
      expect(error.code).toBe('COMPLAINTS.DAILY_FILING_LIMIT');
      expect(Math.abs(error.retryAfter! - secondsUntilJakartaMidnight())).toBeLessThanOrEqual(5);
    }
    // Nothing of the refused ones was written: no complaint, no event, no audit row.
    const { rows } = await t.db.query(
      `SELECT (SELECT count(*)::int FROM complaints WHERE reporter_id = $1) AS complaints,
              (SELECT count(*)::int FROM outbox o JOIN complaints c ON o.record_id = c.id::text WHERE c.reporter_id = $1) AS events`,
      [budi.id],
    );
    expect(rows[0]).toEqual({ complaints: 4, events: 4 });

    const integrator: Actor = { id: randomUUID(), roles: ['integrator'] };
    for (let i = 0; i < 6; i++) await file(integrator);
    await file(citizen());
  });

  it("limits a citizen's uploads per day; the handling staff's are not", async () => {
    const cici = citizen();
    const c = await file(cici);
    for (let i = 0; i < 3; i++) await attach(cici, c.id, jpeg(`CICI-${i}`));
    expect(await refusal(attach(cici, c.id, jpeg('CICI-3')))).toMatchObject({ code: 'COMPLAINTS.DAILY_UPLOAD_LIMIT', retryAfter: expect.any(Number) });
    expect(await copiesOf('CICI-3')).toBe(0);
    const officer: Actor = { id: randomUUID(), roles: ['officer'], agencyId: c.agencyId };
    for (let i = 0; i < 4; i++) await attach(officer, c.id, jpeg(`PETUGAS-${i}`));
    expect(await t.rpc.send(SUBJECTS.complaints.listAttachments, { id: c.id }, { actor: cici })).toHaveLength(7);
  });
});
