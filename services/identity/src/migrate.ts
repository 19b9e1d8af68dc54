import 'reflect-metadata';
import { migrateMain, runMain } from '@smart-regency/platform';
import { loadIdentityConfig } from './config';
import { identitySchema } from './schema';

void runMain('identity migrate', () => migrateMain('identity', loadIdentityConfig(), identitySchema));
