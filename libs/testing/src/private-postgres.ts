import { execFile, execFileSync } from 'child_process';
import { chownSync, mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { promisify } from 'util';
import { freePort } from './env';

const run = promisify(execFile);

export const POSTGRES_BIN_DIR = process.env.POSTGRES_BIN_DIR ?? '/usr/lib/postgresql/15/bin';

// initdb and postgres refuse to run as root: as root, run them as the postgres user.
const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/**
 * A PostgreSQL cluster of a test's own (its own data directory, port and socket), to stop and
 * restart under a running system; never the machine's. Trust authentication, user `postgres`.
 */
export class PrivatePostgres {
  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  static async start(): Promise<PrivatePostgres> {
    const dir = mkdtempSync(join(tmpdir(), 'regency-pg-'));
    if (asRoot) {
      const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
      chownSync(dir, uid, gid);
    }
    const server = new PrivatePostgres(await freePort(), dir);
    try {
      await server.ctl('initdb', ['-D', server.dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync']);
      await server.run();
    } catch (error) {
      await server.destroy();
      throw error;
    }
    return server;
  }

  private get dataDir(): string {
    return join(this.dir, 'data');
  }

  /** The URL of a database on this cluster. */
  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  /** Starts the cluster (again) and waits until it accepts connections. */
  async run(): Promise<void> {
    await this.pgCtl('start', ['-o', `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1`, '-l', join(this.dir, 'postgres.log')]);
  }

  /** `fast` ends every session at once (as a restart by an operator does); `immediate` as a crash would. */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    await this.pgCtl('stop', ['-m', mode]);
  }

  /** Stop, then start: `pg_ctl restart` would forget the log file and keep our pipes open. */
  async restart(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    await this.stop(mode);
    await this.run();
  }

  /** The server's own log: what it did to the sessions it ended. */
  log(): string {
    try {
      return readFileSync(join(this.dir, 'postgres.log'), 'utf8');
    } catch {
      return '';
    }
  }

  async destroy(): Promise<void> {
    await this.pgCtl('stop', ['-m', 'immediate']).catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private pgCtl(action: string, args: string[]): Promise<void> {
    return this.ctl('pg_ctl', [action, '-D', this.dataDir, '-w', '-t', '60', ...args]);
  }

  private async ctl(tool: string, args: string[]): Promise<void> {
    const binary = join(POSTGRES_BIN_DIR, tool);
    const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', binary, ...args]] : [binary, args];
    try {
      await run(file, argv, { timeout: 90000 });
    } catch (error) {
      const e = error as Error & { stderr?: string; stdout?: string };
      throw new Error(`${tool} ${args[0]} failed: ${e.message}\n${e.stderr ?? ''}${e.stdout ?? ''}`);
    }
  }
}
