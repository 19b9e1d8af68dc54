import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'fs';
import { nkeys } from 'nats';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { IntegratorPaths, readIntegrators, renderDeployedNatsConfig, runIntegratorCommand } from './integrators';

/** The command on a copy of the registry and nats.conf: the committed files are never touched. */
describe('npm run nats:integrator', () => {
  let dir: string;
  let paths: IntegratorPaths;
  let out: string;
  let err: string;
  const run = (...argv: string[]) => {
    out = '';
    err = '';
    return runIntegratorCommand(argv, paths, { out: (t) => (out += t), err: (t) => (err += t), now: () => new Date('2026-12-06T08:00:00Z'), env: {} });
  };
  const registry = () => readIntegrators(paths.registry);
  const config = () => readFileSync(paths.config, 'utf8');

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'regency-integrators-'));
    const deploy = resolve(__dirname, '../../../../deploy/nats');
    writeFileSync(join(dir, 'integrators.json'), '[]\n');
    copyFileSync(join(deploy, 'nats.conf'), join(dir, 'nats.conf'));
    paths = { registry: join(dir, 'integrators.json'), config: join(dir, 'nats.conf'), seedDir: join(dir, 'seeds'), repoRoot: resolve(__dirname, '../../../..') };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('adds an integrator with a new key pair: the seed outside the repository (0600), the public key in the registry and nats.conf', async () => {
    expect(await run('add', 'dinas-kominfo', '--consumers', 'kominfo-permits=events.permits.>,kominfo-complaints')).toBe(0);
    const [entry] = registry();
    expect(entry).toMatchObject({
      name: 'dinas-kominfo',
      consumers: [
        { name: 'dinas-kominfo', filter: 'events.>' },
        { name: 'kominfo-permits', filter: 'events.permits.>' },
        { name: 'kominfo-complaints', filter: 'events.>' },
      ],
      createdAt: '2026-12-06T08:00:00.000Z',
    });
    const seedFile = join(paths.seedDir, 'dinas-kominfo.nk');
    expect(statSync(seedFile).mode & 0o777).toBe(0o600);
    expect(statSync(paths.seedDir).mode & 0o777).toBe(0o700);
    const seed = readFileSync(seedFile, 'utf8').trim();
    expect(seed).toMatch(/^SU/);
    expect(nkeys.fromSeed(new TextEncoder().encode(seed)).getPublicKey()).toBe(entry.nkey);
    expect(config()).toBe(renderDeployedNatsConfig(registry()));
    expect(config()).toContain(`nkey: "${entry.nkey}"`);
    expect(config()).not.toContain(seed);
    expect(JSON.stringify(registry())).not.toContain(seed);
    expect(config()).toContain('INTEGRATOR_DINAS_KOMINFO {');
    // What the operator does next is printed: reload, then sync; and what the integrator needs.
    expect(out).toContain(seedFile);
    expect(out).toContain('docker compose kill -s SIGHUP nats');
    expect(out).toContain('docker compose -f docker-compose.yml -f deploy/compose.integrators.yml run --rm nats-ops');
    expect(out).toContain('_INBOX.dinas-kominfo');
    expect(out).toContain('JetStream API prefix REGENCY.API');
  });

  it('adds an integrator that sent its public key, writing no seed', async () => {
    const key = nkeys.createUser().getPublicKey();
    expect(await run('add', 'lapor', `--nkey=${key}`, '--filter', 'events.complaints.>')).toBe(0);
    expect(registry()).toEqual([{ name: 'lapor', nkey: key, consumers: [{ name: 'lapor', filter: 'events.complaints.>' }], createdAt: '2026-12-06T08:00:00.000Z' }]);
    expect(existsSync(paths.seedDir)).toBe(false);
    expect(out).not.toMatch(/seed \(/);
  });

  it('lists, removes and forgets integrators, re-rendering nats.conf each time', async () => {
    const plain = config();
    expect(await run('list')).toBe(0);
    expect(out).toBe('no integrators\n');
    await run('add', 'acme', '--consumers', 'acme-permits=events.permits.>');
    await run('add', 'beta');
    expect(await run('list')).toBe(0);
    expect(out.split('\n').filter(Boolean).map((l) => l.split('\t').slice(0, 3).filter((_, i) => i !== 1))).toEqual([
      ['acme', 'acme=events.>,acme-permits=events.permits.>'],
      ['beta', 'beta=events.>'],
    ]);
    expect(await run('remove', 'acme')).toBe(0);
    // The entry stays, marked, so that ops may still delete its durables; its account is gone.
    expect(registry().map((i) => [i.name, i.removedAt])).toEqual([
      ['acme', '2026-12-06T08:00:00.000Z'],
      ['beta', undefined],
    ]);
    expect(config()).not.toContain('INTEGRATOR_ACME {');
    expect(config()).toContain('"$JS.API.CONSUMER.DELETE.REGENCY_EVENTS.acme-permits"');
    expect(out).toContain('docker compose kill -s SIGHUP nats');
    expect(out).toContain('run --rm nats-ops');
    await run('list');
    expect(out).toMatch(/^acme\t.*\tremoved 2026-12-06T08:00:00.000Z$/m);
    expect(await run('remove', 'acme')).toBe(2);
    expect(err).toMatch(/removed already/);
    expect(await run('add', 'acme')).toBe(2);
    expect(err).toMatch(/was removed on .*forget it/);
    expect(await run('forget', 'beta')).toBe(2);
    expect(err).toMatch(/still has access: remove it first/);
    expect(await run('forget', 'acme')).toBe(0);
    expect(config()).not.toContain('acme');
    expect(await run('remove', 'beta')).toBe(0);
    expect(await run('forget', 'beta')).toBe(0);
    expect(config()).toBe(plain);
    expect(registry()).toEqual([]);
  });

  it('reads a registry written before durables had filters: each reads events.>', async () => {
    const key = nkeys.createUser().getPublicKey();
    writeFileSync(paths.registry, JSON.stringify([{ name: 'acme', nkey: key, consumers: ['acme', 'acme-permits'], createdAt: '2026-11-01T00:00:00.000Z' }]));
    expect(registry()[0].consumers).toEqual([
      { name: 'acme', filter: 'events.>' },
      { name: 'acme-permits', filter: 'events.>' },
    ]);
    // The next change writes the new format.
    expect(await run('add', 'beta')).toBe(0);
    expect(JSON.parse(readFileSync(paths.registry, 'utf8'))[0].consumers).toEqual([
      { name: 'acme', filter: 'events.>' },
      { name: 'acme-permits', filter: 'events.>' },
    ]);
  });

  it('says why sync could not reach NATS, with exit code 1', async () => {
    const code = await runIntegratorCommand(['sync'], paths, { out: () => undefined, err: (t) => (err = t), env: { NATS_URL: 'nats://127.0.0.1:1', NATS_PASSWORD: 'x' } });
    expect(code).toBe(1);
    expect(err).toMatch(/cannot connect to nats:\/\/127.0.0.1:1 as ops/);
  });

  it.each([
    [['add', 'a.b'], /name "a.b" must be 1 to 64 letters/],
    [['add', 'gateway'], /name "gateway" is taken by a service/],
    [['add', 'reporting'], /taken by a service/],
    [['add', 'acme', '--consumers', 'permits-user-erased'], /consumer "permits-user-erased" is taken by a service/],
    [['add', 'acme', '--nkey', 'SUABC'], /not an NKEY user public key/],
    [['add', 'acme', '--colour', 'red'], /unknown option --colour/],
    [['add'], /add takes one name/],
    [['add', 'acme', '--nkey'], /--nkey needs a value/],
    [['add', 'acme', '--filter', 'events..x'], /filter "events..x" is not a NATS subject/],
    [['add', 'acme', '--consumers', 'acme-p=events.>.x'], /filter "events.>.x" is not a NATS subject/],
    [['add', 'ops'], /taken by a service/],
    [['forget', 'nobody'], /no integrator named "nobody"/],
    [['sync', 'extra'], /sync takes no arguments/],
    [['remove', 'nobody'], /no integrator named "nobody"/],
    [['list', 'extra'], /list takes no arguments/],
    [['delete', 'acme'], /unknown command "delete"/],
    [[], /usage:/],
  ])('refuses %j with exit code 2 and says why', async (argv, reason) => {
    const before = readFileSync(paths.registry, 'utf8');
    const conf = config();
    expect(await run(...argv)).toBe(2);
    expect(err + out).toMatch(reason);
    expect(readFileSync(paths.registry, 'utf8')).toBe(before);
    expect(config()).toBe(conf);
  });

  it('refuses a second integrator of the same name, or one taking its consumers or key', async () => {
    await run('add', 'acme', '--consumers', 'acme-permits');
    const key = registry()[0].nkey;
    expect(await run('add', 'acme')).toBe(2);
    expect(err).toMatch(/an integrator named "acme" exists already/);
    expect(await run('add', 'beta', '--consumers', 'acme-permits')).toBe(2);
    expect(err).toMatch(/consumer "acme-permits" belongs to integrator "acme"/);
    expect(await run('add', 'beta', '--nkey', key)).toBe(2);
    expect(err).toMatch(/belongs to integrator "acme"/);
    expect(registry()).toHaveLength(1);
    expect(existsSync(join(paths.seedDir, 'beta.nk'))).toBe(false);
  });

  it('never writes a seed inside the repository, nor over another file', async () => {
    expect(await run('add', 'acme', '--seed-file', join(paths.repoRoot, 'acme.nk'))).toBe(2);
    expect(err).toMatch(/refusing to write a seed inside the repository/);
    expect(existsSync(join(paths.repoRoot, 'acme.nk'))).toBe(false);
    paths = { ...paths, seedDir: join(paths.repoRoot, 'deploy/nats') };
    expect(await run('add', 'acme')).toBe(2);
    expect(registry()).toEqual([]);
    const taken = join(dir, 'taken.nk');
    writeFileSync(taken, 'keep me');
    expect(await run('add', 'acme', '--seed-file', taken)).toBe(2);
    expect(err).toMatch(/exists already/);
    expect(readFileSync(taken, 'utf8')).toBe('keep me');
  });

  it('refuses a registry it cannot read, rather than starting an empty one', async () => {
    paths = { ...paths, registry: join(dir, 'missing.json') };
    expect(await run('list')).toBe(2);
    expect(err).toMatch(/no integrator registry at/);
    writeFileSync(join(dir, 'bad.json'), '{"name":"acme"}');
    paths = { ...paths, registry: join(dir, 'bad.json') };
    expect(await run('add', 'beta')).toBe(2);
    expect(err).toMatch(/expected \[/);
  });
});
