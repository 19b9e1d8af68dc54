import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { NatsContext } from '@nestjs/microservices';
import { ACTOR_HEADER, Actor, CLIENT_IP_HEADER, IDEMPOTENCY_KEY_HEADER } from '@smart-regency/contracts';
import { DomainError } from '../errors/domain-error';

function header(ctx: ExecutionContext, name: string): string | undefined {
  return ctx.switchToRpc().getContext<NatsContext>().getHeaders()?.get(name) || undefined;
}

/**
 * The caller the gateway authenticated (NATS header `x-actor`). Services sit on the internal
 * network behind the gateway, which is the only place tokens are verified.
 */
export const CurrentActor = createParamDecorator((_: unknown, ctx: ExecutionContext): Actor => {
  const raw = header(ctx, ACTOR_HEADER);
  if (!raw) throw new DomainError('COMMON.UNAUTHENTICATED', 'no authenticated caller');
  return JSON.parse(raw) as Actor;
});

/** The caller when there may be none (public routes). */
export const OptionalActor = createParamDecorator((_: unknown, ctx: ExecutionContext): Actor | undefined => {
  const raw = header(ctx, ACTOR_HEADER);
  return raw ? (JSON.parse(raw) as Actor) : undefined;
});

export const ClientIp = createParamDecorator((_: unknown, ctx: ExecutionContext): string | undefined => header(ctx, CLIENT_IP_HEADER));

/** The client's Idempotency-Key, when it sent one. */
export const IdempotencyKey = createParamDecorator((_: unknown, ctx: ExecutionContext): string | undefined => header(ctx, IDEMPOTENCY_KEY_HEADER));
