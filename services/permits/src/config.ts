import { Expose } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength, ValidateBy, ValidateIf } from 'class-validator';
import { loadConfig, SecretOrFile, ServiceConfig, toInt } from '@smart-regency/platform';

/** Who signs certificates: a PKCS#12 key the regency holds, or the national e-signature service. */
export const CERTIFICATE_SIGNERS = ['p12', 'bsre'] as const;
export type CertificateSignerKind = (typeof CERTIFICATE_SIGNERS)[number];

const byP12 = (c: object) => (c as PermitsConfig).CERTIFICATE_SIGNER === 'p12';
const byBsre = (c: object) => (c as PermitsConfig).CERTIFICATE_SIGNER === 'bsre';

/** Production speaks to BSrE over TLS only: the request carries the signer's passphrase. */
const HttpsInProduction = () =>
  ValidateBy({
    name: 'httpsInProduction',
    validator: {
      validate: (value, args) => (args?.object as PermitsConfig).NODE_ENV !== 'production' || String(value).startsWith('https://'),
      defaultMessage: () => 'BSRE_URL must be https:// in production',
    },
  });

export class PermitsConfig extends ServiceConfig {
  /** How often the overdue and expiry jobs run. */
  @Expose() @toInt() @IsInt() @Min(200) @Max(3_600_000)
  JOB_INTERVAL_MS: number = 60_000;

  /** Public address of the API, printed in the certificates' QR code. */
  @Expose() @IsString() @Matches(/^https?:\/\/[^\s]+[^/\s]$/, { message: 'PUBLIC_BASE_URL must be an http(s) URL without a trailing slash' })
  PUBLIC_BASE_URL: string = 'http://localhost:3000';

  @Expose() @IsString() @MinLength(3)
  REGENCY_NAME: string = 'Pemerintah Kabupaten Labuhanbatu Utara';

  /** Permit drafts a citizen may start per day (Jakarta time); staff are not limited. */
  @Expose() @toInt() @IsInt() @Min(1) @Max(1_000_000)
  CITIZEN_DRAFTS_PER_DAY: number = 20;

  /** Documents a citizen may upload (or replace) per day; staff are not limited. */
  @Expose() @toInt() @IsInt() @Min(1) @Max(1_000_000)
  CITIZEN_UPLOADS_PER_DAY: number = 100;

  /** Who signs certificates (docs/permits.md): `p12`, a PKCS#12 key the regency holds; `bsre`, BSrE. */
  @Expose() @IsIn(CERTIFICATE_SIGNERS, { message: 'CERTIFICATE_SIGNER must be p12 or bsre' })
  CERTIFICATE_SIGNER: CertificateSignerKind = 'p12';

  /**
   * The PKCS#12 file (.p12/.pfx) with the signing key and its certificate chain. Required in
   * production with `p12`; elsewhere, without it, a throwaway development key is made at start.
   */
  // class-validator checks a property's rules from the one nearest it upwards: IsString (is it set?) first.
  @Expose() @ValidateIf((c: PermitsConfig) => byP12(c) && (c.NODE_ENV === 'production' || c.CERTIFICATE_P12_FILE !== undefined))
  @IsString({ message: 'CERTIFICATE_P12_FILE is required in production: the PKCS#12 file that signs certificates (or CERTIFICATE_SIGNER=bsre)' })
  CERTIFICATE_P12_FILE?: string;

  /** Its passphrase; better CERTIFICATE_P12_PASSPHRASE_FILE, a file holding it (a Docker or Kubernetes secret). */
  @Expose() @IsOptional() @IsString()
  CERTIFICATE_P12_PASSPHRASE?: string;

  @Expose() @SecretOrFile('CERTIFICATE_P12_PASSPHRASE', (c) => byP12(c) && c.CERTIFICATE_P12_FILE !== undefined)
  CERTIFICATE_P12_PASSPHRASE_FILE?: string;

  /** BSrE's base URL, without a trailing slash (the signing call is POST <BSRE_URL>/api/v2/sign/pdf). */
  @Expose() @ValidateIf(byBsre) @HttpsInProduction()
  @Matches(/^https?:\/\/[^\s/]+(\/\S*[^/\s])?$/, { message: 'BSRE_URL must be an http(s) URL without a trailing slash' })
  @IsString({ message: 'BSRE_URL is required with CERTIFICATE_SIGNER=bsre' })
  BSRE_URL?: string;

  /** The regency's client user and password at BSrE (HTTP Basic); the password better as BSRE_PASSWORD_FILE. */
  @Expose() @ValidateIf(byBsre) @IsString({ message: 'BSRE_USER is required with CERTIFICATE_SIGNER=bsre' })
  BSRE_USER?: string;

  @Expose() @IsOptional() @IsString()
  BSRE_PASSWORD?: string;

  @Expose() @SecretOrFile('BSRE_PASSWORD', byBsre)
  BSRE_PASSWORD_FILE?: string;

  /** NIK of the official whose BSrE certificate signs certificates, and its passphrase (better as BSRE_PASSPHRASE_FILE). */
  @Expose() @ValidateIf(byBsre) @Matches(/^\d{16}$/, { message: "BSRE_NIK must be the signing official's 16-digit NIK" })
  @IsString({ message: 'BSRE_NIK is required with CERTIFICATE_SIGNER=bsre' })
  BSRE_NIK?: string;

  @Expose() @IsOptional() @IsString()
  BSRE_PASSPHRASE?: string;

  @Expose() @SecretOrFile('BSRE_PASSPHRASE', byBsre)
  BSRE_PASSPHRASE_FILE?: string;

  /** How long one signing call to BSrE may take, connection to last byte. */
  @Expose() @toInt() @IsInt() @Min(1000) @Max(120_000)
  BSRE_TIMEOUT_MS: number = 20_000;
}

export function loadPermitsConfig(env: Record<string, string | undefined> = process.env): PermitsConfig {
  return loadConfig(PermitsConfig, env, {
    PORT: 3002,
    DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/regency_permits',
  });
}
