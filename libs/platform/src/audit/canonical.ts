import canonicalize from 'canonicalize';
import { createHash } from 'crypto';

/** The `prev_hash` of the first row of every chain. */
export const GENESIS_HASH = '0'.repeat(64);

/** Version of the canonical row layout; part of every hashed row so the layout can evolve. */
export const AUDIT_ROW_FORMAT = 1;

/** One audit row as it is hashed: every stored column except the hashes themselves. */
export interface AuditRow {
  service: string;
  seq: number;
  /** ISO-8601 UTC with milliseconds. */
  at: string;
  actorId: string | null;
  actorRoles: string[];
  actorAgencyId: string | null;
  action: string;
  entityType: string;
  entityId: string;
  subjectId: string | null;
  changes: Record<string, unknown>;
  requestId: string | null;
}

/**
 * RFC 8785 JSON Canonicalization Scheme: object keys sorted by UTF-16 code units, no
 * whitespace, numbers and strings serialised as ECMAScript does. Any implementation of JCS (Go,
 * Java, Python…) reproduces these bytes, so an auditor can check a chain without our code.
 */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new Error('value has no JSON form');
  return text;
}

/** The canonical text of a row: JCS of `{ v, service, seq, at, actorId, … }` with nulls kept. */
export function canonicalRow(row: AuditRow): string {
  return canonicalJson({
    v: AUDIT_ROW_FORMAT,
    service: row.service,
    seq: row.seq,
    at: row.at,
    actorId: row.actorId,
    actorRoles: row.actorRoles,
    actorAgencyId: row.actorAgencyId,
    action: row.action,
    entityType: row.entityType,
    entityId: row.entityId,
    subjectId: row.subjectId,
    changes: row.changes,
    requestId: row.requestId,
  });
}

const SEQ_SLOT = ',"seq":0,"service":';

/**
 * The canonical text of a row split around its seq, so the database can hash a row whose seq it
 * assigns itself under the chain lock: `canonicalRow(row) === before + String(seq) + after`.
 * JCS puts the top-level `seq` between `requestId` and `service`, after every nested value, so
 * the last `,"seq":0,"service":` is the row's own (a string value cannot contain it unescaped).
 */
export function canonicalRowAroundSeq(row: Omit<AuditRow, 'seq'>): { before: string; after: string } {
  const text = canonicalRow({ ...row, seq: 0 });
  const at = text.lastIndexOf(SEQ_SLOT);
  return { before: text.slice(0, at + ',"seq":'.length), after: text.slice(at + ',"seq":0'.length) };
}

/** `hash = hex(sha256(utf8(prevHash ‖ canonicalRow)))`, prevHash as its 64 hex characters. */
export function chainHash(prevHash: string, canonical: string): string {
  return createHash('sha256').update(prevHash, 'utf8').update(canonical, 'utf8').digest('hex');
}
