import { Expose } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { loadConfig, ServiceConfig, toInt } from '@smart-regency/platform';

export class ComplaintsConfig extends ServiceConfig {
  /** How often the escalation and auto-close job runs. */
  @Expose() @toInt() @IsInt() @Min(200) @Max(3_600_000)
  JOB_INTERVAL_MS: number = 60_000;

  /** Complaints a citizen may file per day (Jakarta time); staff and integrators are not limited. */
  @Expose() @toInt() @IsInt() @Min(1) @Max(1_000_000)
  CITIZEN_FILINGS_PER_DAY: number = 20;

  /** Attachments a citizen may upload per day; staff are not limited. */
  @Expose() @toInt() @IsInt() @Min(1) @Max(1_000_000)
  CITIZEN_UPLOADS_PER_DAY: number = 100;

  /** Comments a citizen may add per day, on all their complaints together; staff are not limited. */
  @Expose() @toInt() @IsInt() @Min(1) @Max(1_000_000)
  CITIZEN_COMMENTS_PER_DAY: number = 50;
}

export function loadComplaintsConfig(env: Record<string, string | undefined> = process.env): ComplaintsConfig {
  return loadConfig(ComplaintsConfig, env, {
    PORT: 3003,
    DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/regency_complaints',
  });
}
