'use strict';
/*
 * The auth benchmark's run: what signing in costs (argon2id in identity) and what verifying the
 * access token costs on every authenticated request (EdDSA JWT checked in the gateway's guard),
 * then the jose and revocation microbenchmarks with the system stopped. See bench/README.md.
 */
const h = require('../lib/harness');
const { loginCost } = require('./login');
const { authenticatedLoads } = require('./routes');
const { verifyMicrobenchmark } = require('./jose');
const { revocationMicrobenchmark } = require('./revocations');
const { walkingSliceReference, goalsOf, printReport } = require('./report');

const API = '/api/v1';
// The gateway's config refuses LOGIN_RATE_LIMIT_PER_MINUTE above 100000 (@Max in GatewayConfig).
const LOGIN_RATE_LIMIT = '100000';

/** --revocations-only: the revocation microbenchmark alone (no system, seconds). */
async function revocationsOnly(options) {
  const revocations = await revocationMicrobenchmark(options.revocations);
  const date = new Date().toISOString();
  const file = h.writeResults(options.out, 'auth-revocations', date, { date, tree: h.treeInfo(), cpuModel: h.machineInfo().cpuModel, revocations });
  console.log(`results written to ${h.relative(file)}`);
}

/** One citizen, registered and signed in once (its first answer checked). */
async function citizenOf(testing, gatewayUrl, runId) {
  const citizen = {
    nik: testing.makeNik({ sequence: 1 + (Date.now() % 9999) }),
    fullName: 'Bench Citizen',
    email: `bench-${runId.toLowerCase()}@example.id`.replace(/[^a-z0-9@.-]/g, '-'),
    phone: `0812${String(Date.now() % 1e8).padStart(8, '0')}`,
    password: 'Bench-Password-2026',
  };
  const registered = await h.http('POST', `${gatewayUrl}${API}/auth/register`, { body: citizen });
  if (registered.status !== 201) throw new Error(`registering the citizen answered ${registered.status}: ${registered.body.slice(0, 300)}`);
  const first = await h.http('POST', `${gatewayUrl}${API}/auth/login`, { body: { identifier: citizen.email, password: citizen.password } });
  if (first.status !== 200) throw new Error(`login answered ${first.status}: ${first.body.slice(0, 300)}`);
  if (first.json?.tokenType !== 'Bearer' || typeof first.json?.accessToken !== 'string') throw new Error(`unexpected login answer: ${first.body.slice(0, 300)}`);
  return citizen;
}

/** The five processes; the gateway's per-IP sign-in limit raised for the login load, TRUST_PROXY for the wrong-password phase's addresses. */
async function startSystem(testing, environment) {
  const gateway = { LOGIN_RATE_LIMIT_PER_MINUTE: LOGIN_RATE_LIMIT, TRUST_PROXY: 'true' };
  const system = await h.startSystem(testing, environment, { extra: (name) => ({ LOG_LEVEL: 'warn', ...(name === 'gateway' ? gateway : {}) }) });
  console.log(`system ready in ${system.readyMs} ms`);
  return system;
}

function resultsOf({ options, busyBeforeStart, tree, environment, system, login, loads, micro, revocations }) {
  return {
    date: new Date().toISOString(),
    machine: { ...h.machineInfo(), busyCoresBeforeStart: busyBeforeStart, note: 'the load generator (autocannon, in this process), NATS, PostgreSQL and the processes under test share these CPUs' },
    options: { ...options, out: undefined, loginRateLimitPerMinute: Number(LOGIN_RATE_LIMIT), logLevel: 'warn' },
    tree,
    runId: environment.runId,
    readyMs: system.readyMs,
    login: { identifier: 'email', argon2: 'argon2id m=19456 KiB t=2 p=1 (services/identity/src/users/passwords.ts)', ...login },
    authenticatedLoad: loads,
    joseMicrobenchmark: micro,
    revocationMicrobenchmark: revocations,
    walkingSliceReference: walkingSliceReference(options.out),
    goals: goalsOf(loads, micro),
  };
}

async function main(options) {
  if (options.revocationsOnly) return revocationsOnly(options);
  const testing = h.loadTesting();
  const environment = h.track(new testing.TestEnvironment());
  const tree = h.treeInfo(); // before the spawn: what the processes load (others may rebuild dist during a run)
  const busyBeforeStart = await h.busyCores(1000);
  if (busyBeforeStart > 0.25) console.warn(`warning: the machine is already busy (${busyBeforeStart} cores in use before the start); figures will be low`);
  const system = await startSystem(testing, environment);
  const pids = h.pidsOf(system);
  const loginUrl = `${system.gatewayUrl}${API}/auth/login`;
  const citizen = await citizenOf(testing, system.gatewayUrl, environment.runId);
  const login = await loginCost(loginUrl, citizen, options, pids, environment.runId);
  h.processesOf(system).forEach(h.failIfExited);
  // 2a. Authenticated routes under load; the guard's own timing from the gateway's histogram.
  const token = await h.login(system.gatewayUrl, citizen.email, citizen.password);
  const loads = await authenticatedLoads(system.gatewayUrl, token, citizen.email, { pids, runId: environment.runId, metricsUrl: system.metricsUrl('gateway'), options });
  h.processesOf(system).forEach(h.failIfExited);
  const jwks = h.expect('GET /.well-known/jwks.json', await h.http('GET', `${system.gatewayUrl}/.well-known/jwks.json`), 200);
  // Stop the system so the microbenchmarks have the CPU to themselves.
  await h.stopSystem(system);
  console.log(`[jose] ${options.verifications} verifications in this process ...`);
  const micro = await verifyMicrobenchmark(token, jwks, options.verifications, options.connections);
  console.log(`[jose] one at a time: p50 ${micro.sequential.micros.p50} µs, p99 ${micro.sequential.micros.p99} µs; ${options.connections} in flight: p99 ${micro.concurrent.micros.p99} µs; bare Ed25519: p50 ${micro.rawSync.micros.p50} µs`);
  const revocations = await revocationMicrobenchmark(options.revocations);
  const r = resultsOf({ options, busyBeforeStart, tree, environment, system, login, loads, micro, revocations });
  printReport(r);
  console.log(`\nresults written to ${h.relative(h.writeResults(options.out, 'auth', r.date, r))}`);
}

module.exports = { main };
