import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { Actor } from '@smart-regency/contracts';
import { CallContext } from '@smart-regency/platform';
import type { FastifyRequest } from 'fastify';
import { languageOf } from './language';

/** The request id and language of the HTTP call, passed on to the service that answers it. */
export const Call = createParamDecorator((_: unknown, ctx: ExecutionContext): CallContext => {
  const request = ctx.switchToHttp().getRequest<FastifyRequest & { actor?: Actor }>();
  return {
    requestId: String(request.id),
    lang: languageOf(request.headers['accept-language']),
    clientIp: request.ip,
    ...(request.actor ? { actor: request.actor } : {}),
  };
});

export const API_PREFIX = 'api/v1';
