import { Mutation, MutationContext, show } from './mutation';
import { FuzzOperation } from './operations';
import { DraftRequest, percentEncode } from './request';
import { EXTREME_DATES, EXTREME_RANGES, HUGE_NUMBERS, NUMERIC_STRINGS, ODD_STRINGS } from './values';

const pathParams = (op: FuzzOperation) => op.params.filter((p) => p.in === 'path');
const hasPathParam = (op: FuzzOperation) => pathParams(op).length > 0;
const queryParams = (op: FuzzOperation) => op.params.filter((p) => p.in === 'query');
/** Query mutations go to every GET (unknown parameters must be ignored or refused) and to routes with a query. */
const takesQuery = (op: FuzzOperation) => op.method === 'GET' || queryParams(op).length > 0;

function pickPathParam(draft: DraftRequest, ctx: MutationContext): string {
  return ctx.rng.pick(pathParams(draft.op)).name;
}

/** A query parameter to spoil: a declared one (replacing its value), else a made-up one. */
function queryName(draft: DraftRequest, ctx: MutationContext, want?: (type: string | undefined, format?: string) => boolean): string {
  const declared = queryParams(draft.op).filter((p) => !want || want(typeof p.schema.type === 'string' ? p.schema.type : undefined, p.schema.format));
  return declared.length ? ctx.rng.pick(declared).name : ctx.rng.pick(['page', 'q', 'from', 'x']);
}

function setQuery(draft: DraftRequest, name: string, value: string): void {
  draft.query = draft.query.filter(([k]) => k !== name);
  draft.query.push([name, value]);
}

function setRawQuery(draft: DraftRequest, name: string, raw: string): void {
  draft.query = draft.query.filter(([k]) => k !== name);
  draft.rawQuery = `${percentEncode(name)}=${raw}`;
}

/** Percent-escapes and raw bytes no decoder should trip over (each must be a 4xx, never a 500). */
const ODD_ESCAPES: readonly string[] = ['%FF', '%C0%AF', '%E4%B8', '%ED%A0%80', '%F8%88%80%80%80', '%', '%zz', '%%', '%2', '%u0000', '%2e%2e%2f%2e%2e%2f', '..', '.', '%2F', '%5C', '%0D%0A', '%09', '%7F', '%F0%9F%98%80', ';x=1', '%3B', '%23', '%3F', '\xff\xfe', '\xe4\xb8\xad', '\x80'];

const WRONG_PATH_VALUES: readonly string[] = [
  '0',
  '-1',
  '1',
  '1.5',
  '1e308',
  '9007199254740993',
  '99999999999999999999',
  'NaN',
  'Infinity',
  'true',
  'null',
  'undefined',
  '[object Object]',
  'abc',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  'FFFFFFFF-FFFF-4FFF-BFFF-FFFFFFFFFFFF',
  '00000000-0000-0000-0000-00000000000g',
  '{00000000-0000-0000-0000-000000000000}',
  '2026',
  '-2026',
  '0000',
  '275761',
  ' ',
  'a b',
  'ÄÖÜ',
  '中文',
];

export const URL_MUTATIONS: Mutation[] = [
  {
    name: 'path:wrong-type',
    applies: hasPathParam,
    apply(draft, ctx) {
      const name = pickPathParam(draft, ctx);
      draft.pathParams[name] = ctx.rng.pick(WRONG_PATH_VALUES);
      return `{${name}} = ${show(draft.pathParams[name])}`;
    },
  },
  {
    name: 'path:nul',
    applies: hasPathParam,
    apply(draft, ctx) {
      const name = pickPathParam(draft, ctx);
      const raw = ctx.rng.pick(['%00', `${percentEncode(draft.pathParams[name] ?? '')}%00`, '%00%00%00', `a%00${percentEncode(draft.pathParams[name] ?? '')}`]);
      draft.rawPathParams[name] = raw;
      return `{${name}} = ${raw.slice(0, 60)}`;
    },
  },
  {
    name: 'path:surrogate',
    applies: hasPathParam,
    apply(draft, ctx) {
      const name = pickPathParam(draft, ctx);
      const raw = ctx.rng.pick(['%ED%A0%80', '%ED%BF%BF', `${percentEncode(draft.pathParams[name] ?? '')}%ED%B0%80`, '%ED%A0%BD%ED%B8%80']);
      draft.rawPathParams[name] = raw;
      return `{${name}} = ${raw.slice(0, 60)} (lone surrogate as UTF-8)`;
    },
  },
  {
    name: 'path:odd-bytes',
    applies: hasPathParam,
    apply(draft, ctx) {
      const name = pickPathParam(draft, ctx);
      const odd = ctx.rng.pick(ODD_ESCAPES);
      draft.rawPathParams[name] = ctx.rng.chance(0.5) ? odd : `${percentEncode(draft.pathParams[name] ?? '')}${odd}`;
      return `{${name}} = ${JSON.stringify(draft.rawPathParams[name]).slice(0, 80)}`;
    },
  },
  {
    name: 'path:odd-text',
    applies: hasPathParam,
    apply(draft, ctx) {
      const name = pickPathParam(draft, ctx);
      draft.pathParams[name] = ctx.rng.pick(ODD_STRINGS.filter((s) => s.length < 2000));
      return `{${name}} = ${show(draft.pathParams[name])}`;
    },
  },
  {
    name: 'path:long',
    applies: hasPathParam,
    apply(draft, ctx) {
      const name = pickPathParam(draft, ctx);
      const n = ctx.rng.pick([101, 1_000, 8_000, 15_000, 60_000]);
      draft.pathParams[name] = ctx.rng.pick(['a', '9', '中']).repeat(n);
      return `{${name}} = ${n} characters`;
    },
  },
  {
    name: 'path:empty',
    applies: hasPathParam,
    apply(draft, ctx) {
      const name = pickPathParam(draft, ctx);
      draft.pathParams[name] = '';
      return `{${name}} empty`;
    },
  },
  {
    name: 'query:wrong-type',
    applies: takesQuery,
    apply(draft, ctx) {
      const name = queryName(draft, ctx);
      const value = ctx.rng.pick(['abc', '-5', '0', '1.5', 'true', 'maybe', '[]', '{}', 'null', '1,2,3', ctx.rng.uuid(), 'zzz-not-an-enum', '2026-11-28', 'ÄÖÜ']);
      setQuery(draft, name, value);
      return `${name}=${value}`;
    },
  },
  {
    name: 'query:huge-number',
    applies: takesQuery,
    apply(draft, ctx) {
      const name = queryName(draft, ctx, (type) => type === 'number' || type === 'integer');
      const value = ctx.rng.pick([...HUGE_NUMBERS, ...NUMERIC_STRINGS]);
      setQuery(draft, name, value);
      return `${name}=${value.length > 30 ? `${value.slice(0, 12)}… (${value.length} chars)` : value}`;
    },
  },
  {
    name: 'query:repeated',
    applies: takesQuery,
    apply(draft, ctx) {
      const name = queryName(draft, ctx);
      const n = ctx.rng.pick([2, 3, 1000]);
      draft.query = draft.query.filter(([k]) => k !== name);
      for (let i = 0; i < n; i++) draft.query.push([name, String(i + 1)]);
      if (ctx.rng.chance(0.3)) draft.query.push([`${name}[]`, 'x'], [`${name}[a][b]`, 'y']);
      return `${name} given ${n} times`;
    },
  },
  {
    name: 'query:nul',
    applies: takesQuery,
    apply(draft, ctx) {
      const name = queryName(draft, ctx);
      const raw = ctx.rng.pick(['%00', 'a%00b', '2026-01-01%00', '1%00', '%00%00']);
      setRawQuery(draft, name, raw);
      return `${name}=${raw}`;
    },
  },
  {
    name: 'query:surrogate',
    applies: takesQuery,
    apply(draft, ctx) {
      const name = queryName(draft, ctx);
      const raw = ctx.rng.pick(['%ED%A0%80', 'x%ED%B0%80', '%ED%A0%BD']);
      setRawQuery(draft, name, raw);
      return `${name}=${raw} (lone surrogate as UTF-8)`;
    },
  },
  {
    name: 'query:odd-bytes',
    applies: takesQuery,
    apply(draft, ctx) {
      const name = queryName(draft, ctx);
      if (ctx.rng.chance(0.5)) {
        const raw = ctx.rng.pick(ODD_ESCAPES);
        setRawQuery(draft, name, raw);
        return `${name}=${JSON.stringify(raw)}`;
      }
      const value = ctx.rng.pick(ODD_STRINGS.filter((s) => s.length < 2000));
      setQuery(draft, name, value);
      return `${name}=${show(value)}`;
    },
  },
  {
    name: 'query:extreme-date',
    applies: takesQuery,
    apply(draft, ctx) {
      const dated = queryParams(draft.op).filter((p) => p.schema.format === 'date' || p.schema.format === 'date-time');
      if (dated.length >= 2 && ctx.rng.chance(0.7)) {
        const [a, b] = [dated.find((p) => /from|start/.test(p.name)) ?? dated[0], dated.find((p) => /to$|end/.test(p.name)) ?? dated[1]];
        // Mostly the edge ranges, in the parameter's own format; sometimes any two odd dates.
        const edge = ctx.rng.chance(0.7);
        const [from, to] = edge ? ctx.rng.pick(EXTREME_RANGES) : [ctx.rng.pick(EXTREME_DATES), ctx.rng.pick(EXTREME_DATES)];
        const timed = (p: typeof a, d: string) => (edge && p.schema.format === 'date-time' ? `${d}T00:00:00Z` : d);
        setQuery(draft, a.name, timed(a, from));
        setQuery(draft, b.name, timed(b, to));
        return `${a.name}=${timed(a, from)}&${b.name}=${timed(b, to)}`;
      }
      const name = dated.length ? ctx.rng.pick(dated).name : queryName(draft, ctx);
      const value = ctx.rng.pick(EXTREME_DATES);
      setQuery(draft, name, value);
      return `${name}=${value}`;
    },
  },
  {
    name: 'query:long',
    applies: takesQuery,
    apply(draft, ctx) {
      if (ctx.rng.chance(0.5)) {
        const n = ctx.rng.pick([1_000, 3_000]);
        for (let i = 0; i < n; i++) draft.query.push([`p${i}`, '1']);
        return `${n} extra parameters`;
      }
      const name = queryName(draft, ctx);
      const n = ctx.rng.pick([101, 2_000, 8_000, 15_000, 60_000]);
      setQuery(draft, name, 'a'.repeat(n));
      return `${name} = ${n} characters`;
    },
  },
  {
    name: 'query:extra',
    applies: takesQuery,
    apply(draft, ctx) {
      const [k, v] = ctx.rng.pick<[string, string]>([
        ['__proto__[admin]', 'true'],
        ['constructor[prototype][admin]', 'true'],
        ['__proto__', 'x'],
        ['unknown', 'x'],
        ['pageSize', '100000'],
        ['page[$gt]', '1'],
        ['', 'empty-name'],
        ['sort', "createdAt; DROP TABLE x"],
        ['api_key', 'x'.repeat(64)],
        ['format', 'xml'],
      ]);
      draft.query.push([k, v]);
      return `${k}=${v.slice(0, 40)}`;
    },
  },
  {
    name: 'query:empty-values',
    applies: (op) => queryParams(op).length > 0,
    apply(draft, ctx) {
      const names = queryParams(draft.op).map((p) => p.name);
      const chosen = ctx.rng.shuffle(names).slice(0, ctx.rng.int(1, names.length));
      for (const name of chosen) setQuery(draft, name, '');
      return chosen.map((n) => `${n}=`).join('&');
    },
  },
];
