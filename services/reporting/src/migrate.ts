import 'reflect-metadata';
import { createStartupLogger, runMain, runMigrations } from '@smart-regency/platform';
import { loadReportingConfig } from './config';
import { reportingSchema } from './schema';

void runMain('reporting migrate', async () => {
  const config = loadReportingConfig();
  await runMigrations(config, reportingSchema, createStartupLogger('reporting', config.LOG_LEVEL), process.argv[2] === 'down');
});
