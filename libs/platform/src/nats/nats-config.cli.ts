import { writeFileSync } from 'fs';
import { integratorPaths, readIntegrators, renderDeployedNatsConfig } from './integrators';

// `npx nx run platform:nats-config`: regenerates deploy/nats/nats.conf from permissions.ts and the
// integrators in deploy/nats/integrators.json. Passwords stay `$NATS_<USER>_PASSWORD` references:
// nats-server reads them from its environment.
const { registry, config } = integratorPaths();
writeFileSync(config, renderDeployedNatsConfig(readIntegrators(registry)));
process.stdout.write(`wrote ${config}\n`);
