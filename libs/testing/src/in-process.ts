import { RunningService } from '@smart-regency/platform';
import { Client } from 'pg';
import { TestEnvironment } from './env';
import { TestRpc } from './rpc';

export interface InProcessService {
  env: TestEnvironment;
  service: RunningService;
  rpc: TestRpc;
  /** A direct connection to the service's own database, for asserting rows and schema. */
  db: Client;
  databaseUrl: string;
  close(): Promise<void>;
}

/**
 * Boots one service inside the test process on a fresh database and a private NATS prefix, with
 * a NATS client that speaks to it as the gateway would.
 */
export async function startInProcess(
  name: string,
  start: (env: Record<string, string>) => Promise<RunningService>,
): Promise<InProcessService> {
  const env = new TestEnvironment();
  const serviceEnv = env.serviceEnv(name, { LOG_LEVEL: 'error' });
  const service = await start(serviceEnv);
  const rpc = await TestRpc.connect(env.natsPrefix, env.actorSigningKey);
  const db = new Client({ connectionString: serviceEnv.DATABASE_URL });
  await db.connect();
  return {
    env,
    service,
    rpc,
    db,
    databaseUrl: serviceEnv.DATABASE_URL,
    async close() {
      await db.end();
      await rpc.close();
      await service.close();
      await env.cleanup();
    },
  };
}

/** Table names of the public schema, sorted. */
export async function tablesOf(db: Client): Promise<string[]> {
  const { rows } = await db.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`);
  return rows.map((r) => r.table_name);
}
