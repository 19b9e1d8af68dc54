import { RegencyCloudEvent, SUBJECTS } from '@smart-regency/contracts';
import { EventConsumer, EventRecorder, EventsRuntime, Metrics, OutboxRelay } from '@smart-regency/platform';
import { freePort, InProcessService, makeNik, startInProcess, TcpProxy, waitFor } from '@smart-regency/testing';
import { randomUUID } from 'crypto';
import { connect, JetStreamManager, JsMsg, NatsConnection } from 'nats';
import { DataSource, EntityManager } from 'typeorm';
import { startIdentity } from '../src/app';
import { loadIdentityConfig } from '../src/config';

const uuid = (): string => randomUUID();

/**
 * The seven failure cases of the events backbone, against the real PostgreSQL and NATS, with
 * identity as the producer. Each case stops identity's own relay and drives relays and consumers
 * it builds itself, so it can crash them where it needs to.
 */
describe('events backbone under failure', () => {
  let t: InProcessService;
  let db: DataSource;
  let recorder: EventRecorder;
  let jsm: JetStreamManager;
  const extra: Array<{ stop(): Promise<unknown> | void }> = [];
  let n = 0;

  const register = () => {
    n++;
    return t.rpc.send(SUBJECTS.identity.registerCitizen, {
      nik: makeNik({ sequence: 200 + n }),
      fullName: 'Budi Santoso',
      email: `budi${n}@example.id`,
      phone: `0813555${String(10000 + n)}`,
      password: 'Rahasia-Labura-9',
    });
  };
  /** Records a catalogue event directly, for cases about ordering and volume. */
  const recordFor = (userId: string) =>
    db.transaction((m) => recorder.record(m, 'identity.user.registered.v1', { userId, roles: ['citizen'] }));
  const relay = (options: Partial<ConstructorParameters<typeof OutboxRelay>[0]> = {}) => {
    const r = new OutboxRelay({
      databaseUrl: t.databaseUrl,
      js: t.rpc.connection.jetstream(),
      subjectPrefix: t.env.eventsPrefix,
      pollMs: 100,
      publishTimeoutMs: 1000,
      logger: { log: () => undefined, warn: () => undefined, error: () => undefined },
      ...options,
    });
    extra.push(r);
    return r;
  };
  const pending = async () => (await t.db.query('SELECT count(*)::int AS n FROM outbox WHERE sent_at IS NULL')).rows[0].n as number;
  const drained = () => waitFor('the outbox to drain', async () => ((await pending()) === 0 ? true : undefined), 20000);
  const streamEvents = async (): Promise<RegencyCloudEvent[]> => {
    const info = await jsm.streams.info(t.env.eventsStream);
    const events: RegencyCloudEvent[] = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
      events.push((await jsm.streams.getMessage(t.env.eventsStream, { seq })).json());
    }
    return events;
  };
  const outboxOrder = async (recordIds: string[]) =>
    (await t.db.query('SELECT id, record_id FROM outbox WHERE record_id = ANY($1) ORDER BY seq', [recordIds])).rows as Array<{ id: string; record_id: string }>;

  /** A consumer whose effect is a row in test_effects, written in the inbox transaction. */
  const consumer = (name: string, options: Partial<ConstructorParameters<typeof EventConsumer>[0]> = {}, Kind = EventConsumer) => {
    const c = new Kind({
      name,
      stream: t.env.eventsStream,
      deadLetterPrefix: t.env.deadLetterPrefix,
      js: t.rpc.connection.jetstream(),
      jsm,
      dataSource: db,
      ackWaitMs: 1000,
      logger: { log: () => undefined, warn: () => undefined, error: () => undefined },
      handler: async (event, manager) => {
        await manager.query('INSERT INTO test_effects (consumer, event_id) VALUES ($1, $2)', [name, event.id]);
      },
      ...options,
    });
    extra.push(c);
    return c;
  };
  const effects = async (name: string) =>
    (await t.db.query('SELECT event_id FROM test_effects WHERE consumer = $1 ORDER BY seq', [name])).rows.map((r) => r.event_id as string);

  beforeAll(async () => {
    t = await startInProcess('identity', (env) => startIdentity(loadIdentityConfig(env)));
    db = t.service.app.get(DataSource);
    recorder = t.service.app.get(EventRecorder);
    jsm = await t.rpc.connection.jetstreamManager();
    await t.db.query('CREATE TABLE test_effects (seq bigserial PRIMARY KEY, consumer text NOT NULL, event_id uuid NOT NULL)');
    await t.service.app.get(EventsRuntime).relay.stop();
  });

  afterEach(async () => {
    await Promise.all(extra.splice(0).map((x) => x.stop()));
  });

  afterAll(() => t?.close());

  it('1. a rolled-back transaction publishes nothing', async () => {
    const userId = uuid();
    await expect(
      db.transaction(async (m) => {
        await recorder.record(m, 'identity.user.registered.v1', { userId, roles: ['citizen'] });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    // A real write that fails after checks (duplicate email) records nothing either.
    const first = await register();
    await expect(
      t.rpc.send(SUBJECTS.identity.registerCitizen, {
        nik: makeNik({ sequence: 9000 }),
        fullName: 'Dup',
        email: first.email,
        phone: '081399999999',
        password: 'Rahasia-Labura-9',
      }),
    ).rejects.toMatchObject({ code: 'IDENTITY.EMAIL_TAKEN' });
    expect((await t.db.query('SELECT count(*)::int AS n FROM outbox WHERE record_id = $1', [userId])).rows[0].n).toBe(0);
    relay().start();
    await drained();
    const types = (await streamEvents()).map((e) => e.subject);
    expect(types).not.toContain(userId);
    expect(types).toContain(first.id);
    expect((await streamEvents()).filter((e) => e.subject === first.id)).toHaveLength(1);
  });

  it('2. an event committed while no relay runs is published by the next relay run', async () => {
    const users = [await register(), await register()];
    expect(await pending()).toBe(2);
    relay().start();
    await drained();
    const subjects = (await streamEvents()).map((e) => e.subject);
    for (const u of users) expect(subjects.filter((s) => s === u.id)).toHaveLength(1);
  });

  it('3. published but not marked sent: republished, the stream keeps one copy, consumers see it once', async () => {
    const user = await register();
    const r = relay();
    r.start();
    await drained();
    await r.stop();
    const before = (await jsm.streams.info(t.env.eventsStream)).state.messages;
    // The crash: JetStream has the event, the outbox row was never marked.
    await t.db.query('UPDATE outbox SET sent_at = NULL WHERE record_id = $1', [user.id]);
    relay().start();
    await drained();
    expect((await jsm.streams.info(t.env.eventsStream)).state.messages).toBe(before);

    // Past the duplicate window the stream would take a second copy: the consumer's inbox skips it.
    const [event] = (await streamEvents()).filter((e) => e.subject === user.id);
    await t.rpc.connection.jetstream().publish(`${t.env.eventsPrefix}.${event.type}`, JSON.stringify(event));
    const c = consumer('case3', { filterSubject: `${t.env.eventsPrefix}.identity.>` });
    await c.start();
    const copies = (await streamEvents()).filter((e) => e.id === event.id).length;
    expect(copies).toBe(2);
    await waitFor('the consumer to catch up', async () => {
      const info = await jsm.consumers.info(t.env.eventsStream, 'case3');
      return info.num_pending === 0 && info.num_ack_pending === 0 ? true : undefined;
    });
    const seen = await effects('case3');
    expect(seen.filter((id) => id === event.id)).toHaveLength(1);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('4. NATS down for a while: writes go on, the backlog grows, then drains in order, nothing lost', async () => {
    const port = await freePort();
    const proxy = new TcpProxy(port, { host: '127.0.0.1', port: 4222 });
    await proxy.open();
    const nc: NatsConnection = await connect({ servers: `127.0.0.1:${port}`, maxReconnectAttempts: -1, reconnectTimeWait: 200 });
    extra.push({ stop: () => nc.close() });
    const r = relay({ js: nc.jetstream() });
    r.start();
    await proxy.close();

    const users = [];
    for (let i = 0; i < 5; i++) users.push(await register());
    const ids = users.map((u) => u.id);
    for (let i = 0; i < 3; i++) for (const id of ids.slice(0, 2)) await recordFor(id);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await pending()).toBe(11);

    await proxy.open();
    extra.push({ stop: () => proxy.close() });
    await drained();
    const published = (await streamEvents()).filter((e) => ids.includes(e.subject)).map((e) => e.id);
    expect(published).toEqual((await outboxOrder(ids)).map((row) => row.id));
  });

  it('5. a consumer that crashed after its commit, before its ack, skips the redelivery', async () => {
    const user = await register();
    relay().start();
    await drained();
    const [event] = (await streamEvents()).filter((e) => e.subject === user.id);

    class CrashesBeforeAck extends EventConsumer {
      protected override async ack(msg: JsMsg): Promise<void> {
        if (msg.json<RegencyCloudEvent>().id === event.id) return; // the process died here
        await super.ack(msg);
      }
    }
    const crashing = consumer('case5', { filterSubject: `${t.env.eventsPrefix}.identity.>` }, CrashesBeforeAck);
    await crashing.start();
    await waitFor('the effect', async () => ((await effects('case5')).includes(event.id) ? true : undefined));
    await crashing.stop();

    const metrics = new Metrics('test');
    const restarted = consumer('case5', { filterSubject: `${t.env.eventsPrefix}.identity.>`, metrics });
    await restarted.start();
    const duplicates = async () =>
      (await metrics.eventsConsumed.get()).values.find((v) => v.labels.outcome === 'duplicate')?.value ?? 0;
    await waitFor('the redelivery to be skipped', async () => ((await duplicates()) >= 1 ? true : undefined));
    // The skip is counted just before its acknowledgement: wait for that to reach the server.
    await waitFor('the redelivery to be acknowledged', async () => ((await jsm.consumers.info(t.env.eventsStream, 'case5')).num_ack_pending === 0 ? true : undefined), 5000, 50);
    expect((await effects('case5')).filter((id) => id === event.id)).toHaveLength(1);
  });

  it('6. two relays at once: one publishes, every event once, in order per record; the other takes over', async () => {
    const a = relay();
    const b = relay();
    a.start();
    b.start();
    const ids = Array.from({ length: 10 }, () => uuid());
    for (let round = 0; round < 10; round++) for (const id of ids) await recordFor(id);
    await drained();
    expect([a.isLeader, b.isLeader].filter(Boolean)).toHaveLength(1);
    let published = (await streamEvents()).filter((e) => ids.includes(e.subject));
    expect(published).toHaveLength(100);
    expect(new Set(published.map((e) => e.id)).size).toBe(100);
    const order = await outboxOrder(ids);
    for (const id of ids) {
      expect(published.filter((e) => e.subject === id).map((e) => e.id)).toEqual(order.filter((r) => r.record_id === id).map((r) => r.id));
    }

    const [leader, standby] = a.isLeader ? [a, b] : [b, a];
    await leader.stop();
    for (const id of ids) await recordFor(id);
    await drained();
    expect(standby.isLeader).toBe(true);
    published = (await streamEvents()).filter((e) => ids.includes(e.subject));
    expect(published).toHaveLength(110);
  });

  it('7. a poison event is dead-lettered after max-deliver and the consumer keeps going', async () => {
    const poison = uuid();
    const before = uuid();
    const after = uuid();
    await recordFor(before);
    await recordFor(poison);
    await recordFor(after);
    relay().start();
    await drained();
    const c = consumer('case7', {
      filterSubject: `${t.env.eventsPrefix}.identity.>`,
      maxDeliver: 3,
      handler: async (event, manager) => {
        if (event.subject === poison) throw new Error('cannot handle this one');
        await manager.query('INSERT INTO test_effects (consumer, event_id) VALUES ($1, $2)', ['case7', event.id]);
      },
    });
    await c.start();
    const events = (await streamEvents()).filter((e) => [before, poison, after].includes(e.subject));
    const idOf = (subject: string) => events.find((e) => e.subject === subject)!.id;
    await waitFor('the dead letter', async () => {
      const info = await jsm.streams.info(t.env.deadLetterStream).catch(() => undefined);
      return info && info.state.messages > 0 ? true : undefined;
    }, 20000);
    const letter = await jsm.streams.getMessage(t.env.deadLetterStream, { last_by_subj: `${t.env.deadLetterPrefix}.case7.identity.user.registered.v1` });
    expect(letter.json<RegencyCloudEvent>().id).toBe(idOf(poison));
    expect(letter.header.get('Regency-Error')).toBe('cannot handle this one');
    await waitFor('the later event', async () => ((await effects('case7')).includes(idOf(after)) ? true : undefined));
    const seen = await effects('case7');
    expect(seen).toContain(idOf(before));
    expect(seen).not.toContain(idOf(poison));
  });

  it('consumers keep working through a NATS outage', async () => {
    const port = await freePort();
    const proxy = new TcpProxy(port, { host: '127.0.0.1', port: 4222 });
    await proxy.open();
    extra.push({ stop: () => proxy.close() });
    const nc = await connect({ servers: `127.0.0.1:${port}`, maxReconnectAttempts: -1, reconnectTimeWait: 200 });
    extra.push({ stop: () => nc.close() });
    relay().start();
    const c = consumer('outage', { filterSubject: `${t.env.eventsPrefix}.identity.>`, js: nc.jetstream(), jsm: await nc.jetstreamManager() });
    await c.start();
    const first = uuid();
    const firstEvent = await recordFor(first);
    await waitFor('the first event', async () => ((await effects('outage')).includes(firstEvent.id) ? true : undefined));

    await proxy.close();
    const second = await recordFor(uuid());
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await proxy.open();
    await waitFor('the event sent during the outage', async () => ((await effects('outage')).includes(second.id) ? true : undefined), 30000);
  });

  const batched = (name: string) => ({
    handler: undefined,
    batchHandler: async (events: RegencyCloudEvent[], manager: EntityManager) => {
      for (const e of events) await manager.query('INSERT INTO test_effects (consumer, event_id) VALUES ($1, $2)', [name, e.id]);
    },
  });
  it.each([
    ['one event per transaction', 'dbaway', {}],
    ['batched, as reporting', 'dbaway-batched', batched('dbaway-batched')],
  ])('a consumer whose database is away holds its events until it is back, and dead-letters none (%s)', async (_, name, mode) => {
    // The consumer's own database behind a proxy: closing it cuts the pool's connections and refuses new ones.
    const port = await freePort();
    const target = new URL(t.databaseUrl);
    const proxy = new TcpProxy(port, { host: target.hostname, port: Number(target.port || 5432) });
    await proxy.open();
    extra.push({ stop: () => proxy.close() });
    const url = new URL(t.databaseUrl);
    url.port = String(port);
    const away = new DataSource({ type: 'postgres', url: url.toString(), extra: { max: 4, connectionTimeoutMillis: 1000 } });
    await away.initialize();
    extra.push({ stop: () => away.destroy() });
    relay().start();
    // Few deliveries, so that naks alone would dead-letter within a second of outage.
    const c = consumer(name, { filterSubject: `${t.env.eventsPrefix}.identity.>`, startTime: new Date(), dataSource: away, maxDeliver: 2, ...mode });
    await c.start();
    const before = await recordFor(uuid());
    await waitFor('the event before the outage', async () => ((await effects(name)).includes(before.id) ? true : undefined));

    await proxy.close();
    const during = await recordFor(uuid());
    await drained(); // published while the consumer's database is away, so it is delivered and fails
    await new Promise((resolve) => setTimeout(resolve, 4000));
    await proxy.open();

    await waitFor('the event of the outage', async () => ((await effects(name)).includes(during.id) ? true : undefined), 20000);
    expect((await effects(name)).filter((id) => id === during.id)).toHaveLength(1);
    const letters = await jsm.streams.info(t.env.deadLetterStream, { subjects_filter: `${t.env.deadLetterPrefix}.${name}.>` }).catch(() => undefined);
    expect(letters).toBeDefined();
    expect(Object.values(letters?.state.subjects ?? {})).toEqual([]);
  });

  it('a consumer handling several events at once keeps each record in order', async () => {
    const records = Array.from({ length: 8 }, () => uuid());
    for (let round = 0; round < 15; round++) for (const id of records) await recordFor(id);
    relay().start();
    await drained();
    const c = consumer('ordered', {
      filterSubject: `${t.env.eventsPrefix}.identity.>`,
      concurrency: 6,
      handler: async (event, manager) => {
        if (!records.includes(event.subject)) return;
        await new Promise((r) => setTimeout(r, Math.random() * 8)); // jitter, so records interleave
        await manager.query('INSERT INTO test_effects (consumer, event_id) VALUES ($1, $2)', ['ordered', event.id]);
      },
    });
    await c.start();
    await waitFor('all effects', async () => ((await effects('ordered')).length >= records.length * 15 ? true : undefined), 30000);
    const seen = await effects('ordered');
    const order = await outboxOrder(records);
    for (const id of records) {
      const expected = order.filter((r) => r.record_id === id).map((r) => r.id);
      expect(seen.filter((e) => expected.includes(e))).toEqual(expected);
    }
    expect(new Set(seen).size).toBe(seen.length);
  });
  it('a batched consumer with a wait applies a burst in one transaction', async () => {
    const r = relay();
    r.start();
    await drained();
    const batches: number[][] = [];
    const burst = Array.from({ length: 10 }, () => uuid());
    const c = consumer('gathering', {
      filterSubject: `${t.env.eventsPrefix}.identity.>`,
      startTime: new Date(),
      handler: undefined,
      batchWaitMs: 1000,
      batchHandler: async (events, manager) => {
        const mine = events.filter((e) => burst.includes(e.subject));
        if (mine.length) batches.push(mine.map((e) => burst.indexOf(e.subject)));
        for (const e of mine) await manager.query('INSERT INTO test_effects (consumer, event_id) VALUES ($1, $2)', ['gathering', e.id]);
      },
    });
    await c.start();
    for (const id of burst) await recordFor(id);
    await waitFor('the burst applied', async () => ((await effects('gathering')).length >= burst.length ? true : undefined), 20000);
    expect(batches).toEqual([burst.map((_, i) => i)]);
  });
  it('a write wakes the relay once it has committed: the event is published long before the relay would poll', async () => {
    // The relay here polls once a minute, and identity's own relay is stopped (so not the lease
    // holder): only the notification identity sends after each commit can wake it.
    const r = relay({ pollMs: 60_000 });
    r.start();
    await waitFor('the relay to hold the lease', async () => (r.isLeader ? true : undefined), 10000);
    const published = async (recordId: string) => (await streamEvents()).some((e) => e.subject === recordId);
    // In a transaction (woken after its commit) ...
    const inTransaction = uuid();
    const started = Date.now();
    await recordFor(inTransaction);
    await waitFor('the event of a transaction', async () => ((await published(inTransaction)) ? true : undefined), 10000);
    // ... and by a real write through the service.
    const user = await register();
    await waitFor('the registration event', async () => ((await published(user.id)) ? true : undefined), 10000);
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});
