import 'reflect-metadata';
import { writeFileSync } from 'fs';
import { resolve } from 'path';
import { stringify } from 'yaml';
import { buildAsyncApi } from './asyncapi';

// `nx run contracts:asyncapi`: regenerates docs/asyncapi.yaml from the event catalogue.
const target = resolve(__dirname, '../../../../docs/asyncapi.yaml');
writeFileSync(target, `# Generated from libs/contracts/src/events/catalogue.ts by \`npx nx run contracts:asyncapi\`; do not edit.\n${stringify(buildAsyncApi())}`);
process.stdout.write(`wrote ${target}\n`);
