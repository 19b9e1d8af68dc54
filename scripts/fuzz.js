#!/usr/bin/env node
'use strict';
/*
 * Fuzzes the gateway from its own OpenAPI document (GET /docs/openapi.json) plus the Open311 routes:
 * valid-ish requests per operation, each spoilt by one mutation (wrong types, missing and extra
 * fields, nulls, huge strings and numbers, deep and wide bodies, bad JSON and encodings, NUL bytes,
 * lone surrogates and odd bytes in path, query and body, extreme dates, long URLs, bad tokens), sent
 * as admin, staff, citizen or nobody. Fails on any answer ≥ 500, no answer, or a process down.
 *
 *   npx nx run-many -t build
 *   node scripts/fuzz.js --start [--count=10000] [--seed=N] [--concurrency=8]      # a fresh system of its own
 *   node scripts/fuzz.js --url=http://localhost:3000 [--admin=EMAIL:PASSWORD] [--health=URL,…]
 *
 * Options: --only=N,M (send just these request numbers: the same requests a full run with the seed
 * sends), --timeout=MS (per request, default 30000), --on-crash=restart|stop (default: restart with
 * --start, stop with --url), --no-confirm (do not replay the suspects of a crash one by one),
 * --out=DIR (JSON results, default bench/results), --log-level=info (the started processes').
 * Exit code: 0 clean, 1 an answer ≥ 500 or none or a process went down, 2 the run could not start.
 */
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const DEV_ADMIN = { email: 'admin@labura.go.id', password: 'ganti-segera-2026' };

function parseArgs(argv) {
  const o = { start: false, url: undefined, count: 10000, seed: undefined, concurrency: 8, only: undefined, timeout: 30000, onCrash: undefined, confirm: true, out: path.join(ROOT, 'bench', 'results'), logLevel: 'info', health: undefined, admin: undefined };
  const int = (key, value, min, max) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${key} must be an integer in ${min}..${max}`);
    return n;
  };
  for (const arg of argv) {
    const eq = arg.indexOf('=');
    const key = arg.replace(/^--/, '').split('=')[0];
    const value = eq > 0 ? arg.slice(eq + 1) : undefined;
    if (key === 'start') o.start = true;
    else if (key === 'url') o.url = value.replace(/\/$/, '');
    else if (key === 'count') o.count = int(key, value, 1, 10_000_000);
    else if (key === 'seed') o.seed = value;
    else if (key === 'concurrency') o.concurrency = int(key, value, 1, 256);
    else if (key === 'only') o.only = value.split(',').map((v) => int(key, v, 0, 1e9));
    else if (key === 'timeout') o.timeout = int(key, value, 100, 600_000);
    else if (key === 'on-crash') {
      if (!['restart', 'stop'].includes(value)) throw new Error('--on-crash is restart or stop');
      o.onCrash = value;
    } else if (key === 'no-confirm') o.confirm = false;
    else if (key === 'out') o.out = path.resolve(value);
    else if (key === 'log-level') o.logLevel = value;
    else if (key === 'health') o.health = value.split(',').filter(Boolean);
    else if (key === 'admin') {
      const at = value.indexOf(':');
      o.admin = { email: value.slice(0, at), password: value.slice(at + 1) };
    } else if (key === 'help' || key === 'h') {
      console.log(fs.readFileSync(__filename, 'utf8').split('*/')[0].replace(/^[\s\S]*?\/\*/, '').replace(/^ \* ?/gm, ''));
      process.exit(0);
    } else throw new Error(`unknown option ${arg} (see --help)`);
  }
  if (!o.start && !o.url) o.start = true;
  if (o.start && o.url) throw new Error('--start and --url exclude each other');
  o.onCrash ??= o.start ? 'restart' : 'stop';
  return o;
}

let system;
async function cleanup() {
  const s = system;
  system = undefined;
  if (s) await s.stop().catch((error) => console.error(`cleanup incomplete (run ${s.env.runId}): ${error.message}`));
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(path.join(ROOT, 'libs', 'testing', 'dist', 'fuzz', 'index.js'))) throw new Error('libs/testing/dist/fuzz is missing: build first (npx nx run-many -t build)');
  const t = require('@smart-regency/testing');
  const seed = t.seedOf(o.seed ?? String(Date.now() % 1_000_000));
  const log = (line) => console.error(`fuzz: ${line}`);

  let baseUrl;
  let watch;
  let admin = o.admin ?? { email: process.env.FUZZ_ADMIN_EMAIL ?? DEV_ADMIN.email, password: process.env.FUZZ_ADMIN_PASSWORD ?? DEV_ADMIN.password };
  const started = Date.now();
  if (o.start) {
    log('starting a test system (six processes, fresh databases, a NATS prefix of its own)');
    // Sign-in is throttled per client address; the fuzzer is one address and must reach identity's own checks.
    const env = {
      gateway: { LOG_LEVEL: o.logLevel, LOGIN_RATE_LIMIT_PER_MINUTE: '100000' },
      identity: { LOG_LEVEL: o.logLevel },
      permits: { LOG_LEVEL: o.logLevel },
      complaints: { LOG_LEVEL: o.logLevel },
      reporting: { LOG_LEVEL: o.logLevel },
    };
    // On a busy shared machine a start can miss its 30 s; one more try before giving up.
    system = await t.TestSystem.start(env).catch((error) => {
      log(`the system did not start (${error.message.split('\n')[0]}); trying once more`);
      return t.TestSystem.start(env);
    });
    baseUrl = system.gatewayUrl;
    admin = t.TEST_ADMIN;
    watch = t.systemWatch(system);
    log(`system ready at ${baseUrl} in ${((Date.now() - started) / 1000).toFixed(1)} s (run ${system.env.runId})`);
  } else {
    baseUrl = o.url;
    const urls = o.health ?? [`${baseUrl}/health/live`];
    watch = t.urlWatch(Object.fromEntries(urls.map((u) => [new URL(u).host, u])));
  }

  const target = await t.prepareTarget({ baseUrl, admin, log });
  const bar = t.progressPrinter(process.stderr);
  const runner = new t.FuzzRun(target, {
    seed,
    count: o.count,
    concurrency: o.concurrency,
    only: o.only,
    timeoutMs: o.timeout,
    watch,
    onCrash: o.onCrash,
    confirmCrashes: o.confirm,
    onProgress: bar.update,
  });
  log(`seed ${seed}; ${target.operations.length} operations; every (operation, mutation) pair is sent once by request ${runner.fullCoverage.toLocaleString('en-US')}`);
  // Access tokens live 15 minutes.
  const renew = setInterval(() => target.renew().catch(() => undefined), 10 * 60_000);
  let result;
  try {
    result = await runner.run();
  } finally {
    clearInterval(renew);
    bar.end();
  }
  const reproduce = `node scripts/fuzz.js ${o.start ? '--start' : `--url=${baseUrl}`} --seed=${seed} --only={index}`;
  console.log(t.formatReport(result, { baseUrl, reproduce }));

  fs.mkdirSync(o.out, { recursive: true });
  const file = path.join(o.out, `fuzz-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const plain = (e) => e && { ...e, body: e.body ? t.bodyExcerpt(e.body, 2000) : undefined };
  fs.writeFileSync(
    file,
    JSON.stringify(
      {
        ...result,
        target: baseUrl,
        options: { ...o, seed },
        findings: result.findings.map((f) => ({ ...f, example: plain(f.example) })),
        crashes: result.crashes.map((c) => ({ ...c, culprit: plain(c.culprit), suspects: c.suspects.map(plain) })),
      },
      null,
      2,
    ),
  );
  console.log(`results: ${path.relative(process.cwd(), file)}`);
  return result.ok ? 0 : 1;
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    console.error(`\nfuzz: ${signal}, stopping`);
    cleanup().finally(() => process.exit(130));
  });
}

main()
  .then(async (code) => {
    await cleanup();
    process.exit(code);
  })
  .catch(async (error) => {
    console.error(`fuzz: ${error.stack ?? error}`);
    await cleanup();
    process.exit(2);
  });
