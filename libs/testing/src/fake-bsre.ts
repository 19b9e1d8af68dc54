import { IncomingMessage } from 'http';
import { Arrivals } from './arrivals';
import { FakeReply, HttpFake, HttpFakeOptions } from './http-fake';

export interface FakeBsreOptions extends Omit<HttpFakeOptions, 'token' | 'authorization'> {
  /** The regency's client credentials it accepts (HTTP Basic). */
  user: string;
  password: string;
  /** The one signer it knows: an official's NIK and the passphrase of their certificate. */
  nik: string;
  passphrase: string;
  /** How it signs: the test's own key (the fake is BSrE's HTTP boundary, not a certificate authority). */
  sign: (pdf: Buffer) => Promise<Buffer>;
}

export interface BsreSigning {
  nik: string;
  /** The PDF as it arrived. */
  pdf: Buffer;
  reason?: string;
  location?: string;
}

/**
 * BSrE as docs/permits.md describes the adapter's boundary: `POST /api/v2/sign/pdf` with HTTP
 * Basic credentials and `{ nik, passphrase, signatureProperties, file: [base64] }`, answering
 * `{ file: [base64 of the signed PDF] }`. A wrong passphrase is refused with a message that quotes
 * it, as careless services do, so tests can see the client never repeats it.
 */
export class FakeBsre extends HttpFake {
  readonly signings = new Arrivals<BsreSigning>('signing');
  private malformed = 0;

  constructor(private readonly bsre: FakeBsreOptions) {
    super({ ...bsre, token: '', authorization: `Basic ${Buffer.from(`${bsre.user}:${bsre.password}`).toString('base64')}` });
  }

  get url(): string {
    return this.origin;
  }

  /** The next `n` signings answer 200 with a file that is not a signed PDF. */
  malformNext(n: number): void {
    this.malformed += n;
  }

  protected async handle(req: IncomingMessage, raw: string): Promise<FakeReply> {
    if (req.method !== 'POST' || req.url !== '/api/v2/sign/pdf') return { status: 404, json: { error: 'not_found' } };
    let body: { nik?: unknown; passphrase?: unknown; file?: unknown; signatureProperties?: unknown };
    try {
      body = JSON.parse(raw);
    } catch {
      return { status: 400, json: { error: 'invalid_json' } };
    }
    const file = Array.isArray(body.file) && body.file.length === 1 && typeof body.file[0] === 'string' ? Buffer.from(body.file[0], 'base64') : undefined;
    if (!file || file.subarray(0, 5).toString('latin1') !== '%PDF-') return { status: 400, json: { error: 'file_not_pdf' } };
    if (body.nik !== this.bsre.nik) return { status: 400, json: { error: 'nik_not_registered', message: `NIK ${String(body.nik)} tidak terdaftar` } };
    if (body.passphrase !== this.bsre.passphrase) return { status: 400, json: { error: 'wrong_passphrase', message: `Passphrase ${String(body.passphrase)} salah` } };
    const [properties] = Array.isArray(body.signatureProperties) ? (body.signatureProperties as Array<{ reason?: string; location?: string }>) : [];
    this.signings.push({ nik: this.bsre.nik, pdf: file, reason: properties?.reason, location: properties?.location });
    if (this.malformed > 0) {
      this.malformed--;
      return { status: 200, json: { file: [Buffer.from('bukan PDF').toString('base64')] } };
    }
    return { status: 200, json: { file: [(await this.bsre.sign(file)).toString('base64')] } };
  }
}
