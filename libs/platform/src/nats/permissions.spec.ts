import { SERVICES, SUBJECTS } from '@smart-regency/contracts';
import { readFileSync } from 'fs';
import { nkeys } from 'nats';
import { resolve } from 'path';
import { readIntegrators, renderDeployedNatsConfig } from './integrators';
import { busPermissions, DEFAULT_BUS_LAYOUT, Integrator, integratorPermissions, integratorProblems, renderNatsConfig, subjectsOverlap } from './permissions';

const deployed = (file: string) => resolve(__dirname, '../../../../deploy/nats', file);
const integrator = (name: string, consumers = [name], nkey = nkeys.createUser().getPublicKey()): Integrator => ({ name, nkey, consumers, createdAt: '2026-12-06T00:00:00.000Z' });

describe('NATS permissions', () => {
  it('deploy/nats/nats.conf is what permissions.ts renders with deploy/nats/integrators.json (npx nx run platform:nats-config)', () => {
    const committed = readFileSync(deployed('nats.conf'), 'utf8');
    expect(committed).toBe(renderDeployedNatsConfig(readIntegrators(deployed('integrators.json'))));
    // With no integrator the file is the processes' users alone.
    if (readIntegrators(deployed('integrators.json')).length === 0) expect(committed).toBe(renderNatsConfig({ storeDir: '/data/jetstream' }));
  });

  it('lets only identity publish identity events and only the gateway ask for users; nobody deletes a stream', () => {
    const p = busPermissions();
    expect(p.identity.publish).toContain('events.identity.>');
    for (const user of ['gateway', 'permits', 'complaints', 'reporting'] as const) {
      expect(p[user].publish.some((s) => s.startsWith('events.identity'))).toBe(false);
    }
    expect(p.gateway.publish).toContain('identity.user.list');
    for (const user of ['identity', 'permits', 'complaints', 'reporting'] as const) expect(p[user].publish).not.toContain('identity.user.list');
    expect(p.permits.publish).toContain('identity.user.holder-name');
    expect(p.gateway.publish).not.toContain('identity.user.holder-name');
    const all = Object.values(p).flatMap((u) => u.publish);
    expect(all.filter((s) => /STREAM\.DELETE|STREAM\.PURGE\.REGENCY|MSG\.DELETE|\$JS\.API\.>|^>$/.test(s))).toEqual([]);
    // Each process reads replies on its own inbox only.
    for (const [user, perm] of Object.entries(p)) expect(perm.subscribe.filter((s) => s.startsWith('_INBOX'))).toEqual([`_INBOX.${user}.>`]);
  });
});

describe('integrators on NATS', () => {
  it('lets an integrator read the events stream through its own durables and nothing else', () => {
    const p = integratorPermissions(DEFAULT_BUS_LAYOUT, integrator('acme', ['acme', 'acme-permits']));
    expect(p.subscribe).toEqual(['_INBOX.acme.>']);
    expect(p.allowResponses).toBe(false);
    expect(p.publishDeny).toBeUndefined();
    const perConsumer = (c: string) => [
      `$JS.API.CONSUMER.INFO.REGENCY_EVENTS.${c}`,
      `$JS.API.CONSUMER.CREATE.REGENCY_EVENTS.${c}`,
      `$JS.API.CONSUMER.CREATE.REGENCY_EVENTS.${c}.>`,
      `$JS.API.CONSUMER.DURABLE.CREATE.REGENCY_EVENTS.${c}`,
      `$JS.API.CONSUMER.MSG.NEXT.REGENCY_EVENTS.${c}`,
      `$JS.ACK.REGENCY_EVENTS.${c}.>`,
      `$JS.API.CONSUMER.DELETE.REGENCY_EVENTS.${c}`,
    ];
    expect(p.publish).toEqual(['$JS.API.INFO', '$JS.API.STREAM.INFO.REGENCY_EVENTS', ...perConsumer('acme'), ...perConsumer('acme-permits')]);
  });

  it("gives an integrator no service subject, no event subject, no other stream and no one else's consumer", () => {
    const layout = { ...DEFAULT_BUS_LAYOUT, prefix: 'labura' };
    const p = integratorPermissions(layout, integrator('acme'));
    const forbidden = [
      ...SERVICES.flatMap((s) => Object.values(SUBJECTS[s]) as string[]).map((s) => `labura.${s}`),
      'labura.identity.revocation.published',
      'events.identity.user.erased.v1',
      'deadletter.reporting.x',
      '$JS.API.STREAM.INFO.REGENCY_DEADLETTER',
      '$JS.API.STREAM.INFO.OBJ_labura_transfer',
      '$O.labura_transfer.x',
      '$JS.API.STREAM.NAMES',
      '$JS.API.STREAM.DELETE.REGENCY_EVENTS',
      '$JS.API.STREAM.PURGE.REGENCY_EVENTS',
      '$JS.API.STREAM.MSG.DELETE.REGENCY_EVENTS',
      // Unnamed (ephemeral) consumers, and other consumers: the services' and anyone's.
      '$JS.API.CONSUMER.CREATE.REGENCY_EVENTS',
      '$JS.API.CONSUMER.CREATE.REGENCY_EVENTS.reporting',
      '$JS.API.CONSUMER.MSG.NEXT.REGENCY_EVENTS.reporting',
      '$JS.API.CONSUMER.MSG.NEXT.REGENCY_EVENTS.permits-user-erased',
      '$JS.API.CONSUMER.DELETE.REGENCY_EVENTS.reporting',
      '$JS.API.CONSUMER.INFO.REGENCY_EVENTS.other',
      '$JS.ACK.REGENCY_EVENTS.reporting.1.1.1.1.1',
      '$JS.API.CONSUMER.CREATE.REGENCY_DEADLETTER.acme',
    ];
    for (const subject of forbidden) expect({ subject, allowed: p.publish.some((a) => subjectsOverlap(a, subject)) }).toEqual({ subject, allowed: false });
    for (const inbox of ['_INBOX.gateway.x', '_INBOX.identity.x', '_INBOX.other.x', 'labura.identity.user.list']) {
      expect({ inbox, allowed: p.subscribe.some((a) => subjectsOverlap(a, inbox)) }).toEqual({ inbox, allowed: false });
    }
  });

  it('renders integrators as NKEY users, and keeps reporting (which may pull from any consumer) off theirs', () => {
    const acme = integrator('acme', ['acme', 'acme-permits']);
    const conf = renderNatsConfig({ storeDir: '/data', integrators: [acme] });
    const plain = renderNatsConfig({ storeDir: '/data' });
    expect(conf).toContain(`nkey: "${acme.nkey}"`);
    expect(conf.match(/nkey:/g)).toHaveLength(1);
    const reporting = conf.slice(conf.indexOf('user: "reporting"'), conf.indexOf('# integrator'));
    const deny = reporting.slice(reporting.indexOf('deny: ['));
    for (const c of ['acme', 'acme-permits']) {
      expect(deny).toContain(`"$JS.API.CONSUMER.MSG.NEXT.REGENCY_EVENTS.${c}"`);
      expect(deny).toContain(`"$JS.API.CONSUMER.DELETE.REGENCY_EVENTS.${c}"`);
      expect(deny).toContain(`"$JS.API.CONSUMER.CREATE.REGENCY_EVENTS.${c}.>"`);
    }
    // The other processes' users cannot reach those consumers anyway: their part is unchanged.
    const gatewayOf = (text: string) => text.slice(text.indexOf('user: "gateway"'), text.indexOf('user: "identity"'));
    expect(gatewayOf(conf)).toBe(gatewayOf(plain));
  });

  it('refuses to render a registry with a broken entry', () => {
    expect(() => renderNatsConfig({ storeDir: '/data', integrators: [integrator('gateway')] })).toThrow(/integrator "gateway": name "gateway" is taken/);
    const a = integrator('acme');
    expect(() => renderNatsConfig({ storeDir: '/data', integrators: [a, { ...a, name: 'other', consumers: ['other'] }] })).toThrow(/nkey .* belongs to integrator "acme"/);
  });

  describe('names and keys', () => {
    const acme = integrator('acme', ['acme', 'acme-permits']);

    it.each(['dinas-kominfo', 'SP4N_LAPOR', 'a', 'x'.repeat(64)])('accepts %s', (name) => {
      expect(integratorProblems(integrator(name), [acme])).toEqual([]);
    });

    it.each([
      ['', /1 to 64 letters/],
      ['x'.repeat(65), /1 to 64 letters/],
      ['a.b', /1 to 64 letters/],
      ['a*', /1 to 64 letters/],
      ['a>', /1 to 64 letters/],
      ['a b', /1 to 64 letters/],
      ['éa', /1 to 64 letters/],
      ['gateway', /taken by a service/],
      ['Identity', /taken by a service/],
      ['permits', /taken by a service/],
      ['complaints', /taken by a service/],
      ['reporting', /taken by a service/],
      ['notifications', /taken by a service/],
      ['permits-user-erased', /taken by a service/],
      ['acme', /exists already/],
      ['ACME', /exists already/],
    ])('refuses the name %j', (name, reason) => {
      expect(integratorProblems(integrator(name), [acme]).join('\n')).toMatch(reason);
    });

    it('refuses consumers that are not its own to take', () => {
      expect(integratorProblems(integrator('beta', ['beta', 'acme-permits']), [acme])).toEqual(['consumer "acme-permits" belongs to integrator "acme"']);
      expect(integratorProblems(integrator('beta', ['beta', 'complaints-user-erased']), [acme])).toEqual(['consumer "complaints-user-erased" is taken by a service of the system']);
      expect(integratorProblems(integrator('beta', ['beta', 'b.c']), [])).toEqual(['consumer "b.c" must be 1 to 64 letters, digits, "_" or "-"']);
      expect(integratorProblems(integrator('beta', ['beta', 'Beta']), [])).toEqual(['consumer names repeat']);
      expect(integratorProblems(integrator('beta', []), [])).toEqual(['an integrator needs at least one consumer name']);
    });

    it('takes only an NKEY user public key, one per integrator', () => {
      const user = nkeys.createUser();
      const seed = new TextDecoder().decode(user.getSeed());
      for (const nkey of [seed, nkeys.createAccount().getPublicKey(), 'U123', user.getPublicKey().slice(0, -1) + 'A', '']) {
        expect(integratorProblems({ ...integrator('beta'), nkey }, []).join()).toMatch(/not an NKEY user public key/);
      }
      expect(integratorProblems({ ...integrator('beta'), nkey: acme.nkey }, [acme])).toEqual([`nkey ${acme.nkey} belongs to integrator "acme"`]);
      expect(integratorProblems({ ...integrator('beta'), createdAt: 'yesterday' }, [])).toEqual(['createdAt must be an ISO-8601 time']);
    });
  });

  it.each([
    ['a.b', 'a.b', true],
    ['a.*', 'a.b', true],
    ['a.>', 'a.b.c', true],
    ['a.>', 'a', false],
    ['a.*', 'a.b.c', false],
    ['a.b', 'a.c', false],
    ['a.*.c', 'a.b.>', true],
    ['$JS.API.CONSUMER.MSG.NEXT.S.>', '$JS.API.CONSUMER.MSG.NEXT.S.acme', true],
    ['$JS.API.CONSUMER.CREATE.S', '$JS.API.CONSUMER.CREATE.S.acme', false],
  ])('%s and %s overlap: %s', (a, b, overlap) => {
    expect(subjectsOverlap(a, b)).toBe(overlap);
    expect(subjectsOverlap(b, a)).toBe(overlap);
  });
});
