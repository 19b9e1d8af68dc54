import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { DomainError, inspectInput } from '@smart-regency/platform';
import type { FastifyRequest } from 'fastify';

/**
 * Refuses, before the token check, any pipe or handler, input no route of ours can mean: bodies
 * nested deeper or holding more keys than any request has (validation and JSON.stringify would
 * spend seconds or the stack on them), and NUL characters or lone surrogates in a body, query or
 * path value (they cannot be stored as text). One 400 with a short list of what is wrong. A guard
 * rather than an interceptor: no Observable per request on the hottest path.
 */
@Injectable()
export class InputGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const problems = [...inspectInput(request.params, 'path'), ...inspectInput(request.query, 'query'), ...inspectInput(request.body, '')];
    if (problems.length) throw new DomainError('COMMON.VALIDATION', 'Validation failed', problems.slice(0, 20));
    return true;
  }
}
