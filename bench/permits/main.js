'use strict';
/*
 * The permits benchmark's run: the system, the list statements captured, a million applications
 * seeded, the lists under load (and --read-audit-rounds), their plans, create + submit through the
 * full system, the bare twin and the skeleton. See bench/README.md, section "permits.js".
 */
const path = require('path');
const h = require('../lib/harness');
const { setup } = require('./setup');
const { seed } = require('./seed');
const { captureStatements, reads, plans } = require('./reads');
const { readAudit } = require('./read-audit');
const { writes } = require('./writes');
const { results, printReport } = require('./report');

const SCRIPT = path.join(__dirname, '..', 'permits.js');

/**
 * 1. The system, as walking-slice.js starts it; permits first logs every statement (for the
 * capture), later those slower than --log-statements-ms (PGOPTIONS, read by node-postgres).
 */
async function startSystem(testing, environment, options, nodeFlags) {
  const mode = { capturing: true };
  const logging = () => (mode.capturing ? h.logStatementsSlowerThan(0) : options.logStatementsMs >= 0 ? h.logStatementsSlowerThan(options.logStatementsMs) : {});
  const extra = (name) => ({
    ...h.UNLIMITED_CITIZEN,
    ...options.serviceEnv,
    LOG_LEVEL: 'warn',
    // The gateway's config refuses LOGIN_RATE_LIMIT_PER_MINUTE above 100000 (@Max in GatewayConfig).
    ...(name === 'gateway' ? { LOGIN_RATE_LIMIT_PER_MINUTE: '100000' } : {}),
    ...(name === 'permits' ? logging() : {}),
  });
  const system = await h.startSystem(testing, environment, { extra, nodeFlags });
  console.log(`system ready in ${system.readyMs} ms (run ${environment.runId})`);
  return { system, mode };
}

/**
 * The list statements as permits runs them, from the server log; then permits is restarted with
 * its usual logging (on the same database, before anything is seeded or measured).
 */
async function capture(options, system, mode, database, who) {
  const tokens = { officer: await who.officerLogin(), citizen: await who.citizenLogin(), issuing: await who.issuingLogin() };
  let captured;
  try {
    captured = { statements: await captureStatements(options, system.gatewayUrl, database, tokens) };
  } catch (error) {
    captured = { error: error.message };
    console.warn(`warning: the list statements were not captured (${error.message}); no EXPLAIN`);
  }
  mode.capturing = false;
  await h.restartService(system, 'permits');
  return captured;
}

/** 2. A million applications, by SQL. */
async function seedApplications(db, options, who) {
  const n = (x) => x.toLocaleString('en-US');
  console.log(`seeding ${n(options.rows)} applications in batches of ${n(options.batch)} (officer's agency ${who.officerAgency.code}: 10 %) ...`);
  const applicants = Math.max(1000, Math.floor(options.rows / 3));
  const s = await seed(db, { rows: options.rows, batch: options.batch, citizenId: who.citizenId, citizenRows: options.citizenRows, applicants, overdueShare: 0.15, slots: who.slots });
  console.log(
    `seeded ${n(s.rows)} rows in ${s.totalSeconds} s: insert ${s.insertSeconds} s (${n(s.rowsPerSecond)} rows/s), ` +
      `${s.rebuiltIndexes.length} indexes ${s.indexRebuildSeconds} s, VACUUM ANALYZE ${s.vacuumAnalyzeSeconds} s; ` +
      `table ${s.tableSize}, indexes ${s.indexesSize}; ${n(s.distinctApplicants)} applicants`,
  );
  return s;
}

/** 3. The lists under load (and the read audit), then their plans. */
async function lists(options, system, who, db, captured) {
  const officer = await who.officerLogin();
  const agencyInToken = h.decodeJwt(officer).agency;
  if (agencyInToken !== who.officerAgency.id) throw new Error(`the officer's token names agency ${agencyInToken}, not ${who.officerAgency.id}`);
  const tokens = { officer, citizen: await who.citizenLogin(), ...(options.issuingQueue ? { issuing: await who.issuingLogin() } : {}) };
  const loaded = await reads(options, system, tokens);
  const audit = options.readAuditRounds ? await readAudit(options, system, officer, db) : null;
  return { reads: loaded, readAudit: audit, plans: captured.statements ? await plans(db, captured.statements) : [] };
}

async function main(options) {
  const testing = h.loadTesting();
  const environment = h.track(new testing.TestEnvironment());
  const db = environment.databaseUrl('permits');
  const database = `${environment.runId}_permits`;
  const busyBeforeStart = await h.busyCores(1000);
  if (busyBeforeStart > 0.25) console.warn(`warning: the machine is already busy (${busyBeforeStart} cores in use before the start); figures will be low`);
  // --cpu-prof: V8 CPU profiles of every process, written when it exits (summarise with bench/profile-summary.js).
  const profileDir = path.join(options.out, `profiles-permits-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  const nodeFlags = (name) => (options.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${name}.cpuprofile`] : []);
  const { system, mode } = await startSystem(testing, environment, options, nodeFlags);
  const who = await setup(testing, system, options, environment.runId);
  const captured = await capture(options, system, mode, database, who);
  const logOffset = h.logOffset(options.pgLog);
  const seeding = await seedApplications(db, options, who);
  const measured = await lists(options, system, who, db, captured);
  let slow;
  const handOver = async () => {
    const jwks = h.expect('GET /.well-known/jwks.json', await h.http('GET', `${system.gatewayUrl}/.well-known/jwks.json`), 200);
    const token = await who.citizenLogin();
    slow = options.logStatementsMs >= 0 && logOffset >= 0 ? h.slowStatements(options.pgLog, logOffset, database) : { skipped: true };
    await h.stopSystem(system);
    return { jwks, token };
  };
  // 4.–5. Create + submit: full system, bare twin, skeleton (--skip-writes: the lists only).
  const pairs = await writes(options, { system, db, environment, script: SCRIPT, nodeFlags, pairToken: options.skipWrites ? null : await who.citizenLogin(), handOver });
  const seen = new Set((slow.statements ?? []).map((x) => x.sql));
  if (slow.statements) for (const p of measured.plans) p.seenInServerLog = seen.has(p.sql);
  const r = results({ options, profileDir, busyBeforeStart, environment, readyMs: system.readyMs, who, seeding, ...measured, capture: captured.error ? { error: captured.error } : { captured: captured.statements.length }, slow, pairs });
  printReport(r);
  console.log(`\nresults written to ${h.relative(h.writeResults(options.out, 'permits', r.date, r))}`);
}

module.exports = { main };
