import 'reflect-metadata';
import { createStartupLogger, runMain, runMigrations } from '@smart-regency/platform';
import { loadComplaintsConfig } from './config';
import { complaintsSchema } from './schema';

void runMain('complaints migrate', async () => {
  const config = loadComplaintsConfig();
  await runMigrations(config, complaintsSchema, createStartupLogger('complaints', config.LOG_LEVEL), process.argv[2] === 'down');
});
