import { Expose } from 'class-transformer';
import { IsEmail, IsInt, IsString, Max, Min, MinLength, ValidateIf } from 'class-validator';
import { loadConfig, ServiceConfig, toInt } from '@smart-regency/platform';

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

  /** Lifetime of access tokens (JWT), at most 15 minutes. */
  @Expose() @toInt() @IsInt() @Min(30) @Max(900)
  ACCESS_TOKEN_TTL_SECONDS: number = 900;

  @Expose() @toInt() @IsInt() @Min(1) @Max(365)
  REFRESH_TOKEN_TTL_DAYS: number = 30;

  /** A new signing key after this many days; the JWKS keeps the previous one too. */
  @Expose() @toInt() @IsInt() @Min(1) @Max(365)
  KEY_ROTATION_DAYS: number = 30;

  /** Consecutive wrong passwords before an account is locked for LOGIN_LOCKOUT_MINUTES. */
  @Expose() @toInt() @IsInt() @Min(1) @Max(100)
  LOGIN_MAX_FAILURES: number = 5;

  @Expose() @toInt() @IsInt() @Min(1) @Max(1440)
  LOGIN_LOCKOUT_MINUTES: number = 15;

  /** Version of the privacy notice citizens accept at registration. */
  @Expose() @IsString() @MinLength(1)
  CONSENT_VERSION: string = '2026-11';
}

export function loadIdentityConfig(env: Record<string, string | undefined> = process.env): IdentityConfig {
  const development = (env.NODE_ENV ?? 'development') !== 'production';
  return loadConfig(IdentityConfig, env, {
    PORT: 3001,
    DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/regency_identity',
    ADMIN_EMAIL: 'admin@labura.go.id',
    // A known password is only acceptable on a developer's machine; production must set its own.
    ...(development ? { ADMIN_PASSWORD: 'ganti-segera-2026', NIK_HASH_KEY: 'development-only-nik-hash-key-0123456789' } : {}),
  });
}
