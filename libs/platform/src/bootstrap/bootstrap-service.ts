import { DynamicModule, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ServiceName } from '@smart-regency/contracts';
import { NatsConnection } from 'nats';
import { Logger, PinoLogger } from 'nestjs-pino';
import { ConfigError, ServiceConfig } from '../config/config';
import { ensureDatabase } from '../database/database';
import { createFastifyAdapter, instrumentHttp } from '../http/fastify';
import { createStartupLogger } from '../logging/logging';
import { Metrics } from '../metrics/metrics';
import { connectNats, natsOptionsOf } from '../nats/connection';
import { CallerVerifier } from '../nats/caller-signature';
import { RegencyNatsServer } from '../nats/regency-nats.server';
import { backoff, FatalStartupError } from './retry';
import { ensureEventStreams } from '../events/streams';
import { exitOnSignals } from './shutdown';

export interface RunningService {
  app: INestApplication;
  /** Base URL of the health/metrics HTTP port. */
  url: string;
  close(): Promise<void>;
}

export interface ServiceBootstrapOptions<C extends ServiceConfig> {
  service: ServiceName;
  config: C;
  /** The service's root module, given the NATS connection it shares with the transport. */
  rootModule: (connection: NatsConnection) => DynamicModule;
  /** Install SIGTERM/SIGINT handlers (the real process); tests close the app themselves. */
  handleSignals?: boolean;
}

/**
 * Starts a domain service: waits for PostgreSQL (creating its database) and NATS, applies
 * migrations, then serves NATS requests in the service's queue group plus health and metrics
 * over HTTP on PORT.
 */
export async function bootstrapService<C extends ServiceConfig>(options: ServiceBootstrapOptions<C>): Promise<RunningService> {
  const { service, config } = options;
  const startup = createStartupLogger(service, config.LOG_LEVEL, config.LOG_FORMAT);
  await ensureDatabase(config.DATABASE_URL, startup);
  const connection = await connectNats(natsOptionsOf(config, service), startup);
  const jsm = await connection.jetstreamManager();
  await backoff('JetStream', () => ensureEventStreams(jsm, config), startup);

  const app = await NestFactory.create<NestFastifyApplication>(options.rootModule(connection), createFastifyAdapter(), {
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  instrumentHttp(app.getHttpAdapter().getInstance(), app.get(Metrics), () => PinoLogger.root);
  if (options.handleSignals) exitOnSignals(app, config.SHUTDOWN_GRACE_MS);

  app.connectMicroservice(
    {
      strategy: new RegencyNatsServer({
        connection,
        prefix: config.NATS_PREFIX,
        queue: service,
        graceMs: config.SHUTDOWN_GRACE_MS,
        verifier: new CallerVerifier([config.ACTOR_SIGNING_KEY, config.ACTOR_SIGNING_KEY_PREVIOUS]),
      }),
    },
    { inheritAppConfig: true },
  );

  await app.startAllMicroservices();
  await app.listen(config.PORT, '0.0.0.0');
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  app.get(Logger).log(`${service} ready: NATS subjects ${config.NATS_PREFIX ? `${config.NATS_PREFIX}.` : ''}${service}.*, HTTP :${port}`);
  return { app, url: `http://127.0.0.1:${port}`, close: () => app.close() };
}

/**
 * For main.ts: turns configuration and startup failures into one clear line and exit code 1.
 * A promise rejected where nobody waits for it is logged and the process keeps serving: one
 * request's fault must never end every other request's service (Node's default is to exit).
 */
export async function runMain(name: string, start: () => Promise<unknown>): Promise<void> {
  process.on('unhandledRejection', (reason) => {
    const err = reason instanceof Error ? reason.stack ?? reason.message : String(reason);
    process.stderr.write(`${JSON.stringify({ level: 'error', time: new Date().toISOString(), service: name, msg: 'unhandled promise rejection; still running', err })}\n`);
  });
  try {
    await start();
  } catch (error) {
    const message =
      error instanceof ConfigError || error instanceof FatalStartupError
        ? error.message
        : (error as Error)?.stack ?? String(error);
    process.stderr.write(`${name} cannot start: ${message}\n`);
    process.exit(1);
  }
}
