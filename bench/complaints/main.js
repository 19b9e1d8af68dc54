'use strict';
/*
 * The complaints benchmark's run: the system, the list statements captured, a million complaints
 * seeded, the lists under load (full system, then the skeleton), filing (full, bare twin,
 * skeleton). See bench/README.md, section "complaints.js".
 */
const path = require('path');
const h = require('../lib/harness');
const skeleton = require('../lib/skeleton');
const { people } = require('./people');
const { seed } = require('./seed');
const { skeletonPages, captureListStatements, fullReads, skeletonReads } = require('./reads');
const { filings } = require('./filing');
const { results, printReport } = require('./report');

const SCRIPT = path.join(__dirname, '..', 'complaints.js');

/**
 * 1. The system, as walking-slice.js starts it. While the skeleton still needs the public pages'
 * statements, complaints logs every statement it runs; once they are read from the log it is
 * restarted without (on the same database, before anything is seeded or measured).
 */
async function startAndCapture(testing, environment, options, nodeFlags) {
  let capturing = skeletonPages(options).length > 0;
  const extra = (name) => ({
    ...h.UNLIMITED_CITIZEN,
    ...options.serviceEnv,
    LOG_LEVEL: 'warn',
    ...(name === 'gateway' ? { LOGIN_RATE_LIMIT_PER_MINUTE: '100000' } : {}),
    ...(name === 'complaints' && capturing ? h.logStatementsSlowerThan(0) : {}),
  });
  const system = await h.startSystem(testing, environment, { extra, nodeFlags });
  console.log(`system ready in ${system.readyMs} ms (run ${environment.runId})`);
  if (!capturing) return { system, capture: null };
  let capture;
  try {
    capture = { statements: await captureListStatements(options, system, `${environment.runId}_complaints`) };
  } catch (error) {
    capture = { error: error.message };
    console.warn(`warning: no list statements for the skeleton (${error.message}); its reads are skipped`);
  }
  capturing = false;
  await h.restartService(system, 'complaints');
  return { system, capture };
}

/** 2. A million complaints, by SQL. */
async function seedComplaints(db, options, citizenId) {
  console.log(`seeding ${options.rows.toLocaleString('en-US')} complaints in batches of ${options.batch.toLocaleString('en-US')} ...`);
  const s = await seed(db, { rows: options.rows, batch: options.batch, citizenId, citizenRows: options.citizenRows, reporters: Math.max(1000, Math.floor(options.rows / 3)), attachmentEvery: options.attachmentEvery });
  const n = (x) => x.toLocaleString('en-US');
  console.log(
    `seeded ${n(s.rows)} rows: insert ${s.insertSeconds} s (${n(s.rowsPerSecond)} rows/s), ` +
      `${s.rebuiltIndexes.length} indexes ${s.indexRebuildSeconds} s, VACUUM ANALYZE ${s.vacuumAnalyzeSeconds} s; table ${s.tableSize}, indexes ${s.indexesSize}; ` +
      `${n(s.publicRows)} public or anonymous, ${n(s.openComplaints)} open (${n(s.overdueComplaints)} overdue); ${n(s.attachments)} attachments`,
  );
  return s;
}

/** The twins' environment (the gateway's keys, read once) and the skeleton's start, with the captured statements. */
function twins(system, environment, db, nodeFlags, capture) {
  let jwks;
  const twinEnv = async () => {
    jwks ??= h.expect('GET /.well-known/jwks.json', await h.http('GET', `${system.gatewayUrl}/.well-known/jwks.json`), 200);
    return { BARE_DATABASE_URL: db, BARE_JWKS: JSON.stringify(jwks), BARE_POOL_SIZE: '10' };
  };
  const startSkeleton = async (events, markBacklogSent = false) => {
    const env = { ...(await twinEnv()), SKELETON_LIST_STATEMENTS: JSON.stringify(capture?.statements ?? {}) };
    return skeleton.start({ script: SCRIPT, nodeFlags, env, serviceEnv: environment.serviceEnv('complaints', {}), runId: environment.runId, events, markBacklogSent });
  };
  return { twinEnv, startSkeleton };
}

async function main(options) {
  const testing = h.loadTesting();
  const environment = h.track(new testing.TestEnvironment());
  const db = environment.databaseUrl('complaints');
  const machine = { loadAverageBefore: h.loadAverage(), busyCoresBeforeStart: await h.busyCores(1000) };
  console.log(`load average before: ${machine.loadAverageBefore.join(', ')}; ${machine.busyCoresBeforeStart} cores busy in the second before the start`);
  if (machine.busyCoresBeforeStart > 0.25) console.warn(`warning: the machine is already busy (${machine.busyCoresBeforeStart} cores); other sessions share these cores and the figures will be low`);
  // --cpu-prof: V8 CPU profiles of every process, written when it exits (summarise with bench/profile-summary.js).
  const profileDir = path.join(options.out, `profiles-complaints-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  const nodeFlags = (name) => (options.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${name}.cpuprofile`] : []);
  const { system, capture } = await startAndCapture(testing, environment, options, nodeFlags);
  const who = await people(testing, system, environment.runId, options);
  const seeding = await seedComplaints(db, options, who.citizenId);
  // 3. The lists under load: the full system, then the skeleton (see skeleton.js).
  const tokens = { officer: await who.officerLogin(), citizen: who.citizenToken };
  const reads = await fullReads(options, system, tokens, who.officerAgency.code);
  const { twinEnv, startSkeleton } = twins(system, environment, db, nodeFlags, capture);
  const skeletonRuns = options.skipSkeleton || !capture?.statements ? [] : await skeletonReads(options, reads, startSkeleton);
  // 4.–5. Filing (--skip-filing: reads only, and no bare twin).
  const filing = await filings(options, { system, db, tokens: who.filerTokens, script: SCRIPT, twinEnv, startSkeleton });
  const r = results({ options, machine, environment, readyMs: system.readyMs, seeding, reads, skeletonReads: skeletonRuns, profileDir, filing, capture });
  printReport(r);
  console.log(`\nresults written to ${h.relative(h.writeResults(options.out, 'complaints', r.date, r))}`);
}

module.exports = { main };
