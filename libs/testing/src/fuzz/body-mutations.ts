import { deleteAt, describePath, Field, fields, setAt } from './body-tree';
import { Mutation, MutationContext, show } from './mutation';
import { FuzzOperation } from './operations';
import { bodyKind, DraftRequest, percentEncode, splice } from './request';
import { EXTREME_DATES, HUGE_NUMBERS, NUMERIC_STRINGS, ODD_STRINGS } from './values';

const hasStructuredBody = (op: FuzzOperation) => {
  const kind = bodyKind(op);
  return kind === 'json' || kind === 'form';
};
/** Bodies can go to every write, declared or not (a route must ignore or refuse what it does not take). */
const takesBody = (op: FuzzOperation) => hasStructuredBody(op) || (!op.body && ['POST', 'PUT', 'PATCH', 'DELETE'].includes(op.method));

/** Starts from a structured body: the valid one, or `{}` where the route declares none. */
function structured(draft: DraftRequest): void {
  if (draft.body === undefined || draft.rawBody) {
    draft.rawBody = undefined;
    draft.body = {};
  }
  if (!draft.contentType || !/json|form/.test(draft.contentType)) draft.contentType = 'application/json';
}

/** The top-level property names the schema declares (present in the body or not). */
function declared(draft: DraftRequest, ctx: MutationContext): string[] {
  const schema = ctx.schemas.resolve(draft.op.body?.schema);
  return Object.keys(schema.properties ?? {});
}

/** A field to spoil: one matching `want` when there is one, else any, else a declared or made-up one. */
function target(draft: DraftRequest, ctx: MutationContext, want?: (f: Field) => boolean): Field {
  const all = fields(draft.body);
  const matching = want ? all.filter(want) : all;
  if (matching.length) return ctx.rng.pick(matching);
  if (all.length && !want) return ctx.rng.pick(all);
  const names = declared(draft, ctx);
  return { path: [names.length ? ctx.rng.pick(names) : 'x'], value: undefined };
}

function set(draft: DraftRequest, path: Field['path'], value: unknown): void {
  if (!draft.body || typeof draft.body !== 'object') draft.body = {};
  draft.body = setAt(draft.body, path, value);
}

const isString = (f: Field) => typeof f.value === 'string';
const isNumber = (f: Field) => typeof f.value === 'number';
const isDateLike = (f: Field) => typeof f.value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(f.value);
const isContainer = (f: Field) => !!f.value && typeof f.value === 'object';

function nested(depth: number, kind: 'object' | 'array'): string {
  return kind === 'object' ? '{"a":'.repeat(depth) + '1' + '}'.repeat(depth) : '['.repeat(depth) + ']'.repeat(depth);
}

/** `{"k0":1,"k1":1,…}` with `n` keys, as JSON text. */
function manyKeys(n: number, prefix = 'k'): string {
  const parts: string[] = new Array(n);
  for (let i = 0; i < n; i++) parts[i] = `"${prefix}${i}":1`;
  return `{${parts.join(',')}}`;
}

const MALFORMED: readonly string[] = [
  '{',
  '}',
  '{"a":',
  '{"a":1,}',
  "{'a':1}",
  '{"a":1}{"b":2}',
  '{"a":1} x',
  'nul',
  'undefined',
  'NaN',
  '{"a":NaN}',
  '{"a":Infinity}',
  '{"a":01}',
  '{"a":.5}',
  '{"a":1e}',
  '{"a":-}',
  '{"a":"\\u12"}',
  '{"a":"\\x41"}',
  '{"a":"unterminated',
  '{"a":"\t raw control"}',
  '{"a":"raw \u0000 nul"}',
  '\u0000',
  '\ufeff{}',
  '[' + '['.repeat(99),
  '{"__proto__":{"admin":true},"constructor":{"prototype":{"admin":true}}}',
  '{"a":1,"a":2,"a":{"b":3}}',
  '{"":""}',
  '/* comment */ {}',
  '{"a":1}\u0000',
  ' ',
  'true',
  '"string"',
  '123',
  '[]',
];

const CONTENT_TYPES: readonly string[] = [
  'text/plain',
  'text/html',
  'application/xml',
  'text/xml',
  'application/octet-stream',
  'multipart/form-data; boundary=fuzz',
  'multipart/form-data',
  'application/x-www-form-urlencoded',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'application/json; charset="',
  'application/json;;;',
  'application/json, text/plain',
  'APPLICATION/JSON',
  'application/jsonx',
  'application/problem+json',
  'application/vnd.api+json',
  'image/png',
  'application/pdf',
  '*/*',
  '',
  'application/json; boundary=' + 'x'.repeat(4000),
];

const INVALID_UTF8: readonly number[][] = [[0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe4, 0xb8], [0x80], [0xfe, 0xfe, 0xff, 0xff], [0xf4, 0x90, 0x80, 0x80]];

export const BODY_MUTATIONS: Mutation[] = [
  {
    name: 'body:missing-required',
    applies: hasStructuredBody,
    apply(draft, ctx) {
      structured(draft);
      const schema = ctx.schemas.resolve(draft.op.body?.schema);
      const required = (schema.required ?? []).filter((n) => draft.body && typeof draft.body === 'object' && n in (draft.body as object));
      if (!required.length || ctx.rng.chance(0.25)) {
        draft.body = {};
        return 'empty object';
      }
      const name = ctx.rng.pick(required);
      draft.body = deleteAt(draft.body, [name]);
      return `without ${name}`;
    },
  },
  {
    name: 'body:extra-fields',
    applies: takesBody,
    apply(draft, ctx) {
      structured(draft);
      const extras: Array<[string, unknown]> = [
        ['unknownField', 'x'],
        ['__proto__', { admin: true }],
        ['constructor', { prototype: { admin: true } }],
        ['id', ctx.rng.uuid()],
        ['roles', ['admin']],
        ['status', 'closed'],
        ['reporterId', ctx.rng.uuid()],
        ['', ''],
        ['a'.repeat(5000), 1],
      ];
      const [name, value] = ctx.rng.pick(extras);
      const containers = fields(draft.body).filter(isContainer);
      const at = containers.length && ctx.rng.chance(0.4) ? ctx.rng.pick(containers).path : [];
      const holder = at.reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], draft.body);
      if (Array.isArray(holder)) {
        holder.push({ [name]: value });
        return `${describePath(at)}: extra item with ${show(name, 20)}`;
      }
      if (name === '__proto__') {
        Object.defineProperty(holder, name, { value, enumerable: true, configurable: true, writable: true });
      } else if (holder && typeof holder === 'object') (holder as Record<string, unknown>)[name] = value;
      return `${describePath([...at, name])} added`;
    },
  },
  {
    name: 'body:wrong-type',
    applies: hasStructuredBody,
    apply(draft, ctx) {
      structured(draft);
      const f = target(draft, ctx);
      const others: unknown[] = typeof f.value === 'string' ? [123, true, ['x'], { a: 1 }, 0] : typeof f.value === 'number' ? ['12', 'abc', true, [1], { n: 1 }] : typeof f.value === 'boolean' ? ['true', 1, 0, 'yes', []] : Array.isArray(f.value) ? ['a,b', { 0: 'a' }, 1, 'x'] : f.value && typeof f.value === 'object' ? ['x', [1, 2], 42, true] : ['x', 1, true, [], {}];
      const value = ctx.rng.pick(others);
      set(draft, f.path, value);
      return `${describePath(f.path)} = ${JSON.stringify(value)}`;
    },
  },
  {
    name: 'body:null',
    applies: hasStructuredBody,
    apply(draft, ctx) {
      structured(draft);
      if (ctx.rng.chance(0.4)) {
        const names = new Set([...declared(draft, ctx), ...Object.keys((draft.body as object) ?? {})]);
        draft.body = Object.fromEntries([...names].map((n) => [n, null]));
        return `every field null (${[...names].join(', ')})`;
      }
      const f = target(draft, ctx);
      set(draft, f.path, null);
      return `${describePath(f.path)} = null`;
    },
  },
  {
    name: 'body:not-an-object',
    applies: takesBody,
    apply(draft, ctx) {
      structured(draft);
      const value = ctx.rng.pick<unknown>([null, [], [draft.body], 'text', 0, -1, true, false, [[]], [null]]);
      draft.body = value;
      return `body = ${JSON.stringify(value).slice(0, 60)}`;
    },
  },
  {
    name: 'body:huge-string',
    applies: hasStructuredBody,
    apply(draft, ctx) {
      structured(draft);
      const f = target(draft, ctx, isString);
      const [unit, n] = ctx.rng.pick<[string, number]>([
        ['x', 900_000],
        ['x', 100_000],
        ['中', 300_000],
        ['😀', 200_000],
        ['x', 5_001],
        ['\\', 400_000],
      ]);
      // Kept under the 1 MiB body limit once encoded (past it the gateway answers 413 before anything runs).
      const encoded = bodyKind(draft.op) === 'form' ? percentEncode(unit).length : Buffer.byteLength(JSON.stringify(unit)) - 2;
      const count = Math.min(n, Math.floor(900_000 / encoded));
      set(draft, f.path, unit.repeat(count));
      return `${describePath(f.path)} = ${JSON.stringify(unit)} × ${count}`;
    },
  },
  {
    name: 'body:huge-number',
    applies: hasStructuredBody,
    apply(draft, ctx) {
      structured(draft);
      const f = target(draft, ctx, isNumber);
      const literal = ctx.rng.pick(HUGE_NUMBERS);
      set(draft, f.path, splice(draft, literal));
      return `${describePath(f.path)} = ${literal.length > 30 ? `${literal.slice(0, 12)}… (${literal.length} digits)` : literal}`;
    },
  },
  {
    name: 'body:numeric-string',
    applies: hasStructuredBody,
    apply(draft, ctx) {
      structured(draft);
      const f = target(draft, ctx, (x) => isNumber(x) || isString(x));
      const value = ctx.rng.pick(NUMERIC_STRINGS);
      set(draft, f.path, value);
      return `${describePath(f.path)} = ${JSON.stringify(value)}`;
    },
  },
  {
    name: 'body:odd-string',
    applies: hasStructuredBody,
    apply(draft, ctx) {
      structured(draft);
      const f = target(draft, ctx, isString);
      const odd = ctx.rng.pick(ODD_STRINGS);
      const original = typeof f.value === 'string' ? f.value : '';
      const value = ctx.rng.chance(0.5) ? odd : `${original.slice(0, 20)}${odd}${original.slice(20)}`;
      set(draft, f.path, value);
      return `${describePath(f.path)} = ${show(value)}`;
    },
  },
  {
    name: 'body:nul',
    applies: hasStructuredBody,
    apply(draft, ctx) {
      structured(draft);
      const f = target(draft, ctx, isString);
      const original = typeof f.value === 'string' ? f.value : 'teks';
      const value = ctx.rng.pick([`${original}\u0000`, `\u0000${original}`, '\u0000', `${original.slice(0, 3)}\u0000${original.slice(3)}`]);
      set(draft, f.path, value);
      return `${describePath(f.path)} = ${show(value)}`;
    },
  },
  {
    name: 'body:surrogate',
    applies: hasStructuredBody,
    apply(draft, ctx) {
      structured(draft);
      const f = target(draft, ctx, isString);
      const original = typeof f.value === 'string' ? f.value : 'teks';
      const lone = ctx.rng.pick(['\ud800', '\udfff', '\ud83d', '\ude00\ud83d']);
      const value = ctx.rng.chance(0.5) ? lone : `${original}${lone}`;
      set(draft, f.path, value);
      return `${describePath(f.path)} = ${show(value)} (lone surrogate, as a JSON escape)`;
    },
  },
  {
    name: 'body:extreme-date',
    applies: hasStructuredBody,
    apply(draft, ctx) {
      structured(draft);
      const f = target(draft, ctx, isDateLike);
      const value = ctx.rng.pick(EXTREME_DATES);
      set(draft, f.path, value);
      return `${describePath(f.path)} = ${value}`;
    },
  },
  {
    name: 'body:deep-nesting',
    applies: takesBody,
    apply(draft, ctx) {
      structured(draft);
      const depth = ctx.rng.pick([50_000, 50_000, 10_000, 1_000]);
      const kind = ctx.rng.pick<'object' | 'array'>(['object', 'array']);
      if (ctx.rng.chance(0.3)) {
        draft.rawBody = Buffer.from(nested(depth, kind));
        return `the body nested ${depth} deep (${kind}s)`;
      }
      const f = target(draft, ctx, (x) => isContainer(x) || isString(x));
      set(draft, f.path, splice(draft, nested(depth, kind)));
      return `${describePath(f.path)} nested ${depth} deep (${kind}s)`;
    },
  },
  {
    name: 'body:many-keys',
    applies: takesBody,
    apply(draft, ctx) {
      structured(draft);
      const n = ctx.rng.pick([80_000, 20_000, 5_000, 1_000]);
      const containers = fields(draft.body).filter((f) => f.value && typeof f.value === 'object' && !Array.isArray(f.value));
      if (containers.length && ctx.rng.chance(0.4)) {
        const f = ctx.rng.pick(containers);
        set(draft, f.path, splice(draft, manyKeys(n)));
        return `${describePath(f.path)} with ${n} unknown keys`;
      }
      if (draft.body && typeof draft.body === 'object' && !Array.isArray(draft.body) && ctx.rng.chance(0.5)) {
        // The valid fields plus n unknown ones: validation must refuse early, not list n errors.
        const valid = JSON.stringify(draft.body);
        draft.rawBody = Buffer.from(`${manyKeys(n).slice(0, -1)}${valid.length > 2 ? `,${valid.slice(1)}` : '}'}`);
        return `valid fields plus ${n} unknown keys`;
      }
      draft.rawBody = Buffer.from(manyKeys(n));
      return `${n} unknown keys`;
    },
  },
  {
    name: 'body:big-array',
    applies: hasStructuredBody,
    apply(draft, ctx) {
      structured(draft);
      const f = target(draft, ctx, (x) => Array.isArray(x.value));
      const [n, item] = ctx.rng.pick<[number, string]>([
        [200_000, '1'],
        [100_000, '"x"'],
        [20_000, '{}'],
        [10_000, Array.isArray(f.value) && f.value.length ? JSON.stringify(f.value[0]) : '{"a":1}'],
      ]);
      // Under the 1 MiB body limit: past it the gateway answers 413 before anything else runs.
      const count = Math.min(n, Math.floor(900_000 / (item.length + 1)));
      set(draft, f.path, splice(draft, `[${new Array(count).fill(item).join(',')}]`));
      return `${describePath(f.path)} = [${item.slice(0, 30)} × ${count}]`;
    },
  },
  {
    name: 'body:malformed-json',
    applies: takesBody,
    apply(draft, ctx) {
      structured(draft);
      draft.contentType = 'application/json';
      const valid = JSON.stringify(draft.body ?? {});
      const choice = ctx.rng.int(0, 2);
      if (choice === 0 && valid.length > 2) {
        const cut = ctx.rng.int(1, valid.length - 1);
        draft.rawBody = Buffer.from(valid.slice(0, cut));
        return `valid body cut after ${cut} of ${valid.length} bytes`;
      }
      if (choice === 1 && valid.length > 2) {
        const at = ctx.rng.int(0, valid.length - 1);
        const ch = ctx.rng.pick(['"', '{', '}', ',', ':', '\\', '\u0000', ']']);
        draft.rawBody = Buffer.from(valid.slice(0, at) + ch + valid.slice(at + 1));
        return `byte ${at} replaced by ${JSON.stringify(ch)}`;
      }
      const text = ctx.rng.pick(MALFORMED);
      draft.rawBody = Buffer.from(text);
      return show(text);
    },
  },
  {
    name: 'body:invalid-utf8',
    applies: hasStructuredBody,
    apply(draft, ctx) {
      structured(draft);
      const f = target(draft, ctx, isString);
      set(draft, f.path, 'FUZZ_INVALID_UTF8_HERE');
      const bytes = ctx.rng.pick(INVALID_UTF8);
      draft.contentType = 'application/json';
      const [before, after] = JSON.stringify(draft.body).split('FUZZ_INVALID_UTF8_HERE');
      draft.rawBody = Buffer.concat([Buffer.from(before), Buffer.from('ab'), Buffer.from(bytes), Buffer.from('cd'), Buffer.from(after ?? '')]);
      return `${describePath(f.path)} holds bytes ${bytes.map((b) => b.toString(16)).join(' ')}`;
    },
  },
  {
    name: 'body:content-type',
    applies: (op) => !!op.body || takesBody(op),
    apply(draft, ctx) {
      if (draft.body === undefined && !draft.rawBody) draft.body = {};
      if (ctx.rng.chance(0.15)) {
        draft.contentType = undefined;
        return 'no Content-Type';
      }
      draft.contentType = ctx.rng.pick(CONTENT_TYPES);
      return `Content-Type: ${show(draft.contentType)}`;
    },
  },
  {
    name: 'body:empty',
    applies: (op) => !!op.body || takesBody(op),
    apply(draft, ctx) {
      draft.body = undefined;
      draft.rawBody = ctx.rng.chance(0.5) ? Buffer.alloc(0) : undefined;
      draft.contentType = draft.contentType ?? 'application/json';
      return draft.rawBody ? 'Content-Length: 0' : 'no body';
    },
  },
  {
    name: 'body:content-encoding',
    applies: (op) => !!op.body,
    apply(draft, ctx) {
      const encoding = ctx.rng.pick(['gzip', 'deflate', 'br', 'x-unknown', 'gzip, gzip', 'identity;q=0']);
      draft.headers['content-encoding'] = encoding;
      return `Content-Encoding: ${encoding} on a plain body`;
    },
  },
];

const MAX_DOCUMENT = 10 * 1024 * 1024;

export const FILE_MUTATIONS: Mutation[] = [
  {
    name: 'file:bad-bytes',
    applies: (op) => bodyKind(op) === 'file',
    apply(draft, ctx) {
      const variants: Array<[string, Buffer]> = [
        ['empty', Buffer.alloc(0)],
        ['one byte', Buffer.from([0x25])],
        ['PNG bytes sent as PDF', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3])],
        ['HTML', Buffer.from('<html><script>alert(1)</script></html>')],
        ['JSON', Buffer.from('{"a":1}')],
        ['random bytes', Buffer.from(Array.from({ length: 4096 }, () => ctx.rng.int(0, 255)))],
        ['NUL bytes', Buffer.alloc(8192)],
        ['truncated PDF header', Buffer.from('%PD')],
        ['PDF magic only', Buffer.from('%PDF-')],
      ];
      const [what, bytes] = ctx.rng.pick(variants);
      draft.rawBody = bytes;
      draft.body = undefined;
      if (ctx.rng.chance(0.3)) draft.contentType = ctx.rng.pick(['application/pdf', 'image/png', 'image/jpeg']);
      return `${what} as ${draft.contentType}`;
    },
  },
  {
    name: 'file:over-limit',
    applies: (op) => bodyKind(op) === 'file',
    apply(draft, ctx) {
      const size = ctx.rng.pick([MAX_DOCUMENT + 1, MAX_DOCUMENT + 65_536]);
      draft.rawBody = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(size - 9, 0x20)]);
      draft.contentType = 'application/pdf';
      return `${size} bytes`;
    },
  },
];
