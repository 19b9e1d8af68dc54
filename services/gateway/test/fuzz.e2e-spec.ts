import { formatReport, FuzzResult, FuzzRun, prepareTarget, progressPrinter, systemWatch, TEST_ADMIN, TestSystem } from '@smart-regency/testing';

/** Fixed, so a failure here is the same requests on every run; `node scripts/fuzz.js --start --seed=20261206 --only=N` sends one again. */
const SEED = 20261206;
/** About 11 rounds of the 72 operations: every operation and every mutation, well inside a minute on two cores. */
const COUNT = 800;

/**
 * The short pass of the fuzzer CI runs (scripts/fuzz.js runs the long one, see bench/README.md):
 * mutated requests generated from the gateway's own /docs/openapi.json and the Open311 routes, sent
 * as admin, staff, citizen and nobody. Nothing a caller sends may be answered ≥ 500 or take a
 * process down.
 */
describe('fuzzing the gateway from its OpenAPI document', () => {
  let system: TestSystem;
  let result: FuzzResult;
  let report: string;

  beforeAll(async () => {
    // Sign-in is throttled per client address; the fuzzer is one address and must reach identity's own checks.
    system = await TestSystem.start({ gateway: { LOGIN_RATE_LIMIT_PER_MINUTE: '100000' } });
    const target = await prepareTarget({ baseUrl: system.gatewayUrl, admin: TEST_ADMIN });
    const progress = progressPrinter(process.stderr, 'fuzz (gateway e2e)');
    result = await new FuzzRun(target, {
      seed: SEED,
      count: COUNT,
      concurrency: 8,
      timeoutMs: 20_000,
      watch: systemWatch(system),
      // A process that goes down is started again so the rest of the pass still finds what it can.
      onCrash: 'restart',
      maxRestarts: 2,
      confirmCrashes: false,
      onProgress: progress.update,
    }).run();
    progress.end();
    report = formatReport(result, { reproduce: `node scripts/fuzz.js --start --seed=${SEED} --only={index}` });
  }, 240_000);

  afterAll(() => system?.stop());

  it('sent the whole pass', () => {
    expect(result.stoppedEarly).toBeUndefined();
    expect(result.sent).toBe(COUNT);
  });

  it('answers every request, and none with a status ≥ 500', () => {
    const verdict = result.findings.length ? report : 'every answer below 500';
    expect(verdict).toBe('every answer below 500');
  });

  it('keeps every process up', () => {
    const verdict = result.crashes.length || result.processes.some((p) => !p.up) ? report : 'every process up';
    expect(verdict).toBe('every process up');
    expect(result.processes.map((p) => p.name).sort()).toEqual(['complaints', 'gateway', 'identity', 'notifications', 'permits', 'reporting']);
  });
});
