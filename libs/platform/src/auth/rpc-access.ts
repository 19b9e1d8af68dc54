import { CanActivate, ExecutionContext, Injectable, Logger, OnApplicationBootstrap, SetMetadata } from '@nestjs/common';
import { DiscoveryService, Reflector } from '@nestjs/core';
import { NatsContext } from '@nestjs/microservices';
import { ACTOR_HEADER, Actor, Role } from '@smart-regency/contracts';
import { DomainError } from '../errors/domain-error';

const RPC_ACCESS = 'regency:rpc-access';

export type RpcAccessRule =
  /** Anyone, without a caller: what the gateway serves on public routes. */
  | { kind: 'public' }
  /** Our own processes only, without a caller (the gateway's JWKS and revocations, service to service). Who may publish here is set by NATS permissions (deploy/nats). */
  | { kind: 'internal' }
  /** A caller signed by the gateway holding one of `roles` (any caller when empty). */
  | { kind: 'roles'; roles: Role[] };

/** Every human role: the gateway's "signed-in person" routes. */
export const PEOPLE: Role[] = ['citizen', 'officer', 'agency_head', 'admin', 'auditor'];

/** A subject anyone may ask, without a caller. */
export const RpcPublic = () => SetMetadata(RPC_ACCESS, { kind: 'public' } satisfies RpcAccessRule);
/** A subject only our own processes ask (NATS permissions say which), without a caller. */
export const RpcInternal = () => SetMetadata(RPC_ACCESS, { kind: 'internal' } satisfies RpcAccessRule);
/** A subject for callers holding one of `roles`; with no roles, for any signed caller. */
export const RpcRoles = (...roles: Role[]) => SetMetadata(RPC_ACCESS, { kind: 'roles', roles } satisfies RpcAccessRule);

/** The caller of an RPC, from the `x-actor` header (its signature was checked on arrival), or undefined. */
export function actorOf(context: ExecutionContext): Actor | undefined {
  const raw = context.switchToRpc().getContext<NatsContext>().getHeaders()?.get(ACTOR_HEADER);
  if (!raw) return undefined;
  try {
    const actor = JSON.parse(raw) as Actor;
    return actor && typeof actor.id === 'string' && Array.isArray(actor.roles) ? actor : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Each service's own check of who may ask what, whatever the gateway checked before: its subjects
 * can be reached without the gateway. Deny by default: a handler without a rule answers 403, and
 * `handlersWithoutRule` lets a service refuse to start with one.
 */
@Injectable()
export class RpcAccessGuard implements CanActivate {
  private readonly logger = new Logger('RpcAccessGuard');

  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'rpc') return true;
    const rule = this.reflector.getAllAndOverride<RpcAccessRule | undefined>(RPC_ACCESS, [context.getHandler(), context.getClass()]);
    if (!rule) {
      this.logger.error(`${context.getClass().name}.${context.getHandler().name} has no access rule; refused`);
      throw new DomainError('COMMON.FORBIDDEN', 'this subject has no access rule');
    }
    if (rule.kind !== 'roles') return true;
    const actor = actorOf(context);
    if (!actor) throw new DomainError('COMMON.UNAUTHENTICATED', 'no authenticated caller');
    if (rule.roles.length && !actor.roles.some((r) => rule.roles.includes(r))) {
      throw new DomainError('COMMON.FORBIDDEN', `for ${rule.roles.join(', ')}`);
    }
    return true;
  }
}

/** `Class.method` of every NATS handler of the application that declares no access rule. */
export function handlersWithoutRule(discovery: DiscoveryService, reflector: Reflector): string[] {
  const missing: string[] = [];
  for (const wrapper of discovery.getControllers()) {
    const type = wrapper.metatype as (new (...args: unknown[]) => unknown) | undefined;
    if (!type?.prototype) continue;
    for (const name of Object.getOwnPropertyNames(type.prototype)) {
      const method = type.prototype[name];
      if (name === 'constructor' || typeof method !== 'function') continue;
      if (Reflect.getMetadata('microservices:pattern', method) === undefined) continue;
      if (!reflector.getAllAndOverride(RPC_ACCESS, [method, type])) missing.push(`${type.name}.${name}`);
    }
  }
  return missing;
}

/** Refuses to start a service that has a NATS handler without an access rule. */
@Injectable()
export class RpcAccessCheck implements OnApplicationBootstrap {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly reflector: Reflector,
  ) {}

  onApplicationBootstrap(): void {
    const missing = handlersWithoutRule(this.discovery, this.reflector);
    if (missing.length) throw new Error(`NATS handlers without an access rule (@RpcPublic, @RpcInternal or @RpcRoles): ${missing.join(', ')}`);
  }
}
