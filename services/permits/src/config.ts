import { Expose } from 'class-transformer';
import { IsInt, IsString, Matches, Max, Min, MinLength } from 'class-validator';
import { loadConfig, ServiceConfig, toInt } from '@smart-regency/platform';

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
}

export function loadPermitsConfig(env: Record<string, string | undefined> = process.env): PermitsConfig {
  return loadConfig(PermitsConfig, env, {
    PORT: 3002,
    DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/regency_permits',
  });
}
