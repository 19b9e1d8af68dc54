import helmet from '@fastify/helmet';
import { RequestMethod } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import { connectNats, createFastifyAdapter, createStartupLogger, DomainError, exitOnSignals, instrumentHttp, Metrics, natsOptionsOf, serveMetrics } from '@smart-regency/platform';
import { Logger, PinoLogger } from 'nestjs-pino';
import { DOCUMENT_CONTENT_TYPES, MAX_DOCUMENT_BYTES } from '@smart-regency/contracts';
import { AppModule } from './app.module';
import { GatewayConfig, loadGatewayConfig } from './config';
import { API_PREFIX } from './http/call-context';
import { answerClientError, sendProblem } from './http/problem.filter';
import { limitUploads, UploadSlots } from './http/upload-slots';
import { buildOpenApi } from './http/openapi';

export interface RunningGateway {
  app: NestFastifyApplication;
  url: string;
  /** Where Prometheus scrapes: an internal port, never the API's. */
  metricsUrl: string;
  close(): Promise<void>;
}

function corsOrigin(setting: string): boolean | string[] {
  if (setting === '') return false;
  if (setting === '*') return true;
  return setting.split(',').map((o) => o.trim());
}

/** The only HTTP entry: /api/v1 routes answered over NATS, plus health and docs at the root; metrics on an internal port. */
export async function startGateway(config: GatewayConfig = loadGatewayConfig(), handleSignals = false): Promise<RunningGateway> {
  const connection = await connectNats(natsOptionsOf(config, 'gateway'), createStartupLogger('gateway', config.LOG_LEVEL, config.LOG_FORMAT));
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config, connection),
    createFastifyAdapter({
      bodyLimit: config.BODY_LIMIT_BYTES,
      trustProxy: config.TRUST_PROXY,
      requestTimeoutMs: config.REQUEST_TIMEOUT_MS,
      // A malformed or over-long URL is refused before routing: problem+json like every other error.
      clientErrorHandler: answerClientError,
      frameworkErrors: (error, request, reply) =>
        sendProblem(request, reply, error.code === 'FST_ERR_BAD_URL' ? new DomainError('COMMON.VALIDATION', 'the URL is not valid (malformed percent-encoding)') : error),
    }),
    { bufferLogs: true },
  );
  app.useLogger(app.get(Logger));
  if (handleSignals) exitOnSignals(app, config.SHUTDOWN_GRACE_MS);
  const fastify = app.getHttpAdapter().getInstance();
  instrumentHttp(fastify, app.get(Metrics), () => PinoLogger.root);
  // Answers carry tokens (RFC 6749 §5.1 requires no-store) and people's data: no browser or proxy
  // cache keeps them, unless a route sets a policy of its own (the files of public complaints).
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    if (!reply.hasHeader('cache-control')) void reply.header('Cache-Control', 'no-store');
    done(null, payload);
  });
  limitUploads(fastify, new UploadSlots(config.MAX_CONCURRENT_UPLOADS, config.MAX_CONCURRENT_UPLOADS_PER_CLIENT), sendProblem);
  // The API speaks JSON: anything else is 415, not a string that fails validation field by field.
  fastify.removeContentTypeParser('text/plain');
  // Documents arrive as the raw file; their route checks the type, this parser only bounds the size.
  fastify.addContentTypeParser([...DOCUMENT_CONTENT_TYPES], { parseAs: 'buffer', bodyLimit: MAX_DOCUMENT_BYTES }, (_req, body, done) => done(null, body));

  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: [`'self'`],
        // Swagger UI's stylesheet sets inline styles; its scripts are served from /docs.
        styleSrc: [`'self'`, `'unsafe-inline'`],
        imgSrc: [`'self'`, 'data:'],
        scriptSrc: [`'self'`],
        // Deployments behind plain HTTP on a LAN must still load the docs' assets.
        upgradeInsecureRequests: null,
      },
    },
  });
  app.enableCors({
    origin: corsOrigin(config.CORS_ORIGINS),
    // Named, not left to the plugin: its default methods are GET, HEAD and POST (a front end could
    // not PATCH /me, PUT a document or DELETE /me), and by default it allows whatever headers a
    // preflight asks for.
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'Accept', 'Accept-Language', 'If-Match', 'Idempotency-Key', 'X-Request-Id'],
    exposedHeaders: ['X-Request-Id', 'ETag', 'Retry-After', 'Location'],
    maxAge: 600,
  });
  app.setGlobalPrefix(API_PREFIX, {
    exclude: [
      { path: 'health/live', method: RequestMethod.GET },
      { path: 'health/ready', method: RequestMethod.GET },
      { path: '.well-known/jwks.json', method: RequestMethod.GET },
      { path: 'open311/v2/:file', method: RequestMethod.ALL },
      { path: 'open311/v2/:kind/:file', method: RequestMethod.ALL },
    ],
  });
  SwaggerModule.setup('docs', app, buildOpenApi(app), {
    jsonDocumentUrl: 'docs/openapi.json',
    yamlDocumentUrl: 'docs/openapi.yaml',
    customSiteTitle: 'smart-regency API',
  });

  await app.listen(config.PORT, '0.0.0.0');
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const metrics = await serveMetrics(app.get(Metrics), config.METRICS_PORT);
  app.getHttpServer().once('close', () => void metrics.close());
  app.get(Logger).log(`gateway listening on :${port} (API under /${API_PREFIX}, docs at /docs); metrics on :${metrics.port}`);
  return {
    app,
    url: `http://127.0.0.1:${port}`,
    metricsUrl: `http://127.0.0.1:${metrics.port}`,
    close: async () => {
      await metrics.close();
      await app.close();
    },
  };
}
