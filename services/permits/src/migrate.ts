import 'reflect-metadata';
import { migrateMain, runMain } from '@smart-regency/platform';
import { loadPermitsConfig } from './config';
import { permitsSchema } from './schema';

void runMain('permits migrate', () => migrateMain('permits', loadPermitsConfig(), permitsSchema));
