import 'reflect-metadata';
import { migrateMain, runMain } from '@smart-regency/platform';
import { loadComplaintsConfig } from './config';
import { complaintsSchema } from './schema';

void runMain('complaints migrate', () => migrateMain('complaints', loadComplaintsConfig(), complaintsSchema));
