import { Actor } from '@smart-regency/contracts';
import { DomainError } from '../errors/domain-error';

/** Roles that work an agency's queue. */
export const STAFF_ROLES: readonly string[] = ['officer', 'agency_head'];

/** Whether the actor holds any of `roles`. */
export function hasRole(actor: Actor, roles: readonly string[]): boolean {
  return actor.roles.some((r) => roles.includes(r));
}

export interface Owned {
  /** The citizen the record belongs to. */
  ownerId?: string | null;
  /** The agency that handles the record. */
  agencyId?: string | null;
}

/**
 * The one visibility rule: a citizen sees their own records, officers and agency heads their
 * agency's, admins and auditors everything. Integrators see what their scopes allow (checked by
 * the route, not here).
 */
export function canSee(actor: Actor, record: Owned): boolean {
  if (actor.roles.includes('admin') || actor.roles.includes('auditor')) return true;
  if ((actor.roles.includes('officer') || actor.roles.includes('agency_head')) && actor.agencyId && record.agencyId === actor.agencyId) {
    return true;
  }
  return actor.roles.includes('citizen') && !!record.ownerId && record.ownerId === actor.id;
}

/** Returns the record if the actor may see it; a hidden record is simply not found (404). */
export function visibleOr404<T extends Owned>(actor: Actor, record: T | null | undefined, code: DomainError['code'] = 'COMMON.NOT_FOUND'): T {
  if (!record || !canSee(actor, record)) throw new DomainError(code, 'not found');
  return record;
}

/**
 * For handlers whose route the gateway already limits to some roles: checked again in the service,
 * as its NATS subjects can be reached without the gateway. 403 otherwise.
 */
export function requireRole(actor: Actor, roles: readonly string[], why: string): void {
  if (!hasRole(actor, roles)) throw new DomainError('COMMON.FORBIDDEN', why);
}
