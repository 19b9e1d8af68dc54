'use strict';
/*
 * latency: the whole system; a citizen files complaints through the gateway at --rate per second
 * for --seconds; commit-to-delivery is the receiver's clock minus the event's `time` (set in the
 * filing's transaction, so a little before its commit).
 */
const h = require('../lib/harness');

const GOAL_P99_MS = 200;

/** A webhook of the admin's to the receiver, for received complaints; the first arrival of each event is noted. */
async function subscribe(gw, admin, receiver) {
  const arrivals = new Map();
  const record = receiver.received.push.bind(receiver.received);
  receiver.received.push = (...items) => {
    for (const item of items) if (!arrivals.has(item.id)) arrivals.set(item.id, { at: Date.now(), time: Date.parse(JSON.parse(item.body).time) });
    return record(...items);
  };
  const hook = await h.http('POST', `${gw}/api/v1/webhooks`, { token: admin, body: { url: receiver.url, eventTypes: ['complaints.complaint.received'] } });
  if (hook.status !== 201) throw new Error(`creating the webhook answered ${hook.status}: ${hook.body}`);
  receiver.secrets = { s: hook.json.secret };
  return arrivals;
}

async function run(testing, options, system, receiver) {
  const gw = system.gatewayUrl;
  const admin = await system.login();
  await receiver.start();
  const arrivals = await subscribe(gw, admin, receiver);
  const citizen = { nik: testing.makeNik({ sequence: 9900 }), fullName: 'Warga Bench', email: 'bench.webhooks@example.id', phone: '081299001234', password: 'Sandi-Bench-Webhooks-1' };
  const token = await h.registerCitizen(gw, citizen, 'registering');
  // Open loop: one filing every 1/rate s, whatever the answers do.
  const statuses = await h.fileAtRate(gw, token, { rate: options.rate, total: options.rate * options.seconds });
  await h.waitUntil('every delivery', async () => arrivals.size >= (statuses[201] ?? 0), 60000, 100);
  const d = h.distribution([...arrivals.values()].map((a) => a.at - a.time));
  return { rate: options.rate, seconds: options.seconds, statuses, deliveries: arrivals.size, commitToDeliveryMs: d, goalMet: d.p99 <= GOAL_P99_MS };
}

function latency(testing, options) {
  const unlimited = { ...h.UNLIMITED_CITIZEN };
  return h.withTestSystem(testing, { identity: unlimited, complaints: unlimited, gateway: unlimited }, async (system) => {
    const receiver = new testing.WebhookReceiver();
    try {
      return await run(testing, options, system, receiver);
    } finally {
      await receiver.stop();
    }
  });
}

module.exports = { latency };
