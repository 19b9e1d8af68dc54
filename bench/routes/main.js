'use strict';
/*
 * The routes bench's run: the system, the people, a million complaints, a million applications
 * and reporting's facts seeded, then every route of the gateway one after another at a fixed rate
 * (open loop), and which routes of the OpenAPI document (and Open311) were not loaded.
 */
const { Pool } = require('pg');
const h = require('../lib/harness');
const { seed: seedComplaints } = require('../complaints/seed');
const { seed: seedApplications } = require('../permits/seed');
const { seed: seedFacts } = require('../reporting/seed');
const { people } = require('./people');
const { Supply } = require('./supply');
const { EXTRA_ROUTES } = require('./common');
const { runScenario, settle } = require('./run');
const { complaintScenarios, open311Scenarios } = require('./complaints');
const { permitScenarios } = require('./permits');
const { identityScenarios, reportScenarios, notificationScenarios, webhookScenarios, lateScenarios } = require('./others');
const { coverage, printReport } = require('./report');

/** Every scenario, in the order they run. */
const allScenarios = () => [...identityScenarios(), ...complaintScenarios(), ...open311Scenarios(), ...permitScenarios(), ...reportScenarios(), ...notificationScenarios(), ...webhookScenarios(), ...lateScenarios()];

/** The environment of each process: the bench's one address and one citizen are many people, and webhooks go to a receiver on this machine. */
const extraEnv = (options) => (name) => ({
  ...h.UNLIMITED_CITIZEN,
  CITIZEN_COMMENTS_PER_DAY: '1000000',
  LOG_LEVEL: 'warn',
  ...(name === 'gateway' ? { LOGIN_RATE_LIMIT_PER_MINUTE: '100000', MAX_CONCURRENT_UPLOADS_PER_CLIENT: '64' } : {}),
  // POST /webhooks at the rate makes thousands (a regency has tens; the cap is 200 by default).
  ...(name === 'notifications' ? { WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOWED_PRIVATE_RANGES: '127.0.0.1/32', WEBHOOK_MAX_SUBSCRIPTIONS: '10000' } : {}),
  ...options.serviceEnv,
});

/** The OpenAPI document's operations (`METHOD /path`) and the routes outside it. */
async function routesOf(url) {
  const doc = h.expect('GET /docs/openapi.json', await h.http('GET', `${url}/docs/openapi.json`), 200);
  const ops = [];
  for (const [path, item] of Object.entries(doc.paths)) for (const method of Object.keys(item)) if (['get', 'post', 'put', 'patch', 'delete'].includes(method)) ops.push(`${method.toUpperCase()} ${path}`);
  return [...ops, ...EXTRA_ROUTES];
}

async function seedAll(ctx, options) {
  const n = (x) => x.toLocaleString('en-US');
  const who = ctx.who;
  const started = Date.now();
  console.log(`seeding ${n(options.rows)} complaints, ${n(options.rows)} applications, ${n(options.rows)} + ${n(options.rows)} report facts ...`);
  const complaints = await seedComplaints(ctx.db('complaints'), { rows: options.rows, batch: options.batch, citizenId: who.citizenId, citizenRows: 2000, reporters: Math.max(1000, Math.floor(options.rows / 3)), attachmentEvery: 10 });
  const applications = await seedApplications(ctx.db('permits'), { rows: options.rows, batch: options.batch, citizenId: who.citizenId, citizenRows: 3000, applicants: Math.max(1000, Math.floor(options.rows / 3)), overdueShare: 0.15, slots: who.slots });
  const pool = new Pool({ connectionString: ctx.db('reporting'), max: 2 });
  let facts;
  try {
    facts = await seedFacts(pool, { complaints: options.rows, permits: options.rows, days: 700 }, who.agencies.map((a) => a.id));
  } finally {
    await pool.end();
  }
  console.log(`seeded in ${Math.round((Date.now() - started) / 1000)} s`);
  return { complaints: complaints.rows, applications: applications.rows, facts };
}

async function main(options) {
  const testing = h.loadTesting();
  const environment = h.track(new testing.TestEnvironment());
  const busyBefore = await h.busyCores(1000);
  if (busyBefore > 0.25) console.warn(`warning: the machine is already busy (${busyBefore} cores); figures will be high`);
  const system = await h.startSystem(testing, environment, { extra: extraEnv(options) });
  console.log(`system ready in ${system.readyMs} ms (run ${environment.runId})`);
  const receivers = new testing.WebhookReceivers();
  h.atCleanup(() => receivers.stopAll());
  const ctx = { testing, system, url: system.gatewayUrl, pids: h.pidsOf(system), db: (service) => environment.databaseUrl(service), receiver: await receivers.start() };
  ctx.who = await people(testing, system, environment.runId);
  ctx.supply = new Supply(ctx.url, ctx.who);
  const seeding = options.rows > 0 ? await seedAll(ctx, options) : null;
  const routes = await routesOf(ctx.url);
  const only = options.only ? new RegExp(options.only) : null;
  const scenarios = allScenarios().filter((s) => !only || only.test(s.label ?? s.route));
  const rows = [];
  const date = new Date().toISOString();
  for (const [i, s] of scenarios.entries()) {
    process.stderr.write(`\n(${i + 1}/${scenarios.length}) ${s.label ?? s.route}\n`);
    rows.push(await runScenario(s, ctx, options));
    // Kept as it goes: a run that fails late keeps what it measured.
    h.writeResults(options.out, 'routes', date, { date, options, partial: true, seeding, rows });
  }
  await settle();
  const memory = Object.fromEntries(Object.entries(h.pidsOf(system)).map(([name, pid]) => [name, Math.round((h.proportional(pid)?.pssKb ?? 0) / 1024)]));
  const r = { date, options, tree: h.treeInfo(), machine: h.machineInfo(), busyBefore, seeding, rows, coverage: coverage(routes, rows, options), pssMbAfter: memory };
  const file = h.writeResults(options.out, 'routes', r.date, r);
  printReport(r);
  console.log(`\nresults written to ${h.relative(file)}`);
}

module.exports = { main, allScenarios };
