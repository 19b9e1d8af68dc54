'use strict';
/*
 * throughput: notifications alone; the bench publishes --events events straight to JetStream and a
 * local receiver (this process) verifies every delivery with the standardwebhooks library.
 */
const { randomUUID } = require('crypto');
const { performance } = require('perf_hooks');
const h = require('../lib/harness');

const GOAL_PER_SECOND = 1000;

/** A permit submission event as permits would publish it. */
function submitted() {
  const applicationId = randomUUID();
  const data = { applicationId, number: `PRM-2026-${applicationId.slice(0, 6)}`, permitTypeCode: 'PBG', agencyId: '32ce0000-0000-4000-8000-000000000001', dueAt: new Date(Date.now() + 864e5).toISOString() };
  return h.cloudEvent('permits.application.submitted.v1', applicationId, data);
}

/** notifications alone, as an integrator's view of it: its NATS subjects (TestRpc signs as the gateway would). */
async function startNotifications(testing, environment, options) {
  const concurrency = { WEBHOOK_CONCURRENCY: String(options.concurrency), ...(options.perSubscription ? { WEBHOOK_CONCURRENCY_PER_SUBSCRIPTION: options.perSubscription } : {}) };
  const system = await h.startSystem(testing, environment, { names: ['notifications'], extra: () => ({ LOG_LEVEL: 'warn', ...concurrency }) });
  const proc = system.procs.notifications;
  await h.waitUntil('notifications to be live', async () => (await h.http('GET', `http://127.0.0.1:${system.ports.notifications}/health/ready`)).status === 200, 60000, 250, [proc]);
  return proc;
}

/** `subscriptions` webhooks to the receiver, created over NATS as an admin. */
async function subscribe(testing, environment, receiver, subscriptions) {
  const rpc = await testing.TestRpc.connect(environment.natsPrefix, environment.actorSigningKey);
  const admin = { actor: { id: randomUUID(), roles: ['admin'] } };
  for (let i = 0; i < subscriptions; i++) {
    const hook = await rpc.send('notifications.webhook.create', { url: receiver.url, eventTypes: ['permits.application.*'] }, admin);
    receiver.secrets[`s${i}`] = hook.secret;
  }
  return rpc;
}

/** Publishes the events and waits for every delivery: seconds, when the first came, and the publishing's milliseconds. */
async function deliver(environment, nc, receiver, options, proc) {
  const expected = options.events * options.subscriptions;
  const bar = h.progressBar('deliveries', expected, 'webhooks');
  const cpu = h.cpuWindow({ notifications: proc.child.pid });
  const t0 = performance.now();
  let firstAt;
  // Publish with a window of acknowledgements in flight, as a busy relay would.
  const publishing = h.publishWindowed(nc.jetstream(), environment.eventsPrefix, options.events, submitted).then(() => performance.now() - t0);
  const delivered = async () => {
    if (!firstAt && receiver.received.length) firstAt = performance.now();
    bar.update(receiver.received.length);
    return receiver.received.length >= expected;
  };
  await h.waitUntil('every delivery', delivered, 900_000, 100, [proc]);
  const seconds = (performance.now() - t0) / 1000;
  const cores = cpu();
  bar.end();
  return { expected, seconds, firstAt, cores, publishMs: await publishing };
}

async function run(testing, options, environment, receiver) {
  const { connect } = require('nats');
  const proc = await startNotifications(testing, environment, options);
  const nc = await connect({ servers: testing.TEST_NATS_URL });
  let rpc;
  try {
    await receiver.start();
    rpc = await subscribe(testing, environment, receiver, options.subscriptions);
    const { expected, seconds, firstAt, cores, publishMs } = await deliver(environment, nc, receiver, options, proc);
    await h.sleep(1000);
    return {
      events: options.events,
      subscriptions: options.subscriptions,
      deliveries: receiver.received.length,
      distinctPerSubscription: new Set(receiver.received.map((r) => r.id)).size,
      verified: receiver.received.filter((r) => r.verifiedWith.length === 1).length,
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
  }
}

const throughput = (testing, options) => h.withEnvironment(testing, (environment) => run(testing, options, environment, new testing.WebhookReceiver()));

module.exports = { throughput };
