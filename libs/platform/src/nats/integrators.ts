import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'fs';
import { nkeys } from 'nats';
import { homedir } from 'os';
import { dirname, isAbsolute, join, relative, resolve } from 'path';
import { DEFAULT_BUS_LAYOUT, Integrator, integratorProblems, renderNatsConfig } from './permissions';

// libs/platform/{src,dist}/nats: the repository is four levels up from either.
const REPO_ROOT = resolve(__dirname, '../../../..');

/** Where the integrator command reads and writes; the environment may point elsewhere (tests, another checkout). */
export interface IntegratorPaths {
  /** deploy/nats/integrators.json, or REGENCY_INTEGRATORS_FILE. */
  registry: string;
  /** deploy/nats/nats.conf, or REGENCY_NATS_CONF. */
  config: string;
  /** Where generated seeds go (never inside the repository): ~/.smart-regency/nats-integrators, or REGENCY_INTEGRATOR_SEED_DIR. */
  seedDir: string;
  /** No seed is ever written under it. */
  repoRoot: string;
}

export function integratorPaths(env: NodeJS.ProcessEnv = process.env): IntegratorPaths {
  return {
    registry: resolve(env.REGENCY_INTEGRATORS_FILE || join(REPO_ROOT, 'deploy/nats/integrators.json')),
    config: resolve(env.REGENCY_NATS_CONF || join(REPO_ROOT, 'deploy/nats/nats.conf')),
    seedDir: resolve(env.REGENCY_INTEGRATOR_SEED_DIR || join(homedir(), '.smart-regency', 'nats-integrators')),
    repoRoot: REPO_ROOT,
  };
}

/** deploy/nats/nats.conf as compose mounts it: passwords from the server's environment, the integrators of the registry. */
export function renderDeployedNatsConfig(integrators: Integrator[]): string {
  return renderNatsConfig({ storeDir: '/data/jetstream', integrators });
}

/** The registry, checked for shape (renderNatsConfig checks the rest). */
export function readIntegrators(file: string): Integrator[] {
  // A missing registry is an error, not an empty one: a mistyped path would drop every integrator.
  if (!existsSync(file)) throw new UsageError(`no integrator registry at ${file}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`${file}: ${(error as Error).message}`);
  }
  const isEntry = (e: unknown): e is Integrator => {
    const o = e as Record<string, unknown>;
    return typeof o === 'object' && o !== null && typeof o.name === 'string' && typeof o.nkey === 'string' && typeof o.createdAt === 'string' && Array.isArray(o.consumers) && o.consumers.every((c) => typeof c === 'string');
  };
  if (!Array.isArray(parsed) || !parsed.every(isEntry)) throw new UsageError(`${file}: expected [{ "name", "nkey", "consumers": [...], "createdAt" }, ...]`);
  return parsed.map(({ name, nkey, consumers, createdAt }) => ({ name, nkey, consumers, createdAt }));
}

// The file is written in place, never renamed over: compose bind-mounts nats.conf as a single
// file, and a mount of a single file keeps showing the old inode after a rename.
function writeInPlace(file: string, text: string): void {
  writeFileSync(file, text);
}

/** A refusal the operator can fix: printed without a stack, exit code 2. */
export class UsageError extends Error {}

const USAGE = `usage:
  npm run nats:integrator -- add <name> [--nkey U...] [--consumers a,b] [--seed-file <path>]
  npm run nats:integrator -- remove <name>
  npm run nats:integrator -- list
<name> and consumer names: letters, digits, "_" and "-". Without --nkey a key pair is made and its
seed written outside the repository (mode 0600). Files: REGENCY_INTEGRATORS_FILE, REGENCY_NATS_CONF,
REGENCY_INTEGRATOR_SEED_DIR (defaults: deploy/nats/integrators.json, deploy/nats/nats.conf,
~/.smart-regency/nats-integrators).
`;

interface Parsed {
  command?: string;
  positional: string[];
  options: Record<string, string>;
}

function parseArgs(argv: string[]): Parsed {
  const parsed: Parsed = { positional: [], options: {} };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg.startsWith('--')) {
      const [key, inline] = arg.slice(2).split(/=(.*)/s, 2);
      const value = inline ?? argv[++i];
      if (value === undefined) throw new UsageError(`--${key} needs a value`);
      parsed.options[key] = value;
    } else if (parsed.command === undefined) parsed.command = arg;
    else parsed.positional.push(arg);
  }
  return parsed;
}

function allowOnly(parsed: Parsed, options: string[], positional: number): void {
  const unknown = Object.keys(parsed.options).filter((o) => !options.includes(o));
  if (unknown.length > 0) throw new UsageError(`unknown option ${unknown.map((o) => `--${o}`).join(', ')}`);
  if (parsed.positional.length !== positional) throw new UsageError(positional === 1 ? `${parsed.command} takes one name` : `${parsed.command} takes no arguments`);
}

export interface CommandIo {
  out: (text: string) => void;
  err: (text: string) => void;
  now?: () => Date;
}

/** `add`, `remove` and `list`; returns the exit code (2: refused, with the reason on `err`). */
export function runIntegratorCommand(argv: string[], paths: IntegratorPaths, io: CommandIo): number {
  try {
    const parsed = parseArgs(argv);
    switch (parsed.command) {
      case 'add':
        allowOnly(parsed, ['nkey', 'consumers', 'seed-file'], 1);
        add(parsed, paths, io);
        return 0;
      case 'remove':
        allowOnly(parsed, [], 1);
        remove(parsed.positional[0], paths, io);
        return 0;
      case 'list':
        allowOnly(parsed, [], 0);
        list(paths, io);
        return 0;
      case undefined:
      case 'help':
        io.out(USAGE);
        return parsed.command ? 0 : 2;
      default:
        throw new UsageError(`unknown command "${parsed.command}"\n${USAGE}`);
    }
  } catch (error) {
    io.err(`${(error as Error).message}\n`);
    return error instanceof UsageError ? 2 : 1;
  }
}

/** The configuration with these integrators, or the registry's problems as a refusal. */
function renderChecked(integrators: Integrator[]): string {
  try {
    return renderDeployedNatsConfig(integrators);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function saveAndRender(paths: IntegratorPaths, integrators: Integrator[], io: CommandIo): void {
  const config = renderChecked(integrators);
  writeInPlace(paths.registry, `${JSON.stringify(integrators, null, 2)}\n`);
  writeInPlace(paths.config, config);
  io.out(`wrote ${paths.registry}\nwrote ${paths.config}\n`);
}

function add(parsed: Parsed, paths: IntegratorPaths, io: CommandIo): void {
  const name = parsed.positional[0];
  const integrators = readIntegrators(paths.registry);
  const extra = (parsed.options.consumers ?? '').split(',').map((c) => c.trim()).filter(Boolean);
  const consumers = [name, ...extra.filter((c) => c !== name)];
  const pair = parsed.options.nkey === undefined ? nkeys.createUser() : undefined;
  const integrator: Integrator = { name, nkey: pair ? pair.getPublicKey() : parsed.options.nkey, consumers, createdAt: (io.now?.() ?? new Date()).toISOString() };
  const problems = integratorProblems(integrator, integrators);
  if (problems.length > 0) throw new UsageError(`cannot add integrator "${name}":\n  ${problems.join('\n  ')}`);
  // Checked before a seed is written: the others in the registry may be broken by hand.
  renderChecked([...integrators, integrator]);

  let seedFile: string | undefined;
  if (pair) {
    seedFile = resolve(parsed.options['seed-file'] ?? join(paths.seedDir, `${name}.nk`));
    const inRepo = relative(paths.repoRoot, seedFile);
    if (!inRepo.startsWith('..') && !isAbsolute(inRepo)) throw new UsageError(`refusing to write a seed inside the repository (${seedFile}): it must never be committed`);
    if (existsSync(seedFile)) throw new UsageError(`${seedFile} exists already; remove it or give --seed-file`);
    mkdirSync(dirname(seedFile), { recursive: true, mode: 0o700 });
    writeFileSync(seedFile, `${new TextDecoder().decode(pair.getSeed())}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(seedFile, 0o600);
  }
  saveAndRender(paths, [...integrators, integrator], io);
  const stream = DEFAULT_BUS_LAYOUT.eventsStream;
  io.out(
    [
      `added integrator "${name}": nkey ${integrator.nkey}, consumers ${consumers.join(', ')}`,
      ...(seedFile ? [`seed (the integrator's secret): ${seedFile} (mode 0600); hand it over privately, then delete it here`] : []),
      `reload NATS: docker compose kill -s SIGHUP nats`,
      `hand the integrator: ${seedFile ? 'the seed file' : 'nothing secret (they keep their seed)'}; NATS_URL=tls://<this server>:<NATS_PUBLIC_PORT, 4222>; the CA certificate (ca.pem);`,
      `  stream ${stream}; NATS_USER=${name} (inbox prefix _INBOX.${name}); consumer names ${consumers.join(', ')}; docs/events.md ("Access")`,
      '',
    ].join('\n'),
  );
}

function remove(name: string, paths: IntegratorPaths, io: CommandIo): void {
  const integrators = readIntegrators(paths.registry);
  const gone = integrators.find((i) => i.name === name);
  if (!gone) throw new UsageError(`no integrator named "${name}"`);
  saveAndRender(
    paths,
    integrators.filter((i) => i !== gone),
    io,
  );
  io.out(
    [
      `removed integrator "${name}" (nkey ${gone.nkey})`,
      `reload NATS: docker compose kill -s SIGHUP nats (its connections are closed then)`,
      `its durable consumers (${gone.consumers.join(', ')}) stay on the stream, holding no events; nobody can use them now`,
      '',
    ].join('\n'),
  );
}

function list(paths: IntegratorPaths, io: CommandIo): void {
  const integrators = readIntegrators(paths.registry);
  if (integrators.length === 0) {
    io.out('no integrators\n');
    return;
  }
  for (const i of integrators) io.out(`${i.name}\t${i.nkey}\t${i.consumers.join(',')}\t${i.createdAt}\n`);
}
