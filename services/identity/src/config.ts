import { Expose } from 'class-transformer';
import { IsEmail, IsInt, IsString, Max, Min, MinLength, ValidateIf } from 'class-validator';
import { ACCESS_TOKEN_MAX_TTL_SECONDS } from '@smart-regency/contracts';
import { ConfigError, loadConfig, ServiceConfig, toInt } from '@smart-regency/platform';

export class IdentityConfig extends ServiceConfig {
  /** The first admin, created once when no admin exists; never overwritten. */
  @Expose() @IsEmail({}, { message: 'ADMIN_EMAIL must be an email address' })
  ADMIN_EMAIL: string;

  @Expose() @ValidateIf((c: IdentityConfig) => c.NODE_ENV === 'production' || c.ADMIN_PASSWORD !== undefined)
  @IsString() @MinLength(12, { message: 'ADMIN_PASSWORD must be at least 12 characters' })
  ADMIN_PASSWORD?: string;

  /** Secret key of the NIK lookup hash (HMAC-SHA256); changing it orphans every stored NIK. */
  @Expose() @IsString() @MinLength(32, { message: 'NIK_HASH_KEY must be at least 32 characters' })
  NIK_HASH_KEY: string;

  /**
   * Secret that encrypts the private signing keys at rest (AES-256-GCM under a key derived from it).
   * Losing it costs a new signing key at the next start; see docs/auth.md.
   */
  @Expose() @IsString() @MinLength(32, { message: 'SIGNING_KEY_ENCRYPTION_KEY must be at least 32 characters' })
  SIGNING_KEY_ENCRYPTION_KEY: string;

  /** The key before SIGNING_KEY_ENCRYPTION_KEY, while rotating it: read, never written; keys are re-encrypted at start. */
  @Expose() @ValidateIf((c: IdentityConfig) => c.SIGNING_KEY_ENCRYPTION_KEY_PREVIOUS !== undefined)
  @IsString() @MinLength(32, { message: 'SIGNING_KEY_ENCRYPTION_KEY_PREVIOUS must be at least 32 characters' })
  SIGNING_KEY_ENCRYPTION_KEY_PREVIOUS?: string;

  /** Lifetime of access tokens (JWT), at most 15 minutes (the gateway refuses longer ones). */
  @Expose() @toInt() @IsInt() @Min(30) @Max(ACCESS_TOKEN_MAX_TTL_SECONDS)
  ACCESS_TOKEN_TTL_SECONDS: number = ACCESS_TOKEN_MAX_TTL_SECONDS;

  @Expose() @toInt() @IsInt() @Min(1) @Max(365)
  REFRESH_TOKEN_TTL_DAYS: number = 30;

  /** A new signing key after this many days; the JWKS keeps the previous one too. */
  @Expose() @toInt() @IsInt() @Min(1) @Max(365)
  KEY_ROTATION_DAYS: number = 30;

  /**
   * Wrong passwords for one account from one client address (and wrong current passwords of a
   * signed-in user) before that pair waits: 30 s, doubling with every further failure.
   */
  @Expose() @toInt() @IsInt() @Min(1) @Max(100)
  LOGIN_MAX_FAILURES: number = 5;

  /** The longest wait the doubling reaches. No account is ever locked for everyone. */
  @Expose() @toInt() @IsInt() @Min(1) @Max(1440)
  LOGIN_LOCKOUT_MINUTES: number = 15;

  /** Failed sign-ins from one client address, whatever the accounts, before that address waits. */
  @Expose() @toInt() @IsInt() @Min(1) @Max(100000)
  LOGIN_MAX_FAILURES_PER_ADDRESS: number = 30;

  /** Registrations one client address may attempt per hour. */
  @Expose() @toInt() @IsInt() @Min(1) @Max(100000)
  REGISTRATIONS_PER_ADDRESS_PER_HOUR: number = 20;

  /** Wrong Open311 api_keys and OAuth client secrets from one client address before it waits. */
  @Expose() @toInt() @IsInt() @Min(1) @Max(100000)
  CLIENT_MAX_FAILURES_PER_ADDRESS: number = 10;

  /** Version of the privacy notice citizens accept at registration. */
  @Expose() @IsString() @MinLength(1)
  CONSENT_VERSION: string = '2026-11';
}

/** Secrets a developer's machine may use as they are; production must set its own, and never these. */
const DEVELOPMENT_SECRETS = {
  ADMIN_PASSWORD: 'ganti-segera-2026',
  NIK_HASH_KEY: 'development-only-nik-hash-key-0123456789',
  SIGNING_KEY_ENCRYPTION_KEY: 'development-only-signing-key-encryption-key-0123456789',
} as const;

export function loadIdentityConfig(env: Record<string, string | undefined> = process.env): IdentityConfig {
  const development = (env.NODE_ENV ?? 'development') !== 'production';
  const config = loadConfig(IdentityConfig, env, {
    PORT: 3001,
    DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/regency_identity',
    ADMIN_EMAIL: 'admin@labura.go.id',
    ...(development ? DEVELOPMENT_SECRETS : {}),
  });
  if (!development) {
    // A value copied from the source is as good as none.
    const copied = Object.entries(DEVELOPMENT_SECRETS).filter(([name, value]) => config[name as keyof typeof DEVELOPMENT_SECRETS] === value);
    if (copied.length) throw new ConfigError(copied.map(([name]) => `${name} must not be the development value in production`));
  }
  return config;
}
