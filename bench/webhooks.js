'use strict';
/*
 * Webhook deliveries (issue 16's goals), two parts:
 *
 *   throughput  notifications alone; the bench publishes --events events straight to JetStream
 *               and a local receiver (this process) verifies every delivery with the
 *               standardwebhooks library. Goal: >= 1,000 webhooks/s.
 *   latency     the whole system; a citizen files complaints through the gateway at --rate per
 *               second for --seconds; commit-to-delivery is the receiver's clock minus the event's
 *               `time` (set in the filing's transaction, so a little before its commit).
 *               Goal: p99 <= 200 ms at 100 events/s.
 *
 *   node bench/webhooks.js [--parts=throughput,latency] [--events=20000] [--rate=100] [--seconds=60]
 *                          [--subscriptions=1] [--concurrency=64] [--per-subscription=N] [--out=bench/results]
 * Build first (npx nx run-many -t build).
 */
const path = require('path');
const { randomUUID } = require('crypto');
const { performance } = require('perf_hooks');
const h = require('./lib/harness');

const GOAL_PER_SECOND = 1000;
const GOAL_P99_MS = 200;

function parseArgs(argv) {
  const args = Object.fromEntries(argv.map((a) => a.replace(/^--/, '').split('=')).map(([k, ...v]) => [k, v.join('=')]));
  return {
    parts: (args.parts ?? 'throughput,latency').split(','),
    events: Number(args.events ?? 20000),
    subscriptions: Number(args.subscriptions ?? 1),
    concurrency: Number(args.concurrency ?? 64),
    perSubscription: args['per-subscription'],
    rate: Number(args.rate ?? 100),
    seconds: Number(args.seconds ?? 60),
    out: args.out ?? path.join(h.ROOT, 'bench', 'results'),
  };
}

/** A permit submission event as permits would publish it. */
function submitted() {
  const applicationId = randomUUID();
  return {
    specversion: '1.0',
    id: randomUUID(),
    source: '/regency/permits',
    type: 'permits.application.submitted.v1',
    subject: applicationId,
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    data: { applicationId, number: `PRM-2026-${applicationId.slice(0, 6)}`, permitTypeCode: 'PBG', agencyId: '32ce0000-0000-4000-8000-000000000001', dueAt: new Date(Date.now() + 864e5).toISOString() },
  };
}

async function throughput(testing, options) {
  const { connect } = require('nats');
  const environment = new testing.TestEnvironment();
  const port = await testing.freePort();
  const proc = h.startChild('notifications', [testing.entrypoint('notifications')], environment.serviceEnv('notifications', { LOG_LEVEL: 'warn', PORT: String(port), WEBHOOK_CONCURRENCY: String(options.concurrency), ...(options.perSubscription ? { WEBHOOK_CONCURRENCY_PER_SUBSCRIPTION: options.perSubscription } : {}) }));
  const nc = await connect({ servers: testing.TEST_NATS_URL });
  const receiver = new testing.WebhookReceiver();
  let rpc;
  try {
    await h.waitUntil('notifications to be live', async () => (await h.http('GET', `http://127.0.0.1:${port}/health/ready`)).status === 200, 60000, 250, [proc]);
    rpc = await testing.TestRpc.connect(environment.natsPrefix, environment.actorSigningKey);
    await receiver.start();
    const admin = { actor: { id: randomUUID(), roles: ['admin'] } };
    for (let i = 0; i < options.subscriptions; i++) {
      const hook = await rpc.send('notifications.webhook.create', { url: receiver.url, eventTypes: ['permits.application.*'] }, admin);
      receiver.secrets[`s${i}`] = hook.secret;
    }
    const expected = options.events * options.subscriptions;
    const js = nc.jetstream();
    const bar = h.progressBar('deliveries', expected, 'webhooks');
    const cpu = h.cpuWindow({ notifications: proc.child.pid });
    const t0 = performance.now();
    let firstAt;
    // Publish with a window of acknowledgements in flight, as a busy relay would.
    const publishing = (async () => {
      const inFlight = new Set();
      for (let i = 0; i < options.events; i++) {
        const e = submitted();
        const p = js.publish(`${environment.eventsPrefix}.${e.type}`, JSON.stringify(e), { msgID: e.id }).finally(() => inFlight.delete(p));
        inFlight.add(p);
        if (inFlight.size >= 256) await Promise.race(inFlight);
      }
      await Promise.all(inFlight);
      return performance.now() - t0;
    })();
    await h.waitUntil(
      'every delivery',
      async () => {
        if (!firstAt && receiver.received.length) firstAt = performance.now();
        bar.update(receiver.received.length);
        return receiver.received.length >= expected;
      },
      900_000,
      100,
      [proc],
    );
    const seconds = (performance.now() - t0) / 1000;
    const cores = cpu();
    bar.end();
    const publishMs = await publishing;
    await h.sleep(1000);
    const ids = receiver.received.map((r) => r.id);
    const verified = receiver.received.filter((r) => r.verifiedWith.length === 1).length;
    return {
      events: options.events,
      subscriptions: options.subscriptions,
      deliveries: receiver.received.length,
      distinctPerSubscription: new Set(ids).size,
      verified,
      publishSeconds: h.round(publishMs / 1000, 2),
      seconds: h.round(seconds, 2),
      webhooksPerSecond: Math.round(expected / seconds),
      webhooksPerSecondAfterFirst: Math.round(expected / ((performance.now() - firstAt) / 1000 - 1)),
      goalMet: expected / seconds >= GOAL_PER_SECOND,
      cores,
    };
  } finally {
    await receiver.stop();
    await rpc?.close();
    await h.stopChild(proc);
    await nc.close();
    await environment.cleanup();
  }
}

async function latency(testing, options) {
  const unlimited = { ...h.UNLIMITED_CITIZEN };
  const system = await testing.TestSystem.start({ identity: unlimited, complaints: unlimited, gateway: unlimited });
  const receiver = new testing.WebhookReceiver();
  try {
    const gw = system.gatewayUrl;
    const admin = await system.login();
    await receiver.start();
    const arrivals = new Map();
    const record = receiver.received.push.bind(receiver.received);
    receiver.received.push = (...items) => {
      for (const item of items) if (!arrivals.has(item.id)) arrivals.set(item.id, { at: Date.now(), time: Date.parse(JSON.parse(item.body).time) });
      return record(...items);
    };
    const hook = await h.http('POST', `${gw}/api/v1/webhooks`, { token: admin, body: { url: receiver.url, eventTypes: ['complaints.complaint.received'] } });
    if (hook.status !== 201) throw new Error(`creating the webhook answered ${hook.status}: ${hook.body}`);
    receiver.secrets = { s: hook.json.secret };
    const citizen = { nik: testing.makeNik({ sequence: 9900 }), fullName: 'Warga Bench', email: 'bench.webhooks@example.id', phone: '081299001234', password: 'Sandi-Bench-Webhooks-1' };
    const reg = await h.http('POST', `${gw}/api/v1/auth/register`, { body: citizen });
    if (reg.status !== 201) throw new Error(`registering answered ${reg.status}: ${reg.body}`);
    const token = (await h.http('POST', `${gw}/api/v1/auth/login`, { body: { identifier: citizen.email, password: citizen.password } })).json.accessToken;
    const body = { categoryCode: 'waste-environment', title: 'Sampah menumpuk', description: 'Sampah belum diangkut sejak seminggu, mohon ditindaklanjuti.', location: { lat: 2.578, lng: 99.618, district: 'Kualuh Hulu' }, visibility: 'public' };
    const total = options.rate * options.seconds;
    const bar = h.progressBar('filings', total, 'complaints');
    const statuses = {};
    const filings = [];
    const t0 = performance.now();
    // Open loop: one filing every 1/rate s, whatever the answers do.
    for (let i = 0; i < total; i++) {
      const due = t0 + (i * 1000) / options.rate;
      const wait = due - performance.now();
      if (wait > 0) await h.sleep(wait);
      filings.push(
        h.http('POST', `${gw}/api/v1/complaints`, { token, body }).then((res) => {
          statuses[res.status] = (statuses[res.status] ?? 0) + 1;
          bar.update(filings.length);
        }),
      );
    }
    await Promise.all(filings);
    bar.end();
    const ok = statuses[201] ?? 0;
    await h.waitUntil('every delivery', async () => arrivals.size >= ok, 60000, 100);
    const latencies = [...arrivals.values()].map((a) => a.at - a.time);
    const d = h.distribution(latencies);
    return {
      rate: options.rate,
      seconds: options.seconds,
      statuses,
      deliveries: arrivals.size,
      commitToDeliveryMs: d,
      goalMet: d.p99 <= GOAL_P99_MS,
    };
  } finally {
    await receiver.stop();
    await system.stop();
  }
}

h.runBench('webhooks', parseArgs(process.argv.slice(2)), { throughput, latency });
