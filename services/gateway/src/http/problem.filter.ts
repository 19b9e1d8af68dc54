import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { ErrorCode, errorSpec, FieldError, Lang } from '@smart-regency/contracts';
import { DomainError } from '@smart-regency/platform';
import { randomUUID } from 'crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'http';
import type { Socket } from 'net';
import { localizeFieldErrors } from './field-messages';
import { languageOf } from './language';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

/** RFC 6749 §5.2 error codes, added to the problem for OAuth 2 client libraries. */
const OAUTH_ERRORS: Record<string, string> = {
  'IDENTITY.INVALID_CLIENT': 'invalid_client',
  'IDENTITY.INVALID_SCOPE': 'invalid_scope',
};

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: Array<{ field: string; message: string }>;
  requestId: string;
  error?: string;
}

const BY_STATUS: Record<number, ErrorCode> = {
  400: 'COMMON.MALFORMED_BODY',
  401: 'COMMON.UNAUTHENTICATED',
  403: 'COMMON.FORBIDDEN',
  404: 'COMMON.ROUTE_NOT_FOUND',
  405: 'COMMON.METHOD_NOT_ALLOWED',
  409: 'COMMON.CONFLICT',
  412: 'COMMON.PRECONDITION_FAILED',
  413: 'COMMON.PAYLOAD_TOO_LARGE',
  414: 'COMMON.URI_TOO_LONG',
  415: 'COMMON.UNSUPPORTED_MEDIA_TYPE',
  429: 'COMMON.RATE_LIMITED',
  503: 'COMMON.SERVICE_UNAVAILABLE',
};

interface Classified {
  code: string;
  detail?: string;
  errors?: FieldError[];
}

/** Decides which error code an exception is; anything unrecognised is an internal error. */
export function classify(exception: unknown): Classified | null {
  if (exception instanceof DomainError) return { code: exception.code, detail: exception.message, errors: exception.details };
  if (exception instanceof HttpException) {
    // Nest's own pipes (ParseUUIDPipe, ParseIntPipe) reject a path parameter with "Validation failed (…)";
    // other 400s Nest raises are bodies it could not parse.
    if (exception.getStatus() === 400 && exception.message.startsWith('Validation failed')) {
      return { code: 'COMMON.VALIDATION', detail: exception.message };
    }
    const code = BY_STATUS[exception.getStatus()];
    return code ? { code } : null;
  }
  // Errors raised by Fastify itself before a route runs (body parsing, size, media type).
  const status = (exception as { statusCode?: number })?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) return { code: BY_STATUS[status] ?? 'COMMON.MALFORMED_BODY' };
  return null;
}

function detailFor(c: Classified, lang: Lang, title: string): string {
  if (c.errors?.length) {
    const n = c.errors.length;
    return lang === 'id' ? `${n} isian tidak valid` : `${n} field${n === 1 ? ' is' : 's are'} invalid`;
  }
  // A service's own message is diagnostic English; Indonesian callers get the localised title.
  return lang === 'en' && c.detail && c.detail !== c.code ? c.detail : title;
}

export function toProblem(exception: unknown, requestId: string, lang: Lang): Problem {
  const c = classify(exception) ?? { code: 'COMMON.INTERNAL' };
  const spec = errorSpec(c.code);
  const title = spec.title[lang];
  return {
    type: `urn:smart-regency:error:${c.code}`,
    title,
    status: spec.status,
    // A 5xx is never the caller's to fix, and its message names our inside (a NATS subject, the bus's
    // own error): the title says all the caller can use; the message stays in our logs and metrics.
    detail: spec.status >= 500 ? title : detailFor(c, lang, title),
    code: c.code,
    ...(c.errors?.length ? { errors: localizeFieldErrors(c.errors, lang) } : {}),
    requestId,
    ...(OAUTH_ERRORS[c.code] ? { error: OAUTH_ERRORS[c.code] } : {}),
  };
}

const logger = new Logger('ProblemFilter');

/**
 * For what Node's HTTP parser refuses before there is a request (headers over the limit, a
 * request that took too long to arrive, bad framing): a problem+json answer written on the socket
 * itself, then the connection closes.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const code: ErrorCode = error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 'COMMON.REQUEST_TIMEOUT' : error.code === 'HPE_HEADER_OVERFLOW' ? 'COMMON.HEADERS_TOO_LARGE' : 'COMMON.MALFORMED_BODY';
  const problem = toProblem(new DomainError(code), randomUUID(), 'id');
  const body = JSON.stringify(problem);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status]}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/** Answers `exception` as problem+json in the caller's language, with Retry-After on 429 and 503. */
export function sendProblem(request: FastifyRequest, reply: FastifyReply, exception: unknown): void {
  const problem = toProblem(exception, String(request.id), languageOf(request.headers['accept-language']));
  if (problem.status >= 500 && problem.code === 'COMMON.INTERNAL') {
    logger.error({ err: exception, requestId: request.id }, 'unhandled error');
  }
  if (problem.status === 503 || problem.status === 429) {
    const given = exception instanceof DomainError ? exception.retryAfter : undefined;
    reply.header('Retry-After', String(given ?? (problem.status === 503 ? 5 : 60)));
  }
  void reply.status(problem.status).header('Content-Type', PROBLEM_CONTENT_TYPE).send(problem);
}

/** Every error the gateway answers is RFC 9457 problem+json, in the caller's language. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendProblem(http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>(), exception);
  }
}
