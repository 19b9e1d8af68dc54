import 'reflect-metadata';
import { migrateMain, runMain } from '@smart-regency/platform';
import { loadReportingConfig } from './config';
import { reportingSchema } from './schema';

void runMain('reporting migrate', () => migrateMain('reporting', loadReportingConfig(), reportingSchema));
