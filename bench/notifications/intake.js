'use strict';
/*
 * intake: the channels are slow (the SMS provider answers after --hang ms, email is off) and
 * --events status-change events of real complaints are published straight to JetStream as fast as
 * it takes them. The consumer's intake (jobs queued per second); the messages queue behind it.
 */
const { performance } = require('perf_hooks');
const h = require('../lib/harness');
const { citizen, rowsOf } = require('./common');

const GOAL_EVENTS_PER_SECOND = 1000;
const jobs = async (db) => (await rowsOf(db, `SELECT count(*)::int AS n FROM message_jobs`))[0].n;

/** A citizen who wants SMS only, and 20 complaints of theirs. */
async function complaintsOfSmsCitizen(testing, gw) {
  const token = await citizen(testing, gw, 2, 'bench.lambat@example.id');
  const prefs = await h.http('PUT', `${gw}/api/v1/me/notification-preferences`, { token, body: { channels: { email: false, sms: true, whatsapp: false, inApp: true }, language: 'id' } });
  if (prefs.status !== 200) throw new Error(`preferences answered ${prefs.status}: ${prefs.body}`);
  const complaints = [];
  for (let i = 0; i < 20; i++) complaints.push((await h.http('POST', `${gw}/api/v1/complaints`, { token, body: h.SAMPLE_COMPLAINT })).json);
  return complaints;
}

/** `count` verify events of the complaints in turn, published as fast as JetStream takes them; the milliseconds it took. */
async function publish(nc, prefix, complaints, count) {
  const t0 = performance.now();
  const verified = (i) => {
    const c = complaints[i % complaints.length];
    const at = new Date().toISOString();
    return h.cloudEvent('complaints.complaint.status_changed.v1', c.id, { complaintId: c.id, fromStatus: 'received', toStatus: 'verified', action: 'verify', at }, at);
  };
  await h.publishWindowed(nc.jetstream(), prefix, count, verified);
  return performance.now() - t0;
}

async function run(testing, options, system, nc, provider) {
  const complaints = await complaintsOfSmsCitizen(testing, system.gatewayUrl);
  const db = system.process('notifications').env.DATABASE_URL;
  const before = await jobs(db);
  const bar = h.progressBar('events taken', options.events, 'events');
  const t0 = performance.now();
  const publishing = publish(nc, system.env.eventsPrefix, complaints, options.events);
  const taken = async () => {
    const n = (await jobs(db)) - before;
    bar.update(n);
    return n >= options.events;
  };
  await h.waitUntil('every event taken', taken, 600_000, 100);
  const seconds = (performance.now() - t0) / 1000;
  bar.end();
  const publishMs = await publishing;
  const [queue] = await rowsOf(
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
}

async function intake(testing, options) {
  const { connect } = require('nats');
  const provider = new testing.FakeMessageProvider({ token: 'bench-sms' });
  await provider.start();
  provider.hang(options.hang);
  const unlimited = { ...h.UNLIMITED_CITIZEN };
  const notifications = { SMS_PROVIDER_URL: provider.url, SMS_PROVIDER_TOKEN: 'bench-sms', MESSAGE_TIMEOUT_MS: String(options.hang * 4) };
  try {
    return await h.withTestSystem(testing, { identity: unlimited, complaints: unlimited, gateway: unlimited, notifications }, async (system) => {
      const nc = await connect({ servers: testing.TEST_NATS_URL });
      try {
        return await run(testing, options, system, nc, provider);
      } finally {
        await nc.close();
      }
    });
  } finally {
    await provider.stop();
  }
}

module.exports = { intake };
