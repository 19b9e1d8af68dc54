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
    return runIntegratorCommand(argv, paths, { out: (t) => (out += t), err: (t) => (err += t), now: () => new Date('2026-12-06T08:00:00Z') });
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

  it('adds an integrator with a new key pair: the seed outside the repository (0600), the public key in the registry and nats.conf', () => {
    expect(run('add', 'dinas-kominfo', '--consumers', 'kominfo-permits,kominfo-complaints')).toBe(0);
    const [entry] = registry();
    expect(entry).toMatchObject({ name: 'dinas-kominfo', consumers: ['dinas-kominfo', 'kominfo-permits', 'kominfo-complaints'], createdAt: '2026-12-06T08:00:00.000Z' });
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
    // What the operator does next is printed.
    expect(out).toContain(seedFile);
    expect(out).toContain('docker compose kill -s SIGHUP nats');
    expect(out).toContain('_INBOX.dinas-kominfo');
  });

  it('adds an integrator that sent its public key, writing no seed', () => {
    const key = nkeys.createUser().getPublicKey();
    expect(run('add', 'lapor', `--nkey=${key}`)).toBe(0);
    expect(registry()).toEqual([{ name: 'lapor', nkey: key, consumers: ['lapor'], createdAt: '2026-12-06T08:00:00.000Z' }]);
    expect(existsSync(paths.seedDir)).toBe(false);
    expect(out).not.toMatch(/seed \(/);
  });

  it('lists and removes integrators, re-rendering nats.conf each time', () => {
    const plain = config();
    expect(run('list')).toBe(0);
    expect(out).toBe('no integrators\n');
    run('add', 'acme');
    run('add', 'beta');
    expect(run('list')).toBe(0);
    expect(out.split('\n').filter(Boolean).map((l) => l.split('\t')[0])).toEqual(['acme', 'beta']);
    expect(run('remove', 'acme')).toBe(0);
    expect(registry().map((i) => i.name)).toEqual(['beta']);
    expect(out).toContain('docker compose kill -s SIGHUP nats');
    expect(run('remove', 'beta')).toBe(0);
    expect(config()).toBe(plain);
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
    [['remove', 'nobody'], /no integrator named "nobody"/],
    [['list', 'extra'], /list takes no arguments/],
    [['delete', 'acme'], /unknown command "delete"/],
    [[], /usage:/],
  ])('refuses %j with exit code 2 and says why', (argv, reason) => {
    const before = readFileSync(paths.registry, 'utf8');
    const conf = config();
    expect(run(...argv)).toBe(2);
    expect(err + out).toMatch(reason);
    expect(readFileSync(paths.registry, 'utf8')).toBe(before);
    expect(config()).toBe(conf);
  });

  it('refuses a second integrator of the same name, or one taking its consumers or key', () => {
    run('add', 'acme', '--consumers', 'acme-permits');
    const key = registry()[0].nkey;
    expect(run('add', 'acme')).toBe(2);
    expect(err).toMatch(/an integrator named "acme" exists already/);
    expect(run('add', 'beta', '--consumers', 'acme-permits')).toBe(2);
    expect(err).toMatch(/consumer "acme-permits" belongs to integrator "acme"/);
    expect(run('add', 'beta', '--nkey', key)).toBe(2);
    expect(err).toMatch(/belongs to integrator "acme"/);
    expect(registry()).toHaveLength(1);
    expect(existsSync(join(paths.seedDir, 'beta.nk'))).toBe(false);
  });

  it('never writes a seed inside the repository, nor over another file', () => {
    expect(run('add', 'acme', '--seed-file', join(paths.repoRoot, 'acme.nk'))).toBe(2);
    expect(err).toMatch(/refusing to write a seed inside the repository/);
    expect(existsSync(join(paths.repoRoot, 'acme.nk'))).toBe(false);
    paths = { ...paths, seedDir: join(paths.repoRoot, 'deploy/nats') };
    expect(run('add', 'acme')).toBe(2);
    expect(registry()).toEqual([]);
    const taken = join(dir, 'taken.nk');
    writeFileSync(taken, 'keep me');
    expect(run('add', 'acme', '--seed-file', taken)).toBe(2);
    expect(err).toMatch(/exists already/);
    expect(readFileSync(taken, 'utf8')).toBe('keep me');
  });

  it('refuses a registry it cannot read, rather than starting an empty one', () => {
    paths = { ...paths, registry: join(dir, 'missing.json') };
    expect(run('list')).toBe(2);
    expect(err).toMatch(/no integrator registry at/);
    writeFileSync(join(dir, 'bad.json'), '{"name":"acme"}');
    paths = { ...paths, registry: join(dir, 'bad.json') };
    expect(run('add', 'beta')).toBe(2);
    expect(err).toMatch(/expected \[/);
  });
});
