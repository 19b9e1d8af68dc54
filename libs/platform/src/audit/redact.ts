/** Never recorded, not even masked: credentials and the NIK's lookup hash. */
const SECRET = /(password|secret|token|hash)/i;

/**
 * Recorded only as "changed": values that identify or describe a person, and citizens' free text.
 * The trail cannot be edited, so it must hold nothing that erasure (UU 27/2022) would have to
 * remove; ids link a row to the record, which is where the personal data lives.
 */
export const PERSONAL_FIELDS = new Set([
  'nik',
  'nikMasked',
  'fullName',
  'email',
  'phone',
  'address',
  'location',
  'title',
  'description',
  'body',
  'comment',
  'note',
  'answer',
  'formData',
  'holderName',
]);

export const PERSONAL_MARK = '[personal]';

type Fields = object | null | undefined;

/** Plain JSON (Dates as ISO strings, undefined dropped), as it will read back from jsonb. */
function plain(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

function same(a: unknown, b: unknown): boolean {
  return sortedJson(a) === sortedJson(b);
}

function sortedJson(value: unknown): string {
  const p = plain(value);
  if (p === null || typeof p !== 'object') return JSON.stringify(p ?? null);
  if (Array.isArray(p)) return `[${p.map(sortedJson).join(',')}]`;
  return `{${Object.keys(p)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${sortedJson((p as Record<string, unknown>)[k])}`)
    .join(',')}}`;
}

function shown(key: string, value: unknown, personal: Set<string>): unknown {
  if (personal.has(key)) return value === null || value === undefined ? null : PERSONAL_MARK;
  return plain(value) ?? null;
}

/**
 * The fields that differ between two states of a record, as `{ before, after }`: secrets left
 * out, personal values replaced by "[personal]". A creation passes `before = null`, a removal
 * `after = null`. `only` limits the comparison to the listed fields; `personal` and `notPersonal`
 * adjust the default list (a permit type's description is public, a complaint's is not).
 */
export function auditChanges(
  before: Fields,
  after: Fields,
  options: { only?: readonly string[]; personal?: readonly string[]; notPersonal?: readonly string[] } = {},
): { before?: Record<string, unknown>; after?: Record<string, unknown> } {
  const personal = new Set([...PERSONAL_FIELDS, ...(options.personal ?? [])]);
  for (const key of options.notPersonal ?? []) personal.delete(key);
  const keys = new Set(options.only ?? [...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  const b: Record<string, unknown> = {};
  const a: Record<string, unknown> = {};
  for (const key of [...keys].sort()) {
    if (SECRET.test(key)) continue;
    const was = (before as Record<string, unknown> | null | undefined)?.[key];
    const now = (after as Record<string, unknown> | null | undefined)?.[key];
    if (typeof was === 'function' || typeof now === 'function') continue;
    if (before && after && same(was, now)) continue;
    if (before && was !== undefined) b[key] = shown(key, was, personal);
    if (after && now !== undefined) a[key] = shown(key, now, personal);
  }
  return { ...(before ? { before: b } : {}), ...(after ? { after: a } : {}) };
}
