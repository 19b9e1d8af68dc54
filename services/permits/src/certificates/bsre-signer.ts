import { DomainError, exchange, failureOf, jsonObject } from '@smart-regency/platform';
import { CertificateSigner, SignatureDetails } from './certificate-signer';

/** The signing call under BSRE_URL (docs/permits.md, "Signing through BSrE"). */
export const BSRE_SIGN_PATH = '/api/v2/sign/pdf';
/** The largest answer read: a certificate is tens of KiB, base64 in JSON a third more. */
const MAX_ANSWER_BYTES = 16 * 1024 * 1024;

export interface BsreOptions extends SignatureDetails {
  /** Base URL, without a trailing slash. */
  url: string;
  /** The regency's client credentials at BSrE (HTTP Basic). */
  user: string;
  password: string;
  /** NIK of the official whose BSrE certificate signs, and that certificate's passphrase. */
  nik: string;
  passphrase: string;
  /** One deadline for the whole exchange. */
  timeoutMs: number;
}

const unavailable = (reason: string) => new DomainError('PERMITS.CERTIFICATE_UNAVAILABLE', `the certificate could not be signed: ${reason}`, undefined, 60);

/**
 * The national e-signature service (BSrE, BSSN) over HTTP. Its API is not public; this is the one
 * place that knows its shape: POST the PDF (base64 in JSON) with the signer's NIK and passphrase,
 * get the signed PDF back. The answer is checked before it is stored: a bounded body, JSON with
 * one base64 file, a PDF with a signature dictionary. Redirects are not followed (they would
 * carry the credentials elsewhere), and failures name a status or code, never the request.
 */
export class BsreSigner extends CertificateSigner {
  readonly name: string;

  constructor(private readonly options: BsreOptions) {
    super();
    this.name = `bsre ${new URL(options.url).host} NIK ${options.nik.slice(0, 4)}************`;
  }

  async sign(pdf: Buffer): Promise<Buffer> {
    const { url, user, password, nik, passphrase, reason, location, timeoutMs } = this.options;
    const body = JSON.stringify({
      nik,
      passphrase,
      signatureProperties: [{ tampilan: 'INVISIBLE', reason, location }],
      file: [pdf.toString('base64')],
    });
    const headers = {
      authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
      'content-type': 'application/json',
      accept: 'application/json',
    };
    const result = await exchange(`${url}${BSRE_SIGN_PATH}`, { method: 'POST', headers, body, timeoutMs, maxResponseBytes: MAX_ANSWER_BYTES }, 'BSrE');
    if (!result.ok) throw unavailable(result.reason);
    const { answer } = result;
    if (answer.status < 200 || answer.status >= 300) throw unavailable(failureOf(answer, 'BSrE').reason);
    if (!answer.complete) throw unavailable(`BSrE's answer broke off or passed ${MAX_ANSWER_BYTES / 1024 / 1024} MiB`);
    const file = jsonObject(answer.body)?.file;
    const encoded = Array.isArray(file) && file.length === 1 ? file[0] : undefined;
    if (typeof encoded !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) throw unavailable(`BSrE answered ${answer.status} without a file (expected { "file": ["<base64>"] })`);
    const signed = Buffer.from(encoded, 'base64');
    if (!isSignedPdf(signed)) throw unavailable(`BSrE answered ${answer.status} with a file that is not a signed PDF`);
    return signed;
  }
}

/** A PDF (header and end marker) with a signature's byte range: the least a signed one has. */
export function isSignedPdf(bytes: Buffer): boolean {
  const tail = bytes.subarray(Math.max(0, bytes.length - 1024)).toString('latin1');
  return bytes.subarray(0, 5).toString('latin1') === '%PDF-' && tail.includes('%%EOF') && /\/ByteRange\s*\[\s*0\s+\d+\s+\d+\s+\d+\s*\]/.test(bytes.toString('latin1'));
}
