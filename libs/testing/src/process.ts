import { ChildProcess, spawn } from 'child_process';
import { existsSync } from 'fs';
import { join, resolve } from 'path';
import { freePort, TEST_ADMIN, TestEnvironment } from './env';

export const REPO_ROOT = resolve(__dirname, '../../..');

export type SystemProcess = 'gateway' | 'identity' | 'permits' | 'complaints' | 'reporting' | 'notifications';
export const DOMAIN_SERVICES: SystemProcess[] = ['identity', 'permits', 'complaints', 'reporting', 'notifications'];

export function entrypoint(name: SystemProcess): string {
  const file = join(REPO_ROOT, 'services', name, 'dist', 'main.js');
  if (!existsSync(file)) throw new Error(`${file} is missing: build first (npx nx run-many -t build)`);
  return file;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

/** A real service process, as ops would run it, with its output kept for assertions. */
export class ServiceProcess {
  readonly output: string[] = [];
  private child?: ChildProcess;
  private exit?: Promise<number | null>;

  constructor(
    readonly name: SystemProcess,
    readonly env: Record<string, string>,
    readonly port: number,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The process id while it runs (a benchmark reads its CPU and memory from /proc). */
  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  /** Spawns the process; resolves once it answers /health/live (or rejects if it exits first). */
  async start({ waitUntilLive = true } = {}): Promise<void> {
    // NODE_ARGS: flags for node itself (`--cpu-prof …`, which NODE_OPTIONS does not allow), not for the service.
    const { NODE_ARGS: nodeArgs, ...env } = this.env;
    const child = spawn(process.execPath, [...(nodeArgs ?? '').split(' ').filter(Boolean), entrypoint(this.name)], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', ...env, PORT: String(this.port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const collect = (chunk: Buffer) => this.output.push(...chunk.toString().split('\n').filter(Boolean));
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    this.exit = new Promise((resolveExit) => child.once('exit', (code) => resolveExit(code)));
    if (!waitUntilLive) return;
    // Five processes start at once on two cores: under other load a start has taken over 30 s.
    await waitFor(
      `${this.name} to be live`,
      async () => {
        if (!this.running) throw new Error(`${this.name} exited:\n${this.output.slice(-20).join('\n')}`);
        const res = await fetch(`${this.url}/health/live`).catch(() => undefined);
        return res?.ok ? true : undefined;
      },
      60000,
    );
  }

  /** Sends a signal and waits for the process to end; returns its exit code. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 15000): Promise<number | null> {
    if (!this.child || !this.running) return this.child?.exitCode ?? null;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), timeoutMs);
    try {
      return await this.exited();
    } finally {
      clearTimeout(timer);
    }
  }

  exited(): Promise<number | null> {
    return this.exit ?? Promise.resolve(null);
  }

  /** Output lines that parse as JSON log records. */
  records(): Array<Record<string, unknown>> {
    return this.output.flatMap((line) => {
      try {
        const parsed = JSON.parse(line);
        return typeof parsed === 'object' && parsed ? [parsed] : [];
      } catch {
        return [];
      }
    });
  }

  waitForOutput(pattern: RegExp, timeoutMs = 15000): Promise<string> {
    return waitFor(`${this.name} to print ${pattern}`, async () => this.output.find((l) => pattern.test(l)), timeoutMs);
  }
}

export async function spawnService(name: SystemProcess, env: Record<string, string>): Promise<ServiceProcess> {
  return new ServiceProcess(name, env, await freePort());
}

/**
 * The whole system (gateway and the five services) as separate processes on fresh databases
 * and a private NATS prefix, ready when the gateway's readiness says so.
 */
export class TestSystem {
  readonly processes = new Map<SystemProcess, ServiceProcess>();

  private constructor(readonly env: TestEnvironment) {}

  /** `env`: the run's databases, prefix and keys, when the test made them first (e.g. for its own nats-server). */
  static async start(extraEnv: Partial<Record<SystemProcess, Record<string, string>>> = {}, env = new TestEnvironment()): Promise<TestSystem> {
    const system = new TestSystem(env);
    try {
      for (const name of [...DOMAIN_SERVICES, 'gateway'] as SystemProcess[]) {
        // The gateway waits longer for a service than in production (5 s): on the two-core CI machine
        // a first login once waited past 5 s while other suites ran (2026-12-05).
        const gateway: Record<string, string> = name === 'gateway' ? { RPC_TIMEOUT_MS: '15000', METRICS_PORT: String(await freePort()) } : {};
        const proc = await spawnService(name, system.env.serviceEnv(name, { LOG_LEVEL: 'info', ...gateway, ...extraEnv[name] }));
        system.processes.set(name, proc);
      }
      await Promise.all([...system.processes.values()].map((p) => p.start()));
      await system.waitUntilReady();
      return system;
    } catch (error) {
      await system.stop();
      throw error;
    }
  }

  /** Signs in through the gateway and returns the access token. */
  async login(identifier: string = TEST_ADMIN.email, password: string = TEST_ADMIN.password): Promise<string> {
    const res = await fetch(`${this.gatewayUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ identifier, password }),
    });
    if (res.status !== 200) {
      // What identity printed last: where a refused or timed-out sign-in starts to be explained.
      throw new Error(`login as ${identifier} failed: ${res.status} ${await res.text()}\n${this.lastLines(['identity'])}`);
    }
    return ((await res.json()) as { accessToken: string }).accessToken;
  }

  get gatewayUrl(): string {
    return this.process('gateway').url;
  }

  /** The gateway's internal metrics port (the API port does not serve /metrics). */
  get gatewayMetricsUrl(): string {
    return `http://127.0.0.1:${this.process('gateway').env.METRICS_PORT}`;
  }

  process(name: SystemProcess): ServiceProcess {
    const proc = this.processes.get(name);
    if (!proc) throw new Error(`no process ${name}`);
    return proc;
  }

  async waitUntilReady(timeoutMs = 30000): Promise<true> {
    let lastAnswer = 'no answer';
    try {
      return await waitFor(
        'the gateway to be ready',
        async () => {
          const res = await fetch(`${this.gatewayUrl}/health/ready`).catch(() => undefined);
          if (res?.status === 200) return true;
          if (res) lastAnswer = `${res.status} ${await res.text().catch(() => '')}`;
          return undefined;
        },
        timeoutMs,
        200,
      );
    } catch (error) {
      // What the gateway last said and what each process printed last: the place to start reading.
      throw new Error(`${(error as Error).message}; /health/ready last answered ${lastAnswer}\n${this.lastLines([...this.processes.keys()])}`);
    }
  }

  /** The last lines each of `names` printed, under its name. */
  private lastLines(names: SystemProcess[]): string {
    return names.map((name) => `--- ${name}:\n${this.processes.get(name)?.output.slice(-8).join('\n') ?? ''}`).join('\n');
  }

  async stop(): Promise<void> {
    await Promise.all([...this.processes.values()].map((p) => p.stop()));
    await this.env.cleanup();
  }
}
