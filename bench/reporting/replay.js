'use strict';
/*
 * consumer: records' events published to JetStream first, then reporting starts and its
 * consumer's catch-up rate is timed until the stream is acknowledged to the end.
 * rebuild: records' events published, then the rebuild command as ops run it (the reporting
 * package's `npm run rebuild`) replays them into fresh tables and swaps them in; its wall time.
 */
const { randomUUID } = require('crypto');
const { performance } = require('perf_hooks');
const h = require('../lib/harness');
const { publishEvents } = require('./events');

const GOAL_EVENTS_PER_S = 2000;
const COUNTS_SQL = `SELECT (SELECT count(*) FROM complaint_facts) AS complaints, (SELECT count(*) FROM permit_facts) AS permits, (SELECT sum(received) FROM complaint_daily) AS received, (SELECT sum(submitted) FROM permit_daily) AS submitted`;

/** identity alone (it creates the run's streams and publishes nothing), then `records` records' events published. */
async function published(testing, environment, jsm, nc, records, perRecord) {
  const identity = await h.startSystem(testing, environment, { names: ['identity'], extra: () => ({ LOG_LEVEL: 'warn' }) });
  await h.waitUntil('the events stream', async () => !!(await jsm.streams.info(environment.eventsStream).catch(() => null)), 30000, 200, h.processesOf(identity));
  const agencies = Array.from({ length: 11 }, () => randomUUID());
  return { identity, published: await publishEvents(nc.jetstream(), environment.eventsPrefix, records, perRecord, agencies, 'publish') };
}

/** Runs `work(environment, jsm, nc)` with a NATS connection; stops the processes it started and drops its databases and streams. */
function withNats(testing, work) {
  return h.withEnvironment(testing, async (environment) => {
    const { connect } = require('nats');
    const nc = await connect({ servers: testing.TEST_NATS_URL });
    try {
      return await work(environment, await nc.jetstreamManager(), nc);
    } finally {
      await h.stopAllChildren();
      await nc.close();
    }
  });
}

/** Polls the reporting consumer until it has acknowledged stream position `last`: [seconds since t0, ack floor] samples. */
async function catchUp(jsm, environment, last, t0, procs) {
  const samples = [];
  const probe = async () => {
    const info = await jsm.consumers.info(environment.eventsStream, 'reporting').catch(() => null);
    if (info) samples.push([h.round((performance.now() - t0) / 1000, 1), info.ack_floor.stream_seq]);
    return info && info.ack_floor.stream_seq >= last;
  };
  await h.waitUntil('the consumer to catch up', probe, 1_800_000, 500, procs);
  return samples;
}

function consumer(testing, options) {
  return withNats(testing, async (environment, jsm, nc) => {
    const { identity, published: sent } = await published(testing, environment, jsm, nc, options.consumerRecords * 2, options.eventsPerRecord);
    const last = (await jsm.streams.info(environment.eventsStream)).state.last_seq;
    const loadBefore = h.uptime();
    const t0 = performance.now();
    const reporting = await h.startSystem(testing, environment, { names: ['reporting'], extra: () => ({ LOG_LEVEL: 'warn' }) });
    const samples = await catchUp(jsm, environment, last, t0, [...h.processesOf(identity), ...h.processesOf(reporting)]);
    const seconds = (performance.now() - t0) / 1000;
    // Throughput from the first acknowledgement on, so the service's start-up is not counted.
    const firstAck = samples.find(([, seq]) => seq > 0) ?? [0, 0];
    const steady = last / (seconds - firstAck[0]);
    const counts = (await h.queryOnce(environment.databaseUrl('reporting'), COUNTS_SQL)).rows[0];
    return {
      published: sent,
      events: last,
      secondsFromStart: h.round(seconds, 1),
      eventsPerSecondFromStart: Math.round(last / seconds),
      eventsPerSecondFromFirstAck: Math.round(steady),
      goalMet: steady >= GOAL_EVENTS_PER_S,
      counts,
      loadBefore,
      loadAfter: h.uptime(),
    };
  });
}

/** The rebuild command, as ops run it: `npm run rebuild` of @smart-regency/reporting (node dist/rebuild.js). */
async function runRebuild(env) {
  const child = h.startChild('rebuild', ['run', '--silent', '-w', '@smart-regency/reporting', 'rebuild'], { HOME: process.env.HOME ?? '', ...env }, { command: 'npm' });
  child.child.stderr.pipe(process.stderr);
  const { code } = await child.exit;
  if (code !== 0) throw new Error(`rebuild exited ${code}:\n${child.output.slice(-20).join('\n')}`);
  return child.output.filter((l) => l.startsWith('rebuilt'));
}

function rebuild(testing, options) {
  return withNats(testing, async (environment, jsm, nc) => {
    const { published: sent } = await published(testing, environment, jsm, nc, options.rebuildRecords, 2);
    const stream = (await jsm.streams.info(environment.eventsStream)).state;
    const loadBefore = h.uptime();
    const env = environment.serviceEnv('reporting', { LOG_LEVEL: 'warn' });
    const t0 = performance.now();
    const output = await runRebuild(env);
    const seconds = (performance.now() - t0) / 1000;
    const counts = (await h.queryOnce(env.DATABASE_URL, COUNTS_SQL)).rows[0];
    return {
      published: sent,
      streamMessages: stream.messages,
      streamBytes: stream.bytes,
      rebuildSeconds: h.round(seconds, 1),
      eventsPerSecond: Math.round(stream.messages / seconds),
      output,
      counts,
      loadBefore,
      loadAfter: h.uptime(),
    };
  });
}

module.exports = { consumer, rebuild };
