import 'reflect-metadata';
import { runMain } from '@smart-regency/platform';
import { startReporting } from './app';
import { loadReportingConfig } from './config';

void runMain('reporting', () => startReporting(loadReportingConfig(), true));
