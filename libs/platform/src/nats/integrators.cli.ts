import { integratorPaths, runIntegratorCommand } from './integrators';

// `npm run nats:integrator -- add|remove|forget|list|sync`: integrators' NATS accounts
// (deploy/nats/integrators.json rendered into deploy/nats/nats.conf) and their durables; docs/events.md, "Access".
void runIntegratorCommand(process.argv.slice(2), integratorPaths(), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
}).then((code) => (process.exitCode = code));
