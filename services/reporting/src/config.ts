import { Expose } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { loadConfig, ServiceConfig, toInt } from '@smart-regency/platform';

export class ReportingConfig extends ServiceConfig {
  /**
   * The projection waits up to this long for more events before it writes a batch, so a busy
   * stream is applied in a few large transactions instead of many small ones (0: at once).
   */
  @Expose() @toInt() @IsInt() @Min(0) @Max(5000)
  PROJECTION_BATCH_WAIT_MS: number = 100;

  /**
   * A report's answer is reused for identical requests for up to this long while the projection
   * has not moved (0: never); its asOf tells the position it was computed at.
   */
  @Expose() @toInt() @IsInt() @Min(0) @Max(60000)
  REPORT_CACHE_MS: number = 2000;
}

export function loadReportingConfig(env: Record<string, string | undefined> = process.env): ReportingConfig {
  return loadConfig(ReportingConfig, env, {
    PORT: 3004,
    DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/regency_reporting',
  });
}
