import { busLayoutOf, PrivateNatsServer, TestEnvironment, TestSystem } from '@smart-regency/testing';
import { connect } from 'nats';
import request from 'supertest';
import { People } from './support';

/**
 * NATS across hosts runs TLS: the whole system on a nats-server of the test's own that speaks only
 * TLS and asks each client for a certificate its CA signed (NATS_TLS_*), with the production users.
 */
describe('NATS over mutual TLS', () => {
  let env: TestEnvironment;
  let nats: PrivateNatsServer;
  let system: TestSystem;
  const people = new People(9600);

  beforeAll(async () => {
    env = new TestEnvironment();
    nats = await PrivateNatsServer.start(busLayoutOf(env), { tls: true });
    const each = Object.fromEntries((['gateway', 'identity', 'permits', 'complaints', 'reporting', 'notifications'] as const).map((p) => [p, nats.envFor(p)]));
    system = await TestSystem.start(each, env);
    await people.signIn(system);
  }, 120000);

  afterAll(async () => {
    await system?.stop();
    await nats?.destroy();
  });

  it('serves the API with every process on TLS, and refuses a client without a certificate', async () => {
    const api = request(system.gatewayUrl);
    expect((await api.get('/health/ready').expect(200)).body.status).toBe('ok');
    await people.add('warga');
    await api
      .post('/api/v1/complaints')
      .set('Authorization', people.bearer.warga)
      .send({ categoryCode: 'waste-environment', title: 'Sampah di pasar', description: 'Sampah menumpuk sejak seminggu.', location: { lat: 2.5, lng: 99.6 }, visibility: 'public' })
      .expect(201);
    expect(nats.violations()).toEqual([]);
    // The right password but no client certificate: the handshake fails.
    await expect(connect({ servers: nats.url, user: 'gateway', pass: nats.passwords.gateway, tls: { caFile: nats.tlsFiles!.ca }, maxReconnectAttempts: 0 })).rejects.toThrow();
  });
});
