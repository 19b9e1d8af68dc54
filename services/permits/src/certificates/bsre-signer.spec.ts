import { DomainError } from '@smart-regency/platform';
import { FakeBsre, freePort, pdfsig } from '@smart-regency/testing';
import { BsreOptions, BsreSigner, isSignedPdf } from './bsre-signer';
import { renderCertificate } from './certificate-pdf';
import { LocalCertificateSigner } from './local-signer';
import { selfSignedKey } from './signing-key';

const CLIENT = { user: 'labura-izin', password: 'sandi-klien-bsre-uji' };
const SIGNER = { nik: '1207012345670001', passphrase: 'passphrase-pejabat-uji' };

const sample = {
  regencyName: 'Pemerintah Kabupaten Labuhanbatu Utara',
  issuingAgencyName: 'Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu',
  permitTypeName: 'Izin Reklame',
  permitTypeCode: 'REKLAME',
  certificateNumber: 'REKLAME/2026/000077',
  applicationNumber: 'PRM-2026-000077',
  holderName: 'Budi Santoso Nasution',
  details: [],
  issuedAt: new Date('2026-09-01T03:00:00Z'),
  expiresAt: null,
  verificationUrl: 'https://izin.labura.example.go.id/api/v1/permits/verify/Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1',
};

/** Its failure, with the message it would log and answer. */
async function failureOf(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  expect((error as DomainError).code).toBe('PERMITS.CERTIFICATE_UNAVAILABLE');
  return error as DomainError;
}

describe('BsreSigner against a fake BSrE', () => {
  // BSrE's side signs with a key of its own, as BSrE would with the official's certificate.
  const bsreKey = selfSignedKey({ commonName: 'Kepala DPMPTSP (BSrE uji)' });
  const bsreSide = new LocalCertificateSigner(bsreKey, { reason: 'BSrE', location: 'Jakarta', contactInfo: 'bsre.example' });
  const fake = new FakeBsre({ ...CLIENT, ...SIGNER, sign: (pdf) => bsreSide.sign(pdf) });
  let pdf: Buffer;
  const signer = (overrides: Partial<BsreOptions> = {}) =>
    new BsreSigner({ url: fake.url, ...CLIENT, ...SIGNER, timeoutMs: 2000, reason: 'Penerbitan surat izin', location: 'Aek Kanopan', contactInfo: 'https://izin.labura.example.go.id', ...overrides });

  beforeAll(async () => {
    await fake.start();
    pdf = await renderCertificate(sample);
  });

  afterAll(() => fake.stop());

  it('sends the PDF with the signer and gets back a PDF whose signature pdfsig finds valid', async () => {
    const signed = await signer().sign(pdf);
    const [signing] = fake.signings.items.slice(-1);
    expect(signing).toMatchObject({ nik: SIGNER.nik, reason: 'Penerbitan surat izin', location: 'Aek Kanopan' });
    expect(signing.pdf.equals(pdf)).toBe(true);
    expect(isSignedPdf(signed)).toBe(true);
    const { output } = await pdfsig(signed);
    expect(output).toContain('Signature Validation: Signature is Valid.');
    expect(output).toContain('Signer Certificate Common Name: Kepala DPMPTSP (BSrE uji)');
    expect(signer().name).toBe(`bsre ${new URL(fake.url).host} NIK 1207************`);
  });

  it('reports refused credentials and a wrong passphrase by status and code, never repeating a secret', async () => {
    const unauthorized = await failureOf(signer({ password: 'sandi-yang-salah' }).sign(pdf));
    expect(unauthorized.message).toContain('BSrE answered 401 (unauthorized)');
    const wrong = await failureOf(signer({ passphrase: 'passphrase-keliru-rahasia' }).sign(pdf));
    expect(wrong.message).toContain('BSrE answered 400 (wrong_passphrase)');
    for (const error of [unauthorized, wrong]) {
      for (const secret of ['sandi-yang-salah', 'passphrase-keliru-rahasia', SIGNER.passphrase, CLIENT.password]) expect(error.message).not.toContain(secret);
    }
    fake.failNext(1, 503, 30);
    expect((await failureOf(signer().sign(pdf))).message).toContain('BSrE answered 503');
  });

  it('gives up at its deadline, on a refused connection, and on an answer that is not a signed PDF', async () => {
    fake.hang(3000);
    const started = Date.now();
    expect((await failureOf(signer({ timeoutMs: 300 }).sign(pdf))).message).toContain('no answer within 300 ms');
    expect(Date.now() - started).toBeLessThan(2500);
    fake.hang(0);

    fake.malformNext(1);
    expect((await failureOf(signer().sign(pdf))).message).toContain('not a signed PDF');

    fake.oversizeAnswers(17 * 1024 * 1024);
    expect((await failureOf(signer().sign(pdf))).message).toContain('broke off or passed 16 MiB');
    fake.oversizeAnswers(0);

    const away = signer({ url: `http://127.0.0.1:${await freePort()}` });
    expect((await failureOf(away.sign(pdf))).message).toMatch(/BSrE: request failed \(ECONNREFUSED\)/);
  });
});
