import { auditChanges, PERSONAL_MARK } from './redact';

describe('auditChanges', () => {
  it('keeps only the fields that changed, before and after', () => {
    expect(auditChanges({ status: 'submitted', version: 1, fee: 0 }, { status: 'verified', version: 2, fee: 0 })).toEqual({
      before: { status: 'submitted', version: 1 },
      after: { status: 'verified', version: 2 },
    });
  });

  it('never records secrets, and records personal values only as changed', () => {
    const changes = auditChanges(null, {
      email: 'siti@example.id',
      fullName: 'Siti Aminah',
      nikMasked: '1223**********01',
      passwordHash: '$argon2id$v=19$...',
      nikHash: 'abc',
      secretHash: 'def',
      refreshToken: 'xyz',
      roles: ['citizen'],
    });
    expect(changes).toEqual({ after: { email: PERSONAL_MARK, fullName: PERSONAL_MARK, nikMasked: PERSONAL_MARK, roles: ['citizen'] } });
    expect(JSON.stringify(changes)).not.toMatch(/siti|Aminah|1223|argon|abc|def|xyz/i);
  });

  it('treats any field named like personal data or free text as personal', () => {
    const changes = auditChanges(null, { rating: 4, ratingComment: 'Terima kasih, salam Rina', holderName: 'Rina', formData: { a: 1 }, note: 'x', status: 'closed' });
    expect(changes).toEqual({ after: { rating: 4, ratingComment: PERSONAL_MARK, holderName: PERSONAL_MARK, formData: PERSONAL_MARK, note: PERSONAL_MARK, status: 'closed' } });
  });

  it('compares objects by content, not by key order or identity, and writes Dates as ISO strings', () => {
    const at = new Date('2026-11-28T05:00:00.000Z');
    expect(auditChanges({ location: { lat: 1, lng: 2 }, dueAt: at }, { location: { lng: 2, lat: 1 }, dueAt: new Date(at) })).toEqual({ before: {}, after: {} });
    expect(auditChanges({ dueAt: null }, { dueAt: at })).toEqual({ before: { dueAt: null }, after: { dueAt: '2026-11-28T05:00:00.000Z' } });
  });

  it('limits the comparison to the fields asked for, and marks extra personal fields', () => {
    expect(auditChanges({ a: 1, b: 1, kind: 'x' }, { a: 2, b: 2, kind: 'y' }, { only: ['a', 'kind'], personal: ['kind'] })).toEqual({
      before: { a: 1, kind: PERSONAL_MARK },
      after: { a: 2, kind: PERSONAL_MARK },
    });
  });

  it('records public text as it is where the caller says so', () => {
    expect(auditChanges({ name: 'A', description: 'lama' }, { name: 'B', description: 'baru' }, { notPersonal: ['name', 'description'] })).toEqual({
      before: { name: 'A', description: 'lama' },
      after: { name: 'B', description: 'baru' },
    });
  });

  it('describes a removal with before only', () => {
    expect(auditChanges({ code: 'PBG', active: true }, null)).toEqual({ before: { active: true, code: 'PBG' } });
  });
});
