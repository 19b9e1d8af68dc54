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

/** Who an actor is to a record: its owner, staff of the agency handling it, a coordinator (admin), an auditor. */
export type Party = 'owner' | 'agency' | 'coordinator' | 'auditor';

/** Every way the actor is a party to the record (none: a stranger); an admin who filed a complaint is two. */
export function partiesOf(actor: Actor, record: Owned): Party[] {
  const parties: Party[] = [];
  if (record.ownerId && record.ownerId === actor.id) parties.push('owner');
  if (hasRole(actor, STAFF_ROLES) && actor.agencyId && record.agencyId === actor.agencyId) parties.push('agency');
  if (actor.roles.includes('admin')) parties.push('coordinator');
  if (actor.roles.includes('auditor')) parties.push('auditor');
  return parties;
}

/**
 * The one visibility rule: an owner sees their own records, officers and agency heads their
 * agency's, admins and auditors everything. Integrators see what their scopes allow (checked by
 * the route, not here), and the records they filed for someone (Open311).
 */
export function canSee(actor: Actor, record: Owned): boolean {
  return partiesOf(actor, record).length > 0;
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
