import { loadConfig, ServiceConfig } from '@smart-regency/platform';

export class PermitsConfig extends ServiceConfig {}

export function loadPermitsConfig(env: Record<string, string | undefined> = process.env): PermitsConfig {
  return loadConfig(PermitsConfig, env, {
    PORT: 3002,
    DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/regency_permits',
  });
}
