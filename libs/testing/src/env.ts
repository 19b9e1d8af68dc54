import { createServer } from 'net';
import { dropDatabase } from '@smart-regency/platform';
import { uniqueId } from './ids';

/** The machine's PostgreSQL and NATS, as CI and developers have them. */
export const TEST_POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEST_NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

export function databaseUrl(name: string): string {
  const url = new URL(TEST_POSTGRES_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * A private corner of the shared servers for one test run: its own databases (dropped by
 * cleanup) and its own NATS subject prefix.
 */
export class TestEnvironment {
  readonly runId = uniqueId();
  readonly natsPrefix = this.runId;
  private readonly databases = new Set<string>();

  databaseUrl(service: string): string {
    const url = databaseUrl(`${this.runId}_${service}`);
    this.databases.add(url);
    return url;
  }

  /** Environment for one service process or in-process boot. */
  serviceEnv(service: string, extra: Record<string, string> = {}): Record<string, string> {
    return {
      NODE_ENV: 'test',
      PORT: '0',
      NATS_URL: TEST_NATS_URL,
      NATS_PREFIX: this.natsPrefix,
      LOG_LEVEL: 'warn',
      SHUTDOWN_GRACE_MS: '5000',
      ...(service === 'gateway' ? {} : { DATABASE_URL: this.databaseUrl(service) }),
      ...extra,
    };
  }

  async cleanup(): Promise<void> {
    for (const url of this.databases) await dropDatabase(url);
    this.databases.clear();
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
