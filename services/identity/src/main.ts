import 'reflect-metadata';
import { runMain } from '@smart-regency/platform';
import { startIdentity } from './app';
import { loadIdentityConfig } from './config';

void runMain('identity', () => startIdentity(loadIdentityConfig(), true));
