#!/usr/bin/env node
/*
 * Reporting benchmark (bench/README.md, section "reporting.js"), three parts:
 *
 *   reads     read models of --complaints complaints and --permits applications seeded directly
 *             into reporting's tables (facts, and the daily aggregates computed from them by the
 *             service's own contribution functions); every report route through the gateway,
 *             JSON, CSV and SVG, p50/p95/p99 over --requests requests at --concurrency.
 *   consumer  --consumer-records complaints and as many applications, --events-per-record events
 *             each, published to JetStream first; then reporting starts and its consumer's
 *             catch-up rate (events/s) is timed until the stream is acknowledged to the end.
 *   rebuild   --rebuild-records records (half complaints, half applications), 2 events each,
 *             published; then `node services/reporting/dist/rebuild.js` (the rebuild command)
 *             replays them into fresh tables and swaps them in; its wall time is recorded.
 *
 *   flock /tmp/smart-regency-bench.lock node bench/reporting.js [--parts=reads,consumer,rebuild]
 *        [--complaints=1000000] [--permits=1000000] [--days=730] [--requests=300] [--concurrency=1]
 *        [--consumer-records=50000] [--events-per-record=4] [--rebuild-records=2000000] [--out=bench/results]
 *
 * Needs a built tree (npx nx run-many -t build), PostgreSQL and NATS on 127.0.0.1.
 */
'use strict';

const path = require('path');
const { randomUUID } = require('crypto');
const { execFileSync } = require('child_process');
const { performance } = require('perf_hooks');
const h = require('./lib/harness');

const API = '/api/v1';
const GOAL_P95_MS = 50;
const GOAL_EVENTS_PER_S = 2000;

function parseArgs(argv) {
  const o = {
    parts: 'reads,consumer,rebuild',
    complaints: 1_000_000,
    permits: 1_000_000,
    days: 730,
    requests: 300,
    concurrency: 1,
    consumerRecords: 50_000,
    eventsPerRecord: 4,
    rebuildRecords: 2_000_000,
    out: path.join(h.ROOT, 'bench', 'results'),
  };
  for (const arg of argv) {
    const [k, v] = arg.replace(/^--/, '').split('=');
    const key = k.replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    if (!(key in o)) throw new Error(`unknown option --${k}`);
    o[key] = typeof o[key] === 'number' ? Number(v) : v;
  }
  o.parts = o.parts.split(',');
  return o;
}

const HOUR = 3600_000;
const uptime = () => execFileSync('uptime').toString().trim();
const pick = (r, list) => list[Math.floor(r() * list.length)];

// ---------------------------------------------------------------------------------------------
// Facts as the projection would have built them.
// ---------------------------------------------------------------------------------------------
function complaintFact(r, id, agencies, start, days) {
  const receivedAt = start + Math.floor(r() * days * 24 * HOUR);
  const u = r();
  const f = {
    complaintId: id,
    agencyId: pick(r, agencies),
    categoryCode: pick(r, ['roads-bridges', 'waste-environment', 'health', 'education', 'other']),
    visibility: pick(r, ['public', 'public', 'anonymous', 'confidential']),
    status: 'received',
    statusAt: receivedAt,
    receivedAt,
    dueAt: receivedAt + 72 * HOUR,
    finalDueAt: receivedAt + 60 * 24 * HOUR,
    verifiedAt: null,
    dispositionedAt: null,
    resolvedAt: null,
    rejectedAt: null,
    closedAt: null,
    deadlineMissed: r() < 0.15,
    rating: null,
    ratedAt: null,
  };
  if (u < 0.05) return f;
  f.verifiedAt = receivedAt + Math.floor(r() * 72 * HOUR);
  if (u < 0.1) return Object.assign(f, { status: 'rejected', rejectedAt: f.verifiedAt, statusAt: f.verifiedAt });
  f.dispositionedAt = f.verifiedAt + HOUR;
  f.resolvedAt = f.dispositionedAt + Math.floor(-Math.log(1 - r()) * 96 * HOUR);
  f.status = 'resolved';
  f.statusAt = f.resolvedAt;
  if (u < 0.7) Object.assign(f, { status: 'closed', closedAt: f.resolvedAt + 48 * HOUR, statusAt: f.resolvedAt + 48 * HOUR });
  if (r() < 0.4) Object.assign(f, { rating: 1 + Math.floor(r() * 5), ratedAt: f.resolvedAt + 24 * HOUR });
  return f;
}

function permitFact(r, id, agencies, start, days) {
  const submittedAt = start + Math.floor(r() * days * 24 * HOUR);
  const u = r();
  const f = {
    applicationId: id,
    agencyId: pick(r, agencies),
    issuingAgencyId: agencies[0],
    permitTypeCode: pick(r, ['PBG', 'SIUP', 'SIP', 'TDUP']),
    status: 'submitted',
    statusAt: submittedAt,
    submittedAt,
    dueAt: submittedAt + 7 * 24 * HOUR,
    decidedAt: null,
    decision: null,
    issuedAt: null,
    withdrawnAt: null,
    endedAt: null,
    deadlineMissed: false,
  };
  if (u < 0.05) return f;
  if (u < 0.08) return Object.assign(f, { status: 'withdrawn', withdrawnAt: submittedAt + 24 * HOUR, statusAt: submittedAt + 24 * HOUR });
  f.decidedAt = submittedAt + Math.floor(-Math.log(1 - r()) * 120 * HOUR);
  f.deadlineMissed = f.decidedAt > f.dueAt;
  f.statusAt = f.decidedAt;
  if (u < 0.18) return Object.assign(f, { status: 'rejected', decision: 'rejected' });
  f.decision = 'approved';
  f.status = 'issued';
  f.issuedAt = f.decidedAt + 24 * HOUR;
  f.statusAt = f.issuedAt;
  return f;
}

const snake = (k) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
function rowOf(fact) {
  const row = {};
  for (const [k, v] of Object.entries(fact)) row[snake(k)] = typeof v === 'number' && /At$/.test(k) ? new Date(v).toISOString() : v;
  return row;
}

async function insertJson(pool, sql, rows) {
  await pool.query(sql, [JSON.stringify(rows)]);
}

/** Seeds facts and aggregates; the aggregates come from the service's own contribution functions. */
async function seed(pool, facts, options, agencies) {
  const start = Date.parse('2025-01-01T00:00:00+07:00');
  const kinds = [
    { name: 'complaints', n: options.complaints, table: 'complaint_facts', daily: 'complaint_daily', make: complaintFact, contribute: facts.complaintContribution, counters: facts.COMPLAINT_COUNTERS },
    { name: 'permits', n: options.permits, table: 'permit_facts', daily: 'permit_daily', make: permitFact, contribute: facts.permitContribution, counters: facts.PERMIT_COUNTERS },
  ];
  const columnsOf = {
    complaint_facts:
      'complaint_id uuid, agency_id uuid, category_code varchar, visibility varchar, status varchar, status_at timestamptz, received_at timestamptz, due_at timestamptz, final_due_at timestamptz, verified_at timestamptz, dispositioned_at timestamptz, resolved_at timestamptz, rejected_at timestamptz, closed_at timestamptz, deadline_missed boolean, rating smallint, rated_at timestamptz',
    permit_facts:
      'application_id uuid, agency_id uuid, issuing_agency_id uuid, permit_type_code varchar, status varchar, status_at timestamptz, submitted_at timestamptz, due_at timestamptz, decided_at timestamptz, decision varchar, issued_at timestamptz, withdrawn_at timestamptz, ended_at timestamptz, deadline_missed boolean',
  };
  const timings = {};
  for (const kind of kinds) {
    const t0 = performance.now();
    const r = h.prng(kind.name === 'complaints' ? 1 : 2);
    const deltas = new Map();
    const bar = h.progressBar(`seed ${kind.name}`, kind.n);
    const names = columnsOf[kind.table]
      .split(', ')
      .map((c) => c.split(' ')[0])
      .join(', ');
    for (let done = 0; done < kind.n; ) {
      const batch = [];
      for (let i = 0; i < 20000 && done < kind.n; i++, done++) {
        const fact = kind.make(r, randomUUID(), agencies, start, options.days);
        kind.contribute(fact, 1, deltas);
        batch.push(rowOf(fact));
      }
      await insertJson(pool, `INSERT INTO ${kind.table} (${names}) SELECT ${names} FROM jsonb_to_recordset($1::jsonb) AS x(${columnsOf[kind.table]})`, batch);
      bar.update(done);
    }
    bar.end();
    const rows = [...deltas.entries()].map(([key, counts]) => {
      const [day, agency_id] = key.split('|');
      return { day, agency_id, ...counts };
    });
    for (let i = 0; i < rows.length; i += 2000) {
      await insertJson(
        pool,
        `INSERT INTO ${kind.daily} (day, agency_id, ${kind.counters.join(', ')})
         SELECT day, agency_id, ${kind.counters.map((c) => `coalesce(${c}, 0)`).join(', ')} FROM jsonb_to_recordset($1::jsonb) AS x(day date, agency_id uuid, ${kind.counters.map((c) => `${c} bigint`).join(', ')})`,
        rows.slice(i, i + 2000),
      );
    }
    timings[kind.name] = { facts: kind.n, dailyRows: rows.length, seconds: h.round((performance.now() - t0) / 1000, 1) };
  }
  // The live consumer may have read identity's events already; the seeded models are as of now.
  await pool.query(`UPDATE projection_state SET last_event_time = now() WHERE name = 'events'`);
  await pool.query('VACUUM ANALYZE complaint_facts, permit_facts, complaint_daily, permit_daily');
  return timings;
}

/** p50/p95/p99 of `count` GETs at `concurrency`, after a warm-up; fails on any non-200. */
async function measure(url, token, accept, { requests, concurrency }) {
  const one = async () => {
    const t = performance.now();
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept } });
    const body = await res.text();
    if (res.status !== 200) throw new Error(`${url} answered ${res.status}: ${body.slice(0, 300)}`);
    return performance.now() - t;
  };
  for (let i = 0; i < 10; i++) await one();
  const times = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < requests) times.push(await one());
    }),
  );
  times.sort((a, b) => a - b);
  const at = (q) => h.round(times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)], 1);
  return { requests: times.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: at(1) };
}

// ---------------------------------------------------------------------------------------------
// Events as the services publish them.
// ---------------------------------------------------------------------------------------------
const envelope = (type, subject, time, data) => ({
  specversion: '1.0',
  id: randomUUID(),
  source: `/regency/${type.split('.')[0]}`,
  type,
  subject,
  time: new Date(time).toISOString(),
  datacontenttype: 'application/json',
  data,
});

/** The events of one complaint (kind 0) or application (kind 1), `perRecord` of them (2..6). */
function recordEvents(r, kind, agencies, start, days, perRecord) {
  const id = randomUUID();
  const agencyId = pick(r, agencies);
  const t0 = start + Math.floor(r() * days * 24 * HOUR);
  const iso = (t) => new Date(t).toISOString();
  const events = [];
  if (kind === 0) {
    events.push(
      envelope('complaints.complaint.received.v1', id, t0, {
        complaintId: id,
        trackingNumber: `LPR-${id.slice(0, 8)}`,
        categoryCode: 'roads-bridges',
        agencyId,
        visibility: 'public',
        location: { lat: 2.5, lng: 99.6, district: 'Aek Kuo' },
        dueAt: iso(t0 + 72 * HOUR),
        finalDueAt: iso(t0 + 1440 * HOUR),
      }),
    );
    const steps = [
      ['verify', 'received', 'verified', 72],
      ['dispose', 'verified', 'dispositioned', 72],
      ['start', 'dispositioned', 'in_progress', 120],
      ['resolve', 'in_progress', 'resolved', 120],
      ['confirm', 'resolved', 'closed', 240],
    ];
    let t = t0;
    for (const [action, from, to, stageHours] of steps.slice(0, perRecord - 1)) {
      const stageDue = t + stageHours * HOUR;
      t += Math.floor(r() * 100 * HOUR);
      events.push(
        envelope('complaints.complaint.status_changed.v1', id, t, {
          complaintId: id,
          fromStatus: from,
          toStatus: to,
          action,
          agencyId,
          at: iso(t),
          categoryCode: 'roads-bridges',
          visibility: 'public',
          stageDueAt: iso(stageDue),
          dueAt: iso(t + 120 * HOUR),
        }),
      );
    }
  } else {
    const dueAt = iso(t0 + 168 * HOUR);
    const base = { applicationId: id, permitTypeCode: 'PBG', agencyId, issuingAgencyId: agencies[0], dueAt };
    events.push(envelope('permits.application.submitted.v1', id, t0, { applicationId: id, number: `PRM-${id.slice(0, 8)}`, permitTypeCode: 'PBG', agencyId, dueAt, issuingAgencyId: agencies[0] }));
    const steps = [
      ['submit', 'draft', 'submitted'],
      ['verify', 'submitted', 'verified'],
      ['recommend', 'verified', 'recommended'],
      ['approve', 'recommended', 'approved'],
      ['issue', 'approved', 'issued'],
    ];
    let t = t0;
    for (const [action, from, to] of steps.slice(0, perRecord - 1)) {
      if (action !== 'submit') t += Math.floor(r() * 60 * HOUR);
      events.push(envelope('permits.application.status_changed.v1', id, t, { ...base, fromStatus: from, toStatus: to, action, actorRole: 'officer', at: iso(t) }));
    }
  }
  return events;
}

/** Publishes `records` records' events (half complaints, half applications), `inFlight` at a time. */
async function publishEvents(js, subjectPrefix, records, perRecord, agencies, label) {
  const r = h.prng(3);
  const start = Date.parse('2025-01-01T00:00:00+07:00');
  const bar = h.progressBar(label, records, 'records');
  const t0 = performance.now();
  let events = 0;
  const inFlight = new Set();
  for (let i = 0; i < records; i++) {
    // A record's events go one after another, as the relay publishes them.
    const chain = (async () => {
      for (const e of recordEvents(r, i % 2, agencies, start, 730, perRecord)) {
        await js.publish(`${subjectPrefix}.${e.type}`, JSON.stringify(e), { msgID: e.id });
        events++;
      }
    })();
    inFlight.add(chain);
    chain.finally(() => inFlight.delete(chain));
    if (inFlight.size >= 100) await Promise.race(inFlight);
    if (i % 5000 === 0) bar.update(i);
  }
  await Promise.all(inFlight);
  bar.update(records);
  bar.end();
  const seconds = (performance.now() - t0) / 1000;
  return { records, events, seconds: h.round(seconds, 1), eventsPerSecond: Math.round(events / seconds) };
}

// ---------------------------------------------------------------------------------------------
// Parts.
// ---------------------------------------------------------------------------------------------
async function startSystem(testing, environment, names, extra = {}) {
  const system = {};
  for (const name of names) {
    const port = await testing.freePort();
    system[name] = { port, proc: h.startChild(name, [testing.entrypoint(name)], environment.serviceEnv(name, { LOG_LEVEL: 'warn', PORT: String(port), ...(extra[name] ?? {}) })) };
  }
  return system;
}

async function reads(testing, options) {
  const { Pool } = require('pg');
  const facts = require(path.join(h.ROOT, 'services/reporting/dist/projection/facts.js'));
  const environment = new testing.TestEnvironment();
  const system = await startSystem(testing, environment, ['identity', 'reporting', 'gateway'], { gateway: { LOGIN_RATE_LIMIT_PER_MINUTE: '100000' } });
  const procs = Object.values(system).map((s) => s.proc);
  try {
    const gw = `http://127.0.0.1:${system.gateway.port}`;
    let token;
    const login = async (identifier, password) => (await h.http('POST', `${gw}${API}/auth/login`, { body: { identifier, password } })).json?.accessToken;
    await h.waitUntil('the admin to sign in', async () => (token = await login(testing.TEST_ADMIN.email, testing.TEST_ADMIN.password)), 60000, 250, procs);
    const agencies = (await h.http('GET', `${gw}${API}/agencies?pageSize=100`, { token })).json.items;
    const head = { email: 'kadis.bench@pemda.labura.go.id', password: 'Sandi-Bench-Kadis-1' };
    const headAgency = agencies[1];
    const created = await h.http('POST', `${gw}${API}/users`, { token, body: { email: head.email, fullName: 'Kadis Bench', roles: ['agency_head'], agencyId: headAgency.id, password: head.password } });
    if (created.status !== 201) throw new Error(`creating the agency head answered ${created.status}: ${created.body}`);
    const headToken = await login(head.email, head.password);
    await h.waitUntil('reporting to have migrated', async () => (await h.http('GET', `${gw}/health/ready`)).status !== 0, 30000, 250, procs);

    const pool = new Pool({ connectionString: environment.databaseUrl('reporting'), max: 4 });
    const loadBefore = uptime();
    const seeded = await seed(
      pool,
      facts,
      options,
      agencies.map((a) => a.id),
    );
    const sizes = (await pool.query(`SELECT relname, pg_size_pretty(pg_total_relation_size(oid)) AS size FROM pg_class WHERE relname IN ('complaint_facts', 'permit_facts', 'complaint_daily', 'permit_daily')`)).rows;
    await pool.end();
    console.log(`seeded ${JSON.stringify(seeded)} ${JSON.stringify(sizes)}`);

    const routes = [
      ['summary, all time', '/reports/summary'],
      ['summary, one month', '/reports/summary?from=2026-06-01&to=2026-06-30'],
      ['summary, one week (exact medians)', '/reports/summary?from=2026-06-01&to=2026-06-07'],
      ['summary, one year, one agency', `/reports/summary?from=2025-07-01&to=2026-06-30&agencyId=${agencies[3].id}`],
      ['summary, agency head (own agency, all time)', '/reports/summary', headToken],
      ['summary CSV, one year', '/reports/summary?from=2025-07-01&to=2026-06-30', token, 'text/csv'],
      ['agencies, all time', '/reports/agencies'],
      ['agencies, one month', '/reports/agencies?from=2026-06-01&to=2026-06-30'],
      ['agencies CSV, one year', '/reports/agencies?from=2025-07-01&to=2026-06-30', token, 'text/csv'],
      ['timeseries day, 90 days', '/reports/timeseries?metric=complaints.received&interval=day&from=2026-04-01&to=2026-06-29'],
      ['timeseries week, 2 years, SLA %', '/reports/timeseries?metric=permits.slaCompliancePct&interval=week&from=2025-01-01&to=2026-12-31'],
      ['timeseries month, 2 years, one agency', `/reports/timeseries?metric=permits.issued&interval=month&from=2025-01-01&to=2026-12-31&agencyId=${agencies[3].id}`],
      ['timeseries day 2 years CSV', '/reports/timeseries?metric=complaints.resolved&interval=day&from=2025-01-01&to=2026-12-31', token, 'text/csv'],
      ['timeseries week SVG, 1 year', '/reports/timeseries?metric=complaints.received&interval=week&from=2025-07-01&to=2026-06-30', token, 'image/svg+xml'],
      ['timeseries day SVG, 2 years (line)', '/reports/timeseries?metric=complaints.received&interval=day&from=2025-01-01&to=2026-12-31', token, 'image/svg+xml'],
      ['public summary', '/public/reports/summary'],
      ['public summary CSV', '/public/reports/summary', token, 'text/csv'],
    ];
    const results = [];
    for (const [name, route, who = token, accept = 'application/json'] of routes) {
      const m = await measure(`${gw}${API}${route}`, who, accept, options);
      results.push({ name, route, accept, ...m, goalMet: m.p95 <= GOAL_P95_MS });
      console.log(`${name.padEnd(44)} p50 ${String(m.p50).padStart(6)} ms  p95 ${String(m.p95).padStart(6)} ms  p99 ${String(m.p99).padStart(6)} ms`);
    }
    return { seeded, sizes, loadBefore, loadAfter: uptime(), concurrency: options.concurrency, results };
  } finally {
    for (const p of procs) await h.stopChild(p);
    await environment.cleanup();
  }
}

async function consumer(testing, options) {
  const { connect } = require('nats');
  const environment = new testing.TestEnvironment();
  const nc = await connect({ servers: testing.TEST_NATS_URL });
  const procs = [];
  try {
    // The streams exist once a service has started; identity creates them (and publishes nothing).
    const sys = await startSystem(testing, environment, ['identity']);
    procs.push(sys.identity.proc);
    const jsm = await nc.jetstreamManager();
    await h.waitUntil('the events stream', async () => !!(await jsm.streams.info(environment.eventsStream).catch(() => null)), 30000, 200, procs);
    const agencies = Array.from({ length: 11 }, () => randomUUID());
    const published = await publishEvents(nc.jetstream(), environment.eventsPrefix, options.consumerRecords * 2, options.eventsPerRecord, agencies, 'publish');
    const last = (await jsm.streams.info(environment.eventsStream)).state.last_seq;
    const loadBefore = uptime();
    const t0 = performance.now();
    const rep = await startSystem(testing, environment, ['reporting']);
    procs.push(rep.reporting.proc);
    const samples = [];
    await h.waitUntil(
      'the consumer to catch up',
      async () => {
        const info = await jsm.consumers.info(environment.eventsStream, 'reporting').catch(() => null);
        if (info) samples.push([h.round((performance.now() - t0) / 1000, 1), info.ack_floor.stream_seq]);
        return info && info.ack_floor.stream_seq >= last;
      },
      1_800_000,
      500,
      procs,
    );
    const seconds = (performance.now() - t0) / 1000;
    // Throughput from the first acknowledgement on, so the service's start-up is not counted.
    const firstAck = samples.find(([, seq]) => seq > 0) ?? [0, 0];
    const steady = last / (seconds - firstAck[0]);
    const { Client } = require('pg');
    const db = new Client({ connectionString: environment.databaseUrl('reporting') });
    await db.connect();
    const counts = (await db.query(`SELECT (SELECT count(*) FROM complaint_facts) AS complaints, (SELECT count(*) FROM permit_facts) AS permits, (SELECT sum(received) FROM complaint_daily) AS received, (SELECT sum(submitted) FROM permit_daily) AS submitted`)).rows[0];
    await db.end();
    return {
      published,
      events: last,
      secondsFromStart: h.round(seconds, 1),
      eventsPerSecondFromStart: Math.round(last / seconds),
      eventsPerSecondFromFirstAck: Math.round(steady),
      goalMet: steady >= GOAL_EVENTS_PER_S,
      counts,
      loadBefore,
      loadAfter: uptime(),
    };
  } finally {
    for (const p of procs) await h.stopChild(p);
    await nc.close();
    await environment.cleanup();
  }
}

async function rebuild(testing, options) {
  const { connect } = require('nats');
  const environment = new testing.TestEnvironment();
  const nc = await connect({ servers: testing.TEST_NATS_URL });
  const procs = [];
  try {
    const sys = await startSystem(testing, environment, ['identity']);
    procs.push(sys.identity.proc);
    const jsm = await nc.jetstreamManager();
    await h.waitUntil('the events stream', async () => !!(await jsm.streams.info(environment.eventsStream).catch(() => null)), 30000, 200, procs);
    const agencies = Array.from({ length: 11 }, () => randomUUID());
    const published = await publishEvents(nc.jetstream(), environment.eventsPrefix, options.rebuildRecords, 2, agencies, 'publish');
    const stream = (await jsm.streams.info(environment.eventsStream)).state;
    const loadBefore = uptime();
    const t0 = performance.now();
    const env = environment.serviceEnv('reporting', { LOG_LEVEL: 'warn' });
    const child = h.startChild('rebuild', [path.join(h.ROOT, 'services/reporting/dist/rebuild.js')], env);
    child.child.stderr.pipe(process.stderr);
    const { code } = await child.exit;
    const seconds = (performance.now() - t0) / 1000;
    if (code !== 0) throw new Error(`rebuild exited ${code}:\n${child.output.slice(-20).join('\n')}`);
    const { Client } = require('pg');
    const db = new Client({ connectionString: env.DATABASE_URL });
    await db.connect();
    const counts = (await db.query(`SELECT (SELECT count(*) FROM complaint_facts) AS complaints, (SELECT count(*) FROM permit_facts) AS permits, (SELECT sum(received) FROM complaint_daily) AS received, (SELECT sum(submitted) FROM permit_daily) AS submitted`)).rows[0];
    await db.end();
    return {
      published,
      streamMessages: stream.messages,
      streamBytes: stream.bytes,
      rebuildSeconds: h.round(seconds, 1),
      eventsPerSecond: Math.round(stream.messages / seconds),
      output: child.output.filter((l) => l.startsWith('rebuilt')),
      counts,
      loadBefore,
      loadAfter: uptime(),
    };
  } finally {
    for (const p of procs) await h.stopChild(p);
    await nc.close();
    await environment.cleanup();
  }
}

// Each part's result is printed as a JSON line and kept in bench/results.
h.runBench('reporting', parseArgs(process.argv.slice(2)), { reads, consumer, rebuild });
