'use strict';
/*
 * The consumer process (--role=consumer): the platform's EventConsumer, as another service runs
 * it, in a subclass that timestamps each message; it answers the bench over IPC (clock, count,
 * take, stop). Environment: BENCH_NATS_URL, BENCH_DATABASE_URL, BENCH_STREAM,
 * BENCH_DEADLETTER_PREFIX, and the experiments BENCH_CONSUMER_ACK, BENCH_CONSUMER_CONCURRENCY.
 */
const { now, collectingLogger } = require('./timing');

const CONSUMER_NAME = 'bench-latency';

/**
 * EventConsumer with timestamps: when the loop takes a message, when the inbox transaction has
 * committed and when ack() is done. Experiments (off by default; the default measures EventConsumer
 * as it is): `plainAck` sends a fire-and-forget msg.ack() instead of the base class's ackAck().
 */
function timedConsumerClass(EventConsumer, receipts, plainAck) {
  return class TimedConsumer extends EventConsumer {
    /** Entered when the consumer starts on a message (after earlier events of its record). */
    async handle(msg, parsed) {
      const entry = { arrival: now(), streamSeq: msg.info.streamSequence, redeliveries: msg.info.redeliveryCount };
      receipts.timings.set(msg, entry);
      if (parsed?.id) receipts.byId.set(parsed.id, entry);
      await super.handle(msg, parsed);
    }

    /** Called after the inbox transaction committed; the base class then waits for the server's reply. */
    async ack(msg) {
      const entry = receipts.timings.get(msg);
      if (entry) entry.committed = now();
      if (plainAck) msg.ack();
      else await super.ack(msg);
      if (!entry) return;
      entry.acked = now();
      if (!entry.id) {
        receipts.duplicates++;
        return;
      }
      receipts.byId.delete(entry.id);
      receipts.list.push([entry.id, entry.subject, entry.arrival, entry.handler, entry.committed, entry.acked, entry.streamSeq, entry.redeliveries]);
      receipts.received++;
    }
  };
}

/** Answers the bench's questions over IPC; stops on `stop`, SIGTERM, SIGINT or the parent going away. */
function serveIpc(receipts, warnings, stop) {
  process.on('message', (message) => {
    const reply = (body) => process.send({ id: message.id, ...body });
    if (message.cmd === 'clock') reply({ t: now() });
    else if (message.cmd === 'count') reply({ received: receipts.received, duplicates: receipts.duplicates, warnings: warnings.length });
    else if (message.cmd === 'take') {
      reply({ receipts: receipts.list, duplicates: receipts.duplicates, warnings });
      receipts.list = [];
    } else if (message.cmd === 'stop') stop();
  });
  process.on('disconnect', stop);
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

async function runConsumer() {
  const { EventConsumer, dataSourceOptions } = require('@smart-regency/platform');
  const { DataSource } = require('typeorm');
  const { connect } = require('nats');
  const env = process.env;
  const warnings = [];
  const nc = await connect({ servers: env.BENCH_NATS_URL, noAsyncTraces: true, name: 'bench-events-consumer' });
  const dataSource = new DataSource(dataSourceOptions({ DATABASE_URL: env.BENCH_DATABASE_URL, DB_POOL_SIZE: 10 }, { entities: [], migrations: [] }));
  await dataSource.initialize();
  const receipts = { timings: new WeakMap(), byId: new Map(), list: [], received: 0, duplicates: 0 };
  const TimedConsumer = timedConsumerClass(EventConsumer, receipts, env.BENCH_CONSUMER_ACK === 'ack');
  const consumer = new TimedConsumer({
    name: CONSUMER_NAME,
    stream: env.BENCH_STREAM,
    deadLetterPrefix: env.BENCH_DEADLETTER_PREFIX,
    js: nc.jetstream(),
    jsm: await nc.jetstreamManager(),
    dataSource,
    // The shipped EventConsumer handles up to `concurrency` events at once, chained per record (experiment: BENCH_CONSUMER_CONCURRENCY).
    concurrency: Number(env.BENCH_CONSUMER_CONCURRENCY || 8),
    logger: collectingLogger('consumer', warnings),
    // The handler runs inside the inbox transaction, after the inbox row: receipt time.
    handler: async (event) => {
      const entry = receipts.byId.get(event.id);
      if (!entry) return;
      entry.id = event.id;
      entry.subject = event.subject;
      entry.handler = now();
    },
  });
  await consumer.start();
  let stopping = false;
  serveIpc(receipts, warnings, async () => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(0), 10000).unref();
    await consumer.stop().catch(() => undefined);
    await dataSource.destroy().catch(() => undefined);
    await nc.close().catch(() => undefined);
    process.exit(0);
  });
  process.send({ ready: true });
}

module.exports = { runConsumer };
