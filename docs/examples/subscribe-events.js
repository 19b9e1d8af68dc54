#!/usr/bin/env node
// An integrator's subscriber: a durable JetStream consumer with explicit acks that prints each
// event as one JSON line. Run: node docs/examples/subscribe-events.js --durable=my-dashboard
//   --durable=<name>               a consumer name the regency gave you (default: NATS_USER)
//   --filter=events.complaints.>   only some events (default: events.>)
//   --since=2026-11-01T00:00:00Z   a new durable starts at this time (default: from the beginning)
//   --max=10                       exit after this many events (default: run until Ctrl-C)
// Environment: NATS_URL (default nats://127.0.0.1:4222), EVENTS_STREAM (default REGENCY_EVENTS),
// NATS_TLS_CA_FILE (the regency's CA, for a tls:// URL), and the account the regency gave you:
//   NATS_USER=<your integrator name> and NATS_NKEY_SEED_FILE=<your .nk seed file>, or
//   NATS_USER and NATS_PASSWORD. Replies come on _INBOX.<NATS_USER>, the only inbox you may read.
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
  const jsm = await nc.jetstreamManager();
  // Create the durable once; afterwards the server remembers how far it got.
  await jsm.consumers.info(stream, durable).catch(() =>
    jsm.consumers.add(stream, {
      durable_name: durable,
      filter_subject: filter,
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(30_000),
      ...(args.since ? { deliver_policy: DeliverPolicy.StartTime, opt_start_time: new Date(args.since).toISOString() } : { deliver_policy: DeliverPolicy.All }),
    }),
  );
  const consumer = await nc.jetstream().consumers.get(stream, durable);
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
