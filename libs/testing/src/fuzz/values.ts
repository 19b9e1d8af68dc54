import { makeNik } from '../nik';
import { JsonSchema, Schemas } from './operations';
import { Rng } from './random';

/** What valid-ish values draw on: real ids and codes of the system under test, by pool name. */
export interface ValueContext {
  rng: Rng;
  schemas: Schemas;
  /** `<segment>.<param>` for path parameters (see poolKey), `field.<name>` for body and query fields. */
  pools: Record<string, readonly string[]>;
}

const typeOf = (schema: JsonSchema): string | undefined => (Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type);

/** The field's own pool, when the system has real values for it (agency ids, category codes, …). */
function pooled(ctx: ValueContext, field: string | undefined): string | undefined {
  const pool = field ? ctx.pools[`field.${field}`] : undefined;
  return pool?.length && ctx.rng.chance(0.85) ? ctx.rng.pick(pool) : undefined;
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function byName(field: string, ctx: ValueContext): string | undefined {
  const { rng } = ctx;
  if (/^e?mail$/i.test(field)) return `fuzz.${rng.word(4, 8)}${rng.int(0, 99999)}@example.id`;
  if (/phone/i.test(field)) return `0812${String(rng.int(0, 99999999)).padStart(8, '0')}`;
  if (field === 'nik') return makeNik({ sequence: rng.int(1, 9999), birthDate: new Date(Date.UTC(rng.int(1950, 2005), rng.int(0, 11), rng.int(1, 28))) });
  if (/password/i.test(field)) return `Fuzz-Sandi-${rng.word(6, 10)}-${rng.int(10, 99)}`;
  if (field === 'fileName') return rng.pick(['foto.jpg', 'jalan-rusak.png', 'surat.pdf']);
  return undefined;
}

function validString(schema: JsonSchema, ctx: ValueContext, field?: string): string {
  const { rng } = ctx;
  const fromPool = pooled(ctx, field);
  if (fromPool !== undefined) return fromPool;
  const now = Date.now();
  switch (schema.format) {
    case 'uuid':
      return rng.uuid();
    case 'date-time':
      return new Date(now - rng.int(0, 400) * 86_400_000).toISOString();
    case 'date':
      return day(now - rng.int(0, 400) * 86_400_000);
    case 'email':
      return `fuzz${rng.int(0, 99999)}@example.id`;
    case 'uri':
      return `https://example.id/${rng.word()}.jpg`;
    case 'latitude':
      return (2.2 + rng.next() * 0.8).toFixed(5);
    case 'longitude':
      return (99.4 + rng.next() * 0.6).toFixed(5);
  }
  const named = field ? byName(field, ctx) : undefined;
  if (named !== undefined) return named;
  if (typeof schema.example === 'string' && rng.chance(0.5)) return schema.example;
  if (field === 'date') return day(now + rng.int(-200, 200) * 86_400_000);
  const min = schema.minLength ?? 1;
  const max = Math.min(schema.maxLength ?? 60, Math.max(min, 60));
  let s = '';
  while (s.length < min) s += (s ? ' ' : '') + rng.word();
  s = s.slice(0, max);
  return s.length >= min ? s : s.padEnd(min, 'x');
}

/** A value that a careful client would send for `schema` (valid-ish: pooled ids may be stale). */
export function validValue(input: JsonSchema | undefined, ctx: ValueContext, field?: string, depth = 0): unknown {
  const schema = ctx.schemas.resolve(input);
  const { rng } = ctx;
  if (schema.enum?.length) return rng.pick(schema.enum);
  if (schema.oneOf?.length || schema.anyOf?.length) return validValue(rng.pick((schema.oneOf ?? schema.anyOf)!), ctx, field, depth + 1);
  const type = typeOf(schema) ?? (schema.properties ? 'object' : undefined);
  switch (type) {
    case 'string':
      return validString(schema, ctx, field);
    case 'integer':
    case 'number': {
      if (typeof schema.example === 'number' && rng.chance(0.4)) return schema.example;
      const min = schema.minimum ?? 0;
      const max = schema.maximum ?? Math.max(min + 50, 100);
      return rng.int(Math.ceil(min), Math.floor(max));
    }
    case 'boolean':
      return rng.chance(0.5);
    case 'array': {
      if (depth > 6) return [];
      const n = rng.int(0, 3);
      return Array.from({ length: n }, () => validValue(schema.items, ctx, field, depth + 1));
    }
    case 'object': {
      if (!schema.properties) return schema.example && typeof schema.example === 'object' ? structuredClone(schema.example) : {};
      if (depth > 6) return {};
      const required = new Set(schema.required ?? []);
      const out: Record<string, unknown> = {};
      for (const [name, prop] of Object.entries(schema.properties)) {
        if (required.has(name) || rng.chance(0.6)) out[name] = validValue(prop, ctx, name, depth + 1);
      }
      return out;
    }
    default:
      return schema.example ?? rng.word();
  }
}

/** Strings no field should choke on: each must be refused or stored, never a 500. */
export const ODD_STRINGS: readonly string[] = [
  'a\u0000b',
  '\u0000',
  '%00',
  'x'.repeat(10) + '\u0000',
  '\ud800',
  'abc\udfff',
  '\udc00\ud800',
  '\ud83d',
  '\u202eevil\u202c',
  '\u200b\u200c\u200d\ufeff',
  '😀'.repeat(50),
  'e\u0301\u0301\u0301\u0301',
  "'; DROP TABLE complaints; --",
  "' OR '1'='1",
  '"\\',
  '{{7*7}}${7*7}<%= 7*7 %>',
  '<script>alert(1)</script>',
  '../../../../etc/passwd',
  '\r\nX-Injected: 1',
  '\t\n\r\u000b\u000c',
  '\u0001\u0002\u0003\u001f\u007f',
  '\ufffe\uffff',
  '中'.repeat(5000),
  '  ',
  '',
  'null',
  'undefined',
  '__proto__',
  '%s%s%s%n',
  '\\u0000',
];

/** Number literals as JSON text (some cannot be written by JSON.stringify). */
export const HUGE_NUMBERS: readonly string[] = [
  '1e308',
  '-1e308',
  '1.7976931348623157e308',
  '1e309',
  '-1e309',
  '-0',
  '0.0',
  '5e-324',
  '1e-400',
  '9007199254740993',
  '-9007199254740993',
  '2147483648',
  '-2147483649',
  '123456789012345678901234567890',
  '1' + '0'.repeat(400),
  '1.5',
  '-1',
  '0',
];

/** Strings that look like numbers, where numbers are expected. */
export const NUMERIC_STRINGS: readonly string[] = ['NaN', 'Infinity', '-Infinity', '-0', '1e308', '1e309', '0x1F', '1_000', ' 5 ', '', '5abc', '١٢٣', '9007199254740993', '+1', '.5', '5.'];

/** `from` and `to` pairs at the edges: the widest range, reversed, and ranges at either end of time. */
export const EXTREME_RANGES: ReadonlyArray<readonly [string, string]> = [
  ['0001-01-01', '9999-12-31'],
  ['9999-12-31', '0001-01-01'],
  ['0001-01-01', '0001-01-02'],
  ['9999-12-30', '9999-12-31'],
  ['1970-01-01', '9999-12-31'],
  ['0001-01-01', '2026-12-31'],
  ['1000-01-01', '3000-12-31'],
  ['+275760-09-13', '+275760-09-13'],
];

/** Dates at and past the edges of every calendar a database or a Date can hold. */
export const EXTREME_DATES: readonly string[] = [
  '0001-01-01',
  '9999-12-31',
  '0001-01-01T00:00:00Z',
  '9999-12-31T23:59:59.999Z',
  '0000-00-00',
  '0000-01-01T00:00:00Z',
  '+275760-09-13T00:00:00.000Z',
  '-271821-04-20T00:00:00.000Z',
  '+275760-09-14T00:00:00.000Z',
  '2026-02-30',
  '2026-13-45T25:61:61Z',
  '1970-01-01T00:00:00Z',
  '1969-12-31T23:59:59Z',
  '2026-11-28T00:00:00+14:00',
  '2026-11-28T00:00:00-23:59',
  '99999-01-01',
  '2026-11-28T00:00:00.123456789Z',
  '1e308',
  'yesterday',
];
