#!/usr/bin/env node
/*
 * Fault matrix: the whole system on a PostgreSQL cluster and a nats-server of its own, citizens
 * filing complaints (and starting permit drafts) at a fixed rate, while one fault at a time is
 * injected and lifted: SIGKILL of complaints, SIGKILL of reporting, NATS stopped, PostgreSQL
 * restarted, PostgreSQL stopped. After each it checks what a citizen and an auditor would notice:
 * every write answered 201 is in its database, every event of a stored complaint reached
 * reporting exactly once, no answer was a 5xx other than 503 nor took longer than the gateway's
 * RPC timeout, and the first request after recovery succeeded. See bench/README.md, "Fault matrix".
 *
 *   node bench/faults.js [--faults=kill-complaints,kill-reporting,nats-stop,pg-restart,pg-stop]
 *                        [--rate=25] [--draft-rate=5] [--citizens=5] [--steady=5] [--outage=10]
 *                        [--after=10] [--restart-delay=1] [--rpc-timeout=5000] [--margin=1000]
 *                        [--settle-timeout=90] [--seed=1] [--out=bench/results]
 *
 * Needs a built tree (npx nx run-many -t build) and PostgreSQL 15's binaries (POSTGRES_BIN_DIR,
 * default /usr/lib/postgresql/15/bin) and nats-server (NATS_SERVER_BINARY); never touches the
 * machine's PostgreSQL or NATS. Exit code: 0 when every fault kept every property, 1 when one did
 * not or the run failed.
 */
'use strict';

const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');
const { performance } = require('perf_hooks');
const h = require('./lib/harness');

const API = '/api/v1';
const RECEIVED = 'complaints.complaint.received.v1';
const REPORTING_CONSUMER = 'reporting';
const TITLE = 'Uji gangguan nomor';
const DRAFT_ADDRESS = 'Jl. Uji Gangguan No.';
const CATEGORIES = ['roads-bridges', 'waste-environment', 'civil-registration', 'public-order', 'social-assistance', 'village-funds'];
const DISTRICTS = ['Kualuh Hulu', 'Kualuh Hilir', 'Kualuh Selatan', 'Kualuh Leidong', 'Aek Natas', 'Aek Kuo', 'Na IX-X', 'Marbau'];
const VISIBILITIES = ['public', 'public', 'public', 'anonymous', 'confidential'];

// ---------------------------------------------------------------------------------------------
// Options.
// ---------------------------------------------------------------------------------------------
const FAULTS = {
  'kill-complaints': 'SIGKILL of complaints, restarted',
  'kill-reporting': 'SIGKILL of reporting, restarted',
  'nats-stop': 'NATS stopped, then started',
  'pg-restart': 'PostgreSQL restarted (fast)',
  'pg-stop': 'PostgreSQL stopped, then started',
};

function parseArgs(argv) {
  const options = {
    faults: Object.keys(FAULTS),
    rate: 25,
    draftRate: 5,
    citizens: 5,
    steady: 5,
    outage: 10,
    after: 10,
    restartDelay: 1,
    rpcTimeout: 5000,
    margin: 1000,
    settleTimeout: 90,
    seed: 1,
    out: path.join(h.ROOT, 'bench', 'results'),
  };
  for (const arg of argv) {
    const [key, value] = arg.replace(/^--/, '').split('=');
    const camel = key.replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    if (!(camel in options)) throw new Error(`unknown option --${key}`);
    if (camel === 'faults') options.faults = value.split(',').filter(Boolean);
    else if (camel === 'out') options.out = path.resolve(value);
    else options[camel] = Number(value);
  }
  for (const f of options.faults) if (!FAULTS[f]) throw new Error(`unknown fault ${f}; one of ${Object.keys(FAULTS).join(', ')}`);
  const within = (name, value, min, max) => {
    if (!Number.isFinite(value) || value < min || value > max) throw new Error(`--${name} must be ${min}..${max}`);
  };
  within('rate', options.rate, 1, 500);
  within('draft-rate', options.draftRate, 0, 500);
  within('citizens', options.citizens, 1, 15);
  within('steady', options.steady, 1, 300);
  within('outage', options.outage, 1, 300);
  within('after', options.after, 1, 300);
  within('restart-delay', options.restartDelay, 0, 60);
  within('rpc-timeout', options.rpcTimeout, 500, 60000);
  within('margin', options.margin, 0, 10000);
  within('settle-timeout', options.settleTimeout, 5, 600);
  return options;
}

// ---------------------------------------------------------------------------------------------
// The client: open-loop requests at fixed rates, every answer recorded.
// ---------------------------------------------------------------------------------------------
const T0 = performance.now();
const now = () => performance.now() - T0;

/**
 * Starts `streams` (each `{ kind, rate, make(n) → { method, path, body, token, marker } }`) on
 * schedule whether or not earlier requests have answered; `stop()` stops sending, waits for what
 * is in flight and resolves every record: when it was sent, what came back, how long it took.
 */
function openLoop(gatewayUrl, streams, { clientTimeoutMs, phase }) {
  const base = new URL(gatewayUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1000 });
  const records = [];
  const running = new Set();
  let stopped = false;
  const started = performance.now();
  const send = (record, request) =>
    new Promise((resolve) => {
      const text = JSON.stringify(request.body);
      const req = http.request(
        {
          agent,
          host: base.hostname,
          port: base.port,
          method: request.method,
          path: request.path,
          headers: {
            authorization: `Bearer ${request.token}`,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(text),
            'x-request-id': record.requestId,
          },
        },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => {
            record.ms = h.round(now() - record.at, 1);
            record.status = res.statusCode;
            record.retryAfter = res.headers['retry-after'];
            try {
              const json = JSON.parse(Buffer.concat(chunks).toString());
              if (res.statusCode === 201) record.id = json.id;
              else record.code = json.code;
            } catch {
              record.code = 'not JSON';
            }
            resolve();
          });
          res.on('error', (error) => {
            record.error = error.message;
            resolve();
          });
        },
      );
      req.setTimeout(clientTimeoutMs, () => req.destroy(new Error(`no answer in ${clientTimeoutMs} ms`)));
      req.on('error', (error) => {
        if (record.status !== undefined) return;
        record.ms = h.round(now() - record.at, 1);
        record.status = 0;
        record.error = error.message;
        resolve();
      });
      req.end(text);
    });
  const loop = (async () => {
    const sent = streams.map(() => 0);
    while (!stopped) {
      const elapsed = (performance.now() - started) / 1000;
      streams.forEach((stream, i) => {
        for (const due = Math.floor(elapsed * stream.rate); sent[i] < due; sent[i]++) {
          const request = stream.make();
          const record = { kind: stream.kind, phase, n: request.n, marker: request.marker, requestId: `fault-${phase}-${stream.kind}-${request.n}`, at: h.round(now(), 1) };
          records.push(record);
          const task = send(record, request);
          running.add(task);
          task.finally(() => running.delete(task));
        }
      });
      await h.sleep(2);
    }
  })();
  return {
    records,
    inFlight: () => running.size,
    async stop() {
      stopped = true;
      await loop;
      await Promise.all(running);
      agent.destroy();
      return records;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Reading what was stored and published.
// ---------------------------------------------------------------------------------------------
async function query(url, text, values = []) {
  const { Client } = require('pg');
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return (await client.query(text, values)).rows;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Every message of `subject` in the stream: event id → how many copies. Read as reporting (the
 * NATS user that may replay the stream) through a push ordered consumer: its pull twin needs
 * `$JS.API.CONSUMER.MSG.NEXT` on a consumer of its own, which reporting's permissions do not give.
 */
async function streamCopies(nats, stream, subject) {
  const { connect, consumerOpts } = require('nats');
  const creds = nats.envFor(REPORTING_CONSUMER);
  const nc = await connect({ servers: creds.NATS_URL, user: creds.NATS_USER, pass: creds.NATS_PASSWORD, inboxPrefix: `_INBOX.${creds.NATS_USER}` });
  const copies = new Map();
  try {
    const jsm = await nc.jetstreamManager();
    const info = await jsm.streams.info(stream, { subjects_filter: subject });
    const total = info.state.subjects?.[subject] ?? 0;
    if (!total) return copies;
    const opts = consumerOpts();
    opts.orderedConsumer();
    opts.filterSubject(subject);
    const subscription = await nc.jetstream().subscribe(subject, opts);
    let seen = 0;
    let stalled;
    const watchdog = setInterval(() => {
      if (stalled === seen) subscription.unsubscribe();
      stalled = seen;
    }, 10000);
    try {
      for await (const m of subscription) {
        const id = m.headers?.get('Nats-Msg-Id') || m.json().id;
        copies.set(id, (copies.get(id) ?? 0) + 1);
        if (++seen >= total || m.info.pending === 0) break;
      }
    } finally {
      clearInterval(watchdog);
    }
    if (seen < total) throw new Error(`read ${seen} of the ${total} messages of ${subject}, then nothing for 10 s`);
    return copies;
  } finally {
    await nc.close();
  }
}

// ---------------------------------------------------------------------------------------------
// The run.
// ---------------------------------------------------------------------------------------------
let cleanupSteps = [];

async function cleanup() {
  const steps = cleanupSteps;
  cleanupSteps = [];
  for (const step of steps.reverse()) await step().catch((error) => console.error(`cleanup: ${error.message}`));
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  let testing;
  try {
    testing = require('@smart-regency/testing');
  } catch (error) {
    throw new Error(`cannot load @smart-regency/testing (${error.message}): build first (npx nx run-many -t build)`);
  }
  const { TestEnvironment, TestSystem, PrivatePostgres, PrivateNatsServer, busLayoutOf, makeNik, DOMAIN_SERVICES } = testing;
  const startedAt = new Date();
  const loadBefore = os.loadavg().map((x) => h.round(x));
  const busyBefore = await h.busyCores(1000);
  console.log(`fault matrix, ${startedAt.toISOString()}; load average ${loadBefore.join(', ')}; ${busyBefore} of ${os.cpus().length} cores busy before the start`);

  // 1. Servers of our own, and the system on them.
  const postgres = await PrivatePostgres.start();
  cleanupSteps.push(() => postgres.destroy());
  const env = new TestEnvironment();
  const nats = await PrivateNatsServer.start(busLayoutOf(env));
  cleanupSteps.push(() => nats.destroy());
  console.log(`own PostgreSQL on :${postgres.port}, own nats-server on :${nats.port} (the production NATS users and permissions), run ${env.runId}`);
  const databases = Object.fromEntries(DOMAIN_SERVICES.map((s) => [s, postgres.url(`${env.runId}_${s}`)]));
  const extra = {};
  for (const name of [...DOMAIN_SERVICES, 'gateway']) {
    extra[name] = { ...nats.envFor(name), ...h.UNLIMITED_CITIZEN, LOG_LEVEL: 'info', ...(databases[name] ? { DATABASE_URL: databases[name] } : {}) };
  }
  Object.assign(extra.gateway, { RPC_TIMEOUT_MS: String(options.rpcTimeout), LOGIN_RATE_LIMIT_PER_MINUTE: '100000' });
  const spawned = performance.now();
  const system = await TestSystem.start(extra, env);
  // Not system.stop(): its cleanup would look for this run's streams on the machine's NATS.
  cleanupSteps.push(() => Promise.all([...system.processes.values()].map((p) => p.stop())));
  // What every process and server printed, kept also when the run fails or is interrupted.
  fs.mkdirSync(options.out, { recursive: true });
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const logs = path.join(options.out, `faults-${stamp}-logs`);
  cleanupSteps.push(async () => {
    fs.mkdirSync(logs, { recursive: true });
    for (const proc of system.processes.values()) fs.writeFileSync(path.join(logs, `${proc.name}.log`), proc.output.join('\n'));
    fs.writeFileSync(path.join(logs, 'postgres.log'), postgres.log());
    fs.writeFileSync(path.join(logs, 'nats-server.log'), nats.output.join('\n'));
  });
  console.log(`system ready in ${Math.round(performance.now() - spawned)} ms; gateway RPC timeout ${options.rpcTimeout} ms`);
  const gatewayUrl = system.gatewayUrl;

  // 2. Citizens.
  const random = h.prng(options.seed);
  const pick = (list) => list[Math.floor(random() * list.length)];
  const citizens = [];
  for (let i = 0; i < options.citizens; i++) {
    const citizen = {
      nik: makeNik({ sequence: 4100 + i }),
      fullName: `Warga Uji ${i + 1}`,
      email: `warga-${i + 1}-${env.runId}@uji.example.id`.toLowerCase(),
      phone: `08127${String(4100 + i).padStart(7, '0')}`,
      password: `Sandi-Gangguan-${i + 1}-Labura`,
    };
    const res = await h.http('POST', `${gatewayUrl}${API}/auth/register`, { body: citizen });
    if (res.status !== 201) throw new Error(`registering a citizen answered ${res.status}: ${res.body.slice(0, 300)}`);
    citizens.push(citizen);
  }
  const signIn = async () => {
    for (const citizen of citizens) {
      const res = await h.http('POST', `${gatewayUrl}${API}/auth/login`, { body: { identifier: citizen.email, password: citizen.password } });
      if (res.status !== 200) throw new Error(`sign-in answered ${res.status}: ${res.body.slice(0, 300)}`);
      citizen.token = res.json.accessToken;
    }
  };
  await signIn();
  console.log(`${citizens.length} citizens signed in`);

  let n = 0;
  const filing = () => {
    n += 1;
    const lat = 2.3 + random() * 0.6;
    const lng = 99.4 + random() * 0.6;
    return {
      n,
      marker: `${TITLE} ${n}`,
      method: 'POST',
      path: `${API}/complaints`,
      token: pick(citizens).token,
      body: {
        categoryCode: pick(CATEGORIES),
        title: `${TITLE} ${n}`,
        description: `Pengaduan uji ke-${n} selama matriks gangguan; mohon diabaikan.`,
        location: { lat: h.round(lat, 5), lng: h.round(lng, 5), district: pick(DISTRICTS) },
        visibility: pick(VISIBILITIES),
      },
    };
  };
  const draft = () => {
    n += 1;
    return {
      n,
      marker: `${DRAFT_ADDRESS} ${n}`,
      method: 'POST',
      path: `${API}/permit-applications`,
      token: pick(citizens).token,
      body: { permitTypeCode: 'REKLAME', formData: { billboardType: 'Baliho', widthMeters: 4, heightMeters: 3, address: `${DRAFT_ADDRESS} ${n}` } },
    };
  };
  const streams = [{ kind: 'complaint', rate: options.rate, make: filing }, ...(options.draftRate > 0 ? [{ kind: 'draft', rate: options.draftRate, make: draft }] : [])];

  // 3. The faults, one after another.
  const restartAfterKill = (name) => async (marks) => {
    const proc = system.process(name);
    await proc.stop('SIGKILL');
    marks.note = `${name} exited`;
    await h.sleep(options.restartDelay * 1000);
    marks.liftedAt = now();
    await proc.start({ waitUntilLive: false });
  };
  const inject = {
    'kill-complaints': restartAfterKill('complaints'),
    'kill-reporting': restartAfterKill('reporting'),
    'nats-stop': async (marks) => {
      await nats.stop();
      await h.sleep(options.outage * 1000);
      marks.liftedAt = now();
      await nats.run();
    },
    'pg-restart': async (marks) => {
      await postgres.restart('fast');
      marks.liftedAt = now();
    },
    'pg-stop': async (marks) => {
      await postgres.stop('fast');
      await h.sleep(options.outage * 1000);
      marks.liftedAt = now();
      await postgres.run();
    },
  };

  const results = [];
  let tokensAt = Date.now();
  for (const fault of options.faults) {
    if (Date.now() - tokensAt > 10 * 60 * 1000) {
      await signIn();
      tokensAt = Date.now();
    }
    results.push(await runFault(fault));
  }

  async function runFault(fault) {
    const marks = { fault, startedAt: now() };
    let stage = 'steady';
    let ready = '?';
    const load = openLoop(gatewayUrl, streams, { clientTimeoutMs: Math.max(30000, options.rpcTimeout * 4), phase: fault });
    const status = () => {
      const done = load.records.filter((r) => r.status !== undefined);
      const count = (f) => done.filter(f).length;
      const elapsed = ((now() - marks.startedAt) / 1000).toFixed(0).padStart(3);
      return `[${fault}] ${elapsed} s ${stage.padEnd(10)} ready:${ready}  sent ${load.records.length}, in flight ${load.inFlight()}: 201 ${count((r) => r.status === 201)}, 503 ${count((r) => r.status === 503)}, other ${count((r) => r.status !== 201 && r.status !== 503)}`;
    };
    const stopStatus = h.statusLine(status);
    try {
      await h.sleep(options.steady * 1000);
      stage = 'fault';
      marks.injectedAt = now();
      await inject[fault](marks);
      // Recovered: the fault is lifted and the gateway's readiness answers 200 (NATS and all four
      // services, each with its database), polled every 100 ms.
      stage = 'recovering';
      const deadline = Date.now() + 120000;
      while (Date.now() < deadline) {
        const res = await h.http('GET', `${gatewayUrl}/health/ready`, { timeoutMs: 5000 }).catch(() => ({ status: 0 }));
        ready = String(res.status);
        if (res.status === 200) {
          marks.recoveredAt = now();
          break;
        }
        await h.sleep(100);
      }
      stage = 'after';
      await h.sleep(options.after * 1000);
      stage = 'draining';
      await load.stop();
      stage = 'settling';
      marks.settle = await settle(load.records);
    } finally {
      stopStatus();
    }
    return { fault, marks, records: load.records, checks: await check(load.records, marks) };
  }

  /** Waits until the outbox has published everything and reporting holds every stored complaint. */
  async function settle(records) {
    const began = now();
    const markers = records.filter((r) => r.kind === 'complaint').map((r) => r.marker);
    let last = {};
    while (now() - began < options.settleTimeout * 1000) {
      try {
        const stored = await query(databases.complaints, `SELECT id FROM complaints WHERE title = ANY($1)`, [markers]);
        const [{ pending }] = await query(databases.complaints, `SELECT count(*)::int AS pending FROM outbox WHERE sent_at IS NULL`);
        const [{ facts }] = await query(databases.reporting, `SELECT count(*)::int AS facts FROM complaint_facts WHERE complaint_id = ANY($1::uuid[])`, [stored.map((r) => r.id)]);
        last = { stored: stored.length, pending, facts };
        if (pending === 0 && facts === stored.length) return { seconds: h.round((now() - began) / 1000, 1), done: true, ...last };
      } catch (error) {
        last = { error: error.message };
      }
      await h.sleep(500);
    }
    return { seconds: options.settleTimeout, done: false, ...last };
  }

  async function check(records, marks) {
    const limit = options.rpcTimeout + options.margin;
    const complaints = records.filter((r) => r.kind === 'complaint');
    const drafts = records.filter((r) => r.kind === 'draft');
    // What each database holds of this fault's requests, by their unique title (or draft address).
    const storedComplaints = await query(databases.complaints, `SELECT id, title FROM complaints WHERE title = ANY($1)`, [complaints.map((r) => r.marker)]);
    const storedDrafts = await query(databases.permits, `SELECT id, form_data->>'address' AS marker FROM applications WHERE form_data->>'address' = ANY($1)`, [drafts.map((r) => r.marker)]);
    const byMarker = new Map();
    for (const row of [...storedComplaints.map((r) => ({ id: r.id, marker: r.title })), ...storedDrafts]) byMarker.set(row.marker, [...(byMarker.get(row.marker) ?? []), row.id]);
    const acknowledged = records.filter((r) => r.status === 201);
    const lostWrites = acknowledged.filter((r) => !(byMarker.get(r.marker) ?? []).includes(r.id));
    const duplicatedWrites = [...byMarker.values()].filter((ids) => ids.length > 1).length;
    const appliedUnacknowledged = records.filter((r) => r.status !== 201 && byMarker.has(r.marker));

    // Events of every stored complaint (acknowledged or not): outbox → stream → reporting, once each.
    const ids = storedComplaints.map((r) => r.id);
    const outbox = await query(databases.complaints, `SELECT id, record_id, sent_at FROM outbox WHERE type = $1 AND record_id = ANY($2)`, [RECEIVED, ids]);
    const outboxByRecord = new Map(outbox.map((o) => [o.record_id, o]));
    const copies = await streamCopies(nats, env.eventsStream, `${env.eventsPrefix}.${RECEIVED}`);
    const processed = new Set(
      (await query(databases.reporting, `SELECT event_id FROM processed_events WHERE consumer = $1 AND event_id = ANY($2::uuid[])`, [REPORTING_CONSUMER, outbox.map((o) => o.id)])).map((r) => r.event_id),
    );
    const facts = new Set((await query(databases.reporting, `SELECT complaint_id FROM complaint_facts WHERE complaint_id = ANY($1::uuid[])`, [ids])).map((r) => r.complaint_id));
    const events = {
      stored: ids.length,
      noOutboxRow: ids.filter((id) => !outboxByRecord.has(id)).length,
      unpublished: outbox.filter((o) => !o.sent_at).length,
      missingInStream: outbox.filter((o) => !copies.get(o.id)).length,
      duplicatedInStream: outbox.filter((o) => (copies.get(o.id) ?? 0) > 1).length,
      notProcessedByReporting: outbox.filter((o) => !processed.has(o.id)).length,
      noFact: ids.filter((id) => !facts.has(id)).length,
    };
    // Counted once in effect: the daily counters equal the facts, and the facts the complaints (whole run so far).
    const [{ total }] = await query(databases.complaints, `SELECT count(*)::int AS total FROM complaints`);
    const [{ counted }] = await query(databases.reporting, `SELECT coalesce(sum(received), 0)::int AS counted FROM complaint_daily`);
    const [{ factRows }] = await query(databases.reporting, `SELECT count(*)::int AS "factRows" FROM complaint_facts`);
    events.complaintsInDatabase = total;
    events.receivedInReports = counted;
    events.factsInReports = factRows;

    const statuses = {};
    for (const r of records) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    const unavailable = records.filter((r) => r.status === 503);
    const afterRecovery = marks.recoveredAt === undefined ? [] : records.filter((r) => r.at >= marks.recoveredAt).sort((a, b) => a.at - b.at);
    const firstAfter = afterRecovery[0];
    const deadProcesses = [...system.processes.values()].filter((p) => !p.running).map((p) => p.name);
    const result = {
      requests: records.length,
      byKind: { complaint: complaints.length, draft: drafts.length },
      statuses,
      created: acknowledged.length,
      unavailable: unavailable.length,
      other: records.filter((r) => r.status !== 201 && r.status !== 503),
      serverErrors: records.filter((r) => r.status >= 500 && r.status !== 503).length,
      clientErrors: records.filter((r) => r.status === 0).length,
      unavailableWithoutRetryAfter: unavailable.filter((r) => !r.retryAfter).length,
      latencyMs: h.distribution(records.map((r) => r.ms)),
      unavailableLatencyMs: h.distribution(unavailable.map((r) => r.ms)),
      longerThanLimit: records.filter((r) => r.ms > limit).length,
      limitMs: limit,
      injectedToRecoveredSeconds: marks.recoveredAt === undefined ? null : h.round((marks.recoveredAt - marks.injectedAt) / 1000, 2),
      liftedToRecoveredSeconds: marks.recoveredAt === undefined ? null : h.round((marks.recoveredAt - marks.liftedAt) / 1000, 2),
      firstAfterRecovery: firstAfter && { kind: firstAfter.kind, status: firstAfter.status, ms: firstAfter.ms, sentAfterRecoveryMs: h.round(firstAfter.at - marks.recoveredAt, 1), code: firstAfter.code },
      failedAfterRecovery: afterRecovery.filter((r) => r.status !== 201).map((r) => ({ kind: r.kind, status: r.status, code: r.code, sentAfterRecoveryMs: h.round(r.at - marks.recoveredAt, 1) })),
      lostWrites: lostWrites.length,
      duplicatedWrites,
      appliedUnacknowledged: appliedUnacknowledged.length,
      events,
      deadProcesses,
    };
    result.violations = [
      marks.recoveredAt === undefined && 'never recovered (readiness not 200 within 120 s of lifting the fault)',
      result.serverErrors && `${result.serverErrors} answers ≥ 500 other than 503`,
      result.clientErrors && `${result.clientErrors} requests without an answer (connection error or client timeout)`,
      result.longerThanLimit && `${result.longerThanLimit} answers took longer than ${limit} ms`,
      result.unavailableWithoutRetryAfter && `${result.unavailableWithoutRetryAfter} 503s without Retry-After`,
      firstAfter && firstAfter.status !== 201 && `the first request after recovery answered ${firstAfter.status} ${firstAfter.code ?? ''}`,
      result.lostWrites && `${result.lostWrites} acknowledged writes not in the database`,
      result.duplicatedWrites && `${result.duplicatedWrites} writes stored twice`,
      !marks.settle.done && `events not settled in ${options.settleTimeout} s (${JSON.stringify(marks.settle)})`,
      events.noOutboxRow && `${events.noOutboxRow} stored complaints without an outbox row`,
      events.unpublished && `${events.unpublished} events never published`,
      events.missingInStream && `${events.missingInStream} events missing from the stream`,
      events.duplicatedInStream && `${events.duplicatedInStream} events twice in the stream`,
      events.notProcessedByReporting && `${events.notProcessedByReporting} events not processed by reporting`,
      events.noFact && `${events.noFact} stored complaints missing from reporting`,
      (counted !== factRows || factRows !== total) && `reporting counts ${counted} received over ${factRows} facts for ${total} complaints`,
      deadProcesses.length && `processes not running: ${deadProcesses.join(', ')}`,
    ].filter(Boolean);
    return result;
  }

  // 4. Report.
  const fmtS = (x) => (x === null || x === undefined ? 'never' : `${x.toFixed(1)} s`);
  console.log('');
  console.log(`| fault | requests | 201 | 503 | other | max ms (503 max) | > ${options.rpcTimeout + options.margin} ms | ready after (from lift) | first after recovery | lost writes | 503 but stored | events missing / twice (stream, reporting) | verdict |`);
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const { fault, checks: c } of results) {
    const other = Object.entries(c.statuses).filter(([s]) => s !== '201' && s !== '503').map(([s, k]) => `${k}×${s}`).join(', ') || '0';
    const e = c.events;
    const first = c.firstAfterRecovery ? `${c.firstAfterRecovery.status} in ${Math.round(c.firstAfterRecovery.ms)} ms` : '—';
    console.log(
      `| ${FAULTS[fault]} | ${c.requests} | ${c.created} | ${c.unavailable} | ${other} | ${Math.round(c.latencyMs.max ?? 0)} (${Math.round(c.unavailableLatencyMs.max ?? 0)}) | ${c.longerThanLimit} | ` +
        `${fmtS(c.injectedToRecoveredSeconds)} (${fmtS(c.liftedToRecoveredSeconds)}) | ${first} | ${c.lostWrites} | ${c.appliedUnacknowledged} | ` +
        `${e.missingInStream + e.notProcessedByReporting + e.noFact} / ${e.duplicatedInStream} (of ${e.stored}) | ${c.violations.length ? 'FAIL' : 'PASS'} |`,
    );
  }
  console.log('');
  for (const { fault, marks, checks: c } of results) {
    console.log(
      `${fault}: p50 ${c.latencyMs.p50} ms, p99 ${c.latencyMs.p99} ms; events settled in ${marks.settle.seconds} s; reporting counts ${c.events.receivedInReports} received, ${c.events.factsInReports} facts, ${c.events.complaintsInDatabase} complaints stored`,
    );
    if (c.other.length) console.log(`  other answers: ${c.other.slice(0, 5).map((r) => `${r.kind} ${r.status} ${r.code ?? r.error ?? ''} after ${r.ms} ms`).join('; ')}${c.other.length > 5 ? ` … (${c.other.length})` : ''}`);
    if (c.failedAfterRecovery.length) console.log(`  failed after recovery: ${JSON.stringify(c.failedAfterRecovery.slice(0, 5))}`);
    for (const v of c.violations) console.log(`  FAIL: ${v}`);
  }
  const failed = results.filter((r) => r.checks.violations.length);
  const loadAfter = os.loadavg().map((x) => h.round(x));
  console.log(`\nload average after: ${loadAfter.join(', ')}`);

  const file = path.join(options.out, `faults-${stamp}.json`);
  fs.writeFileSync(
    file,
    JSON.stringify({ startedAt, options, tree: h.treeInfo(), machine: h.machineInfo(), loadBefore, busyBefore, loadAfter, results }, null, 1),
  );
  console.log(`results: ${path.relative(process.cwd(), file)}; process logs: ${path.relative(process.cwd(), logs)}`);
  return failed.length ? 1 : 0;
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping the system and the servers of this run`);
    cleanup().finally(() => process.exit(1));
  });
}

main()
  .then(async (code) => {
    await cleanup();
    process.exit(code);
  })
  .catch(async (error) => {
    console.error(error.stack ?? error);
    await cleanup();
    process.exit(1);
  });
