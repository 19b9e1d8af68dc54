import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { DomainError } from '@smart-regency/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** The version in `If-Match: "3"` (or W/"3", or 3); undefined when absent. */
export const IfMatch = createParamDecorator((_: unknown, ctx: ExecutionContext): number | undefined => {
  const header = ctx.switchToHttp().getRequest<FastifyRequest>().headers['if-match'];
  if (header === undefined || header === '*') return undefined;
  const match = /^(?:W\/)?"?(\d{1,9})"?$/.exec(String(header).trim());
  if (!match) throw new DomainError('COMMON.VALIDATION', 'If-Match must be the record version, e.g. "3"', [{ field: 'If-Match', message: 'must be a version such as "3"', rule: 'ifMatch' }]);
  return Number(match[1]);
});

export function setETag(reply: FastifyReply, version: number): void {
  reply.header('ETag', `"${version}"`);
}
