import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { Actor } from '@smart-regency/contracts';
import { CallContext, DomainError } from '@smart-regency/platform';
import type { FastifyRequest } from 'fastify';
import { languageOf } from './language';

/** The request id and language of the HTTP call, passed on to the service that answers it. */
export const Call = createParamDecorator((_: unknown, ctx: ExecutionContext): CallContext => {
  const request = ctx.switchToHttp().getRequest<FastifyRequest & { actor?: Actor }>();
  const key = request.headers['idempotency-key'];
  if (key !== undefined && (typeof key !== 'string' || !/^[\x21-\x7e]{1,200}$/.test(key))) {
    throw new DomainError('COMMON.VALIDATION', 'Idempotency-Key must be 1–200 visible ASCII characters', [
      { field: 'Idempotency-Key', message: 'must be 1–200 visible ASCII characters', rule: 'idempotencyKey' },
    ]);
  }
  return {
    requestId: String(request.id),
    ...(key ? { idempotencyKey: key } : {}),
    lang: languageOf(request.headers['accept-language']),
    clientIp: request.ip,
    ...(request.actor ? { actor: request.actor } : {}),
  };
});

export const API_PREFIX = 'api/v1';
