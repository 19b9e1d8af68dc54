'use strict';
/*
 * Messages to people (issue 17's goals), two parts, each on the whole system:
 *
 *   latency  a citizen files complaints through the gateway at --rate per second for --seconds;
 *            a real SMTP server in this process receives the mails. Commit-to-message is the
 *            mail's arrival minus the complaint's createdAt (set in the filing's transaction).
 *            Goal: p99 <= 500 ms at 50 events/s.
 *   intake   the channels are slow (the SMS provider answers after --hang ms, email is off) and
 *            --events status-change events of real complaints are published straight to JetStream
 *            as fast as it takes them. Goal: the consumer takes >= 1,000 events/s (jobs queued),
 *            the messages queue behind it (a queue, not a stall).
 *
 *   node bench/notifications.js [--parts=latency,intake] [--rate=50] [--seconds=60] [--events=20000] [--hang=2000]
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
    events: Number(args.events ?? 20000),
    hang: Number(args.hang ?? 2000),
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

async function latency(testing, options) {
  const smtp = new testing.SmtpTestServer();
  await smtp.start();
  const unlimited = { ...h.UNLIMITED_CITIZEN };
  const system = await testing.TestSystem.start({
    identity: unlimited,
    complaints: unlimited,
    gateway: unlimited,
    notifications: { SMTP_HOST: smtp.host, SMTP_PORT: String(smtp.boundPort), MESSAGE_CONCURRENCY: '32' },
  });
  try {
    const gw = system.gatewayUrl;
    const email = 'bench.pesan@example.id';
    const token = await citizen(testing, gw, 1, email);
    const arrivals = new Map();
    const filedAt = new Map();
    const record = smtp.received.push.bind(smtp.received);
    smtp.received.push = (mail) => {
      const tracking = /([A-Z]+-\d{4}-\d+|ADU-[\w-]+)/.exec(mail.subject ?? '')?.[1];
      if (mail.to.includes(email) && tracking && !arrivals.has(tracking)) arrivals.set(tracking, Date.now());
      return record(mail);
    };
    const total = options.rate * options.seconds;
    const bar = h.progressBar('filings', total, 'complaints');
    const statuses = {};
    const filings = [];
    const t0 = performance.now();
    for (let i = 0; i < total; i++) {
      const due = t0 + (i * 1000) / options.rate;
      const wait = due - performance.now();
      if (wait > 0) await h.sleep(wait);
      filings.push(
        h.http('POST', `${gw}/api/v1/complaints`, { token, body: COMPLAINT }).then((res) => {
          statuses[res.status] = (statuses[res.status] ?? 0) + 1;
          if (res.status === 201) filedAt.set(res.json.trackingNumber, Date.parse(res.json.createdAt));
          bar.update(filings.length);
        }),
      );
    }
    await Promise.all(filings);
    bar.end();
    await h.waitUntil('every mail', async () => arrivals.size >= filedAt.size, 120000, 100);
    const latencies = [...filedAt].map(([tracking, at]) => arrivals.get(tracking) - at);
    const d = h.distribution(latencies);
    return { rate: options.rate, seconds: options.seconds, statuses, mails: arrivals.size, commitToMessageMs: d, goalMet: d.p99 <= GOAL_P99_MS };
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
