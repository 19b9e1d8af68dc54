/** What a signature says besides who signed: why, where, and where to ask. */
export interface SignatureDetails {
  reason: string;
  location: string;
  contactInfo: string;
}

/**
 * Signs a rendered certificate PDF (PAdES). The DI token: `certificateSignerFor` picks the
 * implementation from the configuration (signer-factory.ts).
 */
export abstract class CertificateSigner {
  /** Who signs, as each stored certificate records it (`p12 <common name>`, `bsre <host> …`). */
  abstract readonly name: string;
  /** The PDF, signed; throws (PERMITS.CERTIFICATE_UNAVAILABLE for a signer that is away) when it cannot be now. */
  abstract sign(pdf: Buffer): Promise<Buffer>;
}
