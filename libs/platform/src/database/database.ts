import { DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Client, types } from 'pg';
import { DataSource, DataSourceOptions, MixedList, EntitySchema } from 'typeorm';
import { SnakeNamingStrategy } from 'typeorm-naming-strategies';
import { backoff, FatalStartupError, RetryLogger } from '../bootstrap/retry';
import type { ServiceConfig } from '../config/config';
import { createStartupLogger } from '../logging/logging';
import { withEventTables } from '../events/event-tables.migration';
import { timestamptzParser } from './timestamps';

// A DATE column is a calendar day, not an instant: keep it as 'YYYY-MM-DD' instead of a Date at
// the server's local midnight.
types.setTypeParser(types.builtins.DATE, (value: string) => value);
// Instants: the same Dates as pg's own parser, read ~3.5× faster (timestamps.ts).
types.setTypeParser(types.builtins.TIMESTAMPTZ, timestamptzParser(types.getTypeParser(types.builtins.TIMESTAMPTZ) as (value: string) => unknown));

// Errors that waiting will not fix: wrong password, role not allowed, no maintenance database.
const FATAL_PG_CODES = new Set(['28P01', '28000', '3D000', '42501']);

export interface DatabaseSchema {
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function | string>;
}

export function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.slice(1));
}

function maintenanceUrl(url: string): string {
  const u = new URL(url);
  u.pathname = '/postgres';
  return u.toString();
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Creates the service's database if it does not exist yet; waits (with backoff) while PostgreSQL is down. */
export async function ensureDatabase(url: string, logger: RetryLogger): Promise<void> {
  const name = databaseName(url);
  const where = `PostgreSQL at ${new URL(url).host}`;
  await backoff(where, async () => {
    const client = new Client({ connectionString: maintenanceUrl(url), connectionTimeoutMillis: 5000 });
    try {
      await client.connect();
      const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (!rowCount) {
        await client.query(`CREATE DATABASE ${quoteIdent(name)}`).catch((error: { code?: string }) => {
          if (error.code !== '42P04') throw error; // created meanwhile by a replica
        });
      }
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code && FATAL_PG_CODES.has(code)) {
        throw new FatalStartupError(`${where} refused us: ${(error as Error).message} (check DATABASE_URL)`);
      }
      throw error;
    } finally {
      await client.end().catch(() => undefined);
    }
  }, logger);
}

export async function dropDatabase(url: string): Promise<void> {
  const client = new Client({ connectionString: maintenanceUrl(url) });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(databaseName(url))} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

export function dataSourceOptions(config: Pick<ServiceConfig, 'DATABASE_URL' | 'DB_POOL_SIZE'>, schema: DatabaseSchema): DataSourceOptions {
  return {
    type: 'postgres',
    url: config.DATABASE_URL,
    entities: schema.entities,
    migrations: schema.migrations,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    namingStrategy: new SnakeNamingStrategy(),
    extra: { max: config.DB_POOL_SIZE, connectionTimeoutMillis: 5000 },
    logging: false,
  };
}

/** TypeORM for a service: its own database, snake_case names, migrations applied at start. */
export function databaseModule(config: ServiceConfig, schema: DatabaseSchema): DynamicModule {
  return TypeOrmModule.forRoot({
    ...dataSourceOptions(config, schema),
    migrationsRun: true,
    retryAttempts: 3,
    retryDelay: 1000,
  });
}

/** Applies (or with `revert`, undoes the last of) a service's migrations; used by the `migrate` target. */
export async function runMigrations(
  config: ServiceConfig,
  schema: DatabaseSchema,
  logger: RetryLogger & { info(message: string): void },
  revert = false,
): Promise<string[]> {
  await ensureDatabase(config.DATABASE_URL, logger);
  const dataSource = new DataSource(dataSourceOptions(config, schema));
  await dataSource.initialize();
  try {
    if (revert) {
      await dataSource.undoLastMigration({ transaction: 'each' });
      logger.info('reverted the last migration');
      return [];
    }
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    logger.info(applied.length ? `applied ${applied.map((m) => m.name).join(', ')}` : 'schema is up to date');
    return applied.map((m) => m.name);
  } finally {
    await dataSource.destroy();
  }
}

/** Entry point of a service's `migrate` target: `node dist/migrate.js [down]`. */
export async function migrateMain(service: string, config: ServiceConfig, schema: DatabaseSchema, argv = process.argv): Promise<void> {
  const logger = createStartupLogger(service, config.LOG_LEVEL, config.LOG_FORMAT);
  await runMigrations(config, withEventTables(schema), logger, argv[2] === 'down');
}

/** bigint columns (rupiah amounts) as numbers: exact up to 9 × 10^15, far beyond any fee. */
export const bigintAsNumber = {
  to: (value: number | null) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};
