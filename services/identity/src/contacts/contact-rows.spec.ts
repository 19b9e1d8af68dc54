import { DomainError } from '@smart-regency/platform';
import { ContactRow, staffScope, toContact } from './contact-rows';

const AGENCY = '5d3c1a8e-8f3b-4c4e-a1f1-2b7a9e0c6d10';

const row = (overrides: Partial<ContactRow> = {}): ContactRow => ({
  id: '0b9c6f4e-2a7d-4d0e-9a51-6f0f3f3b8d21',
  fullName: 'Rahmat Hidayat',
  email: 'rahmat@pupr.labura.go.id',
  phone: '+6281234567890',
  active: true,
  roles: ['officer'],
  agencyId: AGENCY,
  erasedAt: null,
  ...overrides,
});

describe('contacts', () => {
  it('gives an active account its email and phone', () => {
    expect(toContact(row())).toEqual({
      userId: row().id,
      fullName: 'Rahmat Hidayat',
      email: 'rahmat@pupr.labura.go.id',
      phone: '+6281234567890',
      active: true,
      roles: ['officer'],
      agencyId: row().agencyId,
    });
  });

  it('gives a disabled or erased account no way to reach it', () => {
    expect(toContact(row({ active: false }))).toMatchObject({ active: false, email: null, phone: null, fullName: 'Rahmat Hidayat' });
    // An erased row is inactive already; even if it were not, it is not reachable.
    expect(toContact(row({ active: true, erasedAt: new Date(), fullName: 'Pengguna terhapus', email: 'erased-x@erased.invalid' }))).toMatchObject({
      active: false,
      email: null,
      phone: null,
      fullName: 'Pengguna terhapus',
    });
  });

  it.each([
    [{ agencyId: AGENCY }, { agencyId: AGENCY }],
    [{ role: 'admin' as const }, { role: 'admin' }],
  ])('asks for staff by %j', (request, scope) => expect(staffScope(request)).toEqual(scope));

  it.each([[{}], [{ agencyId: AGENCY, role: 'admin' as const }]])('refuses %j: exactly one of agencyId and role', (request) => {
    const error = (() => {
      try {
        staffScope(request);
      } catch (e) {
        return e as DomainError;
      }
    })();
    expect(error).toBeInstanceOf(DomainError);
    expect(error?.code).toBe('COMMON.VALIDATION');
    expect(error?.details?.[0]?.field).toMatch(/agencyId|role/);
  });
});
