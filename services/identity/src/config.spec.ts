import { ConfigError } from '@smart-regency/platform';
import { loadIdentityConfig } from './config';

describe('identity configuration', () => {
  const production = {
    NODE_ENV: 'production',
    DATABASE_URL: 'postgres://identity:secret@db:5432/regency_identity',
    ADMIN_PASSWORD: 'a-real-admin-password',
    NIK_HASH_KEY: 'k'.repeat(32),
    SIGNING_KEY_ENCRYPTION_KEY: 's'.repeat(32),
    ACTOR_SIGNING_KEY: 'a'.repeat(32),
    NATS_USER: 'identity',
    NATS_PASSWORD: 'p'.repeat(24),
  };
  const problems = (env: Record<string, string | undefined>) => {
    try {
      loadIdentityConfig(env);
      return [];
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as ConfigError).problems;
    }
  };

  it('gives a developer working secrets and production none', () => {
    expect(loadIdentityConfig({}).SIGNING_KEY_ENCRYPTION_KEY.length).toBeGreaterThanOrEqual(32);
    expect(loadIdentityConfig(production).SIGNING_KEY_ENCRYPTION_KEY).toBe(production.SIGNING_KEY_ENCRYPTION_KEY);
    expect(problems({ ...production, SIGNING_KEY_ENCRYPTION_KEY: undefined })).toEqual([expect.stringMatching(/^SIGNING_KEY_ENCRYPTION_KEY/)]);
  });

  it('refuses in production a secret copied from the development defaults', () => {
    const development = loadIdentityConfig({});
    const copied = { ...production, SIGNING_KEY_ENCRYPTION_KEY: development.SIGNING_KEY_ENCRYPTION_KEY, NIK_HASH_KEY: development.NIK_HASH_KEY };
    expect(problems(copied)).toEqual([
      'NIK_HASH_KEY must not be the development value in production',
      'SIGNING_KEY_ENCRYPTION_KEY must not be the development value in production',
    ]);
  });

  it('refuses short encryption keys, the previous one too', () => {
    expect(problems({ ...production, SIGNING_KEY_ENCRYPTION_KEY: 'short' })).toEqual(['SIGNING_KEY_ENCRYPTION_KEY must be at least 32 characters']);
    expect(problems({ ...production, SIGNING_KEY_ENCRYPTION_KEY_PREVIOUS: 'short' })).toEqual(['SIGNING_KEY_ENCRYPTION_KEY_PREVIOUS must be at least 32 characters']);
  });

  it('caps the access-token lifetime at the 900 s the gateway accepts', () => {
    expect(problems({ ACCESS_TOKEN_TTL_SECONDS: '901' })).toEqual([expect.stringMatching(/^ACCESS_TOKEN_TTL_SECONDS/)]);
    expect(loadIdentityConfig({}).ACCESS_TOKEN_TTL_SECONDS).toBe(900);
  });
});
