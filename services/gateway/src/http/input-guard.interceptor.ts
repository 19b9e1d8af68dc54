import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { DomainError, inspectInput } from '@smart-regency/platform';
import type { FastifyRequest } from 'fastify';
import { Observable } from 'rxjs';

/**
 * Refuses, before any pipe or handler, input no route of ours can mean: bodies nested deeper or
 * holding more keys than any request has (validation and JSON.stringify would spend seconds or
 * the stack on them), and NUL characters or lone surrogates in a body, query or path value (they
 * cannot be stored as text). One 400 with a short list of what is wrong.
 */
@Injectable()
export class InputGuardInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const problems = [
      ...inspectInput(request.params, 'path'),
      ...inspectInput(request.query, 'query'),
      ...inspectInput(request.body, ''),
    ];
    if (problems.length) throw new DomainError('COMMON.VALIDATION', 'Validation failed', problems.slice(0, 20));
    return next.handle();
  }
}
