import { BusLayout, Integrator, NatsConfigOptions, NatsUser, NATS_USERS, renderNatsConfig } from '@smart-regency/platform';
import { ChildProcess, execFileSync, spawn } from 'child_process';
import { randomBytes } from 'crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { connect as tcpConnect } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import { freePort, TestEnvironment } from './env';
import { waitFor } from './process';

export const NATS_SERVER_BINARY = process.env.NATS_SERVER_BINARY ?? '/usr/sbin/nats-server';

/** The layout of a test run's streams and subjects, for its NATS permissions. */
export function busLayoutOf(env: TestEnvironment): BusLayout {
  return {
    prefix: env.natsPrefix,
    eventsStream: env.eventsStream,
    eventsPrefix: env.eventsPrefix,
    deadLetterStream: env.deadLetterStream,
    deadLetterPrefix: env.deadLetterPrefix,
  };
}

/**
 * A nats-server of a test's own, on a free port with its own store, never the machine's. With a
 * layout it runs the production permissions (deploy/nats) for that layout, one user per process
 * and ops with a random password, an account per integrator; `output` keeps what it logs (permission violations among it).
 */
export class PrivateNatsServer {
  readonly output: string[] = [];
  private child?: ChildProcess;

  private constructor(
    readonly port: number,
    readonly passwords: Record<NatsUser, string>,
    private options: NatsConfigOptions,
    private readonly dir: string,
  ) {}

  /**
   * `tls`: serve TLS only, with a CA, a server certificate and a client certificate made for the run;
   * `verifyClients` (default true) asks every client for one (mutual TLS). `integrators`: their accounts.
   */
  static async start(layout: BusLayout, { tls = false, verifyClients = true, integrators = [] as Integrator[] } = {}): Promise<PrivateNatsServer> {
    const passwords = Object.fromEntries(NATS_USERS.map((u) => [u, randomBytes(18).toString('base64url')])) as Record<NatsUser, string>;
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'regency-nats-'));
    const files = tls ? makeCertificates(dir) : undefined;
    const options: NatsConfigOptions = {
      layout,
      port,
      host: '127.0.0.1',
      storeDir: join(dir, 'js'),
      passwords,
      integrators,
      ...(files ? { tls: { certFile: files.serverCert, keyFile: files.serverKey, ...(verifyClients ? { caFile: files.ca, verify: true } : {}) } } : {}),
    };
    const server = new PrivateNatsServer(port, passwords, options, dir);
    server.tlsFiles = files;
    server.verifiesClients = Boolean(files) && verifyClients;
    await server.run();
    return server;
  }

  private verifiesClients = false;

  /**
   * Replaces the integrators and reloads the running server (SIGHUP), as operators do after
   * `npm run nats:integrator`: twice, since nats-server wires a new account's imports only on the
   * reload after the one that created it (`reloads: 1` shows that).
   */
  async setIntegrators(integrators: Integrator[], { reloads = 2 } = {}): Promise<void> {
    this.options = { ...this.options, integrators };
    writeFileSync(this.configFile, renderNatsConfig(this.options));
    for (let i = 0; i < reloads; i++) await this.reload();
  }

  /** One SIGHUP, resolved once the server says it reloaded its configuration. */
  async reload(): Promise<void> {
    const before = this.output.length;
    this.child?.kill('SIGHUP');
    await waitFor('nats-server to reload its configuration', async () => {
      const lines = this.output.slice(before);
      const failed = lines.find((l) => /\[ERR\].*reload/i.test(l));
      if (failed) throw new Error(failed);
      return lines.some((l) => /Reloaded server configuration/i.test(l)) ? true : undefined;
    });
  }

  private get configFile(): string {
    return join(this.dir, 'nats.conf');
  }

  /** The CA and the client's certificate and key, when the server speaks TLS. */
  tlsFiles?: { ca: string; clientCert: string; clientKey: string; serverCert: string; serverKey: string };

  get url(): string {
    return `${this.tlsFiles ? 'tls' : 'nats'}://127.0.0.1:${this.port}`;
  }

  /** NATS_URL, NATS_USER and NATS_PASSWORD of one process or of ops (and its TLS files, on a TLS server). */
  envFor(user: NatsUser): Record<string, string> {
    const certificate: Record<string, string> = this.tlsFiles && this.verifiesClients ? { NATS_TLS_CERT_FILE: this.tlsFiles.clientCert, NATS_TLS_KEY_FILE: this.tlsFiles.clientKey } : {};
    const tls: Record<string, string> = this.tlsFiles ? { NATS_TLS_CA_FILE: this.tlsFiles.ca, ...certificate } : {};
    return { NATS_URL: this.url, NATS_USER: user, NATS_PASSWORD: this.passwords[user], ...tls };
  }

  /** Starts (or restarts, on the same port and store) the server. */
  async run(): Promise<void> {
    const file = this.configFile;
    writeFileSync(file, renderNatsConfig(this.options));
    const child = spawn(NATS_SERVER_BINARY, ['-c', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const collect = (chunk: Buffer) => this.output.push(...chunk.toString().split('\n').filter(Boolean));
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    await waitFor(`nats-server on :${this.port}`, async () => {
      if (child.exitCode !== null) throw new Error(`nats-server exited:\n${this.output.slice(-10).join('\n')}`);
      return (await portOpen(this.port)) ? true : undefined;
    });
  }

  /** Lines where the server refused a publish or subscribe for lack of permission. */
  violations(): string[] {
    return this.output.filter((line) => /Violation/i.test(line));
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      // The timer is cleared, or it would keep the test process alive for 5 s after the suite.
      await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 5000)))]);
      clearTimeout(timer);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A CA, and a server (127.0.0.1) and a client certificate it signed, made with openssl for one run. */
function makeCertificates(dir: string): NonNullable<PrivateNatsServer['tlsFiles']> {
  const f = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=regency-test-ca', '-keyout', f('ca.key'), '-out', f('ca.pem'));
  for (const who of ['server', 'client']) {
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${who}`, '-keyout', f(`${who}.key`), '-out', f(`${who}.csr`));
    writeFileSync(f(`${who}.ext`), who === 'server' ? 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' : 'extendedKeyUsage=clientAuth\n');
    openssl('x509', '-req', '-in', f(`${who}.csr`), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '1', '-extfile', f(`${who}.ext`), '-out', f(`${who}.pem`));
  }
  return { ca: f('ca.pem'), serverCert: f('server.pem'), serverKey: f('server.key'), clientCert: f('client.pem'), clientKey: f('client.key') };
}
