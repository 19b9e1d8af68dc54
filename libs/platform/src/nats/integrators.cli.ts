import { integratorPaths, runIntegratorCommand } from './integrators';

// `npm run nats:integrator -- add|remove|list`: integrators' NATS users (deploy/nats/integrators.json
// rendered into deploy/nats/nats.conf); docs/events.md, "Access".
process.exitCode = runIntegratorCommand(process.argv.slice(2), integratorPaths(), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
});
