'use strict';
/*
 * latency: a citizen files complaints through the gateway at --rate per second for --seconds; a
 * real SMTP server in this process receives the mails. Commit-to-message is the mail's arrival
 * minus the complaint's createdAt (set in the filing's transaction). The first --warmup seconds
 * are filed at the same rate and reported apart (connections, JIT and caches warm up).
 */
const h = require('../lib/harness');
const { citizen, profiled, systemPids, rpcTimes, rowsOf } = require('./common');

const GOAL_P99_MS = 500;
const EMAIL = 'bench.pesan@example.id';

/** The coordinators (the admin) get the daily digest instead of a mail per complaint. */
async function digestForCoordinators(system) {
  const admin = await system.login();
  const staff = { channels: { email: true, sms: false, whatsapp: false, inApp: true }, language: 'id', staff: { instant: false, dailyDigest: true } };
  const res = await h.http('PUT', `${system.gatewayUrl}/api/v1/me/notification-preferences`, { token: admin, body: staff });
  if (res.status !== 200) throw new Error(`the admin's preferences answered ${res.status}: ${res.body}`);
}

/** When the citizen's first mail about each tracking number arrived. */
function watchMails(smtp) {
  const arrivals = new Map();
  const record = smtp.received.push.bind(smtp.received);
  smtp.received.push = (mail) => {
    const tracking = /([A-Z]+-\d{4}-\d+|ADU-[\w-]+)/.exec(mail.subject ?? '')?.[1];
    if (mail.to.includes(EMAIL) && tracking && !arrivals.has(tracking)) arrivals.set(tracking, Date.now());
    return record(mail);
  };
  return arrivals;
}

/** p99 per 10 s of the run (a tail at the start, or all along), and per second over the first 20 s (how the warm-up's backlog builds and drains). */
function p99Over(filedAt, arrivals) {
  const start = Math.min(...filedAt.values());
  const windows = {};
  const seconds = {};
  for (const [tracking, at] of filedAt) {
    const latency = arrivals.get(tracking) - at;
    (windows[Math.floor((at - start) / 10000) * 10] ??= []).push(latency);
    if (at - start < 20000) (seconds[Math.floor((at - start) / 1000)] ??= []).push(latency);
  }
  const p99 = (groups) => Object.fromEntries(Object.entries(groups).map(([from, values]) => [`${from}s`, h.distribution(values).p99]));
  return { p99By10s: p99(windows), p99ByFirstSeconds: p99(seconds) };
}

/** Where the time went (the event waiting to be composed, the message waiting to be sent), and anything that went wrong on the way. */
async function insideNotifications(system) {
  const db = system.process('notifications').env.DATABASE_URL;
  const stages = await rowsOf(
    db,
    `SELECT EXTRACT(EPOCH FROM n.created_at - n.event_time) * 1000 AS composed, EXTRACT(EPOCH FROM d.delivered_at - n.created_at) * 1000 AS sent
       FROM notifications n JOIN message_deliveries d ON d.notification_id = n.id WHERE n.recipient_role = 'reporter' AND d.status = 'delivered'`,
  );
  // Deliveries tried more than once (and why), and the notifications service's warnings and errors.
  const retried = await rowsOf(db, `SELECT attempts, COALESCE(last_error, '') AS reason, count(*)::int AS n FROM message_deliveries WHERE attempts <> 1 OR last_error IS NOT NULL GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 10`);
  const troubles = system.process('notifications').output.filter((line) => /"level":"(warn|error)"|\b(WARN|ERROR)\b/.test(line)).slice(0, 10).map((line) => line.slice(0, 300));
  return {
    retried,
    troubles,
    eventToStoredMessageMs: h.distribution(stages.map((r) => Number(r.composed))),
    storedToDeliveredMs: h.distribution(stages.map((r) => Number(r.sent))),
  };
}

/** Files the complaints; the CPU window covers the measured ones. */
async function file(system, token, options) {
  const warm = options.rate * options.warmup;
  const filed = { at: new Map(), order: new Map(), cpu: undefined };
  const onCreated = (c, i) => {
    filed.at.set(c.trackingNumber, Date.parse(c.createdAt));
    filed.order.set(c.trackingNumber, i);
  };
  const before = (i) => {
    if (i === warm) filed.cpu = h.cpuWindow(systemPids(system));
  };
  filed.statuses = await h.fileAtRate(system.gatewayUrl, token, { rate: options.rate, total: warm + options.rate * options.seconds, before, onCreated });
  filed.cores = filed.cpu?.();
  filed.warm = warm;
  return filed;
}

async function run(testing, options, system, smtp) {
  const token = await citizen(testing, system.gatewayUrl, 1, EMAIL);
  if (options.coordinators === 'digest') await digestForCoordinators(system);
  const arrivals = watchMails(smtp);
  const filed = await file(system, token, options);
  await h.waitUntil('every mail', async () => arrivals.size >= filed.at.size, 120000, 100);
  const latencyOf = (entries) => h.distribution(entries.map(([tracking, at]) => arrivals.get(tracking) - at));
  const d = latencyOf([...filed.at].filter(([tracking]) => filed.order.get(tracking) >= filed.warm));
  return {
    rate: options.rate,
    seconds: options.seconds,
    coordinators: options.coordinators,
    statuses: filed.statuses,
    mails: arrivals.size,
    askedOfServicesMs: rpcTimes(system, ['identity.notification.contacts', 'identity.notification.staff', 'complaints.notification.context']),
    warmupSeconds: options.warmup,
    commitToMessageMsDuringWarmup: latencyOf([...filed.at].filter(([tracking]) => filed.order.get(tracking) < filed.warm)),
    commitToMessageMs: d,
    ...p99Over(filed.at, arrivals),
    ...(await insideNotifications(system)),
    goalMet: d.p99 <= GOAL_P99_MS,
    cores: filed.cores,
  };
}

async function latency(testing, options) {
  // Headers only: a MIME parser per mail would cost the load generator more than the system.
  const smtp = new testing.SmtpTestServer({ headersOnly: true });
  await smtp.start();
  const unlimited = { ...h.UNLIMITED_CITIZEN };
  const env = {
    identity: unlimited,
    complaints: { ...unlimited, ...profiled(options, 'complaints') },
    gateway: unlimited,
    notifications: { SMTP_HOST: smtp.host, SMTP_PORT: String(smtp.boundPort), ...profiled(options, 'notifications') },
  };
  try {
    return await h.withTestSystem(testing, env, (system) => run(testing, options, system, smtp));
  } finally {
    await smtp.stop();
  }
}

module.exports = { latency };
