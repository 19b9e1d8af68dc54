import 'reflect-metadata';
import { createStartupLogger, runMain, runMigrations } from '@smart-regency/platform';
import { loadPermitsConfig } from './config';
import { permitsSchema } from './schema';

void runMain('permits migrate', async () => {
  const config = loadPermitsConfig();
  await runMigrations(config, permitsSchema, createStartupLogger('permits', config.LOG_LEVEL), process.argv[2] === 'down');
});
