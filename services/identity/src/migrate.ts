import 'reflect-metadata';
import { createStartupLogger, runMain, runMigrations } from '@smart-regency/platform';
import { loadIdentityConfig } from './config';
import { identitySchema } from './schema';

void runMain('identity migrate', async () => {
  const config = loadIdentityConfig();
  await runMigrations(config, identitySchema, createStartupLogger('identity', config.LOG_LEVEL), process.argv[2] === 'down');
});
