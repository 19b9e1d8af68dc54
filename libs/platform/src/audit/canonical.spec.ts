import { createHash } from 'crypto';
import { AuditRow, canonicalJson, canonicalRow, canonicalRowAroundSeq, chainHash, GENESIS_HASH } from './canonical';

const row = (overrides: Partial<AuditRow> = {}): AuditRow => ({
  service: 'permits',
  seq: 7,
  at: '2026-11-28T05:00:00.000Z',
  actorId: '0b5c7e1a-2f3d-4c5b-8a9e-1f2e3d4c5b6a',
  actorRoles: ['officer'],
  actorAgencyId: '32ce0000-0000-4000-8000-000000000001',
  action: 'application.verify',
  entityType: 'application',
  entityId: '9f1e0000-0000-4000-8000-000000000002',
  subjectId: '11110000-0000-4000-8000-000000000003',
  changes: { before: { status: 'submitted' }, after: { status: 'verified' } },
  requestId: 'req-1',
  ...overrides,
});

describe('canonical JSON (RFC 8785)', () => {
  it('sorts keys at every depth and drops whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}');
  });

  it('does not depend on the order keys were inserted in', () => {
    const one = canonicalJson({ x: 1, y: 'two', z: [true] });
    const other = canonicalJson(Object.fromEntries([['z', [true]], ['y', 'two'], ['x', 1]]));
    expect(other).toBe(one);
  });

  it('writes numbers and strings as ECMAScript does (RFC 8785 §3.2.2)', () => {
    expect(canonicalJson([1.0, 1e21, 0.000001, 1e-7, -0, 100])).toBe('[1,1e+21,0.000001,1e-7,0,100]');
    expect(canonicalJson('é "q" \u0001 \n')).toBe('"é \\"q\\" \\u0001 \\n"');
  });

  it('sorts keys by UTF-16 code units, not by locale', () => {
    expect(canonicalJson({ b: 1, B: 2, á: 3, a: 4 })).toBe('{"B":2,"a":4,"b":1,"á":3}');
  });

  it('refuses what has no JSON form', () => {
    expect(() => canonicalJson(undefined)).toThrow('no JSON form');
  });
});

describe('audit row hashing', () => {
  it('hashes the previous hash followed by the canonical row, with a format version and nulls kept', () => {
    const text = canonicalRow(row({ subjectId: null, requestId: null }));
    expect(text.startsWith('{"action":"application.verify","actorAgencyId":')).toBe(true);
    expect(text).toContain('"requestId":null');
    expect(text).toContain('"subjectId":null');
    expect(text.endsWith('"v":1}')).toBe(true);
    expect(chainHash(GENESIS_HASH, text)).toBe(createHash('sha256').update(GENESIS_HASH + text).digest('hex'));
  });

  it('changes when any field, the previous hash or the position changes', () => {
    const base = chainHash(GENESIS_HASH, canonicalRow(row()));
    const variants = [
      chainHash('1'.repeat(64), canonicalRow(row())),
      chainHash(GENESIS_HASH, canonicalRow(row({ seq: 8 }))),
      chainHash(GENESIS_HASH, canonicalRow(row({ at: '2026-11-28T05:00:00.001Z' }))),
      chainHash(GENESIS_HASH, canonicalRow(row({ actorRoles: ['admin'] }))),
      chainHash(GENESIS_HASH, canonicalRow(row({ changes: { before: { status: 'submitted' }, after: { status: 'rejected' } } }))),
      chainHash(GENESIS_HASH, canonicalRow(row({ service: 'complaints' }))),
    ];
    expect(new Set([base, ...variants]).size).toBe(variants.length + 1);
  });

  it('gives the same hash for the same row read back with keys in another order', () => {
    const written = row({ changes: { after: { b: 2, a: 1 }, before: { a: 0 } } });
    const readBack = { ...written, changes: { before: { a: 0 }, after: { a: 1, b: 2 } } };
    expect(chainHash(GENESIS_HASH, canonicalRow(readBack))).toBe(chainHash(GENESIS_HASH, canonicalRow(written)));
  });

  it('splits around the seq so that the database can insert it, even when the changes mention a seq', () => {
    for (const r of [row(), row({ changes: { after: { seq: 0, service: 'x', note: ',"seq":0,"service":' } }, requestId: null }), row({ seq: 123456789 })]) {
      const { seq, ...rest } = r;
      const { before, after } = canonicalRowAroundSeq(rest);
      expect(before + String(seq) + after).toBe(canonicalRow(r));
    }
  });
});
