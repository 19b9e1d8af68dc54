import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/**
 * The JSON body as the client sent it, for a route that forwards it whole to the service that owns
 * it. That service validates it with the same DTO and the same pipe (`createValidationPipe`), so its
 * 400 reaches the caller unchanged, and the body is validated once per request instead of twice
 * (class-transformer and class-validator were ~17 % of the gateway's CPU on a filing;
 * bench/README.md). Never for a body the gateway reads, or merges with path values: those keep
 * `@Body()` and the gateway's own validation. Declare the DTO with `@ApiBody` for the OpenAPI document.
 */
export const ForwardedBody = createParamDecorator((_: unknown, context: ExecutionContext): unknown => context.switchToHttp().getRequest<FastifyRequest>().body);
