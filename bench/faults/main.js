'use strict';
/*
 * The fault matrix's run: the whole system on a PostgreSQL cluster and a nats-server of its own,
 * citizens filing at a fixed rate while one fault at a time is injected and lifted (inject.js),
 * each checked (check.js). See bench/README.md, "Fault matrix".
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const { performance } = require('perf_hooks');
const h = require('../lib/harness');
const { FAULTS, runFault } = require('./inject');
const { citizens, streams } = require('./requests');
const { printReport } = require('./report');

/** Own servers, the system on them, and every process's and server's output kept (also when the run fails or is interrupted). */
async function startRun(testing, options, stamp) {
  const { TestEnvironment, TestSystem, PrivatePostgres, PrivateNatsServer, busLayoutOf, DOMAIN_SERVICES } = testing;
  const postgres = await PrivatePostgres.start();
  h.atCleanup(() => postgres.destroy());
  const env = new TestEnvironment();
  const nats = await PrivateNatsServer.start(busLayoutOf(env));
  h.atCleanup(() => nats.destroy());
  console.log(`own PostgreSQL on :${postgres.port}, own nats-server on :${nats.port} (the production NATS users and permissions), run ${env.runId}`);
  const databases = Object.fromEntries(DOMAIN_SERVICES.map((s) => [s, postgres.url(`${env.runId}_${s}`)]));
  const extra = {};
  for (const name of [...DOMAIN_SERVICES, 'gateway']) extra[name] = { ...nats.envFor(name), ...h.UNLIMITED_CITIZEN, LOG_LEVEL: 'info', ...(databases[name] ? { DATABASE_URL: databases[name] } : {}) };
  Object.assign(extra.gateway, { RPC_TIMEOUT_MS: String(options.rpcTimeout), LOGIN_RATE_LIMIT_PER_MINUTE: '100000' });
  const spawned = performance.now();
  const system = await TestSystem.start(extra, env);
  // Not system.stop(): its cleanup would look for this run's streams on the machine's NATS.
  h.atCleanup(() => Promise.all([...system.processes.values()].map((p) => p.stop())));
  const logs = path.join(options.out, `faults-${stamp}-logs`);
  h.atCleanup(async () => {
    fs.mkdirSync(logs, { recursive: true });
    for (const proc of system.processes.values()) fs.writeFileSync(path.join(logs, `${proc.name}.log`), proc.output.join('\n'));
    fs.writeFileSync(path.join(logs, 'postgres.log'), postgres.log());
    fs.writeFileSync(path.join(logs, 'nats-server.log'), nats.output.join('\n'));
  });
  console.log(`system ready in ${Math.round(performance.now() - spawned)} ms; gateway RPC timeout ${options.rpcTimeout} ms`);
  return { postgres, nats, env, databases, system, logs };
}

async function main(options) {
  for (const f of options.faults) if (!FAULTS[f]) throw new Error(`unknown fault ${f}; one of ${Object.keys(FAULTS).join(', ')}`);
  const testing = h.loadTesting();
  const startedAt = new Date();
  const loadBefore = h.loadAverage();
  const busyBefore = await h.busyCores(1000);
  console.log(`fault matrix, ${startedAt.toISOString()}; load average ${loadBefore.join(', ')}; ${busyBefore} of ${os.cpus().length} cores busy before the start`);
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const run = await startRun(testing, options, stamp);
  const people = await citizens(testing, run.system.gatewayUrl, run.env.runId, options.citizens);
  await people.signIn();
  console.log(`${people.list.length} citizens signed in`);
  const load = streams(options, people.list);
  const results = [];
  let tokensAt = Date.now();
  for (const fault of options.faults) {
    if (Date.now() - tokensAt > 10 * 60 * 1000) {
      await people.signIn();
      tokensAt = Date.now();
    }
    results.push(await runFault(run, fault, load, options));
  }
  printReport(results, options);
  const loadAfter = h.loadAverage();
  console.log(`\nload average after: ${loadAfter.join(', ')}`);
  const file = h.writeResults(options.out, 'faults', startedAt.toISOString(), { startedAt, options, tree: h.treeInfo(), machine: h.machineInfo(), loadBefore, busyBefore, loadAfter, results });
  console.log(`results: ${h.relative(file)}; process logs: ${h.relative(run.logs)}`);
  return results.some((r) => r.checks.violations.length) ? 1 : 0;
}

module.exports = { main };
