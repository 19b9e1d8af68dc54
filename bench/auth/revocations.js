'use strict';
/*
 * The revocation check's cost, measured by the gateway's own microbenchmark (it times the shipped
 * class in its process): `npm run bench:revocations` of @smart-regency/gateway, which prints a line
 * per size on stderr and its result as JSON on stdout.
 */
const h = require('../lib/harness');

async function revocationMicrobenchmark(sizes) {
  const args = ['run', '--silent', '-w', '@smart-regency/gateway', 'bench:revocations', '--', `--sizes=${sizes.join(',')}`];
  const child = h.startChild('gateway bench:revocations', args, { HOME: process.env.HOME ?? '' }, { command: 'npm' });
  child.child.stderr.on('data', (chunk) => process.stdout.write(chunk));
  const { code } = await child.exit;
  const json = [...child.output].reverse().find((line) => line.startsWith('{'));
  if (code !== 0 || !json) throw new Error(`npm run bench:revocations exited ${code}:\n${child.output.slice(-20).join('\n')}`);
  return JSON.parse(json);
}

module.exports = { revocationMicrobenchmark };
