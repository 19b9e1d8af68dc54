import { FastifyAdapter } from '@nestjs/platform-fastify';
import { randomUUID } from 'crypto';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'http';
import type { Socket } from 'net';
import type { Logger } from 'pino';
import { Metrics } from '../metrics/metrics';

const VALID_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Takes a caller's X-Request-Id when it is sane, otherwise makes one. */
export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && VALID_REQUEST_ID.test(given) ? given : randomUUID();
  // pino-http reuses req.id, so the access log and fastify agree on one id.
  (req as IncomingMessage & { id?: string }).id = id;
  return id;
}

export interface HttpOptions {
  bodyLimit?: number;
  trustProxy?: boolean;
  /** Longest a client may take to send a whole request (headers and body); slower ones are cut. */
  requestTimeoutMs?: number;
  /** Answers the errors Fastify raises before any route runs (a malformed or over-long URL). */
  frameworkErrors?: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => void;
  /** Answers what Node's HTTP parser refuses before Fastify sees a request (headers too large, a timeout, bad framing). */
  clientErrorHandler?: (error: Error & { code?: string }, socket: Socket) => void;
}

export function createFastifyAdapter(options: HttpOptions = {}): FastifyAdapter {
  return new FastifyAdapter({
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    trustProxy: options.trustProxy ?? false,
    genReqId: requestIdOf,
    return503OnClosing: true,
    // Keep-alive sockets would otherwise hold a graceful shutdown open.
    forceCloseConnections: 'idle',
    // Node honours requestTimeout only when the server is constructed with it: Fastify's own
    // option sets it afterwards, and a body trickling in stayed open for minutes (tested on Node 20).
    // It checks every connectionsCheckingInterval (30 s by default): more often, so a trickle is
    // cut close to the timeout.
    ...(options.requestTimeoutMs
      ? {
          requestTimeout: options.requestTimeoutMs,
          http: { requestTimeout: options.requestTimeoutMs, connectionsCheckingInterval: Math.max(250, Math.min(5000, Math.floor(options.requestTimeoutMs / 4))) },
        }
      : {}),
    ...(options.frameworkErrors ? { frameworkErrors: options.frameworkErrors } : {}),
    ...(options.clientErrorHandler ? { clientErrorHandler: options.clientErrorHandler } : {}),
  });
}

const QUIET_ROUTES = /^\/(health|metrics)(\/|$|\?)/;
const SECRET_PARAMS = /([?&](?:api_key|apikey|access_token|refresh_token|token|password|client_secret)=)[^&#]*/gi;

/** A URL for the log: credentials in its query (Open311's `api_key`) replaced. */
export function redactUrl(url: string): string {
  return url.replace(SECRET_PARAMS, '$1[redacted]');
}

/**
 * Echoes the request id, records every response in the HTTP metrics by route template, and writes
 * one access log line per request (not for health and metrics scrapes).
 */
export function instrumentHttp(fastify: FastifyInstance, metrics: Metrics, loggerOf: () => Logger | undefined): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const labels = { method: request.method, route: request.routeOptions?.url ?? 'unmatched', status: String(reply.statusCode) };
    metrics.httpRequests.inc(labels);
    metrics.httpDuration.observe(labels, reply.elapsedTime / 1000);
    const status = reply.statusCode;
    const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
    // The root logger exists once Nest has initialised the logging module.
    const logger = loggerOf();
    if (logger?.isLevelEnabled(level) && (status >= 400 || !QUIET_ROUTES.test(request.url))) {
      logger[level](
        {
          requestId: request.id,
          method: request.method,
          url: redactUrl(request.url),
          statusCode: status,
          durationMs: Math.round(reply.elapsedTime * 10) / 10,
          remoteAddress: request.ip,
        },
        'request completed',
      );
    }
    done();
  });
}
