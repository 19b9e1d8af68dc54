import { AgencyStaffRequest, Contact, ErrorCode, Role } from '@smart-regency/contracts';
import { DomainError } from '@smart-regency/platform';

/** The columns of `users` a contact is made of: never the NIK, the password hash or the sessions. */
export interface ContactRow {
  id: string;
  fullName: string;
  email: string;
  phone: string | null;
  active: boolean;
  roles: Role[];
  agencyId: string | null;
  erasedAt: Date | null;
}

/** Staff of an agency, or every admin: the staff query always has a bound (notifications sends to each one). */
export const MAX_STAFF_CONTACTS = 500;

/** Roles of an agency's staff who handle its queue. */
export const QUEUE_ROLES: Role[] = ['officer', 'agency_head'];

/**
 * How to reach one account. Only an active account is reachable: a disabled or erased one comes back
 * `active: false` with no email or phone (notifications sends it nothing, so identity hands out
 * nothing), and an erased one keeps only its placeholder name.
 */
export function toContact(row: ContactRow): Contact {
  const reachable = row.active && !row.erasedAt;
  return {
    userId: row.id,
    fullName: row.fullName,
    email: reachable ? row.email : null,
    phone: reachable ? row.phone : null,
    active: reachable,
    roles: row.roles,
    agencyId: row.agencyId,
  };
}

const invalid = (code: ErrorCode, field: string, message: string) => new DomainError(code, message, [{ field, message, rule: code }]);

/** Which staff a request asks for: exactly one of `agencyId` and `role` (the contract class cannot say "exactly one"). */
export function staffScope(request: AgencyStaffRequest): { agencyId: string } | { role: 'admin' } {
  if (request.agencyId && request.role) throw invalid('COMMON.VALIDATION', 'role', 'ask for the staff of an agency (agencyId) or for the admins (role), not both');
  if (request.agencyId) return { agencyId: request.agencyId };
  if (request.role === 'admin') return { role: 'admin' };
  throw invalid('COMMON.VALIDATION', 'agencyId', 'agencyId or role is required');
}
