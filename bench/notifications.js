'use strict';
/*
 * Messages to people (issue 17's goals), two parts, each on the whole system:
 *
 *   latency  a citizen files complaints through the gateway at --rate per second for --seconds;
 *            a real SMTP server in this process receives the mails. Commit-to-message is the
 *            mail's arrival minus the complaint's createdAt (set in the filing's transaction).
 *            Goal: p99 <= 500 ms at 50 events/s. The first --warmup seconds (10) are filed at the
 *            same rate and reported apart (connections, JIT and caches warm up).
 *   intake   the channels are slow (the SMS provider answers after --hang ms, email is off) and
 *            --events status-change events of real complaints are published straight to JetStream
 *            as fast as it takes them. Goal: the consumer takes >= 1,000 events/s (jobs queued),
 *            the messages queue behind it (a queue, not a stall).
 *
 *   node bench/notifications.js [--parts=latency,intake] [--rate=50] [--seconds=60] [--warmup=10] [--coordinators=instant|digest] [--events=20000] [--hang=2000] [--cpu-prof]
 * Build first (npx nx run-many -t build).
 */
const path = require('path');
const { randomUUID } = require('crypto');
const { performance } = require('perf_hooks');
const h = require('./lib/harness');

const GOAL_P99_MS = 500;
const GOAL_EVENTS_PER_SECOND = 1000;

function parseArgs(argv) {
  const args = Object.fromEntries(argv.map((a) => a.replace(/^--/, '').split('=')).map(([k, ...v]) => [k, v.join('=')]));
  return {
    parts: (args.parts ?? 'latency,intake').split(','),
    rate: Number(args.rate ?? 50),
    seconds: Number(args.seconds ?? 60),
    // Seconds of filing at the rate before the measured ones (connections, JIT, caches), reported apart.
    warmup: Number(args.warmup ?? 10),
    // Whether the coordinators (the admin) get a mail per complaint (`instant`, the default) or the daily digest.
    coordinators: args.coordinators ?? 'instant',
    events: Number(args.events ?? 20000),
    hang: Number(args.hang ?? 2000),
    // Writes V8 CPU profiles of notifications and complaints (read them with bench/profile-summary.js).
    cpuProf: args['cpu-prof'] !== undefined,
    out: args.out ?? path.join(h.ROOT, 'bench', 'results'),
  };
}

const COMPLAINT = { categoryCode: 'waste-environment', title: 'Sampah menumpuk', description: 'Sampah belum diangkut sejak seminggu, mohon ditindaklanjuti.', location: { lat: 2.578, lng: 99.618, district: 'Kualuh Hulu' }, visibility: 'public' };

async function citizen(testing, gw, n, email) {
  const person = { nik: testing.makeNik({ sequence: 9800 + n }), fullName: `Warga Bench ${n}`, email, phone: `08129980${1000 + n}`, password: `Sandi-Bench-Pesan-${n}` };
  const reg = await h.http('POST', `${gw}/api/v1/auth/register`, { body: person });
  if (reg.status !== 201) throw new Error(`registering answered ${reg.status}: ${reg.body}`);
  return (await h.http('POST', `${gw}/api/v1/auth/login`, { body: { identifier: email, password: person.password } })).json.accessToken;
}

async function query(databaseUrl, sql, params = []) {
  const { Client } = require('pg');
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows;
  } finally {
    await client.end();
  }
}

function profiled(options, name) {
  if (!options.cpuProf) return {};
  const dir = path.join(options.out, `profiles-notifications-${process.pid}`, name);
  return { NODE_ARGS: `--cpu-prof --cpu-prof-dir=${dir}` };
}

/** The pids of the system's processes, by name (for the CPU figures). */
function systemPids() {
  const { execSync } = require('child_process');
  const out = {};
  for (const name of ['gateway', 'identity', 'permits', 'complaints', 'reporting', 'notifications']) {
    const pids = execSync(`pgrep -f "^${process.execPath} .*services/${name}/dist/main.js" || true`).toString().trim().split('\n').filter(Boolean);
    if (pids.length === 1) out[name] = Number(pids[0]);
  }
  return out;
}

/** p50/p99 of the handling time of `subjects`, from the services' own log lines. */
function rpcTimes(system, subjects) {
  const out = {};
  for (const service of ['identity', 'complaints', 'permits']) {
    for (const line of system.process(service).output) {
      if (!line.includes('durationMs')) continue;
      try {
        const entry = JSON.parse(line);
        if (subjects.some((s) => entry.subject?.endsWith(s))) (out[entry.subject] ??= []).push(entry.durationMs);
      } catch {
        // not a log line of ours
      }
    }
  }
  return Object.fromEntries(Object.entries(out).map(([subject, values]) => [subject, h.distribution(values)]));
}

async function latency(testing, options) {
  // Headers only: a MIME parser per mail would cost the load generator more than the system.
  const smtp = new testing.SmtpTestServer({ headersOnly: true });
  await smtp.start();
  const unlimited = { ...h.UNLIMITED_CITIZEN };
  const system = await testing.TestSystem.start({
    identity: unlimited,
    complaints: { ...unlimited, ...profiled(options, 'complaints') },
    gateway: unlimited,
    notifications: { SMTP_HOST: smtp.host, SMTP_PORT: String(smtp.boundPort), ...profiled(options, 'notifications') },
  });
  try {
    const gw = system.gatewayUrl;
    const email = 'bench.pesan@example.id';
    const token = await citizen(testing, gw, 1, email);
    if (options.coordinators === 'digest') {
      const admin = await system.login();
      const staff = { channels: { email: true, sms: false, whatsapp: false, inApp: true }, language: 'id', staff: { instant: false, dailyDigest: true } };
      const res = await h.http('PUT', `${gw}/api/v1/me/notification-preferences`, { token: admin, body: staff });
      if (res.status !== 200) throw new Error(`the admin's preferences answered ${res.status}: ${res.body}`);
    }
    const arrivals = new Map();
    const filedAt = new Map();
    const record = smtp.received.push.bind(smtp.received);
    smtp.received.push = (mail) => {
      const tracking = /([A-Z]+-\d{4}-\d+|ADU-[\w-]+)/.exec(mail.subject ?? '')?.[1];
      if (mail.to.includes(email) && tracking && !arrivals.has(tracking)) arrivals.set(tracking, Date.now());
      return record(mail);
    };
    let cpu;
    const warm = options.rate * options.warmup;
    const total = warm + options.rate * options.seconds;
    const bar = h.progressBar('filings', total, 'complaints');
    const order = new Map();
    const statuses = {};
    const filings = [];
    const t0 = performance.now();
    for (let i = 0; i < total; i++) {
      if (i === warm) cpu = h.cpuWindow(systemPids());
      const due = t0 + (i * 1000) / options.rate;
      const wait = due - performance.now();
      if (wait > 0) await h.sleep(wait);
      filings.push(
        h.http('POST', `${gw}/api/v1/complaints`, { token, body: COMPLAINT }).then((res) => {
          statuses[res.status] = (statuses[res.status] ?? 0) + 1;
          if (res.status === 201) {
            filedAt.set(res.json.trackingNumber, Date.parse(res.json.createdAt));
            order.set(res.json.trackingNumber, i);
          }
          bar.update(filings.length);
        }),
      );
    }
    await Promise.all(filings);
    const cores = cpu?.();
    bar.end();
    await h.waitUntil('every mail', async () => arrivals.size >= filedAt.size, 120000, 100);
    const measured = [...filedAt].filter(([tracking]) => order.get(tracking) >= warm);
    const latencies = measured.map(([tracking, at]) => arrivals.get(tracking) - at);
    const d = h.distribution(latencies);
    const warmup = h.distribution([...filedAt].filter(([tracking]) => order.get(tracking) < warm).map(([tracking, at]) => arrivals.get(tracking) - at));
    // p99 per 10 s of the run: a tail at the start (connections, JIT) or all along.
    const start = Math.min(...filedAt.values());
    const windows = {};
    for (const [tracking, at] of filedAt) (windows[Math.floor((at - start) / 10000) * 10] ??= []).push(arrivals.get(tracking) - at);
    const p99By10s = Object.fromEntries(Object.entries(windows).map(([from, values]) => [`${from}s`, h.distribution(values).p99]));
    // The first 20 s second by second: how the warm-up's backlog builds and drains.
    const seconds = {};
    for (const [tracking, at] of filedAt) if (at - start < 20000) (seconds[Math.floor((at - start) / 1000)] ??= []).push(arrivals.get(tracking) - at);
    const p99ByFirstSeconds = Object.fromEntries(Object.entries(seconds).map(([from, values]) => [`${from}s`, h.distribution(values).p99]));
    // Where the time went: the event waiting to be composed, and the message waiting to be sent.
    const stages = await query(
      system.process('notifications').env.DATABASE_URL,
      `SELECT EXTRACT(EPOCH FROM n.created_at - n.event_time) * 1000 AS composed, EXTRACT(EPOCH FROM d.delivered_at - n.created_at) * 1000 AS sent
       FROM notifications n JOIN message_deliveries d ON d.notification_id = n.id WHERE n.recipient_role = 'reporter' AND d.status = 'delivered'`,
    );
    // Anything that went wrong on the way: deliveries tried more than once (and why), and the
    // notifications service's warnings and errors.
    const retried = await query(
      system.process('notifications').env.DATABASE_URL,
      `SELECT attempts, COALESCE(last_error, '') AS reason, count(*)::int AS n FROM message_deliveries WHERE attempts <> 1 OR last_error IS NOT NULL GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 10`,
    );
    const complaintsOf = (line) => /"level":"(warn|error)"|\b(WARN|ERROR)\b/.test(line);
    const troubles = system.process('notifications').output.filter(complaintsOf).slice(0, 10).map((line) => line.slice(0, 300));
    return {
      rate: options.rate,
      seconds: options.seconds,
      coordinators: options.coordinators,
      retried,
      troubles,
      statuses,
      mails: arrivals.size,
      askedOfServicesMs: rpcTimes(system, ['identity.notification.contacts', 'identity.notification.staff', 'complaints.notification.context']),
      warmupSeconds: options.warmup,
      commitToMessageMsDuringWarmup: warmup,
      commitToMessageMs: d,
      p99By10s,
      p99ByFirstSeconds,
      eventToStoredMessageMs: h.distribution(stages.map((r) => Number(r.composed))),
      storedToDeliveredMs: h.distribution(stages.map((r) => Number(r.sent))),
      goalMet: d.p99 <= GOAL_P99_MS,
      cores,
    };
  } finally {
    await system.stop();
    await smtp.stop();
  }
}

async function intake(testing, options) {
  const { connect } = require('nats');
  const provider = new testing.FakeMessageProvider({ token: 'bench-sms' });
  await provider.start();
  provider.hang(options.hang);
  const unlimited = { ...h.UNLIMITED_CITIZEN };
  const system = await testing.TestSystem.start({
    identity: unlimited,
    complaints: unlimited,
    gateway: unlimited,
    notifications: { SMS_PROVIDER_URL: provider.url, SMS_PROVIDER_TOKEN: 'bench-sms', MESSAGE_TIMEOUT_MS: String(options.hang * 4) },
  });
  const nc = await connect({ servers: testing.TEST_NATS_URL });
  try {
    const gw = system.gatewayUrl;
    const token = await citizen(testing, gw, 2, 'bench.lambat@example.id');
    const prefs = await h.http('PUT', `${gw}/api/v1/me/notification-preferences`, { token, body: { channels: { email: false, sms: true, whatsapp: false, inApp: true }, language: 'id' } });
    if (prefs.status !== 200) throw new Error(`preferences answered ${prefs.status}: ${prefs.body}`);
    const complaints = [];
    for (let i = 0; i < 20; i++) complaints.push((await h.http('POST', `${gw}/api/v1/complaints`, { token, body: COMPLAINT })).json);
    const db = system.process('notifications').env.DATABASE_URL;
    const [{ n: before }] = await query(db, `SELECT count(*)::int AS n FROM message_jobs`);
    const js = nc.jetstream();
    const prefix = system.env.eventsPrefix;
    const bar = h.progressBar('events taken', options.events, 'events');
    const t0 = performance.now();
    const publishing = (async () => {
      const inFlight = new Set();
      for (let i = 0; i < options.events; i++) {
        const c = complaints[i % complaints.length];
        const e = {
          specversion: '1.0',
          id: randomUUID(),
          source: '/regency/complaints',
          type: 'complaints.complaint.status_changed.v1',
          subject: c.id,
          time: new Date().toISOString(),
          datacontenttype: 'application/json',
          data: { complaintId: c.id, fromStatus: 'received', toStatus: 'verified', action: 'verify', at: new Date().toISOString() },
        };
        const p = js.publish(`${prefix}.${e.type}`, JSON.stringify(e), { msgID: e.id }).finally(() => inFlight.delete(p));
        inFlight.add(p);
        if (inFlight.size >= 256) await Promise.race(inFlight);
      }
      await Promise.all(inFlight);
      return performance.now() - t0;
    })();
    let taken = 0;
    await h.waitUntil(
      'every event taken',
      async () => {
        taken = (await query(db, `SELECT count(*)::int AS n FROM message_jobs`))[0].n - before;
        bar.update(taken);
        return taken >= options.events;
      },
      600_000,
      100,
    );
    const seconds = (performance.now() - t0) / 1000;
    bar.end();
    const publishMs = await publishing;
    const [queue] = await query(
      db,
      `SELECT (SELECT count(*)::int FROM message_jobs WHERE status = 'pending') AS jobs_waiting,
              (SELECT count(*)::int FROM message_deliveries WHERE status = 'pending') AS messages_waiting,
              (SELECT count(*)::int FROM message_deliveries WHERE status = 'delivered') AS messages_delivered`,
    );
    return {
      events: options.events,
      smsProviderAnswersAfterMs: options.hang,
      publishSeconds: h.round(publishMs / 1000, 2),
      secondsUntilAllTaken: h.round(seconds, 2),
      eventsTakenPerSecond: Math.round(options.events / seconds),
      atTheEnd: queue,
      smsReceivedByProvider: provider.messages.length,
      goalMet: options.events / seconds >= GOAL_EVENTS_PER_SECOND,
    };
  } finally {
    await nc.close();
    await system.stop();
    await provider.stop();
  }
}

h.runBench('notifications', parseArgs(process.argv.slice(2)), { latency, intake });
