import { plainAddPlaceholder } from '@signpdf/placeholder-plain';
import { SignPdf } from '@signpdf/signpdf';
import { SUBFILTER_ETSI_CADES_DETACHED } from '@signpdf/utils';
import { CadesSigner, SigningKey } from './cades';
import { CertificateSigner, SignatureDetails } from './certificate-signer';

/** The certificate's common name (CN), or its whole subject when it has none. */
export function commonNameOf(key: SigningKey): string {
  const subject = key.certificate.subject.split('\n');
  return subject.find((part) => part.startsWith('CN='))?.slice(3) ?? subject.join(', ');
}

/**
 * Signs with a key the regency holds (a PKCS#12 file): PAdES, SubFilter ETSI.CAdES.detached,
 * invisible, in a revision appended to the PDF (@signpdf's placeholder, then its signing).
 */
export class LocalCertificateSigner extends CertificateSigner {
  readonly name: string;
  private readonly cades: CadesSigner;
  /** Room for the CMS: the certificates it carries, the signature and its attributes. */
  private readonly signatureLength: number;

  constructor(
    private readonly signingKey: SigningKey,
    private readonly details: SignatureDetails,
  ) {
    super();
    this.name = `p12 ${commonNameOf(signingKey)}`.slice(0, 200);
    this.cades = new CadesSigner(signingKey);
    this.signatureLength = Math.max(8192, signingKey.chain.reduce((sum, der) => sum + der.length, 0) + 4096);
  }

  async sign(pdf: Buffer): Promise<Buffer> {
    const signingTime = new Date();
    const prepared = plainAddPlaceholder({
      pdfBuffer: pdf,
      reason: this.details.reason,
      location: this.details.location,
      contactInfo: this.details.contactInfo,
      name: commonNameOf(this.signingKey),
      signingTime,
      signatureLength: this.signatureLength,
      subFilter: SUBFILTER_ETSI_CADES_DETACHED,
    });
    return new SignPdf().sign(prepared, this.cades, signingTime);
  }
}
