import { createHmac, generateKeyPairSync, sign } from 'crypto';
import { Mutation, MutationContext, show } from './mutation';
import { FuzzOperation } from './operations';

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

function decode(token: string): { header: Record<string, unknown>; payload: Record<string, unknown>; signature: string } | undefined {
  const [h, p, s] = token.split('.');
  try {
    return { header: JSON.parse(Buffer.from(h, 'base64url').toString()), payload: JSON.parse(Buffer.from(p, 'base64url').toString()), signature: s ?? '' };
  } catch {
    return undefined;
  }
}

/** A real token of the system (any actor) to tamper with, and its decoded parts. */
function realToken(ctx: MutationContext): { token: string; parts: NonNullable<ReturnType<typeof decode>> } | undefined {
  const values = Object.values(ctx.bearer);
  if (!values.length) return undefined;
  const token = ctx.rng.pick(values).replace(/^Bearer /, '');
  const parts = decode(token);
  return parts ? { token, parts } : undefined;
}

const now = () => Math.floor(Date.now() / 1000);

/** Tokens signed by someone else, or by no one: every one must be a 401. */
function forged(ctx: MutationContext): [string, string] {
  const real = realToken(ctx);
  const base = real?.parts.payload ?? { iss: 'smart-regency-identity', aud: 'smart-regency-api', sub: ctx.rng.uuid() };
  const header = real?.parts.header ?? { alg: 'EdDSA', typ: 'at+jwt', kid: 'k1' };
  const admin = { ...base, roles: ['admin'], iat: now(), exp: now() + 600 };
  const variant = ctx.rng.int(0, 9);
  switch (variant) {
    case 0:
      return ['alg none', `${b64({ alg: 'none', typ: 'at+jwt' })}.${b64(admin)}.`];
    case 1: {
      const data = `${b64({ ...header, alg: 'HS256' })}.${b64(admin)}`;
      return ['HS256 with a guessed secret', `${data}.${createHmac('sha256', 'secret').update(data).digest('base64url')}`];
    }
    case 2:
    case 3: {
      const { privateKey } = generateKeyPairSync('ed25519');
      const payload = variant === 2 ? admin : { ...base, iat: now() - 7200, exp: now() - 3600 };
      const data = `${b64(header)}.${b64(payload)}`;
      return [variant === 2 ? 'EdDSA by a stranger key, real kid' : 'expired, signed by a stranger key', `${data}.${sign(null, Buffer.from(data), privateKey).toString('base64url')}`];
    }
    case 4: {
      const { privateKey } = generateKeyPairSync('ed25519');
      const long = { ...admin, exp: now() + 10 * 365 * 86400, iat: now() + 86400 };
      const data = `${b64(header)}.${b64(long)}`;
      return ['ten-year exp and future iat, stranger key', `${data}.${sign(null, Buffer.from(data), privateKey).toString('base64url')}`];
    }
    case 5:
      return ['kid with path and NUL', `${b64({ ...header, kid: '../../../dev/null\u0000' })}.${b64(admin)}.${real?.parts.signature ?? 'x'}`];
    case 6:
      return ['jku and x5u to a stranger', `${b64({ ...header, jku: 'http://127.0.0.1:9/jwks.json', x5u: 'http://127.0.0.1:9/x' })}.${b64(admin)}.${real?.parts.signature ?? 'x'}`];
    case 7:
      return ['header that is not JSON', `${b64('{not json')}.${b64(admin)}.AAAA`];
    case 8:
      return ['header of 8 KB', `${b64({ ...header, kid: 'k'.repeat(6000) })}.${b64(admin)}.${real?.parts.signature ?? 'x'}`];
    default:
      return ['payload an array', `${b64(header)}.${b64([1, 2, 3])}.${real?.parts.signature ?? 'x'}`];
  }
}

/** Real tokens with one thing changed: the signature must no longer match. */
function tampered(ctx: MutationContext): [string, string] {
  const real = realToken(ctx);
  if (!real) return forged(ctx);
  const [h, p, s] = real.token.split('.');
  const variant = ctx.rng.int(0, 5);
  switch (variant) {
    case 0:
      return ['roles raised to admin', `${h}.${b64({ ...real.parts.payload, roles: ['admin'] })}.${s}`];
    case 1:
      return ['exp pushed a year on', `${h}.${b64({ ...real.parts.payload, exp: now() + 365 * 86400 })}.${s}`];
    case 2:
      return ['signature cut short', `${h}.${p}.${s.slice(0, 20)}`];
    case 3:
      return ['signature of another token', `${h}.${p}.${b64('x'.repeat(64))}`];
    case 4:
      return ['alg changed to none, signature kept', `${b64({ ...real.parts.header, alg: 'none' })}.${p}.${s}`];
    default:
      return ['sub changed', `${h}.${b64({ ...real.parts.payload, sub: ctx.rng.uuid() })}.${s}`];
  }
}

const MALFORMED_AUTH: readonly string[] = [
  'Bearer',
  'Bearer ',
  'Bearer x',
  'Bearer a.b.c',
  'Bearer ..',
  'Bearer a.b',
  'Bearer null',
  'Basic YWRtaW46YWRtaW4=',
  'Token abc',
  'Bearer ' + 'A'.repeat(8000),
  'Bearer ' + 'eyJ'.repeat(2000) + '.e30.x',
  'Bearer \xff\xfe\xfd',
  'Bearer %00',
  'Bearer a b c',
  'Digest username="admin"',
];

export const HEADER_MUTATIONS: Mutation[] = [
  {
    name: 'auth:none',
    applies: (op: FuzzOperation) => op.auth === 'bearer',
    apply(draft) {
      delete draft.headers.authorization;
      draft.actor = 'none';
      return 'no Authorization';
    },
  },
  {
    name: 'auth:malformed',
    applies: () => true,
    apply(draft, ctx) {
      const real = Object.values(ctx.bearer)[0];
      const options = [...MALFORMED_AUTH, ...(real ? [real.replace('Bearer ', 'bearer '), real.replace('Bearer ', ''), `${real} extra`, `${real}, ${real}`, real.replace('Bearer ', 'Bearer  ')] : [])];
      const value = ctx.rng.pick(options);
      draft.headers.authorization = value;
      draft.actor = 'malformed';
      return `Authorization: ${show(value)}`;
    },
  },
  {
    name: 'auth:forged',
    applies: () => true,
    apply(draft, ctx) {
      const [what, token] = forged(ctx);
      draft.headers.authorization = `Bearer ${token}`;
      draft.actor = 'forged';
      return what;
    },
  },
  {
    name: 'auth:tampered',
    applies: () => true,
    apply(draft, ctx) {
      const [what, token] = tampered(ctx);
      draft.headers.authorization = `Bearer ${token}`;
      draft.actor = 'tampered';
      return what;
    },
  },
  {
    name: 'header:odd',
    applies: () => true,
    apply(draft, ctx) {
      const choices: Array<[string, string]> = [
        ['x-request-id', 'x'.repeat(129)],
        ['x-request-id', '\xff\xfe'],
        ['x-request-id', '../../etc'],
        ['accept-language', '*'],
        ['accept-language', 'xx-YY;q=abc, id;q=2'],
        ['accept-language', 'en;q=0.5,'.repeat(800)],
        ['accept', 'text/csv'],
        ['accept', 'image/svg+xml'],
        ['accept', 'application/xml'],
        ['accept', '*/*;q=0'],
        ['accept', 'text/csv;q=abc, image/svg+xml;q=1e308'],
        ['accept', 'x'.repeat(8000)],
        ['idempotency-key', ''],
        ['idempotency-key', 'k'.repeat(201)],
        ['idempotency-key', '\xff\xfe'],
        ['idempotency-key', 'fuzz-fixed-key'],
        ['if-match', '"abc"'],
        ['if-match', 'W/"1"'],
        ['if-match', '*'],
        ['if-match', '"99999999999999999999"'],
        ['if-match', '"-1"'],
        ['if-match', '"1e308"'],
        ['if-match', '""'],
        ['if-match', '"1", "2"'],
        ['if-match', '\xff'],
        ['host', 'evil.example'],
        ['host', '\xff'],
        ['host', 'a'.repeat(4000)],
        ['x-forwarded-for', '1.1.1.1, \xff, ::1'],
        ['origin', 'null'],
        ['cookie', 'a='.repeat(3000)],
      ];
      const [name, value] = ctx.rng.pick(choices);
      draft.headers[name] = value;
      return `${name}: ${show(value, 30)}`;
    },
  },
  {
    name: 'method:other',
    applies: () => true,
    apply(draft, ctx) {
      const others = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'].filter((m) => m !== draft.op.method);
      draft.method = ctx.rng.pick(others);
      return draft.method;
    },
  },
];
