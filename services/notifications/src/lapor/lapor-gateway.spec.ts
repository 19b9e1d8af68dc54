import { FakeLapor } from '@smart-regency/testing';
import { HttpLaporGateway, HttpLaporGatewayOptions, LaporReport } from './lapor-gateway';

const TOKEN = 'lapor-token-0123456789';

const report = (overrides: Partial<LaporReport> = {}): LaporReport => ({
  reference: '7d0c6f1e-2b7a-4c1d-9a53-0e6b1f2a3c4d',
  trackingNumber: 'ADU-2026-000042',
  title: 'Jalan berlubang di depan SD Negeri 3',
  description: 'Lubang sedalam 30 cm sudah dua minggu, dua pengendara motor jatuh.',
  category: 'infrastruktur-jalan',
  agencyCode: 'DPUPR',
  location: { lat: -3.4512, lng: 114.8123, district: 'Kecamatan Contoh', village: 'Desa Sukamaju', address: 'Jl. Merdeka No. 10' },
  visibility: 'public',
  reporter: { name: 'Siti Rahayu', email: 'siti@example.id', phone: '+6281234567890' },
  submittedAt: '2026-12-07T02:15:00.000Z',
  ...overrides,
});

describe('HttpLaporGateway against a fake LAPOR!', () => {
  let lapor: FakeLapor;
  const gatewayFor = (options: Partial<HttpLaporGatewayOptions> = {}) => new HttpLaporGateway({ url: lapor.url, token: TOKEN, timeoutMs: 2000, ...options });

  beforeEach(async () => {
    lapor = new FakeLapor({ token: TOKEN });
    await lapor.start();
  });

  afterEach(() => lapor.stop());

  it('forwards a public report with its reporter, every field mapped', async () => {
    const outcome = await gatewayFor().forward(report());
    const [stored] = await lapor.waitForCount(1);

    expect(outcome).toEqual({ ok: true, laporId: 'LPR-000001' });
    expect(stored.idempotencyKey).toBe(report().reference);
    expect(stored.body).toEqual({
      referensi: '7d0c6f1e-2b7a-4c1d-9a53-0e6b1f2a3c4d',
      nomorPelacakan: 'ADU-2026-000042',
      judul: 'Jalan berlubang di depan SD Negeri 3',
      isi: 'Lubang sedalam 30 cm sudah dua minggu, dua pengendara motor jatuh.',
      kategori: 'infrastruktur-jalan',
      instansi: 'DPUPR',
      lokasi: { lat: -3.4512, lng: 114.8123, kecamatan: 'Kecamatan Contoh', desa: 'Desa Sukamaju', alamat: 'Jl. Merdeka No. 10' },
      anonim: false,
      rahasia: false,
      pelapor: { nama: 'Siti Rahayu', email: 'siti@example.id', telepon: '+6281234567890' },
      tanggalLapor: '2026-12-07T02:15:00.000Z',
    });
  });

  it.each([
    ['anonymous', { anonim: true, rahasia: false }],
    ['confidential', { anonim: false, rahasia: true }],
  ] as const)('forwards a report that is %s flagged, without a reporter even if one is passed', async (visibility, flags) => {
    await gatewayFor().forward(report({ visibility }));
    const [stored] = await lapor.waitForCount(1);

    expect(stored.body).toMatchObject(flags);
    expect(stored.body).not.toHaveProperty('pelapor');
    const wire = JSON.stringify(stored.body);
    for (const personal of ['Siti', 'siti@example.id', '81234567890']) expect(wire).not.toContain(personal);
  });

  it('leaves out what a report does not have', async () => {
    await gatewayFor().forward(report({ agencyCode: undefined, location: undefined, reporter: undefined }));
    const [stored] = await lapor.waitForCount(1);

    expect(Object.keys(stored.body).sort()).toEqual(['anonim', 'isi', 'judul', 'kategori', 'nomorPelacakan', 'rahasia', 'referensi', 'tanggalLapor']);
  });

  it('gets the same id back when a forward is retried after its answer was lost', async () => {
    lapor.hang(10_000);
    const lost = await gatewayFor({ timeoutMs: 300 }).forward(report());
    lapor.hang(0);
    const retried = await gatewayFor().forward(report());

    expect(lost).toEqual({ ok: false, permanent: false, reason: 'LAPOR!: no answer within 300 ms' });
    expect(retried).toEqual({ ok: true, laporId: 'LPR-000001' });
    expect(lapor.posts).toBe(2);
    expect(lapor.reports).toHaveLength(1);
  });

  it('reads a report’s progress back as LAPOR! moves it along', async () => {
    const gateway = gatewayFor();
    const forwarded = await gateway.forward(report());
    const laporId = forwarded.ok ? forwarded.laporId : '';

    const received = await gateway.status(laporId);
    lapor.setStatus(laporId, 'ditindaklanjuti', 'Diteruskan ke Dinas PUPR');
    const inProgress = await gateway.status(laporId);
    lapor.setStatus(laporId, 'selesai', 'Selesai', 'Lubang sudah ditambal pada 10 Desember.');
    const done = await gateway.status(laporId);

    expect(received).toEqual({ ok: true, status: { laporId, status: 'menunggu_verifikasi', updatedAt: expect.any(String) } });
    expect(inProgress).toEqual({ ok: true, status: { laporId, status: 'ditindaklanjuti', statusText: 'Diteruskan ke Dinas PUPR', updatedAt: expect.any(String) } });
    expect(done).toEqual({ ok: true, status: { laporId, status: 'selesai', statusText: 'Selesai', response: 'Lubang sudah ditambal pada 10 Desember.', updatedAt: expect.any(String) } });
  });

  it('reports a report LAPOR! does not know as permanent', async () => {
    await expect(gatewayFor().status('LPR-999999')).resolves.toEqual({ ok: false, permanent: true, reason: 'LAPOR! answered 404 (laporan_tidak_ditemukan)' });
  });

  it('reports a refused token and an incomplete report as permanent', async () => {
    const refused = await gatewayFor({ token: 'wrong' }).forward(report());
    const incomplete = await gatewayFor().forward(report({ title: '' }));

    expect(refused).toMatchObject({ ok: false, permanent: true, reason: expect.stringContaining('401') });
    expect(incomplete).toEqual({ ok: false, permanent: true, reason: 'LAPOR! answered 422 (data_tidak_lengkap)' });
    expect(lapor.reports).toHaveLength(0);
  });

  it('reports 503 with Retry-After and 429 as worth retrying', async () => {
    lapor.failNext(1, 503, 120);
    lapor.failNext(1, 429);
    const gateway = gatewayFor();

    await expect(gateway.forward(report())).resolves.toEqual({ ok: false, permanent: false, reason: 'LAPOR! answered 503 (fake_503)', retryAfterMs: 120_000 });
    await expect(gateway.forward(report())).resolves.toEqual({ ok: false, permanent: false, reason: 'LAPOR! answered 429 (fake_429)' });
    await expect(gateway.forward(report())).resolves.toEqual({ ok: true, laporId: 'LPR-000001' });
  });

  it('reports a failed status read without a retry hint (its outcome has none)', async () => {
    lapor.failNext(1, 503, 120);
    await expect(gatewayFor().status('LPR-000001')).resolves.toEqual({ ok: false, permanent: false, reason: 'LAPOR! answered 503 (fake_503)' });
  });

  it('reports LAPOR! being down as worth retrying', async () => {
    await lapor.stop();
    await expect(gatewayFor().forward(report())).resolves.toEqual({ ok: false, permanent: false, reason: 'LAPOR!: request failed (ECONNREFUSED)' });
    await expect(gatewayFor().status('LPR-000001')).resolves.toEqual({ ok: false, permanent: false, reason: 'LAPOR!: request failed (ECONNREFUSED)' });
  });

  it('takes an answer of the wrong shape for a failure worth retrying', async () => {
    const gateway = gatewayFor();
    lapor.malformNext(1);
    const malformedForward = await gateway.forward(report());
    const forwarded = await gateway.forward(report());
    lapor.malformNext(1);
    const malformedStatus = await gateway.status('LPR-000001');

    expect(malformedForward).toEqual({ ok: false, permanent: false, reason: 'LAPOR! answered 201 without a valid report id' });
    expect(forwarded).toEqual({ ok: true, laporId: 'LPR-000001' });
    expect(malformedStatus).toEqual({ ok: false, permanent: false, reason: 'LAPOR! answered 200 with a malformed status' });
    await expect(gateway.status('LPR-000001')).resolves.toMatchObject({ ok: true });
  });

  it('refuses a report id that could not go into a path, without asking', async () => {
    await expect(gatewayFor().status('../admin')).resolves.toEqual({ ok: false, permanent: true, reason: 'LAPOR!: not a report id' });
    expect(lapor.requests).toHaveLength(0);
  });

  it('never puts the report or its reporter in a reason, though LAPOR! quotes them back', async () => {
    const reasons: string[] = [];
    for (const status of [400, 422, 500]) {
      lapor.failNext(1, status);
      const outcome = await gatewayFor().forward(report());
      reasons.push(outcome.ok ? '' : outcome.reason);
    }

    expect(lapor.requests).toHaveLength(3);
    for (const reason of reasons) {
      expect(reason).toMatch(/^LAPOR! answered \d{3}/);
      for (const personal of ['Siti', 'siti@example.id', '81234567890', 'Lubang', 'Merdeka']) expect(reason).not.toContain(personal);
    }
  });
});
