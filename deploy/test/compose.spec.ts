import { existsSync, readdirSync, readFileSync, statSync } from 'fs';
import { builtinModules, createRequire } from 'module';
import { join, posix, relative, resolve } from 'path';
import { parse } from 'yaml';

const ROOT = resolve(__dirname, '../..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

/** The six processes, the loader each exports from src/config.ts, and its config class. */
const SERVICES = {
  gateway: { loader: 'loadGatewayConfig', schema: 'GatewayConfig' },
  identity: { loader: 'loadIdentityConfig', schema: 'IdentityConfig' },
  permits: { loader: 'loadPermitsConfig', schema: 'PermitsConfig' },
  complaints: { loader: 'loadComplaintsConfig', schema: 'ComplaintsConfig' },
  reporting: { loader: 'loadReportingConfig', schema: 'ReportingConfig' },
  notifications: { loader: 'loadNotificationsConfig', schema: 'NotificationsConfig' },
} as const;
type ServiceName = keyof typeof SERVICES;
const SERVICE_NAMES = Object.keys(SERVICES) as ServiceName[];
const DOMAIN_SERVICES = SERVICE_NAMES.filter((s) => s !== 'gateway');
// A service force-exits this long after SHUTDOWN_GRACE_MS (libs/platform/src/bootstrap/shutdown.ts).
const FORCE_EXIT_MARGIN_MS = 5000;

// ---- compose and .env ---------------------------------------------------------------------------

interface ComposeService {
  image?: string;
  build?: { context?: string; dockerfile?: string; args?: Record<string, string> };
  environment?: Record<string, string | number | boolean | null>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test?: string[] | string; disable?: boolean };
  ports?: unknown[];
  volumes?: string[];
  stop_grace_period?: string;
}
interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

const composeText = read('docker-compose.yml');
const compose = parse(composeText, { merge: true }) as ComposeFile;

function parseEnvFile(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!match) throw new Error(`.env.example: cannot read line "${line}"`);
    vars[match[1]] = match[2].replace(/^(['"])(.*)\1$/, '$2');
  }
  return vars;
}
const envExample = parseEnvFile(read('.env.example'));

const VARIABLE = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

/** Compose's interpolation: $$, $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}, ${VAR:+alt}. */
function interpolate(value: string, vars: Record<string, string>): string {
  return value.replace(VARIABLE, (whole, name: string | undefined, op: string | undefined, arg: string | undefined, bare: string | undefined) => {
    if (whole === '$$') return '$';
    const key = (name ?? bare) as string;
    const current = vars[key];
    const set = current !== undefined;
    const nonEmpty = set && current !== '';
    switch (op) {
      case undefined:
        return current ?? '';
      case ':-':
        return nonEmpty ? current : (arg as string);
      case '-':
        return set ? current : (arg as string);
      case ':?':
      case '?':
        if (op === ':?' ? !nonEmpty : !set) throw new Error(`required variable ${key} is missing: ${arg}`);
        return current;
      case ':+':
        return nonEmpty ? (arg as string) : '';
      case '+':
        return set ? (arg as string) : '';
      default:
        throw new Error(`unsupported interpolation ${whole}`);
    }
  });
}

function referencedVariables(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    if (line.trim().startsWith('#')) continue;
    for (const m of line.matchAll(VARIABLE)) if (m[0] !== '$$') names.add(m[1] ?? m[4]);
  }
  return names;
}

/** Only what compose insists on (`${VAR:?...}`), so that its own defaults get checked too. */
function requiredOnly(vars: Record<string, string>): Record<string, string> {
  const required = new Set([...composeText.matchAll(VARIABLE)].filter((m) => m[2]?.endsWith('?')).map((m) => m[1]));
  return Object.fromEntries(Object.entries(vars).filter(([key]) => required.has(key)));
}

function resolvedEnvironment(service: ComposeService, vars: Record<string, string> = envExample): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(service.environment ?? {})) {
    env[key] = value === null ? '' : interpolate(String(value), vars);
  }
  return env;
}

function durationMs(value: string): number {
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001 };
  let total = 0;
  const rest = value.replace(/(\d+(?:\.\d+)?)(ms|us|h|m|s)/g, (_, n: string, unit: string) => {
    total += Number(n) * units[unit];
    return '';
  });
  if (rest !== '' || value === '') throw new Error(`not a duration: "${value}"`);
  return total;
}

// ---- Dockerfile -------------------------------------------------------------------------------

interface Instruction {
  keyword: string;
  args: string;
}
interface Stage {
  name?: string;
  instructions: Instruction[];
}

function parseDockerfile(text: string): Stage[] {
  const logical: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    if (raw.trim().startsWith('#')) continue;
    const continued = raw.trimEnd().endsWith('\\');
    pending += continued ? raw.trimEnd().slice(0, -1) : raw;
    if (!continued) {
      if (pending.trim() !== '') logical.push(pending.trim());
      pending = '';
    }
  }
  const stages: Stage[] = [];
  for (const line of logical) {
    const [, keyword, args] = /^(\S+)\s*(.*)$/.exec(line) as RegExpExecArray;
    const instruction = { keyword: keyword.toUpperCase(), args };
    if (instruction.keyword === 'FROM') {
      stages.push({ name: /\sAS\s+(\S+)$/i.exec(args)?.[1], instructions: [] });
    } else if (stages.length > 0) {
      stages[stages.length - 1].instructions.push(instruction);
    }
  }
  return stages;
}

const substitute = (text: string, args: Record<string, string>) =>
  text.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, a: string | undefined, b: string | undefined) => args[(a ?? b) as string] ?? whole);

interface Copy {
  from?: string;
  sources: string[];
  dest: string;
}
function copies(stage: Stage): Copy[] {
  return stage.instructions
    .filter((i) => i.keyword === 'COPY')
    .map((i) => {
      const words = i.args.split(/\s+/);
      const flags = words.filter((w) => w.startsWith('--'));
      const paths = words.filter((w) => !w.startsWith('--'));
      return { from: flags.find((f) => f.startsWith('--from='))?.slice('--from='.length), sources: paths.slice(0, -1), dest: paths[paths.length - 1] };
    });
}

/** The paths a COPY puts in the image, relative to the stage's WORKDIR (files copied into a directory keep their name). */
function copiedPaths(copy: Copy): string[] {
  return copy.sources.map((source) => (copy.dest.endsWith('/') || copy.sources.length > 1 ? posix.join(copy.dest, posix.basename(source)) : copy.dest));
}

function dockerignoreMatcher(text: string): (path: string) => boolean {
  const rules = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const negate = l.startsWith('!');
      const pattern = posix.normalize((negate ? l.slice(1) : l).replace(/^\/+/, ''));
      const regex = pattern
        .split('/')
        .map((part) => (part === '**' ? '(?:.*)' : part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')))
        .join('/')
        .replace(/\(\?:\.\*\)\//g, '(?:.*/)?');
      return { negate, regex: new RegExp(`^${regex}(?:/.*)?$`) };
    });
  return (path) => rules.reduce((excluded, rule) => (rule.regex.test(path) ? !rule.negate : excluded), false);
}

const dockerfileText = read('deploy/Dockerfile');
const stages = parseDockerfile(dockerfileText);
const runtime = stages[stages.length - 1];
const isIgnored = dockerignoreMatcher(read('.dockerignore'));

// ---- the workspace ---------------------------------------------------------------------------

const rootPackage = JSON.parse(read('package.json')) as { workspaces: string[]; dependencies: Record<string, string> };
const lockfile = JSON.parse(read('package-lock.json')) as { packages: Record<string, { dev?: boolean; link?: boolean }> };

function workspaceDirs(): string[] {
  return rootPackage.workspaces.flatMap((glob) => {
    const [parent, star] = glob.split('/');
    if (star !== '*') return [glob];
    return readdirSync(join(ROOT, parent))
      .map((d) => `${parent}/${d}`)
      .filter((d) => existsSync(join(ROOT, d, 'package.json')));
  });
}
const workspaceByName = new Map(
  workspaceDirs().map((dir) => [(JSON.parse(read(`${dir}/package.json`)) as { name: string }).name, dir] as const),
);

/** Bare module names a built folder requires at run time (`require('x')`, not `require.resolve`). */
function requiredPackages(dir: string): Set<string> {
  const found = new Set<string>();
  const walk = (path: string) => {
    for (const entry of readdirSync(path)) {
      const full = join(path, entry);
      if (statSync(full).isDirectory()) walk(full);
      else if (entry.endsWith('.js')) {
        for (const m of readFileSync(full, 'utf8').matchAll(/\brequire\(\s*["']([^"'.][^"']*)["']\s*\)/g)) {
          const spec = m[1].replace(/^node:/, '');
          const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
          if (!builtinModules.includes(name)) found.add(name);
        }
      }
    }
  };
  walk(dir);
  return found;
}

/** Workspace packages a service needs at run time, following the libraries' own requires. */
function workspaceClosure(service: ServiceName): Set<string> {
  const seen = new Set<string>();
  const visit = (dist: string) => {
    for (const name of requiredPackages(dist)) {
      const dir = workspaceByName.get(name);
      if (dir && !seen.has(name)) {
        seen.add(name);
        visit(join(ROOT, dir, 'dist'));
      }
    }
  };
  visit(join(ROOT, 'services', service, 'dist'));
  return seen;
}

// The built config modules are loaded with Node's own require, as the container loads them
// (Jest's module map would swap the libraries' dist for their sources).
const nodeRequire = createRequire(join(ROOT, 'package.json'));
const { defaultMetadataStorage } = nodeRequire('class-transformer/cjs/storage');
const { TransformationType } = nodeRequire('class-transformer');

type Loader = (env: Record<string, string | undefined>) => Record<string, unknown>;
function builtConfig(service: ServiceName): { load: Loader; accepted: Set<string> } {
  const file = join(ROOT, 'services', service, 'dist', 'config.js');
  if (!existsSync(file)) throw new Error(`${relative(ROOT, file)} is missing: build the services first (nx run deploy:test does)`);
  const module = nodeRequire(file);
  const { loader, schema } = SERVICES[service];
  expect(typeof module[loader]).toBe('function');
  expect(typeof module[schema]).toBe('function');
  const accepted = defaultMetadataStorage.getExposedProperties(module[schema], TransformationType.PLAIN_TO_CLASS) as string[];
  return { load: module[loader], accepted: new Set(accepted) };
}

// ---- tests ------------------------------------------------------------------------------------

describe('docker-compose.yml', () => {
  const built = Object.entries(compose.services).filter(([, s]) => s.build);

  it('builds every service under services/ from deploy/Dockerfile, one container each', () => {
    const onDisk = readdirSync(join(ROOT, 'services')).filter((d) => existsSync(join(ROOT, 'services', d, 'src', 'main.ts')));
    expect(onDisk.sort()).toEqual([...SERVICE_NAMES].sort());
    for (const [name, service] of built) {
      expect(service.build).toMatchObject({ context: '.', dockerfile: 'deploy/Dockerfile' });
      const target = service.build?.args?.SERVICE;
      expect({ name, target }).toEqual({ name, target: name });
      expect(existsSync(join(ROOT, 'services', target as string, 'src', 'main.ts'))).toBe(true);
    }
    expect(built.map(([name]) => name).sort()).toEqual([...SERVICE_NAMES].sort());
  });

  it('publishes only the gateway, on the port it listens on', () => {
    const publishing = Object.entries(compose.services).filter(([, s]) => (s.ports ?? []).length > 0);
    expect(publishing.map(([name]) => name)).toEqual(['gateway']);
    const gatewayPort = resolvedEnvironment(compose.services.gateway).PORT;
    const targets = (compose.services.gateway.ports ?? []).map((p) => (typeof p === 'object' && p ? String((p as { target: unknown }).target) : String(p).split(':').pop()));
    expect(targets).toEqual([gatewayPort]);
  });

  it('starts a service only once what it needs is healthy', () => {
    const has = (name: string) => Boolean(compose.services[name]?.healthcheck?.test) || (compose.services[name]?.build && runtime.instructions.some((i) => i.keyword === 'HEALTHCHECK'));
    for (const service of DOMAIN_SERVICES) {
      expect({ service, depends: compose.services[service].depends_on }).toEqual({
        service,
        depends: { nats: { condition: 'service_healthy' }, postgres: { condition: 'service_healthy' } },
      });
    }
    const gatewayNeeds = compose.services.gateway.depends_on ?? {};
    for (const service of [...DOMAIN_SERVICES, 'nats']) expect({ service, ...gatewayNeeds[service] }).toEqual({ service, condition: 'service_healthy' });
    for (const [name, service] of Object.entries(compose.services)) {
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(compose.services[dependency]).toBeDefined();
        if (condition === 'service_healthy') expect({ name, dependency, healthcheck: has(dependency) }).toEqual({ name, dependency, healthcheck: true });
      }
    }
  });

  it('keeps PostgreSQL and NATS data in named volumes', () => {
    const mounts = (name: string) => (compose.services[name].volumes ?? []).map((v) => v.split(':'));
    for (const [name, path] of [
      ['postgres', '/var/lib/postgresql/data'],
      ['nats', '/data'],
    ]) {
      const mount = mounts(name).find(([, target]) => target === path);
      expect({ name, volume: mount && mount[0] in (compose.volumes ?? {}) }).toEqual({ name, volume: true });
    }
    expect(String(compose.services.nats.healthcheck?.test)).toContain('/healthz');
  });

  it('runs NATS with a user per process, on the permissions rendered into deploy/nats/nats.conf', () => {
    const nats = compose.services.nats as ComposeService & { command?: string[] };
    const mount = (nats.volumes ?? []).map((v) => v.split(':')).find(([source]) => source === './deploy/nats/nats.conf');
    expect(mount).toBeDefined();
    expect(nats.command).toEqual(expect.arrayContaining(['-c', mount![1]]));
    const conf = read('deploy/nats/nats.conf');
    const natsEnv = resolvedEnvironment(nats);
    for (const name of SERVICE_NAMES) {
      const env = resolvedEnvironment(compose.services[name]);
      // The process signs in as itself, with the password the server reads for that user.
      expect({ name, user: env.NATS_USER }).toEqual({ name, user: name });
      expect(conf).toContain(`user: "${name}"\n        password: $NATS_${name.toUpperCase()}_PASSWORD`);
      expect(natsEnv[`NATS_${name.toUpperCase()}_PASSWORD`]).toBe(env.NATS_PASSWORD);
    }
    // Every process signs or checks callers with one key.
    expect(new Set(SERVICE_NAMES.map((name) => resolvedEnvironment(compose.services[name]).ACTOR_SIGNING_KEY)).size).toBe(1);
    // The operator's user (integrators' durables) has its own password, which no process gets.
    expect(conf).toContain('user: "ops"\n        password: $NATS_OPS_PASSWORD');
    expect(natsEnv.NATS_OPS_PASSWORD).toBe(envExample.NATS_OPS_PASSWORD);
    for (const name of SERVICE_NAMES) expect({ name, ops: JSON.stringify(compose.services[name].environment).includes('NATS_OPS_PASSWORD') }).toEqual({ name, ops: false });
  });

  it('documents in .env.example every variable it reads (and its override for integrators), and nothing else', () => {
    expect([...new Set([...referencedVariables(composeText), ...referencedVariables(overrideText)])].sort()).toEqual(Object.keys(envExample).sort());
  });

  it('refuses to start without the secrets instead of falling back to a default', () => {
    for (const secret of ['POSTGRES_PASSWORD', 'ADMIN_PASSWORD', 'SIGNING_KEY_ENCRYPTION_KEY', 'ACTOR_SIGNING_KEY', 'NATS_GATEWAY_PASSWORD', 'NATS_IDENTITY_PASSWORD', 'NATS_OPS_PASSWORD']) {
      const { [secret]: _removed, ...withoutSecret } = envExample;
      const users = Object.values(compose.services).filter((s) => JSON.stringify(s.environment ?? {}).includes(secret));
      expect(users.length).toBeGreaterThan(0);
      for (const service of users) expect(() => resolvedEnvironment(service, withoutSecret)).toThrow(secret);
    }
  });

  describe.each(SERVICE_NAMES)('%s', (name) => {
    const service = compose.services[name];
    const env = resolvedEnvironment(service);

    it('sets only variables its configuration accepts', () => {
      const { accepted } = builtConfig(name);
      expect(accepted.size).toBeGreaterThan(0);
      expect(Object.keys(env).filter((key) => !accepted.has(key))).toEqual([]);
    });

    it('passes its configuration check in production', () => {
      const { load } = builtConfig(name);
      const config = load(env);
      expect(config.NODE_ENV).toBe('production');
      expect(config.PORT).toBe(Number(env.PORT));
      expect(new URL(String(config.NATS_URL)).hostname).toBe('nats');
      expect(compose.services.nats).toBeDefined();
    });

    it("passes it too with compose's defaults for every optional variable", () => {
      const { load } = builtConfig(name);
      const defaults = resolvedEnvironment(service, requiredOnly(envExample));
      expect(Object.keys(defaults).sort()).toEqual(Object.keys(env).sort());
      expect(load(defaults).NODE_ENV).toBe('production');
    });

    it('gets longer to stop than its shutdown grace period', () => {
      const { load } = builtConfig(name);
      const grace = Number(load(env).SHUTDOWN_GRACE_MS);
      expect(durationMs(service.stop_grace_period ?? '10s')).toBeGreaterThanOrEqual(grace + FORCE_EXIT_MARGIN_MS);
    });
  });

  it("gives permits the certificate signer's key and secrets as files from CERTIFICATE_SECRETS_DIR, read-only, and no secret value", () => {
    const permits = compose.services.permits;
    const mounts = (permits.volumes ?? []).map((v) => interpolate(v, envExample).split(':'));
    expect(mounts).toEqual([[envExample.CERTIFICATE_SECRETS_DIR, '/run/secrets/certificate', 'ro']]);
    const env = resolvedEnvironment(permits);
    for (const key of ['CERTIFICATE_P12_FILE', 'CERTIFICATE_P12_PASSPHRASE_FILE', 'BSRE_PASSWORD_FILE', 'BSRE_PASSPHRASE_FILE']) {
      expect({ key, dir: posix.dirname(env[key]) }).toEqual({ key, dir: '/run/secrets/certificate' });
    }
    for (const inline of ['CERTIFICATE_P12_PASSPHRASE', 'BSRE_PASSWORD', 'BSRE_PASSPHRASE']) expect(env[inline]).toBeUndefined();
    expect(builtConfig('permits').load(env)).toMatchObject({ CERTIFICATE_SIGNER: 'p12', CERTIFICATE_P12_FILE: '/run/secrets/certificate/signer.p12' });
    const { CERTIFICATE_SECRETS_DIR: _removed, ...without } = envExample;
    for (const volume of permits.volumes ?? []) expect(() => interpolate(volume, without)).toThrow('CERTIFICATE_SECRETS_DIR');
  });

  it('gives each domain service its own database on the postgres container', () => {
    const urls = DOMAIN_SERVICES.map((name) => new URL(resolvedEnvironment(compose.services[name]).DATABASE_URL));
    for (const [i, url] of urls.entries()) {
      expect(url.hostname).toBe('postgres');
      expect(url.pathname).toBe(`/regency_${DOMAIN_SERVICES[i]}`);
      expect(decodeURIComponent(url.password)).toBe(envExample.POSTGRES_PASSWORD);
    }
    expect(resolvedEnvironment(compose.services.postgres)).toMatchObject({ POSTGRES_USER: urls[0].username });
  });
});

// ---- deploy/compose.integrators.yml ---------------------------------------------------------------

interface BindMount {
  type: string;
  source: string;
  target: string;
  read_only?: boolean;
}
interface OverrideService {
  environment?: Record<string, string>;
  volumes?: BindMount[];
  ports?: Array<{ target: number; host_ip?: string; published?: string; protocol?: string }>;
  command?: string[];
  build?: { context?: string; dockerfile?: string; args?: Record<string, string> };
  depends_on?: Record<string, { condition: string }>;
  profiles?: string[];
  restart?: string;
  healthcheck?: { disable?: boolean };
}

const overrideText = read('deploy/compose.integrators.yml');
const override = parse(overrideText, { merge: true }) as { name?: string; services: Record<string, OverrideService> };

/** A service as `docker compose -f docker-compose.yml -f deploy/compose.integrators.yml` merges it. */
function merged(name: string): ComposeService & { command?: string[]; mounts: BindMount[] } {
  const base = compose.services[name] as ComposeService & { command?: string[] };
  const extra = override.services[name] ?? {};
  const targets = new Set((extra.volumes ?? []).map((v) => v.target));
  // Interpolated first: a `${VAR:?message}` source has colons of its own.
  const baseMounts = (base.volumes ?? []).map((v) => interpolate(v, envExample).split(':')).map(([source, target, mode]) => ({ type: 'bind', source, target, read_only: mode === 'ro' }));
  return {
    ...base,
    environment: { ...base.environment, ...extra.environment },
    ports: [...(base.ports ?? []), ...(extra.ports ?? [])],
    command: extra.command ?? base.command,
    // Compose merges mounts by target; sources are interpolated like everything else.
    mounts: [...baseMounts.filter((m) => !targets.has(m.target)), ...(extra.volumes ?? [])].map((m) => ({ ...m, source: interpolate(m.source, envExample) })),
  };
}

describe('deploy/compose.integrators.yml', () => {
  const conf = read('deploy/nats/nats.conf');
  const natsPort = Number(/^port: (\d+)$/m.exec(conf)?.[1]);
  const tlsDir = envExample.NATS_TLS_DIR;
  // Every process that connects to NATS: all of them must move to TLS, since one port serves both.
  const clients = Object.keys(compose.services).filter((name) => 'NATS_URL' in (compose.services[name].environment ?? {}));

  it('changes NATS and how each process reaches it, and adds the one-off nats-ops, nothing else', () => {
    expect(override.name).toBe(parse(composeText).name);
    expect(clients.sort()).toEqual([...SERVICE_NAMES].sort());
    expect(Object.keys(override.services).sort()).toEqual(['nats', 'nats-ops', ...clients].sort());
    for (const name of clients) {
      const extra = override.services[name];
      expect({ name, keys: Object.keys(extra).sort(), env: Object.keys(extra.environment ?? {}).sort() }).toEqual({ name, keys: ['environment', 'volumes'], env: ['NATS_TLS_CA_FILE', 'NATS_URL'] });
    }
    expect(Object.keys(override.services.nats).sort()).toEqual(['command', 'ports', 'volumes']);
  });

  it("serves TLS on nats.conf's port with the base command otherwise unchanged, its certificate and key from NATS_TLS_DIR", () => {
    const nats = merged('nats');
    const base = (compose.services.nats as { command: string[] }).command;
    expect(nats.command?.slice(0, base.length)).toEqual(base);
    const tls = nats.command!.slice(base.length);
    expect(tls).toEqual(['--tls', '--tlscert', expect.any(String), '--tlskey', expect.any(String)]);
    const dir = nats.mounts.find((m) => m.source === tlsDir);
    expect(dir).toMatchObject({ type: 'bind', read_only: true });
    for (const file of [tls[2], tls[4]]) expect(posix.dirname(file)).toBe(dir!.target);
    expect(posix.basename(tls[2])).toBe('server.pem');
    expect(posix.basename(tls[4])).toBe('server.key');
    // Still the permissions of nats.conf, and its data volume.
    expect(nats.mounts.map((m) => m.source)).toEqual(expect.arrayContaining(['./deploy/nats/nats.conf', 'nats-data']));
    const ports = nats.ports as NonNullable<OverrideService['ports']>;
    expect(ports).toHaveLength(1);
    expect(ports[0]).toMatchObject({ target: natsPort, protocol: 'tcp' });
    expect(interpolate(String(ports[0].published), envExample)).toBe(envExample.NATS_PUBLIC_PORT);
    expect(interpolate(String(ports[0].host_ip), envExample)).toBe(envExample.NATS_BIND);
  });

  it.each(SERVICE_NAMES)('moves %s to TLS with the CA alone, and its configuration accepts it', (name) => {
    const service = merged(name);
    const env = resolvedEnvironment(service);
    const url = new URL(env.NATS_URL);
    expect({ protocol: url.protocol, host: url.hostname, port: Number(url.port) }).toEqual({ protocol: 'tls:', host: 'nats', port: natsPort });
    const ca = service.mounts.find((m) => m.target === env.NATS_TLS_CA_FILE);
    expect(ca).toEqual({ type: 'bind', source: `${tlsDir}/ca.pem`, target: env.NATS_TLS_CA_FILE, read_only: true });
    // The server's key stays with NATS.
    expect(service.mounts.filter((m) => m.source.startsWith(tlsDir)).map((m) => m.source)).toEqual([`${tlsDir}/ca.pem`]);
    const { load, accepted } = builtConfig(name);
    expect(Object.keys(env).filter((key) => !accepted.has(key))).toEqual([]);
    expect(load(env)).toMatchObject({ NATS_URL: env.NATS_URL, NATS_TLS_CA_FILE: env.NATS_TLS_CA_FILE, NODE_ENV: 'production' });
  });

  describe('nats-ops', () => {
    const ops = override.services['nats-ops'];
    const env = resolvedEnvironment(ops as ComposeService);

    it('runs `npm run nats:integrator -- sync` from the built platform the image holds, only when asked (profile ops)', () => {
      expect(ops.profiles).toEqual(['ops']);
      expect(ops.restart).toBe('no');
      expect(ops.ports).toBeUndefined();
      expect(ops.build).toEqual(compose.services.notifications.build);
      const [node, script, command] = ops.command!;
      expect([node, command]).toEqual(['node', 'sync']);
      // The runtime stage copies the platform's dist to /app/libs/platform/dist.
      const copied = copies(runtime).filter((c) => c.from === 'build').map((c) => posix.join('/app', c.dest));
      expect(copied.some((dest) => script.startsWith(`${dest}/`))).toBe(true);
      expect(existsSync(join(ROOT, posix.relative('/app', script)))).toBe(true);
      expect(ops.depends_on).toEqual({ nats: { condition: 'service_healthy' } });
    });

    it('signs in as ops with the password NATS has for it, over TLS with the CA', () => {
      expect(env.NATS_USER).toBe('ops');
      expect(env.NATS_PASSWORD).toBe(resolvedEnvironment(compose.services.nats).NATS_OPS_PASSWORD);
      const url = new URL(env.NATS_URL);
      expect({ protocol: url.protocol, host: url.hostname, port: Number(url.port) }).toEqual({ protocol: 'tls:', host: 'nats', port: natsPort });
      const mounts = (ops.volumes ?? []).map((m) => ({ ...m, source: interpolate(m.source, envExample) }));
      expect(mounts.find((m) => m.target === env.NATS_TLS_CA_FILE)).toEqual({ type: 'bind', source: `${tlsDir}/ca.pem`, target: env.NATS_TLS_CA_FILE, read_only: true });
      const { NATS_OPS_PASSWORD: _removed, ...without } = envExample;
      expect(() => resolvedEnvironment(ops as ComposeService, without)).toThrow('NATS_OPS_PASSWORD');
    });

    it('reads the registry, read-only, where the command looks for it in the image (/app/deploy/nats)', () => {
      const registry = (ops.volumes ?? []).find((m) => m.source === './deploy/nats/integrators.json');
      expect(registry).toEqual({ type: 'bind', source: './deploy/nats/integrators.json', target: '/app/deploy/nats/integrators.json', read_only: true });
      expect(existsSync(join(ROOT, registry!.source))).toBe(true);
      // The command's default: the repository root is four levels above libs/platform/dist/nats.
      expect(posix.resolve(posix.dirname(ops.command![1]), '../../../..', 'deploy/nats/integrators.json')).toBe(registry!.target);
      expect(env.REGENCY_INTEGRATORS_FILE).toBeUndefined();
    });
  });

  it('publishes the gateway and NATS only', () => {
    const publishing = Object.keys(compose.services).filter((name) => (merged(name).ports ?? []).length > 0);
    expect(publishing.sort()).toEqual(['gateway', 'nats']);
  });

  it('refuses to start without NATS_TLS_DIR', () => {
    const { NATS_TLS_DIR: _removed, ...without } = envExample;
    for (const name of ['nats', ...clients]) {
      for (const mount of override.services[name].volumes ?? []) expect(() => interpolate(mount.source, without)).toThrow('NATS_TLS_DIR');
    }
  });
});

describe('deploy/Dockerfile', () => {
  const build = stages.find((s) => s.name === 'build') as Stage;

  it('has a build stage and a runtime stage on the same pinned Node 20 image', () => {
    expect(build).toBeDefined();
    expect(runtime).not.toBe(build);
    expect(dockerfileText).toMatch(/^ARG NODE_IMAGE=node:20[\w.-]*-bookworm-slim$/m);
    expect(Number(read('.nvmrc').trim())).toBe(20);
  });

  it('runs as a non-root user in production mode', () => {
    const users = runtime.instructions.filter((i) => i.keyword === 'USER').map((i) => i.args.split(':')[0]);
    expect(users.length).toBeGreaterThan(0);
    expect(users[users.length - 1]).not.toMatch(/^(root|0)$/);
    expect(runtime.instructions.some((i) => i.keyword === 'ENV' && /\bNODE_ENV=production\b/.test(i.args))).toBe(true);
  });

  it('checks /health/live on the port each service listens on', () => {
    const healthcheck = runtime.instructions.find((i) => i.keyword === 'HEALTHCHECK');
    expect(healthcheck).toBeDefined();
    const command = JSON.parse((healthcheck as Instruction).args.replace(/^.*?\bCMD\s+/, '')) as string[];
    expect(command[0]).toBe('node');
    const script = command[command.length - 1];
    expect(script).toContain('/health/live');
    expect(script).toContain('process.env.PORT');
    // Without PORT the service listens on its default; the check's table must agree with the loaders.
    const table = JSON.parse(
      (/\{(\w+:\d+(?:,\w+:\d+)*)\}/.exec(script) as RegExpExecArray)[0].replace(/(\w+):/g, '"$1":'),
    ) as Record<string, number>;
    for (const name of SERVICE_NAMES) {
      const { load } = builtConfig(name);
      const secrets = { ACTOR_SIGNING_KEY: 'a'.repeat(32), NATS_USER: name, NATS_PASSWORD: 'n'.repeat(16) };
      const production =
        name === 'identity'
          ? { ...secrets, ADMIN_PASSWORD: 'x'.repeat(12), NIK_HASH_KEY: 'k'.repeat(32), SIGNING_KEY_ENCRYPTION_KEY: 's'.repeat(32) }
          : name === 'notifications'
            ? { ...secrets, WEBHOOK_SECRET_ENCRYPTION_KEY: 'w'.repeat(32) }
            : name === 'permits'
              ? { ...secrets, CERTIFICATE_P12_FILE: '/run/secrets/certificate/signer.p12', CERTIFICATE_P12_PASSPHRASE_FILE: '/run/secrets/certificate/signer-passphrase' }
              : secrets;
      expect({ name, port: table[name] }).toEqual({ name, port: load({ NODE_ENV: 'production', ...production }).PORT });
    }
  });

  it.each(SERVICE_NAMES)('starts %s from the dist its build target produces', (name) => {
    const args = { SERVICE: name };
    const workdir = runtime.instructions.filter((i) => i.keyword === 'WORKDIR').map((i) => substitute(i.args, args));
    const cmd = JSON.parse((runtime.instructions.filter((i) => i.keyword === 'CMD').pop() as Instruction).args) as string[];
    expect(cmd[0]).toBe('node');
    const main = posix.relative('/app', posix.resolve(workdir[workdir.length - 1], cmd[1]));
    expect(main).toBe(`services/${name}/dist/main.js`);
    expect(existsSync(join(ROOT, main))).toBe(true);
    const runtimeFiles = copies(runtime).filter((c) => c.from === 'build').map((c) => substitute(c.dest, args));
    expect(runtimeFiles.some((dest) => main.startsWith(`${dest}/`))).toBe(true);
  });

  it('builds with nx targets and tools that exist', () => {
    const runs = build.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
    const single = runs.flatMap((r) => [...r.matchAll(/\bnx run "?([^\s":]+):([\w-]+)"?/g)]).map(([, project, target]) => ({ project, target }));
    const many = runs.flatMap((r) => [...r.matchAll(/\bnx run-many (?:-t|--targets?)[= ]([\w,-]+)/g)]).flatMap(([, targets]) => targets.split(','));
    expect(single.length + many.length).toBeGreaterThan(0);
    const targetsOf = (dir: string) => Object.keys((JSON.parse(read(`${dir}/project.json`)) as { targets: object }).targets);
    for (const service of SERVICE_NAMES) {
      for (const { project, target } of single) {
        const dir = `services/${substitute(project, { SERVICE: service })}`;
        expect({ dir, target: existsSync(join(ROOT, dir, 'project.json')) && targetsOf(dir).includes(target) }).toEqual({ dir, target: true });
      }
      for (const target of many) expect({ service, target: targetsOf(`services/${service}`).includes(target) }).toEqual({ service, target: true });
    }
    const devDependencies = (JSON.parse(read('package.json')) as { devDependencies: Record<string, string> }).devDependencies;
    expect(devDependencies.nx).toBeDefined();
    const runtimeInstall = runtime.instructions.find((i) => i.keyword === 'RUN' && /\bnpm ci\b/.test(i.args));
    expect(runtimeInstall?.args).toMatch(/--omit=dev/);
  });

  it.each(['build', 'runtime'])('copies every workspace manifest into the %s stage before npm ci', (stageName) => {
    const stage = stages.find((s) => s.name === stageName) as Stage;
    const ci = stage.instructions.findIndex((i) => i.keyword === 'RUN' && /\bnpm ci\b/.test(i.args));
    expect(ci).toBeGreaterThan(-1);
    const before = copies({ instructions: stage.instructions.slice(0, ci) }).flatMap(copiedPaths);
    for (const file of ['package.json', 'package-lock.json', ...workspaceDirs().map((d) => `${d}/package.json`)]) expect(before).toContain(file);
  });

  it('copies only files the build context contains', () => {
    const sources = stages.flatMap((stage) => copies(stage).filter((c) => !c.from).flatMap((c) => c.sources));
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) {
      expect({ source, exists: existsSync(join(ROOT, source)), ignored: isIgnored(source) }).toEqual({ source, exists: true, ignored: false });
    }
    // Stale local builds must not reach the image (tsc's incremental state would skip emitting).
    for (const path of ['libs/platform/dist', 'services/gateway/dist/.tsbuildinfo', 'node_modules', '.env']) expect({ path, ignored: isIgnored(path) }).toEqual({ path, ignored: true });
  });

  it.each(SERVICE_NAMES)('gives %s every workspace library it requires, built', (name) => {
    const copied = copies(runtime)
      .filter((c) => c.from === 'build')
      .map((c) => substitute(c.dest, { SERVICE: name }));
    const needed = workspaceClosure(name);
    expect(needed.size).toBeGreaterThan(0);
    for (const pkg of needed) {
      expect({ pkg, copied: copied.includes(`${workspaceByName.get(pkg)}/dist`) }).toEqual({ pkg, copied: true });
    }
  });

  it.each(SERVICE_NAMES)('needs no dev dependency to run %s', (name) => {
    const dists = [`services/${name}/dist`, ...[...workspaceClosure(name)].map((p) => `${workspaceByName.get(p)}/dist`)];
    const external = new Set(dists.flatMap((d) => [...requiredPackages(join(ROOT, d))]).filter((p) => !workspaceByName.has(p)));
    expect(external.size).toBeGreaterThan(0);
    const devOnly = [...external].filter((p) => {
      const entry = lockfile.packages[`node_modules/${p}`];
      return !entry || entry.dev === true;
    });
    expect(devOnly).toEqual([]);
  });
});
