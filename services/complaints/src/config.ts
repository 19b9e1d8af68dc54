import { loadConfig, ServiceConfig } from '@smart-regency/platform';

export class ComplaintsConfig extends ServiceConfig {}

export function loadComplaintsConfig(env: Record<string, string | undefined> = process.env): ComplaintsConfig {
  return loadConfig(ComplaintsConfig, env, {
    PORT: 3003,
    DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/regency_complaints',
  });
}
