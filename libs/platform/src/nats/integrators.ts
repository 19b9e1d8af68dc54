import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'fs';
import { connect, nkeys } from 'nats';
import { inboxPrefixOf } from './connection';
import { syncIntegratorDurables } from './integrator-durables';
import { homedir } from 'os';
import { dirname, isAbsolute, join, relative, resolve } from 'path';
import { DEFAULT_BUS_LAYOUT, DEFAULT_INTEGRATOR_FILTER, Integrator, integratorAccountOf, IntegratorConsumer, integratorProblems, INTEGRATOR_API_PREFIX, OPS_USER, renderNatsConfig } from './permissions';

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

/**
 * The registry, checked for shape (renderNatsConfig checks the rest). Entries written before
 * durables had filters name their consumers as plain strings: those read `events.>`.
 */
export function readIntegrators(file: string): Integrator[] {
  // A missing registry is an error, not an empty one: a mistyped path would drop every integrator.
  if (!existsSync(file)) throw new UsageError(`no integrator registry at ${file}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`${file}: ${(error as Error).message}`);
  }
  const isConsumer = (c: unknown) => typeof c === 'string' || (typeof c === 'object' && c !== null && typeof (c as IntegratorConsumer).name === 'string' && typeof (c as IntegratorConsumer).filter === 'string');
  const isEntry = (e: unknown): e is Omit<Integrator, 'consumers'> & { consumers: Array<string | IntegratorConsumer> } => {
    const o = e as Record<string, unknown>;
    return (
      typeof o === 'object' &&
      o !== null &&
      typeof o.name === 'string' &&
      typeof o.nkey === 'string' &&
      typeof o.createdAt === 'string' &&
      (o.removedAt === undefined || typeof o.removedAt === 'string') &&
      Array.isArray(o.consumers) &&
      o.consumers.every(isConsumer)
    );
  };
  if (!Array.isArray(parsed) || !parsed.every(isEntry)) throw new UsageError(`${file}: expected [{ "name", "nkey", "consumers": [{ "name", "filter" }, ...], "createdAt" }, ...]`);
  return parsed.map(({ name, nkey, consumers, createdAt, removedAt }) => ({
    name,
    nkey,
    consumers: consumers.map((c) => (typeof c === 'string' ? { name: c, filter: DEFAULT_INTEGRATOR_FILTER } : { name: c.name, filter: c.filter })),
    createdAt,
    ...(removedAt === undefined ? {} : { removedAt }),
  }));
}

// The file is written in place, never renamed over: compose bind-mounts nats.conf as a single
// file, and a mount of a single file keeps showing the old inode after a rename.
function writeInPlace(file: string, text: string): void {
  writeFileSync(file, text);
}

/** A refusal the operator can fix: printed without a stack, exit code 2. */
export class UsageError extends Error {}

const USAGE = `usage:
  npm run nats:integrator -- add <name> [--nkey U...] [--filter <subject>] [--consumers <c>[=<subject>],...] [--seed-file <path>]
  npm run nats:integrator -- remove <name>
  npm run nats:integrator -- forget <name>
  npm run nats:integrator -- list
  npm run nats:integrator -- sync
<name> and consumer names: letters, digits, "_" and "-". Each integrator gets a NATS account and a
durable named after it (--filter, default ${DEFAULT_INTEGRATOR_FILTER}), and more with --consumers. Without
--nkey a key pair is made and its seed written outside the repository (mode 0600). add, remove and
forget change the registry and nats.conf; after a reload of NATS, sync (as the ops user) creates and
deletes the durables. Files: REGENCY_INTEGRATORS_FILE, REGENCY_NATS_CONF, REGENCY_INTEGRATOR_SEED_DIR
(defaults: deploy/nats/integrators.json, deploy/nats/nats.conf, ~/.smart-regency/nats-integrators).
sync reads NATS_URL, NATS_USER (default ops), NATS_PASSWORD, NATS_TLS_CA_FILE, EVENTS_STREAM.
`;

/** What the operator runs next on a compose install (docs/events.md, "Access"). */
const RELOAD = 'docker compose kill -s SIGHUP nats';
// nats-server wires a new account's imports only on the reload after the one that made it
// (tested on 2.9.10; 2.10 and 2.15 have the same code).
const RELOAD_TWICE = `${RELOAD} && sleep 1 && ${RELOAD}`;
const SYNC = 'docker compose -f docker-compose.yml -f deploy/compose.integrators.yml run --rm nats-ops';

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
  /** Where sync finds NATS and its credentials (default: process.env). */
  env?: NodeJS.ProcessEnv;
}

/** `add`, `remove`, `forget`, `list` and `sync`; resolves to the exit code (2: refused, with the reason on `err`; 1: failed). */
export async function runIntegratorCommand(argv: string[], paths: IntegratorPaths, io: CommandIo): Promise<number> {
  try {
    const parsed = parseArgs(argv);
    switch (parsed.command) {
      case 'add':
        allowOnly(parsed, ['nkey', 'filter', 'consumers', 'seed-file'], 1);
        add(parsed, paths, io);
        return 0;
      case 'remove':
        allowOnly(parsed, [], 1);
        remove(parsed.positional[0], paths, io);
        return 0;
      case 'forget':
        allowOnly(parsed, [], 1);
        forget(parsed.positional[0], paths, io);
        return 0;
      case 'list':
        allowOnly(parsed, [], 0);
        list(paths, io);
        return 0;
      case 'sync':
        allowOnly(parsed, [], 0);
        return await sync(paths, io);
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

/** `--consumers a,b=events.permits.>`: names, each with its filter (default events.>). */
function parseConsumers(text: string | undefined): IntegratorConsumer[] {
  return (text ?? '')
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean)
    .map((c) => {
      const [name, filter] = c.split(/=(.*)/s, 2);
      return { name: name.trim(), filter: filter?.trim() || DEFAULT_INTEGRATOR_FILTER };
    });
}

const describeConsumers = (consumers: IntegratorConsumer[]) => consumers.map((c) => `${c.name} (${c.filter})`).join(', ');

function add(parsed: Parsed, paths: IntegratorPaths, io: CommandIo): void {
  const name = parsed.positional[0];
  const integrators = readIntegrators(paths.registry);
  const extra = parseConsumers(parsed.options.consumers);
  const own = { name, filter: parsed.options.filter ?? extra.find((c) => c.name === name)?.filter ?? DEFAULT_INTEGRATOR_FILTER };
  const consumers = [own, ...extra.filter((c) => c.name !== name)];
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
      `added integrator "${name}": nkey ${integrator.nkey}, NATS account ${integratorAccountOf(name)}, durables ${describeConsumers(consumers)}`,
      ...(seedFile ? [`seed (the integrator's secret): ${seedFile} (mode 0600); hand it over privately, then delete it here`] : []),
      `next: reload NATS twice (${RELOAD_TWICE}), then create the durables as ops (${SYNC})`,
      `hand the integrator: ${seedFile ? 'the seed file' : 'nothing secret (they keep their seed)'}; NATS_URL=tls://<this server>:<NATS_PUBLIC_PORT, 4222>; the CA certificate (ca.pem);`,
      `  stream ${stream}; inbox prefix _INBOX.${name}; JetStream API prefix ${INTEGRATOR_API_PREFIX}; durables ${consumers.map((c) => c.name).join(', ')}; docs/events.md ("Access")`,
      '',
    ].join('\n'),
  );
}

function remove(name: string, paths: IntegratorPaths, io: CommandIo): void {
  const integrators = readIntegrators(paths.registry);
  const gone = integrators.find((i) => i.name === name);
  if (!gone) throw new UsageError(`no integrator named "${name}"`);
  if (gone.removedAt) throw new UsageError(`integrator "${name}" was removed already, on ${gone.removedAt}`);
  // The entry stays, marked: ops may delete its durables only while the registry names them.
  saveAndRender(
    paths,
    integrators.map((i) => (i === gone ? { ...i, removedAt: (io.now?.() ?? new Date()).toISOString() } : i)),
    io,
  );
  io.out(
    [
      `removed integrator "${name}" (nkey ${gone.nkey})`,
      `next: reload NATS (${RELOAD}; its account goes, its connections are closed), then delete its durables as ops (${SYNC})`,
      `afterwards npm run nats:integrator -- forget ${name} drops it from the registry`,
      '',
    ].join('\n'),
  );
}

function forget(name: string, paths: IntegratorPaths, io: CommandIo): void {
  const integrators = readIntegrators(paths.registry);
  const gone = integrators.find((i) => i.name === name);
  if (!gone) throw new UsageError(`no integrator named "${name}"`);
  if (!gone.removedAt) throw new UsageError(`integrator "${name}" still has access: remove it first`);
  saveAndRender(
    paths,
    integrators.filter((i) => i !== gone),
    io,
  );
  io.out(
    [
      `forgot integrator "${name}": ops may no longer touch ${gone.consumers.map((c) => c.name).join(', ')} (sync should have deleted them)`,
      `next: reload NATS (${RELOAD})`,
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
  for (const i of integrators) {
    const consumers = i.consumers.map((c) => `${c.name}=${c.filter}`).join(',');
    io.out(`${i.name}\t${i.nkey}\t${consumers}\t${i.createdAt}${i.removedAt ? `\tremoved ${i.removedAt}` : ''}\n`);
  }
}

async function sync(paths: IntegratorPaths, io: CommandIo): Promise<number> {
  const integrators = readIntegrators(paths.registry);
  const env = io.env ?? process.env;
  const user = env.NATS_USER || OPS_USER;
  const tls = { caFile: env.NATS_TLS_CA_FILE || undefined, certFile: env.NATS_TLS_CERT_FILE || undefined, keyFile: env.NATS_TLS_KEY_FILE || undefined };
  const url = env.NATS_URL || 'nats://127.0.0.1:4222';
  const stream = env.EVENTS_STREAM || DEFAULT_BUS_LAYOUT.eventsStream;
  const nc = await connect({
    servers: url.split(','),
    name: 'nats:integrator sync',
    inboxPrefix: inboxPrefixOf(user),
    maxReconnectAttempts: 0,
    ...(env.NATS_PASSWORD ? { user, pass: env.NATS_PASSWORD } : {}),
    ...(tls.caFile || tls.certFile ? { tls } : {}),
  }).catch((error: Error) => Promise.reject(new Error(`cannot connect to ${url} as ${env.NATS_PASSWORD ? user : 'nobody'}: ${error.message}`)));
  try {
    io.out(`syncing the integrators' durables on ${stream} (${url}, as ${env.NATS_PASSWORD ? user : 'nobody'})\n`);
    const report = await syncIntegratorDurables(await nc.jetstreamManager(), stream, integrators, (line) => io.out(`${line}\n`));
    const { created, recreated, kept, deleted, failed } = report;
    io.out(`${created.length} created, ${recreated.length} recreated, ${kept.length} kept, ${deleted.length} deleted, ${failed.length} failed\n`);
    if (failed.some((f) => /Permissions Violation/i.test(f))) io.err(`NATS refused ops a durable: reload NATS after add or remove (${RELOAD}), then sync again\n`);
    return failed.length > 0 ? 1 : 0;
  } finally {
    await nc.close();
  }
}
