import 'reflect-metadata';
import { runMain } from '@smart-regency/platform';
import { startPermits } from './app';
import { loadPermitsConfig } from './config';

void runMain('permits', () => startPermits(loadPermitsConfig(), true));
