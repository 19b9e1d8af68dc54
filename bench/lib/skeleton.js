'use strict';
/*
 * The skeleton: the architecture the brief fixes, with none of the product in it (bench/README.md,
 * "complaints.js", step 6). Two processes, each a role of the benchmark's own file:
 *
 * - the gateway (runGateway): a NestJS application on Fastify, one controller whose routes check
 *   the access token as the bare twins do (remembered until it expires, as the gateway does) and
 *   ask over NATS request/reply in Nest's wire format, as RpcClient does. No validation, logging,
 *   metrics, helmet, throttling or request ids.
 * - the service (runService): a NestJS microservice on RegencyNatsServer (the services' transport)
 *   whose handlers do the bare twin's work, plus, unless SKELETON_EVENTS=0, the services' own
 *   OutboxRelay publishing every outbox row to JetStream and a durable JetStream consumer that
 *   ackAcks each event (reporting's part without its SQL).
 *
 * What the skeleton cannot reach on this machine, no product built on these choices reaches.
 */
const { sleep, startBareTwin, stopChild, failIfExited, onStop, waitUntil } = require('./children');
const { tokenMemory, VERIFY_OPTIONS, citizenCheck, gatewayKeys } = require('./twins');

/** Decorators applied by hand, as TypeScript emits them (the benchmarks are plain JavaScript). */
function decorateMethod(cls, name, decorators) {
  const descriptor = Object.getOwnPropertyDescriptor(cls.prototype, name);
  for (const decorator of decorators) decorator(cls.prototype, name, descriptor);
}

/** A Nest module with one controller: a message pattern per subject of `handlers`. */
function handlersModule(handlers) {
  const { Controller, Module } = require('@nestjs/common');
  const { MessagePattern, Payload, RpcException } = require('@nestjs/microservices');
  class SkeletonHandlers {}
  Object.entries(handlers).forEach(([subject, handler], i) => {
    const name = `handle${i}`;
    SkeletonHandlers.prototype[name] = async (data) => {
      try {
        return await handler(data);
      } catch (error) {
        throw new RpcException({ status: error.status ?? 500, code: error.code ?? 'COMMON.INTERNAL', detail: error.message });
      }
    };
    decorateMethod(SkeletonHandlers, name, [MessagePattern(subject)]);
    Payload()(SkeletonHandlers.prototype, name, 0);
  });
  Controller()(SkeletonHandlers);
  class SkeletonServiceModule {}
  Module({ controllers: [SkeletonHandlers] })(SkeletonServiceModule);
  return SkeletonServiceModule;
}

/**
 * The durable JetStream consumer on `<EVENTS_SUBJECT_PREFIX>.<eventsFilter>` that ackAcks each
 * event, up to 256 acknowledgements in flight (as reporting acknowledges a batch at once).
 * `consumed()`; `stop()` lets it catch up first (at most 30 s), so its count is complete.
 */
async function startConsumer(nc, jsm, env, eventsFilter) {
  const { AckPolicy, DeliverPolicy } = require('nats');
  const durable = `skeleton-${env.SKELETON_PREFIX}`.replace(/[^A-Za-z0-9_-]/g, '_');
  await jsm.consumers.add(env.EVENTS_STREAM, {
    durable_name: durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.New,
    filter_subject: `${env.EVENTS_SUBJECT_PREFIX}.${eventsFilter}`,
  });
  const messages = await (await nc.jetstream().consumers.get(env.EVENTS_STREAM, durable)).consume({ max_messages: 500 });
  let consumed = 0;
  const consuming = (async () => {
    const inFlight = new Set();
    for await (const msg of messages) {
      JSON.parse(msg.string());
      const acked = msg.ackAck().then(() => {
        consumed += 1;
        inFlight.delete(acked);
      });
      inFlight.add(acked);
      if (inFlight.size >= 256) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  })();
  const caughtUp = async () => {
    for (const until = Date.now() + 30000; Date.now() < until; await sleep(100)) {
      const info = await jsm.consumers.info(env.EVENTS_STREAM, durable);
      if (info.num_pending === 0 && info.num_ack_pending === 0) return;
    }
  };
  return {
    consumed: () => consumed,
    caughtUp,
    async stop() {
      await messages.close().catch(() => undefined);
      await consuming.catch(() => undefined);
      await jsm.consumers.delete(env.EVENTS_STREAM, durable).catch(() => undefined);
    },
  };
}

/**
 * The service. `handlers`: subject → async (data) => answer; an error with `status`/`code` becomes
 * the RPC error the gateway turns into that status. `eventsFilter`: the JetStream subject (below
 * EVENTS_SUBJECT_PREFIX) its consumer reads, e.g. `complaints.>`. `pool`: ended on stop.
 * Environment: NATS_URL, SKELETON_PREFIX, SKELETON_EVENTS, BARE_DATABASE_URL, EVENTS_STREAM,
 * EVENTS_SUBJECT_PREFIX. Reports `{ ready }` over IPC; prints the events consumed when it stops.
 */
async function runService({ handlers, eventsFilter, pool }) {
  const { NestFactory } = require('@nestjs/core');
  const { connect } = require('nats');
  const { RegencyNatsServer, OutboxRelay, CallerVerifier, DEVELOPMENT_ACTOR_SIGNING_KEY } = require('@smart-regency/platform');
  const env = process.env;

  const nc = await connect({ servers: env.NATS_URL, name: 'skeleton-service', noAsyncTraces: true });
  // The skeleton's gateway passes the caller in the data, not in signed headers: the verifier never has work.
  const verifier = new CallerVerifier([DEVELOPMENT_ACTOR_SIGNING_KEY]);
  const server = new RegencyNatsServer({ connection: nc, prefix: env.SKELETON_PREFIX, queue: 'skeleton', graceMs: 2000, verifier });
  const app = await NestFactory.createMicroservice(handlersModule(handlers), { strategy: server, logger: ['error', 'warn'] });
  await app.listen();

  const events = env.SKELETON_EVENTS !== '0';
  const quiet = { log() {}, warn: (m) => console.warn(m), error: (m) => console.error(m) };
  const relay = events ? new OutboxRelay({ databaseUrl: env.BARE_DATABASE_URL, js: nc.jetstream(), subjectPrefix: env.EVENTS_SUBJECT_PREFIX, logger: quiet }) : null;
  relay?.start();
  const jsm = await nc.jetstreamManager();
  const consumer = events ? await startConsumer(nc, jsm, env, eventsFilter) : null;
  onStop(async () => {
    setTimeout(() => process.exit(0), 40000).unref();
    await app.close().catch(() => undefined);
    await relay?.stop().catch(() => undefined);
    await consumer?.caughtUp().catch(() => undefined);
    await consumer?.stop();
    await nc.drain().catch(() => undefined);
    await pool?.end().catch(() => undefined);
    console.log(`skeleton service: ${consumer?.consumed() ?? 0} events consumed`);
  });
  process.send({ ready: true });
}

/** The gateway's controller: one route per entry of `routes` (see runGateway), asking over `nc`. */
function gatewayController(routes, { nc, codec, problem, citizen, prefix }) {
  const common = require('@nestjs/common');
  const { randomUUID } = require('crypto');
  class SkeletonController {}
  routes.forEach((route, i) => {
    const name = `route${i}`;
    const subject = `${prefix}.${route.subject}`;
    SkeletonController.prototype[name] = async (request, reply) => {
      const actor = route.citizen ? await citizen(request.headers.authorization) : null;
      const msg = await nc.request(subject, codec.encode({ pattern: route.subject, data: route.data(request, actor), id: randomUUID() }), { timeout: 10000 });
      const answer = codec.decode(msg.data);
      if (answer.err) throw problem(answer.err.status ?? 500, answer.err.code ?? 'COMMON.INTERNAL', answer.err.detail ?? String(answer.err));
      if (route.raw) {
        const { json, ...rest } = answer.response;
        reply.type('application/json; charset=utf-8');
        return `{"items":${json},${JSON.stringify(rest).slice(1)}`;
      }
      if (answer.response?.version !== undefined) reply.header('etag', `"${answer.response.version}"`);
      return answer.response;
    };
    const method = route.method === 'GET' ? common.Get : common.Post;
    decorateMethod(SkeletonController, name, [method(route.path), common.HttpCode(route.status)]);
    common.Req()(SkeletonController.prototype, name, 0);
    common.Res({ passthrough: true })(SkeletonController.prototype, name, 1);
  });
  common.Controller()(SkeletonController);
  class SkeletonGatewayModule {}
  common.Module({ controllers: [SkeletonController] })(SkeletonGatewayModule);
  return SkeletonGatewayModule;
}

/**
 * The gateway. `routes`: `{ method: 'GET' | 'POST', path (Nest's, e.g. 'api/v1/x/:id/submit'),
 * status, subject, citizen (true: a citizen's access token is required), data(request, actor) → the
 * message's data, raw (the answer is `{ json, …rest }` whose JSON text `json` goes out as `items`
 * unparsed) }`. An answer with a `version` gets it as ETag. Environment: NATS_URL, SKELETON_PREFIX,
 * BARE_JWKS. Reports `{ ready, port }` over IPC.
 */
async function runGateway({ routes }) {
  const { NestFactory } = require('@nestjs/core');
  const common = require('@nestjs/common');
  const { FastifyAdapter } = require('@nestjs/platform-fastify');
  const { connect, JSONCodec } = require('nats');
  const env = process.env;
  const verified = tokenMemory(await gatewayKeys(), VERIFY_OPTIONS);
  const nc = await connect({ servers: env.NATS_URL, name: 'skeleton-gateway', noAsyncTraces: true });
  const problem = (status, code, detail) => new common.HttpException({ type: 'about:blank', title: code, status, detail }, status);
  const module = gatewayController(routes, { nc, codec: JSONCodec(), problem, citizen: citizenCheck(verified, problem), prefix: env.SKELETON_PREFIX });
  const app = await NestFactory.create(module, new FastifyAdapter({ keepAliveTimeout: 72000 }), { logger: ['error', 'warn'] });
  await app.listen(0, '127.0.0.1');
  onStop(async () => {
    setTimeout(() => process.exit(0), 3000).unref();
    await app.close().catch(() => undefined);
    await nc.drain().catch(() => undefined);
  });
  process.send({ ready: true, port: app.getHttpServer().address().port });
}

/** First marks every unpublished outbox row sent (see start); the number of rows. */
async function markBacklogSent(databaseUrl) {
  const { Client } = require('pg');
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query('UPDATE outbox SET sent_at = clock_timestamp() WHERE sent_at IS NULL')).rowCount;
  } finally {
    await client.end();
  }
}

/**
 * Starts the skeleton from the benchmark `script` (which runs runService / runGateway for
 * `--role=skeleton-service` / `--role=skeleton-gateway`): `{ service, gateway, url, pids, stop() }`.
 * `events`: relay and consumer on or off. `env`: the twin's (BARE_DATABASE_URL, BARE_JWKS, …);
 * `serviceEnv`: a service's environment from TestEnvironment (NATS and the events stream).
 * `markBacklogSent`: first mark every unpublished outbox row sent (the bare twin has no relay and
 * leaves its rows behind; the skeleton's relay would publish them inside its measured window).
 * Only with the system stopped.
 */
async function start({ script, nodeFlags = () => [], env, serviceEnv, runId, events, markBacklogSent: mark = false }) {
  const backlogMarkedSent = mark ? await markBacklogSent(env.BARE_DATABASE_URL) : 0;
  if (backlogMarkedSent) console.log(`(${backlogMarkedSent} outbox rows nobody published, the bare twin's, marked sent before the skeleton starts)`);
  const all = {
    ...env,
    NATS_URL: serviceEnv.NATS_URL,
    EVENTS_STREAM: serviceEnv.EVENTS_STREAM,
    EVENTS_SUBJECT_PREFIX: serviceEnv.EVENTS_SUBJECT_PREFIX,
    SKELETON_PREFIX: `skel-${runId}`,
    SKELETON_EVENTS: events ? '1' : '0',
  };
  const { bare: service } = await startBareTwin([...nodeFlags('skeleton-service'), script, '--role=skeleton-service'], all, 'skeleton-service');
  const { bare: gateway, url } = await startBareTwin([...nodeFlags('skeleton-gateway'), script, '--role=skeleton-gateway'], all, 'skeleton-gateway');
  const procs = [service, gateway];
  return {
    service,
    gateway,
    url,
    backlogMarkedSent,
    pids: { 'skeleton-gateway': gateway.child.pid, 'skeleton-service': service.child.pid },
    failIfExited: () => procs.forEach(failIfExited),
    /** Stops both (the service after its consumer caught up); resolves the events it consumed, or null. */
    async stop() {
      await stopChild(gateway);
      await stopChild(service, 45000);
      const line = service.output.find((l) => l.startsWith('skeleton service:'));
      return line ? Number(/(\d+) events consumed/.exec(line)[1]) : null;
    },
  };
}

/**
 * A measured window of a started skeleton on the database `db`: `measure()` the load; then, with
 * `events`, every event it wrote is published (its relay drains the backlog) before it stops.
 * The figures, the events written (warm-up included) and those its consumer took.
 */
async function measure(skel, db, events, label, measureLoad) {
  const { countOf } = require('./db');
  const outbox = (where = '') => countOf(db, `SELECT count(*)::int AS n FROM outbox${where}`);
  const before = await outbox();
  const measured = await measureLoad();
  skel.failIfExited();
  if (events) await waitUntil('the skeleton relay to publish its backlog', async () => (await outbox(' WHERE sent_at IS NULL')) === 0, 30000, 200, [skel.service]);
  const eventsWritten = (await outbox()) - before;
  const consumed = await skel.stop();
  console.log(`[${label}] ${eventsWritten} events written (warm-up included)${events ? `, all published; ${consumed} consumed` : '; no relay or consumer (--skeleton-events=off)'}`);
  return { ...measured, events, eventsWritten, consumed };
}

module.exports = { runService, runGateway, start, measure };
