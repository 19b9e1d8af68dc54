import { DOMAIN_SERVICES, freePort, spawnService, TcpProxy, TestEnvironment, TestSystem, waitFor } from '@smart-regency/testing';
import { Client } from 'pg';
import request from 'supertest';

describe('starting and stopping', () => {
  const env = new TestEnvironment();
  afterAll(() => env.cleanup());

  it.each(DOMAIN_SERVICES)('%s refuses to start with a clear message on a bad DATABASE_URL', async (name) => {
    const proc = await spawnService(name, env.serviceEnv(name, { DATABASE_URL: 'mysql://root@localhost/regency' }));
    await proc.start({ waitUntilLive: false });
    expect(await proc.exited()).toBe(1);
    const output = proc.output.join('\n');
    expect(output).toContain(`${name} cannot start`);
    expect(output).toMatch(/DATABASE_URL must look like postgres:\/\//);
    expect(output).not.toContain('mysql://root'); // values are never echoed: they may hold passwords
  });

  it('names every bad variable at once', async () => {
    const proc = await spawnService('gateway', env.serviceEnv('gateway', { LOG_LEVEL: 'loud', RPC_TIMEOUT_MS: 'soon', NATS_URL: 'localhost' }));
    await proc.start({ waitUntilLive: false });
    expect(await proc.exited()).toBe(1);
    const output = proc.output.join('\n');
    for (const variable of ['LOG_LEVEL', 'RPC_TIMEOUT_MS', 'NATS_URL']) expect(output).toContain(variable);
  });

  it('waits for PostgreSQL with backoff, saying why, and starts when it comes up', async () => {
    const port = await freePort();
    const url = new URL(env.databaseUrl('late_pg'));
    url.port = String(port);
    const proc = await spawnService('identity', env.serviceEnv('identity', { DATABASE_URL: url.toString(), LOG_LEVEL: 'info' }));
    await proc.start({ waitUntilLive: false });
    await waitFor('two retries', async () => (proc.output.filter((l) => /PostgreSQL at 127\.0\.0\.1:\d+ is not available/.test(l)).length >= 2 ? true : undefined), 10000);
    expect(proc.running).toBe(true);
    expect(proc.output.join('\n')).toMatch(/ECONNREFUSED/);

    const proxy = new TcpProxy(port, { host: '127.0.0.1', port: 5432 });
    await proxy.open();
    try {
      await waitFor('identity to be ready', async () => ((await fetch(`${proc.url}/health/ready`).catch(() => undefined))?.ok ? true : undefined), 20000);
    } finally {
      await proc.stop();
      await proxy.close();
    }
  });

  it('waits for NATS with backoff, saying why, and starts when it comes up', async () => {
    const port = await freePort();
    const proc = await spawnService('permits', env.serviceEnv('permits', { NATS_URL: `nats://127.0.0.1:${port}`, LOG_LEVEL: 'info' }));
    await proc.start({ waitUntilLive: false });
    await proc.waitForOutput(/NATS at nats:\/\/127\.0\.0\.1:\d+ is not available/);
    expect(proc.running).toBe(true);

    const proxy = new TcpProxy(port, { host: '127.0.0.1', port: 4222 });
    await proxy.open();
    try {
      await waitFor('permits to be ready', async () => ((await fetch(`${proc.url}/health/ready`).catch(() => undefined))?.ok ? true : undefined), 20000);
    } finally {
      await proc.stop();
      await proxy.close();
    }
  });
});

describe('graceful shutdown', () => {
  let system: TestSystem;

  beforeAll(async () => {
    system = await TestSystem.start();
  }, 90000);

  afterAll(() => system?.stop());

  it('finishes a request in flight on SIGTERM, takes no new ones, and exits 0', async () => {
    const api = request(system.gatewayUrl);
    const identity = system.process('identity');
    // Hold the agencies table so that a request is certainly in flight when the signal arrives.
    const lock = new Client({ connectionString: identity.env.DATABASE_URL });
    await lock.connect();
    await lock.query('BEGIN');
    await lock.query('LOCK TABLE agencies IN ACCESS EXCLUSIVE MODE');

    const token = await system.login();
    const inFlight = fetch(`${system.gatewayUrl}/api/v1/agencies`, { headers: { authorization: `Bearer ${token}` } }).then(async (r) => ({ status: r.status, body: (await r.json()) as { total: number } }));
    await waitFor('the request to reach PostgreSQL', async () => {
      const { rows } = await lock.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`);
      return rows[0].n > 0 ? true : undefined;
    });
    const exit = identity.stop('SIGTERM', 20000);
    await identity.waitForOutput(/SIGTERM received/);

    // Identity no longer takes requests while it drains; the gateway says so at once.
    const during = await api.get('/api/v1/agencies').set('Authorization', `Bearer ${token}`);
    expect(during.status).toBe(503);

    await lock.query('COMMIT');
    await lock.end();
    const answered = await inFlight;
    expect(answered.status).toBe(200);
    expect(answered.body.total).toBeGreaterThan(0);
    expect(await exit).toBe(0);
    expect(identity.output.join('\n')).toContain('stopped cleanly');
  });
});
