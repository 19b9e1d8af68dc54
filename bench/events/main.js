'use strict';
/*
 * The events benchmark's run: how fast the transactional outbox is relayed to JetStream (phase 1),
 * and how long an event takes from the writer's COMMIT to a durable consumer's handler (phase 2).
 * Layout, as in the real system: the writer and its OutboxRelay share this process; the
 * EventConsumer runs in a second process (consumer.js) with its own database for the inbox.
 */
const crypto = require('crypto');
const os = require('os');
const path = require('path');
const h = require('../lib/harness');
const { collectingLogger, timedJetStream, instrumentRelay } = require('./timing');
const { startConsumerProcess, clockOffset } = require('./consumer-process');
const { relayThroughput } = require('./throughput');
const { latencyRun } = require('./latency');
const { goalsOf, printReport } = require('./report');

/** The writer's (outbox) and the consumer's (inbox) databases, migrated as every service's; the run's streams as in production. */
async function prepare(platform, env, nc) {
  const logger = { info: () => undefined, warn: (m) => console.warn(`  [migrate] ${m}`) };
  // The tables every service gets next to its own (CreateEventTables1764400000000 and whatever the
  // platform adds there, e.g. tables the relay's housekeeping also prunes).
  const schema = platform.withEventTables({ entities: [], migrations: [] });
  const databaseUrl = env.databaseUrl('bench_events');
  const consumerDatabaseUrl = env.databaseUrl('bench_events_consumer');
  for (const url of [databaseUrl, consumerDatabaseUrl]) await platform.runMigrations({ DATABASE_URL: url, DB_POOL_SIZE: 10 }, schema, logger);
  const settings = {
    EVENTS_STREAM: env.eventsStream,
    EVENTS_SUBJECT_PREFIX: env.eventsPrefix,
    EVENTS_MAX_AGE_DAYS: 365,
    EVENTS_DUPLICATE_WINDOW_SECONDS: 120,
    DEADLETTER_STREAM: env.deadLetterStream,
    DEADLETTER_SUBJECT_PREFIX: env.deadLetterPrefix,
  };
  await platform.ensureEventStreams(await nc.jetstreamManager(), settings);
  return { databaseUrl, consumerDatabaseUrl };
}

/** The writer's side: a TypeORM DataSource (pool 10), a check connection, and what the phases share. */
async function context(platform, env, nc, urls, options, date) {
  const { DataSource } = require('typeorm');
  const { Client } = require('pg');
  const dataSource = new DataSource(platform.dataSourceOptions({ DATABASE_URL: urls.databaseUrl, DB_POOL_SIZE: 10 }, { entities: [], migrations: [] }));
  await dataSource.initialize();
  h.atCleanup(() => (dataSource.isInitialized ? dataSource.destroy() : Promise.resolve()));
  const pg = new Client({ connectionString: urls.databaseUrl });
  await pg.connect();
  h.atCleanup(() => pg.end());
  const relays = new Set();
  h.atCleanup(async () => {
    for (const relay of relays) await h.withTimeout('relay.stop()', relay.stop(), 15000);
  });
  return {
    platform,
    dataSource,
    pg,
    js: nc.jetstream(),
    jsm: await nc.jetstreamManager(),
    stream: env.eventsStream,
    prefix: env.eventsPrefix,
    databaseUrl: urls.databaseUrl,
    recorder: new platform.EventRecorder(),
    userIds: Array.from({ length: options.records }, () => crypto.randomUUID()),
    relays,
    date,
    warnings: [],
    profileDir: path.join(options.out, `profiles-events-${date.replace(/[:.]/g, '-')}`),
  };
}

/** Phase 2: one relay (in this process) and the consumer process, then a run per rate. */
async function latencyPhase(ctx, env, urls, options, natsUrl) {
  await ctx.pg.query('TRUNCATE outbox');
  await ctx.jsm.streams.purge(env.eventsStream);
  ctx.latencySink = { batch: {}, batches: [], perMessage: new Map() };
  ctx.relayTimes = ctx.latencySink.perMessage;
  const relay = new ctx.platform.OutboxRelay({ databaseUrl: urls.databaseUrl, js: timedJetStream(ctx.js, ctx.latencySink), subjectPrefix: env.eventsPrefix, batchSize: options.latencyBatchSize, logger: collectingLogger('relay', ctx.warnings) });
  instrumentRelay(relay, ctx.latencySink);
  ctx.relays.add(relay);
  relay.start();
  const childEnv = {
    BENCH_NATS_URL: natsUrl,
    BENCH_DATABASE_URL: urls.consumerDatabaseUrl,
    BENCH_STREAM: env.eventsStream,
    BENCH_DEADLETTER_PREFIX: env.deadLetterPrefix,
    BENCH_CONSUMER_ACK: options.consumerAck,
    BENCH_CONSUMER_CONCURRENCY: String(options.consumerConcurrency),
  };
  const consumer = (ctx.consumer = startConsumerProcess(childEnv, options.cpuProf ? ctx.profileDir : undefined));
  h.atCleanup(() => consumer.stop());
  await h.withTimeout('the consumer process to start', consumer.ready, 30000);
  ctx.clock = await clockOffset(consumer);
  console.log(`\nconsumer process ${consumer.child.pid} ready; its clock is ${ctx.clock.offsetMs} ms off ours (measured over IPC, round trip ${ctx.clock.rttMs} ms)`);
  const runs = [];
  for (const rate of options.rates) runs.push(await latencyRun(ctx, rate, options));
  await h.withTimeout('relay.stop()', relay.stop(), 15000);
  ctx.relays.delete(relay);
  await consumer.stop();
  return { runs, clock: ctx.clock };
}

async function main(parsed) {
  const options = { ...parsed, drainTimeoutMs: 120000 };
  const testing = h.loadTesting();
  const platform = require('@smart-regency/platform');
  const { connect } = require('nats');
  const date = new Date().toISOString();
  const tree = h.treeInfo(['libs']); // before the run: others may rebuild dist meanwhile (this process has loaded it already)
  const env = h.track(new testing.TestEnvironment());
  const busyBeforeStart = await h.busyCores(1000);
  if (busyBeforeStart > 0.25) console.warn(`warning: the machine is already busy (${busyBeforeStart} cores in use before the start); figures will be low`);
  const nc = await connect({ servers: testing.TEST_NATS_URL, noAsyncTraces: true, name: 'bench-events' });
  h.atCleanup(() => nc.close());
  const urls = await prepare(platform, env, nc);
  const ctx = await context(platform, env, nc, urls, options, date);
  console.log(`run ${env.runId}: stream ${env.eventsStream}, databases ${new URL(urls.databaseUrl).pathname.slice(1)} and ${new URL(urls.consumerDatabaseUrl).pathname.slice(1)}`);
  const throughput = [];
  if (options.throughput) for (const batchSize of options.batchSizes) throughput.push(await relayThroughput(ctx, batchSize, options));
  const { runs: latency, clock } = options.latency ? await latencyPhase(ctx, env, urls, options, testing.TEST_NATS_URL) : { runs: [], clock: undefined };
  const machine = { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version, busyCoresBeforeStart: busyBeforeStart };
  const results = { benchmark: 'events', date, tree, machine, options: { ...options, out: path.relative(h.ROOT, options.out) }, runId: env.runId, throughput, latency, clock, warnings: ctx.warnings, goals: goalsOf(options, throughput, latency) };
  printReport(results);
  console.log(`\nresults written to ${h.relative(h.writeResults(options.out, 'events', date, results))}`);
  if (options.cpuProf) console.log(`CPU profiles in ${h.relative(ctx.profileDir)} (node bench/profile-summary.js ${h.relative(ctx.profileDir)} --skip=0)`);
}

module.exports = { main };
