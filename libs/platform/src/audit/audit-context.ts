import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { NatsContext } from '@nestjs/microservices';
import { ACTOR_HEADER, Actor, REQUEST_ID_HEADER } from '@smart-regency/contracts';
import { AsyncLocalStorage } from 'async_hooks';
import { Observable } from 'rxjs';

/** Who is asking and under which request id, for the audit rows a handler writes. */
export interface AuditContext {
  actor?: Actor;
  requestId?: string;
}

const storage = new AsyncLocalStorage<AuditContext>();

export function currentAuditContext(): AuditContext {
  return storage.getStore() ?? {};
}

/** Runs `fn` as `context` (jobs and tests; NATS handlers get theirs from the interceptor). */
export function runInAuditContext<T>(context: AuditContext, fn: () => T): T {
  return storage.run(context, fn);
}

function parseActor(raw: string | undefined): Actor | undefined {
  if (!raw) return undefined;
  try {
    const actor = JSON.parse(raw) as Actor;
    return typeof actor?.id === 'string' && Array.isArray(actor.roles) ? actor : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Makes the caller (NATS header `x-actor`) and the request id available to `AuditTrail.record`,
 * so a service writes `audit.record(manager, { action, entityType, entityId, changes })` without
 * threading the caller through every method.
 */
@Injectable()
export class AuditContextInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'rpc') return next.handle();
    const headers = context.switchToRpc().getContext<NatsContext>().getHeaders();
    const store: AuditContext = {
      actor: parseActor(headers?.get(ACTOR_HEADER) || undefined),
      requestId: headers?.get(REQUEST_ID_HEADER) || undefined,
    };
    // handle() binds the handler to the async context it is called in: call it inside ours.
    return storage.run(store, () => next.handle());
  }
}
