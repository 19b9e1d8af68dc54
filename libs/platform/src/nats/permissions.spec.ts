import { SERVICES, SUBJECTS } from '@smart-regency/contracts';
import { readFileSync } from 'fs';
import { nkeys } from 'nats';
import { resolve } from 'path';
import { readIntegrators, renderDeployedNatsConfig } from './integrators';
import { busPermissions, DEFAULT_BUS_LAYOUT, Integrator, integratorAccountOf, integratorPermissions, integratorProblems, isSubjectFilter, opsPermissions, renderNatsConfig, subjectsOverlap } from './permissions';

const deployed = (file: string) => resolve(__dirname, '../../../../deploy/nats', file);
const integrator = (name: string, consumers = [name], nkey = nkeys.createUser().getPublicKey()): Integrator => ({ name, nkey, consumers: consumers.map((c) => ({ name: c, filter: 'events.>' })), createdAt: '2026-12-06T00:00:00.000Z' });
/** The lines of one account's block in a rendered configuration. */
const accountBlock = (conf: string, account: string) => {
  const start = conf.indexOf(`\n  ${account} {`);
  return start < 0 ? '' : conf.slice(start, conf.indexOf('\n  }', start) + 4);
};

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
    // What notifications asks about people and records, as itself: nobody else may ask.
    for (const subject of [SUBJECTS.identity.contacts, SUBJECTS.identity.agencyStaff, SUBJECTS.permits.notificationContext]) {
      expect(Object.entries(p).filter(([, perm]) => perm.publish.includes(subject)).map(([user]) => user)).toEqual(['notifications']);
    }
    const all = Object.values(p).flatMap((u) => u.publish);
    expect(all.filter((s) => /STREAM\.DELETE|STREAM\.PURGE\.REGENCY|MSG\.DELETE|\$JS\.API\.>|^>$/.test(s))).toEqual([]);
    // Each process reads replies on its own inbox only.
    for (const [user, perm] of Object.entries(p)) expect(perm.subscribe.filter((s) => s.startsWith('_INBOX'))).toEqual([`_INBOX.${user}.>`]);
  });
});

describe('integrators on NATS', () => {
  it("lets an integrator's user, in its own account, pull, ack and read only its durables, with replies on its inbox", () => {
    const p = integratorPermissions(DEFAULT_BUS_LAYOUT, integrator('acme', ['acme', 'acme-permits']));
    expect(p.subscribe).toEqual(['_INBOX.acme.>']);
    expect(p.allowResponses).toBe(false);
    expect(p.publishDeny).toBeUndefined();
    const perConsumer = (c: string) => [`REGENCY.API.CONSUMER.MSG.NEXT.REGENCY_EVENTS.${c}`, `REGENCY.API.CONSUMER.INFO.REGENCY_EVENTS.${c}`, `$JS.ACK.REGENCY_EVENTS.${c}.>`];
    expect(p.publish).toEqual([...perConsumer('acme'), ...perConsumer('acme-permits')]);
    // No consumer is created, deleted or read by name outside the list, and no JetStream API of its own.
    expect(p.publish.filter((s) => /CREATE|DELETE|STREAM|\$JS\.API/.test(s))).toEqual([]);
  });

  it("gives an integrator no service subject, no event subject, no other stream and no one else's consumer", () => {
    const layout = { ...DEFAULT_BUS_LAYOUT, prefix: 'labura' };
    const p = integratorPermissions(layout, integrator('acme'));
    const forbidden = [
      ...SERVICES.flatMap((s) => Object.values(SUBJECTS[s]) as string[]).map((s) => `labura.${s}`),
      'labura.identity.revocation.published',
      'events.identity.user.erased.v1',
      'deadletter.reporting.x',
      '$JS.API.INFO',
      '$JS.API.STREAM.INFO.REGENCY_EVENTS',
      'REGENCY.API.STREAM.INFO.REGENCY_EVENTS',
      '$JS.API.STREAM.INFO.REGENCY_DEADLETTER',
      '$O.labura_transfer.x',
      '$JS.API.CONSUMER.CREATE.REGENCY_EVENTS.acme',
      'REGENCY.API.CONSUMER.CREATE.REGENCY_EVENTS.acme',
      '$JS.API.CONSUMER.DURABLE.CREATE.REGENCY_EVENTS.acme',
      '$JS.API.CONSUMER.DELETE.REGENCY_EVENTS.acme',
      'REGENCY.API.CONSUMER.DELETE.REGENCY_EVENTS.acme',
      '$JS.API.CONSUMER.MSG.NEXT.REGENCY_EVENTS.acme',
      'REGENCY.API.CONSUMER.MSG.NEXT.REGENCY_EVENTS.reporting',
      'REGENCY.API.CONSUMER.MSG.NEXT.REGENCY_EVENTS.permits-user-erased',
      'REGENCY.API.CONSUMER.INFO.REGENCY_EVENTS.other',
      '$JS.ACK.REGENCY_EVENTS.reporting.1.1.1.1.1',
      'REGENCY.API.CONSUMER.MSG.NEXT.REGENCY_DEADLETTER.acme',
    ];
    for (const subject of forbidden) expect({ subject, allowed: p.publish.some((a) => subjectsOverlap(a, subject)) }).toEqual({ subject, allowed: false });
    for (const inbox of ['_INBOX.gateway.x', '_INBOX.identity.x', '_INBOX.other.x', 'labura.identity.user.list']) {
      expect({ inbox, allowed: p.subscribe.some((a) => subjectsOverlap(a, inbox)) }).toEqual({ inbox, allowed: false });
    }
  });

  it('renders an account per integrator that imports only its durables, exported by REGENCY to that account alone', () => {
    const acme = integrator('acme', ['acme', 'acme-permits']);
    const beta = integrator('beta-2');
    const conf = renderNatsConfig({ storeDir: '/data', integrators: [acme, beta] });
    const regency = accountBlock(conf, 'REGENCY');
    const own = accountBlock(conf, 'INTEGRATOR_ACME');
    expect(integratorAccountOf('beta-2')).toBe('INTEGRATOR_BETA_2');
    expect(accountBlock(conf, 'INTEGRATOR_BETA_2')).toContain(`nkey: "${beta.nkey}"`);
    // Keys live in their own accounts, never in REGENCY; no integrator account has JetStream.
    expect(own).toContain(`nkey: "${acme.nkey}"`);
    expect(regency).not.toContain('nkey:');
    expect(conf.match(/jetstream: enabled/g)).toHaveLength(1);
    const exports = regency.split('\n').filter((l) => l.includes('service:'));
    expect(exports).toEqual(
      ['acme', 'acme-permits'].flatMap((c) => [
        `      { service: "$JS.API.CONSUMER.MSG.NEXT.REGENCY_EVENTS.${c}", response_type: stream, accounts: ["INTEGRATOR_ACME"] }`,
        `      { service: "$JS.API.CONSUMER.INFO.REGENCY_EVENTS.${c}", accounts: ["INTEGRATOR_ACME"] }`,
        `      { service: "$JS.ACK.REGENCY_EVENTS.${c}.>", accounts: ["INTEGRATOR_ACME"] }`,
      ]).concat([
        `      { service: "$JS.API.CONSUMER.MSG.NEXT.REGENCY_EVENTS.beta-2", response_type: stream, accounts: ["INTEGRATOR_BETA_2"] }`,
        `      { service: "$JS.API.CONSUMER.INFO.REGENCY_EVENTS.beta-2", accounts: ["INTEGRATOR_BETA_2"] }`,
        `      { service: "$JS.ACK.REGENCY_EVENTS.beta-2.>", accounts: ["INTEGRATOR_BETA_2"] }`,
      ]),
    );
    expect(own.split('\n').filter((l) => l.includes('account: "REGENCY"'))).toEqual([
      `      { service: { account: "REGENCY", subject: "$JS.API.CONSUMER.MSG.NEXT.REGENCY_EVENTS.acme" }, to: "REGENCY.API.CONSUMER.MSG.NEXT.REGENCY_EVENTS.acme" }`,
      `      { service: { account: "REGENCY", subject: "$JS.API.CONSUMER.INFO.REGENCY_EVENTS.acme" }, to: "REGENCY.API.CONSUMER.INFO.REGENCY_EVENTS.acme" }`,
      `      { service: { account: "REGENCY", subject: "$JS.ACK.REGENCY_EVENTS.acme.>" } }`,
      `      { service: { account: "REGENCY", subject: "$JS.API.CONSUMER.MSG.NEXT.REGENCY_EVENTS.acme-permits" }, to: "REGENCY.API.CONSUMER.MSG.NEXT.REGENCY_EVENTS.acme-permits" }`,
      `      { service: { account: "REGENCY", subject: "$JS.API.CONSUMER.INFO.REGENCY_EVENTS.acme-permits" }, to: "REGENCY.API.CONSUMER.INFO.REGENCY_EVENTS.acme-permits" }`,
      `      { service: { account: "REGENCY", subject: "$JS.ACK.REGENCY_EVENTS.acme-permits.>" } }`,
    ]);
    expect(renderNatsConfig({ storeDir: '/data', integrators: [acme, beta] })).toBe(conf);
  });

  it('keeps reporting and notifications (which may replay from any consumer) off the integrators\' durables, removed ones too', () => {
    const acme = integrator('acme', ['acme', 'acme-permits']);
    const old = { ...integrator('old'), removedAt: '2026-12-07T00:00:00.000Z' };
    const conf = renderNatsConfig({ storeDir: '/data', integrators: [acme, old] });
    const plain = renderNatsConfig({ storeDir: '/data' });
    const userOf = (text: string, user: string) => {
      const start = text.indexOf(`user: "${user}"`);
      return text.slice(start, text.indexOf('\n      }', start));
    };
    for (const replayer of ['reporting', 'notifications']) {
      const deny = userOf(conf, replayer).slice(userOf(conf, replayer).indexOf('deny: ['));
      for (const c of ['acme', 'acme-permits', 'old']) {
        expect(deny).toContain(`"$JS.API.CONSUMER.MSG.NEXT.REGENCY_EVENTS.${c}"`);
        expect(deny).toContain(`"$JS.API.CONSUMER.DELETE.REGENCY_EVENTS.${c}"`);
        expect(deny).toContain(`"$JS.API.CONSUMER.CREATE.REGENCY_EVENTS.${c}.>"`);
      }
    }
    // The other processes' users cannot reach those consumers anyway: their part is unchanged.
    for (const user of ['gateway', 'identity', 'permits', 'complaints']) expect(userOf(conf, user)).toBe(userOf(plain, user));
    // A removed integrator has no account any more.
    expect(accountBlock(conf, 'INTEGRATOR_OLD')).toBe('');
    expect(conf).not.toContain(old.nkey);
  });

  it('lets ops create, read and delete the registered durables and nothing else', () => {
    const acme = integrator('acme', ['acme', 'acme-permits']);
    const old = { ...integrator('old'), removedAt: '2026-12-07T00:00:00.000Z' };
    const p = opsPermissions(DEFAULT_BUS_LAYOUT, [acme, old]);
    expect(p).toEqual({
      publish: [
        '$JS.API.INFO',
        '$JS.API.STREAM.INFO.REGENCY_EVENTS',
        ...['acme', 'acme-permits'].flatMap((c) => [
          `$JS.API.CONSUMER.CREATE.REGENCY_EVENTS.${c}`,
          `$JS.API.CONSUMER.CREATE.REGENCY_EVENTS.${c}.>`,
          `$JS.API.CONSUMER.DURABLE.CREATE.REGENCY_EVENTS.${c}`,
          `$JS.API.CONSUMER.INFO.REGENCY_EVENTS.${c}`,
          `$JS.API.CONSUMER.DELETE.REGENCY_EVENTS.${c}`,
        ]),
        // A removed integrator's durable may only be read and deleted.
        '$JS.API.CONSUMER.INFO.REGENCY_EVENTS.old',
        '$JS.API.CONSUMER.DELETE.REGENCY_EVENTS.old',
      ],
      subscribe: ['_INBOX.ops.>'],
      allowResponses: false,
    });
    const conf = renderNatsConfig({ storeDir: '/data', integrators: [acme] });
    expect(conf).toContain('user: "ops"\n        password: $NATS_OPS_PASSWORD');
    for (const subject of ['$JS.API.CONSUMER.DELETE.REGENCY_EVENTS.reporting', '$JS.API.CONSUMER.CREATE.REGENCY_EVENTS', '$JS.API.CONSUMER.MSG.NEXT.REGENCY_EVENTS.acme', '$JS.API.STREAM.DELETE.REGENCY_EVENTS', 'identity.user.list', 'events.identity.x']) {
      expect({ subject, allowed: p.publish.some((a) => subjectsOverlap(a, subject)) }).toEqual({ subject, allowed: false });
    }
  });

  it('refuses to render a registry with a broken entry', () => {
    expect(() => renderNatsConfig({ storeDir: '/data', integrators: [integrator('gateway')] })).toThrow(/integrator "gateway": name "gateway" is taken/);
    const a = integrator('acme');
    expect(() => renderNatsConfig({ storeDir: '/data', integrators: [a, { ...a, name: 'other', consumers: [{ name: 'other', filter: 'events.>' }] }] })).toThrow(/nkey .* belongs to integrator "acme"/);
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
      ['ops', /taken by a service/],
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
      expect(integratorProblems(integrator('beta', []), [])).toEqual(['an integrator needs at least one consumer']);
    });

    it('refuses a name whose account another integrator has (a-b and a_b)', () => {
      expect(integratorProblems(integrator('a_b'), [integrator('a-b')])).toEqual(['name "a_b" would share the NATS account INTEGRATOR_A_B with integrator "a-b"']);
    });

    it("keeps a removed integrator's name, consumers and key until it is forgotten", () => {
      const old = { ...acme, removedAt: '2026-12-07T00:00:00.000Z' };
      expect(integratorProblems(integrator('acme'), [old])).toEqual(['integrator "acme" was removed on 2026-12-07T00:00:00.000Z: sync, then forget it, before adding it again']);
      expect(integratorProblems(integrator('beta', ['beta', 'acme-permits']), [old])).toEqual(['consumer "acme-permits" belongs to integrator "acme" (removed)']);
      expect(integratorProblems({ ...integrator('beta'), nkey: acme.nkey }, [old])).toEqual([`nkey ${acme.nkey} belongs to integrator "acme" (removed)`]);
    });

    it('takes a NATS subject as a filter, the regency choosing what each durable reads', () => {
      const withFilter = (filter: string) => ({ ...integrator('beta'), consumers: [{ name: 'beta', filter }] });
      for (const filter of ['events.>', 'events.permits.>', 'events.*.user.erased.v1', 'run_1_events.identity.>']) expect(integratorProblems(withFilter(filter), [])).toEqual([]);
      for (const filter of ['', 'events.', 'events..x', 'events.>.x', 'events.a>', 'events.*x', 'events .x']) {
        expect({ filter, valid: isSubjectFilter(filter) }).toEqual({ filter, valid: false });
        expect(integratorProblems(withFilter(filter), []).join()).toMatch(/is not a NATS subject/);
      }
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
