'use strict';
/*
 * Running a bench: the libraries it needs, cleanup of what it started (also on errors and
 * SIGINT/SIGTERM), and the runner of benches made of parts.
 */
const { stopAllChildren } = require('./children');
const { machineInfo, treeInfo, uptime, writeResults } = require('./report');

/** What a run must undo: its own steps (last first), then every child process, then its test environments. */
const session = { steps: [], environments: [], cleanedUp: false };

/** Drops `environment`'s databases and streams at the end of the run, whatever happens. */
function track(environment) {
  session.environments.push(environment);
  return environment;
}

/** Runs `work(environment)` with a fresh TestEnvironment, dropped afterwards (also when the run is interrupted). */
async function withEnvironment(testing, work) {
  const environment = track(new testing.TestEnvironment());
  try {
    return await work(environment);
  } finally {
    session.environments.splice(session.environments.indexOf(environment), 1);
    await environment.cleanup();
  }
}

/** Runs `step` at cleanup, before the child processes are stopped. */
const atCleanup = (step) => session.steps.push(step);

async function cleanup() {
  if (session.cleanedUp) return;
  session.cleanedUp = true;
  for (const step of session.steps.reverse()) await step().catch((error) => console.error(`cleanup: ${error.message}`));
  await stopAllChildren();
  for (const environment of session.environments) {
    try {
      await environment.cleanup(); // DROP DATABASE … WITH (FORCE) for each database of the run, then its JetStream streams
    } catch (error) {
      console.error(`cleanup incomplete (databases, then NATS streams of run ${environment.runId}): ${error.message}`);
    }
  }
}

/** `@smart-regency/testing` as built (dist), with a clear message when it is not. */
function loadTesting() {
  try {
    return require('@smart-regency/testing');
  } catch (error) {
    throw new Error(`cannot load @smart-regency/testing (${error.message}): build first (npx nx run-many -t build)`);
  }
}

/** Runs `main()`, then cleans up and exits with the code it resolves (0 by default), or 1 when it throws. */
function runMain(main) {
  const fail = async (error) => {
    console.error(`\nbenchmark failed: ${error?.stack ?? error}`);
    await cleanup();
    process.exit(1);
  };
  process.once('unhandledRejection', fail);
  process.once('uncaughtException', fail);
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping what this run started and dropping its databases ...`);
      cleanup().finally(() => process.exit(130));
    });
  }
  main().then(async (code) => {
    await cleanup();
    process.exit(code ?? 0);
  }, fail);
}

/**
 * Runs the parts of a bench that `options.parts` names (each `(testing, options) => result`),
 * printing each result, and writes the report to `<options.out>/<name>-<time>.json`.
 */
function runParts(name, options, parts) {
  runMain(async () => {
    const testing = loadTesting();
    const report = { startedAt: new Date().toISOString(), tree: treeInfo(), machine: machineInfo(), options };
    console.log(`uptime: ${uptime()}`);
    for (const [part, run] of Object.entries(parts)) {
      if (!options.parts.includes(part)) continue;
      report[part] = await run(testing, options);
      console.log(`${part}: ${JSON.stringify(report[part])}`);
    }
    report.finishedAt = new Date().toISOString();
    const file = writeResults(options.out, name, report.startedAt, report);
    console.log(`uptime: ${uptime()}\nresults: ${file}`);
  });
}

module.exports = { track, withEnvironment, atCleanup, cleanup, loadTesting, runMain, runParts };
