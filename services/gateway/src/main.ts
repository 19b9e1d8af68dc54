import 'reflect-metadata';
import { runMain } from '@smart-regency/platform';
import { startGateway } from './app';
import { loadGatewayConfig } from './config';

void runMain('gateway', () => startGateway(loadGatewayConfig(), true));
