import { FatalStartupError, readSecret } from '@smart-regency/platform';
import { readFileSync } from 'fs';
import { PermitsConfig } from '../config';
import { BsreSigner } from './bsre-signer';
import { readPkcs12, SigningKey } from './cades';
import { DEFAULT_ISSUE_PLACE } from './certificate-pdf';
import { CertificateSigner, SignatureDetails } from './certificate-signer';
import { commonNameOf, LocalCertificateSigner } from './local-signer';
import { DEVELOPMENT_KEY_UNIT, selfSignedKey } from './signing-key';

type StartLogger = { log(message: string): void; warn(message: string): void };

/** A signer certificate this close to its end is reported at every start. */
const EXPIRY_WARNING_DAYS = 30;

/**
 * The signer the configuration names, checked before the service serves: the PKCS#12 file opens
 * with its passphrase and holds a key with its certificate; production refuses a development key
 * and a certificate outside its validity. Without CERTIFICATE_P12_FILE outside production, a
 * throwaway self-signed key made now, and the log says so.
 */
export function certificateSignerFor(config: PermitsConfig, logger: StartLogger, now = new Date()): CertificateSigner {
  const details: SignatureDetails = { reason: `Surat izin diterbitkan secara elektronik oleh ${config.REGENCY_NAME}`, location: DEFAULT_ISSUE_PLACE, contactInfo: config.PUBLIC_BASE_URL };
  if (config.CERTIFICATE_SIGNER === 'bsre') {
    const signer = new BsreSigner({
      ...details,
      url: config.BSRE_URL!,
      user: config.BSRE_USER!,
      password: readSecret(config, 'BSRE_PASSWORD')!,
      nik: config.BSRE_NIK!,
      passphrase: readSecret(config, 'BSRE_PASSPHRASE')!,
      timeoutMs: config.BSRE_TIMEOUT_MS,
    });
    logger.log(`certificates are signed by BSrE at ${config.BSRE_URL}`);
    return signer;
  }
  if (!config.CERTIFICATE_P12_FILE) {
    // Config validation has refused this in production already; this is the second lock.
    if (config.NODE_ENV === 'production') throw new FatalStartupError('CERTIFICATE_P12_FILE is required in production');
    const key = selfSignedKey({ commonName: `${config.REGENCY_NAME} (development)`, development: true });
    logger.warn('CERTIFICATE_P12_FILE is not set: certificates are signed with a self-signed DEVELOPMENT key made at this start, trusted by nobody (production refuses to start so)');
    return new LocalCertificateSigner(key, details);
  }
  const key = openPkcs12(config);
  checkKey(config, key, logger, now);
  logger.log(`certificates are signed with ${commonNameOf(key)} (${config.CERTIFICATE_P12_FILE}), valid until ${key.certificate.validTo}`);
  return new LocalCertificateSigner(key, details);
}

function openPkcs12(config: PermitsConfig): SigningKey {
  let file: Buffer;
  try {
    file = readFileSync(config.CERTIFICATE_P12_FILE!);
  } catch (error) {
    throw new FatalStartupError(`CERTIFICATE_P12_FILE cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    return readPkcs12(file, readSecret(config, 'CERTIFICATE_P12_PASSPHRASE') ?? '');
  } catch (error) {
    throw new FatalStartupError(`CERTIFICATE_P12_FILE: ${(error as Error).message}`);
  }
}

function checkKey(config: PermitsConfig, key: SigningKey, logger: StartLogger, now: Date): void {
  const production = config.NODE_ENV === 'production';
  const certificate = key.certificate;
  if (production && certificate.subject.includes(DEVELOPMENT_KEY_UNIT)) {
    throw new FatalStartupError('CERTIFICATE_P12_FILE holds a development key (OU "not for production"): give production the regency\'s own signing key');
  }
  const from = new Date(certificate.validFrom);
  const to = new Date(certificate.validTo);
  const problem = now < from ? `is not valid before ${certificate.validFrom}` : now > to ? `expired on ${certificate.validTo}` : undefined;
  if (problem && production) throw new FatalStartupError(`the certificate in CERTIFICATE_P12_FILE ${problem}: signatures made with it would not validate`);
  if (problem) logger.warn(`the certificate in CERTIFICATE_P12_FILE ${problem}`);
  else if (to.getTime() - now.getTime() < EXPIRY_WARNING_DAYS * 86_400_000) logger.warn(`the certificate in CERTIFICATE_P12_FILE expires on ${certificate.validTo}: renew it`);
}
