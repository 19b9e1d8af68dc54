import { freePort, TcpProxy, TEST_PNG, TestEnvironment, TestSystem, waitFor } from '@smart-regency/testing';
import { connect as tcpConnect, Socket } from 'net';
import request from 'supertest';
import { People } from '../support';

/**
 * Resources an attacker (or bad luck) exhausts: the database going away, bodies that trickle in,
 * uploads in parallel; and secrets that must stay out of the logs. Complaints reaches PostgreSQL
 * through a proxy the test can cut, never by stopping the machine's server.
 */
describe('outages and resource limits', () => {
  const env = new TestEnvironment();
  let proxy: TcpProxy;
  let system: TestSystem;
  let api: ReturnType<typeof request>;
  const people = new People(9500);
  const { bearer } = people;

  beforeAll(async () => {
    proxy = new TcpProxy(await freePort(), { host: '127.0.0.1', port: 5432 });
    await proxy.open();
    const proxied = new URL(env.databaseUrl('complaints'));
    proxied.port = String(proxy.port);
    system = await TestSystem.start(
      {
        complaints: { DATABASE_URL: proxied.toString() },
        // Behind a proxy of its own the gateway takes the client's address from X-Forwarded-For.
        gateway: { REQUEST_TIMEOUT_MS: '5000', MAX_CONCURRENT_UPLOADS: '4', MAX_CONCURRENT_UPLOADS_PER_CLIENT: '2', TRUST_PROXY: 'true' },
      },
      env,
    );
    api = request(system.gatewayUrl);
    await people.signIn(system);
    await people.add('warga');
  }, 120000);

  afterAll(async () => {
    await system?.stop();
    await proxy?.close();
  });

  const fileOne = () =>
    api
      .post('/api/v1/complaints')
      .set('Authorization', bearer.warga)
      .send({ categoryCode: 'waste-environment', title: 'Sampah di pasar', description: 'Sampah menumpuk sejak seminggu.', location: { lat: 2.5, lng: 99.6 }, visibility: 'public' });

  it('answers a database outage with 503 and Retry-After, survives it, and the first audited read after it succeeds', async () => {
    const filed = (await fileOne().expect(201)).body;
    await api.get(`/api/v1/complaints/${filed.id}`).set('Authorization', bearer.admin).expect(200);

    await proxy.close();
    for (const res of [await api.get('/api/v1/public/complaints'), await api.get(`/api/v1/complaints/${filed.id}`).set('Authorization', bearer.admin), await fileOne()]) {
      expect({ status: res.status, code: res.body.code, retryAfter: res.headers['retry-after'] }).toEqual({ status: 503, code: 'COMMON.SERVICE_UNAVAILABLE', retryAfter: expect.stringMatching(/^\d+$/) });
    }
    expect(system.process('complaints').running).toBe(true);

    await proxy.open();
    await waitFor('the system to be ready again', async () => ((await fetch(`${system.gatewayUrl}/health/ready`)).ok ? true : undefined), 30000, 250);
    // An admin's look at a complaint is an audited read: its row goes through the read-audit
    // connection that the outage broke. Before, this first read failed after every restart.
    const read = await api.get(`/api/v1/complaints/${filed.id}`).set('Authorization', bearer.admin);
    expect(read.status).toBe(200);
    await fileOne().expect(201);
  });

  it('cuts request bodies that trickle in', async () => {
    const sockets: Socket[] = [];
    const closed: Array<Promise<string>> = [];
    const trickle: NodeJS.Timeout[] = [];
    const { port } = new URL(system.gatewayUrl);
    for (let i = 0; i < 20; i++) {
      const socket = tcpConnect(Number(port), '127.0.0.1');
      sockets.push(socket);
      let answer = '';
      socket.on('data', (d) => (answer += d.toString()));
      socket.on('error', () => undefined);
      closed.push(new Promise((resolve) => socket.on('close', () => resolve(answer))));
      socket.write('POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{');
      trickle.push(setInterval(() => socket.writable && socket.write(' '), 1000));
    }
    try {
      // REQUEST_TIMEOUT_MS is 5 s here: every one is cut (408, problem+json) well inside the wait, although each keeps sending.
      let timer: NodeJS.Timeout | undefined;
      const answers = await Promise.race([Promise.all(closed), new Promise<string[]>((_, reject) => (timer = setTimeout(() => reject(new Error('slow bodies still open after 20 s')), 20000)))]);
      clearTimeout(timer);
      expect(answers.every((a) => /^HTTP\/1\.1 408 /.test(a) && a.includes('application/problem+json') && a.includes('COMMON.REQUEST_TIMEOUT'))).toBe(true);
    } finally {
      trickle.forEach(clearInterval);
      sockets.forEach((s) => s.destroy());
    }
    await api.get('/health/live').expect(200);
  });

  it('reads only so many uploads at once, in all and per address, and frees the slots when they end', async () => {
    const filed = (await fileOne().expect(201)).body;
    const { port } = new URL(system.gatewayUrl);
    /** An upload that sends its headers and a first chunk, then waits: it holds a slot. */
    const holding = (from: string) => {
      const socket = tcpConnect(Number(port), '127.0.0.1');
      socket.on('error', () => undefined);
      socket.write(
        `POST /api/v1/complaints/${filed.id}/attachments HTTP/1.1\r\nHost: x\r\nAuthorization: ${bearer.warga}\r\nX-Forwarded-For: ${from}\r\nContent-Type: image/png\r\nContent-Length: ${5 * 1024 * 1024}\r\n\r\n`,
      );
      socket.write(TEST_PNG);
      return socket;
    };
    const upload = (from: string) => api.post(`/api/v1/complaints/${filed.id}/attachments`).set('Authorization', bearer.warga).set('X-Forwarded-For', from).set('Content-Type', 'image/png').send(TEST_PNG);
    const held = [holding('10.0.0.1'), holding('10.0.0.1')];
    try {
      await new Promise((r) => setTimeout(r, 300));
      const third = await upload('10.0.0.1');
      expect({ status: third.status, code: third.body.code, retryAfter: third.headers['retry-after'] }).toEqual({ status: 429, code: 'COMMON.RATE_LIMITED', retryAfter: '5' });
      held.push(holding('10.0.0.2'), holding('10.0.0.3'));
      await new Promise((r) => setTimeout(r, 300));
      const fifth = await upload('10.0.0.4');
      expect({ status: fifth.status, code: fifth.body.code }).toEqual({ status: 503, code: 'COMMON.SERVICE_UNAVAILABLE' });
    } finally {
      held.forEach((s) => s.destroy());
    }
    // Slots come back when those connections end.
    await waitFor('a free upload slot', async () => ((await upload('10.0.0.4')).status === 201 ? true : undefined), 10000, 200);
  });

  it('keeps Open311 api_keys and tokens out of the access log', async () => {
    const secret = 'kunci-rahasia-yang-tidak-boleh-tercatat';
    await request(system.gatewayUrl).post(`/open311/v2/requests.json?api_key=${secret}`).type('form').send({ service_code: 'waste-environment', lat: '2.5', long: '99.6', description: 'x' });
    await request(system.gatewayUrl).get(`/open311/v2/requests.json?api_key=${secret}&token=${secret}`);
    await new Promise((r) => setTimeout(r, 300));
    const log = system.process('gateway').output.join('\n');
    expect(log).toContain('api_key=[redacted]');
    expect(log).not.toContain(secret);
  });
});
