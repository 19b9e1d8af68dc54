'use strict';
/*
 * The whole system as separate processes (`node services/<name>/dist/main.js`, the entry points
 * @smart-regency/testing names), each on a free port with the environment TestEnvironment gives,
 * and what a bench does through its API before loading it.
 */
const { performance } = require('perf_hooks');
const { startChild, stopChild, waitUntil } = require('./children');
const { http, fireOnSchedule } = require('./http');
const { progressBar } = require('./progress');
const { autovacuumAsInProduction } = require('./db');
const { atCleanup } = require('./run');

const API = '/api/v1';

/**
 * Per-citizen daily limits out of the way: one bench citizen files and uploads far more than any
 * person does in a day, and the benchmarks measure throughput, not the limits' refusals.
 */
const UNLIMITED_CITIZEN = {
  CITIZEN_FILINGS_PER_DAY: '1000000',
  CITIZEN_DRAFTS_PER_DAY: '1000000',
  CITIZEN_UPLOADS_PER_DAY: '1000000',
  // A bench registers and signs in its many citizens from one address.
  REGISTRATIONS_PER_ADDRESS_PER_HOUR: '100000',
  LOGIN_RATE_LIMIT_PER_MINUTE: '100000',
};

/** Resolves once the gateway's readiness answers 200 (NATS and every service with its database). */
function waitReady(system, everyMs = system.everyMs) {
  const ready = async () => (await http('GET', `${system.gatewayUrl}/health/ready`, { timeoutMs: 2000 })).status === 200;
  return waitUntil('the gateway to be ready', ready, 60000, everyMs, Object.values(system.procs));
}

/**
 * Starts the gateway and the five services at once (or only `names`); `extra(name)`: environment
 * on top of the test environment's, `nodeFlags(name)`: node's own flags, `onSpawned(system)`:
 * called before the wait. Resolves `{ names, procs, ports, gatewayUrl, readyMs, … }` once the
 * gateway is ready (readiness polled every `everyMs`; no wait without a gateway or with `wait: false`).
 */
async function startSystem(testing, environment, { names = [...testing.DOMAIN_SERVICES, 'gateway'], extra = () => ({}), nodeFlags = () => [], everyMs = 25, wait = true, onSpawned = () => undefined } = {}) {
  const entrypoints = Object.fromEntries(names.map((name) => [name, testing.entrypoint(name)])); // throws if not built
  const server = new URL(environment.databaseUrl(names[0]));
  server.pathname = '/postgres';
  await autovacuumAsInProduction(server.toString(), atCleanup);
  const ports = {};
  for (const name of names) ports[name] = await testing.freePort();
  // The gateway serves /metrics on a port of its own (METRICS_PORT), the services on theirs.
  const metricsPort = names.includes('gateway') ? await testing.freePort() : undefined;
  const metrics = (name) => (name === 'gateway' ? { METRICS_PORT: String(metricsPort) } : {});
  const envOf = (name, more = {}) => environment.serviceEnv(name, { ...metrics(name), ...extra(name), PORT: String(ports[name]), ...more });
  const system = { names, entrypoints, ports, envOf, nodeFlags, everyMs, procs: {}, gatewayUrl: `http://127.0.0.1:${ports.gateway}` };
  system.metricsUrl = (name) => `http://127.0.0.1:${name === 'gateway' ? metricsPort : ports[name]}/metrics`;
  system.spawnedAt = performance.now();
  for (const name of names) system.procs[name] = startChild(name, [...nodeFlags(name), entrypoints[name]], envOf(name));
  onSpawned(system);
  if (wait && names.includes('gateway')) await waitReady(system);
  system.readyMs = Math.round(performance.now() - system.spawnedAt);
  return system;
}

const processesOf = (system) => Object.values(system.procs);
const pidsOf = (system) => Object.fromEntries(system.names.map((name) => [name, system.procs[name].child.pid]));
const stopSystem = (system) => Promise.all(processesOf(system).map((p) => stopChild(p)));

/** Stops one service and starts it again with `more` environment (on the same database); waits for readiness. */
async function restartService(system, name, more = {}) {
  await stopChild(system.procs[name]);
  system.procs[name] = startChild(name, [...system.nodeFlags(name), system.entrypoints[name]], system.envOf(name, more));
  await waitReady(system);
}

/** The answer's JSON when its status is `status`; throws with the answer otherwise. */
function expect(what, res, status) {
  if (res.status !== status) throw new Error(`${what} answered ${res.status}: ${res.body.slice(0, 400)}`);
  return res.json;
}

/** Signs in through the gateway: the access token. */
async function login(gatewayUrl, identifier, password) {
  const res = await http('POST', `${gatewayUrl}${API}/auth/login`, { body: { identifier, password } });
  if (res.status !== 200 || typeof res.json?.accessToken !== 'string') throw new Error(`login of ${identifier} answered ${res.status}: ${res.body.slice(0, 300)}`);
  return res.json.accessToken;
}

/** The bootstrap admin's token; identity creates the admin while it starts, so it may not exist when the gateway is ready. */
async function adminToken(testing, system) {
  let token;
  const signIn = async () => (token = await login(system.gatewayUrl, testing.TEST_ADMIN.email, testing.TEST_ADMIN.password));
  await waitUntil('the bootstrap admin to sign in', signIn, 20000, 250, processesOf(system));
  return token;
}

/** Registers a citizen (`{ nik, fullName, email, phone, password }`) and signs them in: the token. */
async function registerCitizen(gatewayUrl, person, what = 'POST /auth/register') {
  expect(what, await http('POST', `${gatewayUrl}${API}/auth/register`, { body: person }), 201);
  return login(gatewayUrl, person.email, person.password);
}

/** Creates a staff account as the admin (`{ email, fullName, roles, agencyId, password }`). */
async function createStaff(gatewayUrl, token, user) {
  expect('POST /users', await http('POST', `${gatewayUrl}${API}/users`, { token, body: user }), 201);
  return user.email;
}

/** The reference agencies, as the admin sees them. */
async function agenciesOf(gatewayUrl, token) {
  return expect('GET /agencies', await http('GET', `${gatewayUrl}${API}/agencies?pageSize=100`, { token }), 200).items;
}

/** A citizen's complaint, as the notifications and webhooks benches file it. */
const SAMPLE_COMPLAINT = { categoryCode: 'waste-environment', title: 'Sampah menumpuk', description: 'Sampah belum diangkut sejak seminggu, mohon ditindaklanjuti.', location: { lat: 2.578, lng: 99.618, district: 'Kualuh Hulu' }, visibility: 'public' };

/**
 * Files `total` complaints as `token` at `rate` a second, open loop, with a progress bar
 * (`before(i)`: just before the i-th is due; `onCreated(complaint, i)`: each 201). The statuses answered.
 */
async function fileAtRate(gatewayUrl, token, { rate, total, body = SAMPLE_COMPLAINT, before, onCreated = () => undefined }) {
  const bar = progressBar('filings', total, 'complaints');
  const statuses = {};
  const file = (i, fired) =>
    http('POST', `${gatewayUrl}${API}/complaints`, { token, body }).then((res) => {
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      if (res.status === 201) onCreated(res.json, i);
      bar.update(fired());
    });
  await fireOnSchedule(total, rate, file, before);
  bar.end();
  return statuses;
}

/** Runs `work(system)` on a TestSystem of @smart-regency/testing (`extraEnv` per process), stopped and dropped afterwards. */
async function withTestSystem(testing, extraEnv, work) {
  const system = await testing.TestSystem.start(extraEnv);
  try {
    return await work(system);
  } finally {
    await system.stop();
  }
}

const decodeJwt = (token) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());

module.exports = {
  API,
  UNLIMITED_CITIZEN,
  startSystem,
  waitReady,
  processesOf,
  pidsOf,
  stopSystem,
  restartService,
  expect,
  login,
  adminToken,
  registerCitizen,
  createStaff,
  agenciesOf,
  SAMPLE_COMPLAINT,
  fileAtRate,
  withTestSystem,
  decodeJwt,
};
