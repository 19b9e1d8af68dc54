import { loadConfig, ServiceConfig } from '@smart-regency/platform';

export class ReportingConfig extends ServiceConfig {}

export function loadReportingConfig(env: Record<string, string | undefined> = process.env): ReportingConfig {
  return loadConfig(ReportingConfig, env, {
    PORT: 3004,
    DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/regency_reporting',
  });
}
