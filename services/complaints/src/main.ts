import 'reflect-metadata';
import { runMain } from '@smart-regency/platform';
import { startComplaints } from './app';
import { loadComplaintsConfig } from './config';

void runMain('complaints', () => startComplaints(loadComplaintsConfig(), true));
