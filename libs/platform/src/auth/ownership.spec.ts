import { Actor } from '@smart-regency/contracts';
import { DomainError } from '../errors/domain-error';
import { canSee, visibleOr404 } from './ownership';

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

  it('answers a hidden record as not found', () => {
    expect(() => visibleOr404(citizen, { ownerId: 'c2' })).toThrow(DomainError);
    expect(() => visibleOr404(citizen, null)).toThrow(expect.objectContaining({ code: 'COMMON.NOT_FOUND' }));
    expect(visibleOr404(citizen, { ownerId: 'c1', n: 1 })).toEqual({ ownerId: 'c1', n: 1 });
  });
});
