import { Actor } from '@smart-regency/contracts';
import { DomainError } from '../errors/domain-error';
import { canSee, partiesOf, visibleOr404 } from './ownership';

const A = 'agency-a';
const citizen: Actor = { id: 'c1', roles: ['citizen'] };
const officer: Actor = { id: 'o1', roles: ['officer'], agencyId: A };
const admin: Actor = { id: 'a1', roles: ['admin'] };
const auditor: Actor = { id: 'u1', roles: ['auditor'] };

describe('ownership', () => {
  it('lets a citizen see only their own records', () => {
    expect(canSee(citizen, { ownerId: 'c1', agencyId: A })).toBe(true);
    expect(canSee(citizen, { ownerId: 'c2', agencyId: A })).toBe(false);
    expect(canSee(citizen, { agencyId: A })).toBe(false);
  });

  it("lets staff see their agency's records only", () => {
    expect(canSee(officer, { ownerId: 'c1', agencyId: A })).toBe(true);
    expect(canSee(officer, { ownerId: 'c1', agencyId: 'agency-b' })).toBe(false);
    expect(canSee({ ...officer, agencyId: undefined }, { agencyId: undefined })).toBe(false);
  });

  it('lets admins and auditors see everything', () => {
    expect(canSee(admin, { ownerId: 'x', agencyId: 'y' })).toBe(true);
    expect(canSee(auditor, {})).toBe(true);
  });

  it('names every way an actor is a party to a record, and none for a stranger', () => {
    const head: Actor = { id: 'h1', roles: ['agency_head'], agencyId: A };
    expect(partiesOf(citizen, { ownerId: 'c1', agencyId: A })).toEqual(['owner']);
    expect(partiesOf(head, { ownerId: 'c1', agencyId: A })).toEqual(['agency']);
    expect(partiesOf(admin, { ownerId: 'a1', agencyId: A })).toEqual(['owner', 'coordinator']);
    expect(partiesOf(auditor, { ownerId: 'c1', agencyId: A })).toEqual(['auditor']);
    // An integrator that filed for someone (Open311) owns what it filed, and nothing else.
    const integrator: Actor = { id: 'i1', roles: ['integrator'] };
    expect(partiesOf(integrator, { ownerId: 'i1' })).toEqual(['owner']);
    expect(partiesOf(integrator, { ownerId: 'c1', agencyId: A })).toEqual([]);
    expect(partiesOf(officer, { ownerId: 'c1', agencyId: 'agency-b' })).toEqual([]);
  });

  it('answers a hidden record as not found', () => {
    expect(() => visibleOr404(citizen, { ownerId: 'c2' })).toThrow(DomainError);
    expect(() => visibleOr404(citizen, null)).toThrow(expect.objectContaining({ code: 'COMMON.NOT_FOUND' }));
    expect(visibleOr404(citizen, { ownerId: 'c1', n: 1 })).toEqual({ ownerId: 'c1', n: 1 });
  });
});
