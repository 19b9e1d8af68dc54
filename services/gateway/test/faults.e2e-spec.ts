import { busLayoutOf, PrivateNatsServer, PrivatePostgres, TestEnvironment, TestSystem, waitFor } from '@smart-regency/testing';
import { Agent, request } from 'http';
import { connect } from 'nats';
import { Client } from 'pg';
import { performance } from 'perf_hooks';
import { People } from './support';

// The gateway's wait for a service; a loaded two-core CI machine gets a generous margin on top.
const RPC_TIMEOUT_MS = 8000;
const MARGIN_MS = 4000;
const FILINGS_PER_SECOND = 8;

interface Answer {
  title: string;
  /** ms since the suite started, when the request was sent. */
  at: number;
  ms: number;
  status: number;
  retryAfter: string | null;
  id?: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const now = () => performance.now();

/**
 * The short fault matrix (bench/faults.js is the long one): the whole system on a PostgreSQL
 * cluster and a nats-server of the test's own, citizens filing complaints steadily while NATS is
 * stopped and then PostgreSQL is stopped. Each answer is a 201 or a 503 (with Retry-After) within
 * the RPC timeout, the first request after recovery succeeds, every 201 is stored, and every
 * stored complaint reaches reporting once, with nothing dead-lettered.
 */
describe('faults under steady filing', () => {
  let postgres: PrivatePostgres;
  let nats: PrivateNatsServer;
  let env: TestEnvironment;
  let system: TestSystem;
  const people = new People(9500);
  const { bearer } = people;
  const citizens = ['warga1', 'warga2', 'warga3'];
  let n = 0;

  const database = (service: string) => postgres.url(`${env.runId}_${service}`);
  const rows = async (service: string, sql: string, values: unknown[] = []) => {
    const client = new Client({ connectionString: database(service) });
    await client.connect();
    try {
      return (await client.query(sql, values)).rows;
    } finally {
      await client.end();
    }
  };

  /** One POST on `agent`: status, Retry-After and the parsed body; status -1 when no answer came. */
  const post = (agent: Agent, path: string, authorization: string, body: unknown) =>
    new Promise<{ status: number; retryAfter: string | null; json: { id?: string } }>((resolve) => {
      const url = new URL(system.gatewayUrl);
      const text = JSON.stringify(body);
      const req = request(
        { agent, host: url.hostname, port: url.port, method: 'POST', path, headers: { authorization, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            let json = {};
            try {
              json = JSON.parse(Buffer.concat(chunks).toString());
            } catch {
              // not JSON: the status says enough
            }
            const retryAfter = res.headers['retry-after'];
            resolve({ status: res.statusCode ?? 0, retryAfter: typeof retryAfter === 'string' ? retryAfter : null, json });
          });
        },
      );
      req.setTimeout(60000, () => req.destroy());
      req.on('error', () => resolve({ status: -1, retryAfter: null, json: {} }));
      req.end(text);
    });

  /** Files complaints at a fixed rate until stopped; resolves every answer. */
  function steadyFiling(): { stop(): Promise<Answer[]> } {
    const agent = new Agent({ keepAlive: true, maxSockets: 200 });
    const answers: Answer[] = [];
    const inFlight = new Set<Promise<void>>();
    const file = async () => {
      n += 1;
      const title = `Uji gangguan CI nomor ${n}`;
      const answer: Answer = { title, at: now(), ms: 0, status: 0, retryAfter: null };
      answers.push(answer);
      const body = { categoryCode: 'roads-bridges', title, description: 'Jalan berlubang, pengaduan uji gangguan.', location: { lat: 2.58, lng: 99.62 }, visibility: 'public' };
      const res = await post(agent, '/api/v1/complaints', bearer[citizens[n % citizens.length]], body);
      Object.assign(answer, { status: res.status, retryAfter: res.retryAfter, id: res.status === 201 ? res.json.id : undefined, ms: now() - answer.at });
    };
    const timer = setInterval(() => {
      const task = file().finally(() => inFlight.delete(task));
      inFlight.add(task);
    }, 1000 / FILINGS_PER_SECOND);
    return {
      async stop() {
        clearInterval(timer);
        await Promise.all(inFlight);
        agent.destroy();
        return answers;
      },
    };
  }

  /** Files steadily through `fault` (which lifts what it injects); recovered = lifted and /health/ready 200. */
  async function through(fault: () => Promise<void>): Promise<{ answers: Answer[]; recoveredAt: number }> {
    const filing = steadyFiling();
    await sleep(2000);
    await fault();
    const recoveredAt = await waitFor(
      'the gateway to be ready again',
      async () => ((await fetch(`${system.gatewayUrl}/health/ready`).catch(() => undefined))?.status === 200 ? now() : undefined),
      60000,
      100,
    );
    await sleep(2000);
    return { answers: await filing.stop(), recoveredAt };
  }

  async function expectKept({ answers, recoveredAt }: { answers: Answer[]; recoveredAt: number }, unavailableAtLeast: number): Promise<void> {
    // Only 201 and 503; the fault was felt; every 503 says when to come back; nobody waited longer than the RPC timeout.
    expect(answers.filter((a) => a.status !== 201 && a.status !== 503).map((a) => `${a.status} after ${Math.round(a.ms)} ms`)).toEqual([]);
    expect(answers.filter((a) => a.status === 503).length).toBeGreaterThanOrEqual(unavailableAtLeast);
    expect(answers.filter((a) => a.status === 503 && !a.retryAfter)).toEqual([]);
    expect(answers.filter((a) => a.ms > RPC_TIMEOUT_MS + MARGIN_MS).map((a) => Math.round(a.ms))).toEqual([]);
    const first = answers.filter((a) => a.at >= recoveredAt).sort((a, b) => a.at - b.at)[0];
    expect(first?.status).toBe(201);

    // Every acknowledged complaint is stored.
    const created = answers.filter((a) => a.status === 201);
    const stored = await rows('complaints', 'SELECT id FROM complaints WHERE id = ANY($1::uuid[])', [created.map((a) => a.id)]);
    expect(stored.length).toBe(created.length);

    // Every stored complaint (a 503'd one may be stored too) reaches reporting, counted once.
    await waitFor(
      'reporting to hold every complaint',
      async () => {
        const [{ complaints }] = await rows('complaints', 'SELECT count(*)::int AS complaints FROM complaints');
        const [{ facts }] = await rows('reporting', 'SELECT count(*)::int AS facts FROM complaint_facts');
        return facts === complaints ? true : undefined;
      },
      60000,
      250,
    );
    const [{ complaints }] = await rows('complaints', 'SELECT count(*)::int AS complaints FROM complaints');
    const [{ received }] = await rows('reporting', 'SELECT coalesce(sum(received), 0)::int AS received FROM complaint_daily');
    expect(received).toBe(complaints);
    expect(await deadLetters()).toBe(0);
  }

  async function deadLetters(): Promise<number> {
    const creds = nats.envFor('reporting');
    const nc = await connect({ servers: creds.NATS_URL, user: creds.NATS_USER, pass: creds.NATS_PASSWORD, inboxPrefix: '_INBOX.reporting' });
    try {
      return (await (await nc.jetstreamManager()).streams.info(env.deadLetterStream)).state.messages;
    } finally {
      await nc.close();
    }
  }

  beforeAll(async () => {
    postgres = await PrivatePostgres.start();
    env = new TestEnvironment();
    nats = await PrivateNatsServer.start(busLayoutOf(env));
    const each = (name: 'gateway' | 'identity' | 'permits' | 'complaints' | 'reporting' | 'notifications') => ({
      ...nats.envFor(name),
      ...(name === 'gateway' ? { RPC_TIMEOUT_MS: String(RPC_TIMEOUT_MS) } : { DATABASE_URL: database(name) }),
      ...(name === 'complaints' ? { CITIZEN_FILINGS_PER_DAY: '100000' } : {}),
    });
    system = await TestSystem.start(
      { gateway: each('gateway'), identity: each('identity'), permits: each('permits'), complaints: each('complaints'), reporting: each('reporting'), notifications: each('notifications') },
      env,
    );
    await people.signIn(system);
    for (const name of citizens) await people.add(name);
  }, 120000);

  afterAll(async () => {
    await system?.stop();
    await nats?.destroy();
    await postgres?.destroy();
  });

  it('NATS stopped for 5 s', async () => {
    const run = await through(async () => {
      await nats.stop();
      await sleep(5000);
      await nats.run();
    });
    await expectKept(run, 10);
  }, 120000);

  it('PostgreSQL stopped for 10 s', async () => {
    const run = await through(async () => {
      await postgres.stop('fast');
      await sleep(10000);
      await postgres.run();
    });
    await expectKept(run, 10);
  }, 120000);
});
