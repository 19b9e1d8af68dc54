#!/usr/bin/env node
// An integrator's subscriber: pulls from a durable JetStream consumer with explicit acks and prints
// each event as one JSON line. Run: node docs/examples/subscribe-events.js --durable=my-dashboard
//   --durable=<name>               a durable the regency made for you (default: NATS_USER)
//   --max=10                       exit after this many events (default: run until Ctrl-C)
// Environment: NATS_URL (default nats://127.0.0.1:4222), EVENTS_STREAM (default REGENCY_EVENTS),
// NATS_TLS_CA_FILE (the regency's CA, for a tls:// URL), and what the regency gave you:
//   NATS_USER=<your integrator name> and NATS_NKEY_SEED_FILE=<your .nk seed file>, or
//   NATS_USER and NATS_PASSWORD. Replies come on _INBOX.<NATS_USER>, the only inbox you may read.
//   NATS_JS_API_PREFIX=REGENCY.API: where your account reaches the regency's JetStream (default
//   $JS.API, the stream's own account, as on a developer's NATS).
// On a developer's NATS (the stream's own account) a missing durable is made, with
//   --filter=events.complaints.>   only some events (default: events.>)
//   --since=2026-11-01T00:00:00Z   starting at this time (default: from the beginning)
// An integrator's durables are made by the regency, with the filter it chose.
const { readFileSync } = require('fs');
const { AckPolicy, connect, DeliverPolicy, nanos, nkeyAuthenticator } = require('nats');

const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [key, ...rest] = a.replace(/^--/, '').split('=');
    return [key, rest.join('=')];
  }),
);
const user = process.env.NATS_USER;
const durable = args.durable || user || 'example-integrator';
const filter = args.filter || 'events.>';
const stream = process.env.EVENTS_STREAM || 'REGENCY_EVENTS';
const max = args.max ? Number(args.max) : Infinity;
const apiPrefix = process.env.NATS_JS_API_PREFIX || '$JS.API';

function credentials() {
  const seedFile = process.env.NATS_NKEY_SEED_FILE;
  if (seedFile) {
    if (!user) throw new Error('set NATS_USER to your integrator name: your inbox is _INBOX.<name>');
    return { authenticator: nkeyAuthenticator(new TextEncoder().encode(readFileSync(seedFile, 'utf8').trim())) };
  }
  return user ? { user, pass: process.env.NATS_PASSWORD } : {};
}

async function main() {
  const nc = await connect({
    servers: (process.env.NATS_URL || 'nats://127.0.0.1:4222').split(','),
    ...credentials(),
    ...(user ? { inboxPrefix: `_INBOX.${user}` } : {}),
    ...(process.env.NATS_TLS_CA_FILE ? { tls: { caFile: process.env.NATS_TLS_CA_FILE } } : {}),
    name: durable,
    maxReconnectAttempts: -1,
  });
  // Only the durable's info, pulls and acks: an integrator's account has nothing else ($JS.API.INFO
  // neither, so no jetstreamManager()).
  const js = nc.jetstream({ apiPrefix });
  const consumer = await js.consumers.get(stream, durable).catch(async (error) => {
    if (!/consumer not found/i.test(error.message)) throw new Error(`${error.message} (is NATS_JS_API_PREFIX right, and --durable one the regency made for you?)`);
    if (apiPrefix !== '$JS.API') throw new Error(`durable ${durable} does not exist yet: the regency makes it (npm run nats:integrator -- sync)`);
    // A developer's NATS: make the durable once; afterwards the server remembers how far it got.
    const jsm = await nc.jetstreamManager();
    await jsm.consumers.add(stream, {
      durable_name: durable,
      filter_subject: filter,
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(30_000),
      ...(args.since ? { deliver_policy: DeliverPolicy.StartTime, opt_start_time: new Date(args.since).toISOString() } : { deliver_policy: DeliverPolicy.All }),
    });
    return js.consumers.get(stream, durable);
  });
  const messages = await consumer.consume();
  process.on('SIGINT', () => messages.stop());
  process.on('SIGTERM', () => messages.stop());

  let count = 0;
  for await (const m of messages) {
    const event = m.json();
    // Do your work here, idempotently: the same event id can arrive twice after a crash.
    process.stdout.write(`${JSON.stringify({ seq: m.seq, id: event.id, type: event.type, subject: event.subject, time: event.time, data: event.data })}\n`);
    await m.ackAck();
    if (++count >= max) break;
  }
  await nc.drain();
}

main().catch((error) => {
  process.stderr.write(`subscriber failed: ${error.message}\n`);
  process.exit(1);
});
