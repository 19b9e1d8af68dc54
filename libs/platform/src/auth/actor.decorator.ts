import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { NatsContext } from '@nestjs/microservices';
import { Actor, CLIENT_IP_HEADER, IDEMPOTENCY_KEY_HEADER } from '@smart-regency/contracts';
import { DomainError } from '../errors/domain-error';
import { actorOf } from './rpc-access';

function header(ctx: ExecutionContext, name: string): string | undefined {
  return ctx.switchToRpc().getContext<NatsContext>().getHeaders()?.get(name) || undefined;
}

/**
 * The caller the gateway authenticated (NATS header `x-actor`). RegencyNatsServer has refused the
 * request already unless the gateway's signature over it holds.
 */
export const CurrentActor = createParamDecorator((_: unknown, ctx: ExecutionContext): Actor => {
  const actor = actorOf(ctx);
  if (!actor) throw new DomainError('COMMON.UNAUTHENTICATED', 'no authenticated caller');
  return actor;
});

/** The caller when there may be none (public routes). */
export const OptionalActor = createParamDecorator((_: unknown, ctx: ExecutionContext): Actor | undefined => actorOf(ctx));

export const ClientIp = createParamDecorator((_: unknown, ctx: ExecutionContext): string | undefined => header(ctx, CLIENT_IP_HEADER));

/** The client's Idempotency-Key, when it sent one. */
export const IdempotencyKey = createParamDecorator((_: unknown, ctx: ExecutionContext): string | undefined => header(ctx, IDEMPOTENCY_KEY_HEADER));
