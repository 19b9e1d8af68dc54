#!/usr/bin/env node
// Runs the six processes in one terminal with prefixed, coloured logs; Ctrl-C stops them all.
const { concurrently } = require('concurrently');

const services = ['identity', 'permits', 'complaints', 'reporting', 'notifications', 'gateway'];
const env = { LOG_FORMAT: process.env.LOG_FORMAT ?? 'pretty', ...process.env };
const { result } = concurrently(
  services.map((name) => ({ name, command: `node services/${name}/dist/main.js`, env })),
  {
    prefixColors: ['cyan', 'magenta', 'yellow', 'green', 'red', 'blue'],
    killOthers: ['failure'],
    restartTries: 0,
  },
);
console.log('gateway: http://localhost:3000 (API /api/v1, docs /docs, readiness /health/ready)');
result.then(
  () => process.exit(0),
  () => process.exit(1),
);
