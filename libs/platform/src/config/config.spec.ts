import { ConfigError, loadConfig, ServiceConfig } from './config';

describe('loadConfig', () => {
  const base = { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/regency_identity' };

  it('applies defaults and converts numbers', () => {
    const config = loadConfig(ServiceConfig, { ...base, PORT: '3101', UNRELATED: 'x' });
    expect(config).toMatchObject({ PORT: 3101, NATS_URL: 'nats://127.0.0.1:4222', LOG_LEVEL: 'info', DB_POOL_SIZE: 10, NATS_PREFIX: '' });
    expect(config).not.toHaveProperty('UNRELATED');
  });

  it('lets caller defaults give way to the environment', () => {
    expect(loadConfig(ServiceConfig, {}, base).DATABASE_URL).toBe(base.DATABASE_URL);
    expect(loadConfig(ServiceConfig, { DATABASE_URL: 'postgresql://u:p@db/x' }, base).DATABASE_URL).toBe('postgresql://u:p@db/x');
  });

  it('names every bad variable in one error and never echoes values', () => {
    let error: ConfigError | undefined;
    try {
      loadConfig(ServiceConfig, { DATABASE_URL: 'mysql://root:s3cret@db/x', PORT: 'eighty', LOG_LEVEL: 'loud', NATS_PREFIX: 'a b' });
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.problems.map((p) => p.split(/[ :]/)[0]).sort()).toEqual(['DATABASE_URL', 'LOG_LEVEL', 'NATS_PREFIX', 'PORT']);
    expect(error!.message).not.toContain('s3cret');
  });

  it('requires a database URL for a service', () => {
    expect(() => loadConfig(ServiceConfig, {})).toThrow(/DATABASE_URL/);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig(ServiceConfig, { ...base, PORT: '' }).PORT).toBe(3000);
  });
});
