/** Never recorded, not even masked: credentials and the NIK's lookup hash. */
const SECRET = /(password|secret|token|hash)/i;

/**
 * Recorded only as "changed": fields whose name says they identify or describe a person, or hold
 * free text (which citizens fill with their names and phone numbers: `ratingComment`, `note`,
 * `formData`…). The trail cannot be edited, so it must hold nothing that erasure (UU 27/2022)
 * would have to remove; ids link a row to the record, which is where the personal data lives.
 */
export const PERSONAL_FIELD = /(nik|name|email|phone|address|location|title|description|body|comment|note|answer|form)/i;

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

function shown(key: string, value: unknown, personal: (key: string) => boolean): unknown {
  if (personal(key)) return value === null || value === undefined ? null : PERSONAL_MARK;
  return plain(value) ?? null;
}

/**
 * The fields that differ between two states of a record, as `{ before, after }`: secrets left
 * out, personal values replaced by "[personal]". A creation passes `before = null`, a removal
 * `after = null`. `only` limits the comparison to the listed fields; `personal` and `notPersonal`
 * adjust PERSONAL_FIELD (a permit type's name and description are public, a complaint's are not).
 */
export function auditChanges(
  before: Fields,
  after: Fields,
  options: { only?: readonly string[]; personal?: readonly string[]; notPersonal?: readonly string[] } = {},
): { before?: Record<string, unknown>; after?: Record<string, unknown> } {
  const extra = new Set(options.personal ?? []);
  const notPersonal = new Set(options.notPersonal ?? []);
  const personal = (key: string) => extra.has(key) || (PERSONAL_FIELD.test(key) && !notPersonal.has(key));
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
