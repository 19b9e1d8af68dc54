import { AgencyStaffRequest, Contact, SUBJECTS } from '@smart-regency/contracts';
import { RpcClient } from '@smart-regency/platform';

/** How long a staff list is used before identity is asked again. */
const FRESH_MS = 30_000;

/**
 * The staff of an agency (or the admins), as identity answers, kept in memory for 30 s: every
 * complaint tells the same coordinators, and asking identity for each would cost a call (and an
 * audit row there) per event. Who is disabled meanwhile is still skipped: the sender asks
 * identity again for each person before it sends.
 */
export class StaffDirectory {
  private readonly lists = new Map<string, { at: number; contacts: Promise<Contact[]> }>();

  constructor(private readonly rpc: RpcClient) {}

  of(request: AgencyStaffRequest): Promise<Contact[]> {
    const key = request.agencyId ?? `role:${request.role}`;
    const known = this.lists.get(key);
    if (known && Date.now() - known.at < FRESH_MS) return known.contacts;
    const contacts = this.rpc.send(SUBJECTS.identity.agencyStaff, request).then((r) => r.contacts);
    // A failed answer is not remembered.
    contacts.catch(() => this.lists.delete(key));
    this.lists.set(key, { at: Date.now(), contacts });
    return contacts;
  }
}
