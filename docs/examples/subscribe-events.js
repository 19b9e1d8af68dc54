#!/usr/bin/env node
// An integrator's subscriber: a durable JetStream consumer with explicit acks that prints each
// event as one JSON line. Run: node docs/examples/subscribe-events.js --durable=my-dashboard
//   --filter=events.complaints.>   only some events (default: events.>)
//   --since=2026-11-01T00:00:00Z   a new durable starts at this time (default: from the beginning)
//   --max=10                       exit after this many events (default: run until Ctrl-C)
// Environment: NATS_URL (default nats://127.0.0.1:4222), EVENTS_STREAM (default REGENCY_EVENTS),
// NATS_USER / NATS_PASSWORD if the regency gave you an account.
const { AckPolicy, connect, DeliverPolicy, nanos } = require('nats');

const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [key, ...rest] = a.replace(/^--/, '').split('=');
    return [key, rest.join('=')];
  }),
);
const durable = args.durable || 'example-integrator';
const filter = args.filter || 'events.>';
const stream = process.env.EVENTS_STREAM || 'REGENCY_EVENTS';
const max = args.max ? Number(args.max) : Infinity;

async function main() {
  const nc = await connect({
    servers: (process.env.NATS_URL || 'nats://127.0.0.1:4222').split(','),
    user: process.env.NATS_USER,
    pass: process.env.NATS_PASSWORD,
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
