import { connect } from 'nats';
import { createServer } from 'net';
import { dropDatabase } from '@smart-regency/platform';
import { uniqueId } from './ids';

/** The machine's PostgreSQL and NATS, as CI and developers have them. */
export const TEST_POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEST_NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

/** The bootstrap admin every test system starts with. */
export const TEST_ADMIN = { email: 'admin@test.labura.go.id', password: 'Admin-Test-Password-1' };

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
  /** Events go to a stream of this run's own, on subjects no other run listens to. */
  readonly eventsStream = `${this.runId}_EVENTS`;
  readonly eventsPrefix = `${this.runId}.events`;
  readonly deadLetterStream = `${this.runId}_DEADLETTER`;
  readonly deadLetterPrefix = `${this.runId}.deadletter`;
  /** This run's ACTOR_SIGNING_KEY: its gateway signs callers with it and its services check them. */
  readonly actorSigningKey = `${this.runId}-actor-signing-key-for-tests-only`;
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
      ACTOR_SIGNING_KEY: this.actorSigningKey,
      ...(service === 'identity' ? { ADMIN_EMAIL: TEST_ADMIN.email, ADMIN_PASSWORD: TEST_ADMIN.password, NIK_HASH_KEY: `${this.runId}-nik-hash-key-for-tests-only` } : {}),
      // Tests send webhooks to their own receivers on 127.0.0.1, and nowhere else.
      // No name is ever looked up in DNS either (receiver.test is this machine).
      ...(service === 'notifications' ? { WEBHOOK_ALLOWED_PRIVATE_RANGES: '127.0.0.1', WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_HOSTS: 'receiver.test=127.0.0.1', WEBHOOK_SYSTEM_DNS: 'false' } : {}),
      ...(service === 'gateway'
        ? {}
        : {
            DATABASE_URL: this.databaseUrl(service),
            EVENTS_STREAM: this.eventsStream,
            EVENTS_SUBJECT_PREFIX: this.eventsPrefix,
            DEADLETTER_STREAM: this.deadLetterStream,
            DEADLETTER_SUBJECT_PREFIX: this.deadLetterPrefix,
          }),
      ...extra,
    };
  }

  async cleanup(): Promise<void> {
    for (const url of this.databases) await dropDatabase(url);
    this.databases.clear();
    const nc = await connect({ servers: TEST_NATS_URL });
    try {
      const jsm = await nc.jetstreamManager();
      for (const stream of [this.eventsStream, this.deadLetterStream]) await jsm.streams.delete(stream).catch(() => false);
    } finally {
      await nc.close();
    }
  }
}

/** Ports this process has handed out: the kernel may offer a closed one again before its user binds it. */
const givenPorts = new Set<number>();

export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        const found = typeof address === 'object' && address ? address.port : 0;
        server.close(() => resolve(found));
      });
    });
    // Two processes of one test system on the same port: one answers for both (a 404 for a login).
    if (!givenPorts.has(port)) {
      givenPorts.add(port);
      return port;
    }
  }
}
