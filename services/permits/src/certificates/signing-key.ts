import { generateKeyPairSync, KeyObject, randomBytes, X509Certificate } from 'crypto';
import forge from 'node-forge';
import { SigningKey } from './cades';

/**
 * The organizational unit of every key this code makes for development: production refuses a
 * signer certificate that carries it.
 */
export const DEVELOPMENT_KEY_UNIT = 'smart-regency development key (not for production)';

export interface SelfSignedOptions {
  commonName: string;
  organization?: string;
  /** Marks it as a development key (DEVELOPMENT_KEY_UNIT). */
  development?: boolean;
  notBefore?: Date;
  validDays?: number;
}

/**
 * A new RSA-2048 key with a self-signed certificate for document signing. For development and
 * tests: nobody trusts it, and a validator says so (the signature itself still checks out).
 */
export function selfSignedKey(options: SelfSignedOptions): SigningKey {
  const { privateKey, cert } = selfSigned(options);
  const der = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary');
  return { key: privateKey, certificate: new X509Certificate(der), chain: [der] };
}

/** The same as a PKCS#12 file, as a regency's CA would hand it over. */
export function selfSignedPkcs12(options: SelfSignedOptions & { passphrase: string }): Buffer {
  const { privateKey, cert } = selfSigned(options);
  const key = forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  const p12 = forge.pkcs12.toPkcs12Asn1(key, [cert], options.passphrase, { algorithm: 'aes256', friendlyName: options.commonName });
  return Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary');
}

function selfSigned(options: SelfSignedOptions): { privateKey: KeyObject; cert: forge.pki.Certificate } {
  // Node makes the key (forge's JavaScript prime search takes seconds); forge writes the certificate.
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  // A positive serial: the first byte below 0x80.
  cert.serialNumber = `01${randomBytes(15).toString('hex')}`;
  const notBefore = options.notBefore ?? new Date(Date.now() - 60_000);
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = new Date(notBefore.getTime() + (options.validDays ?? 365) * 86_400_000);
  const subject = [
    { name: 'commonName', value: options.commonName },
    { name: 'organizationName', value: options.organization ?? 'smart-regency' },
    ...(options.development ? [{ name: 'organizationalUnitName', value: DEVELOPMENT_KEY_UNIT }] : []),
    { name: 'countryName', value: 'ID' },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', critical: true, digitalSignature: true, nonRepudiation: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()), forge.md.sha256.create());
  return { privateKey, cert };
}
