import { writeFileSync } from 'fs';
import { resolve } from 'path';
import { renderNatsConfig } from './permissions';

// `npx nx run platform:nats-config`: regenerates deploy/nats/nats.conf from permissions.ts.
// Passwords stay `$NATS_<USER>_PASSWORD` references: nats-server reads them from its environment.
const target = resolve(__dirname, '../../../../deploy/nats/nats.conf');
writeFileSync(target, renderNatsConfig({ storeDir: '/data/jetstream' }));
process.stdout.write(`wrote ${target}\n`);
