import { TEST_JPEG, TEST_PDF, TEST_PNG } from '../files';
import { FuzzOperation, poolKey } from './operations';
import { validValue, ValueContext } from './values';

export type BodyKind = 'json' | 'form' | 'file';

/** A request being built: valid-ish first, then changed by one mutation, then put on the wire. */
export interface DraftRequest {
  op: FuzzOperation;
  method: string;
  /** Path parameter values as text; percent-encoded byte by byte on the wire. */
  pathParams: Record<string, string>;
  /** Path parameter text sent exactly as given (bad escapes, raw bytes): wins over pathParams. */
  rawPathParams: Record<string, string>;
  /** Query pairs as text; percent-encoded on the wire. */
  query: Array<[string, string]>;
  /** Query text appended exactly as given. */
  rawQuery?: string;
  /** Header values as latin1 text (bytes ≥ 0x80 go out as they are). */
  headers: Record<string, string>;
  /** The body as a value, encoded as `contentType` says; undefined: no body. */
  body?: unknown;
  /** Raw JSON text that replaces a placeholder string in the encoded body (see splice()). */
  splices: Map<string, string>;
  /** The body as bytes, sent as is: wins over `body`. */
  rawBody?: Buffer;
  /** Content-Type header; undefined: none. */
  contentType?: string;
  /** Whose token is in Authorization (`admin`, `citizen`, … or `none`). */
  actor: string;
}

/** What goes out on the socket. */
export interface WireRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

export function bodyKind(op: FuzzOperation): BodyKind | undefined {
  const first = op.body?.contentTypes[0];
  if (!first) return undefined;
  if (first.includes('json')) return 'json';
  if (first === 'application/x-www-form-urlencoded') return 'form';
  return 'file';
}

/** Real tokens and keys of the system under test, by actor name, and its ids and codes. */
export interface Credentials {
  /** `Bearer …` per actor name (admin, officer, citizen, …). */
  bearer: Record<string, string>;
  /** Per operation id, the actors its valid request does not refuse with 401 or 403 (see probeActors). */
  allowed?: Record<string, string[]>;
}

const FILES: Array<[string, Buffer]> = [
  ['application/pdf', TEST_PDF],
  ['image/png', TEST_PNG],
  ['image/jpeg', TEST_JPEG],
];

/** A request as a careful client of `op` would send it, signed in as someone allowed (or not). */
export function validDraft(op: FuzzOperation, ctx: ValueContext, credentials: Credentials): DraftRequest {
  const { rng } = ctx;
  const draft: DraftRequest = { op, method: op.method, pathParams: {}, rawPathParams: {}, query: [], headers: {}, splices: new Map(), actor: 'none' };
  for (const param of op.params) {
    if (param.in === 'path') {
      const pool = ctx.pools[poolKey(op.path, param.name)];
      draft.pathParams[param.name] = pool?.length && rng.chance(0.85) ? rng.pick(pool) : String(validValue(param.schema, ctx, param.name));
    } else if (param.in === 'query') {
      if (!param.required && !rng.chance(0.5)) continue;
      const value = validValue(param.schema, ctx, param.name);
      for (const v of Array.isArray(value) ? value : [value]) draft.query.push([param.name, String(v)]);
    } else if (rng.chance(0.4)) {
      const name = param.name.toLowerCase();
      if (name === 'idempotency-key') draft.headers['idempotency-key'] = `fuzz-${rng.hex(16)}`;
      else if (name === 'if-match') draft.headers['if-match'] = `"${rng.int(1, 5)}"`;
      else if (name === 'accept') draft.headers.accept = rng.pick(['application/json', 'text/csv', 'image/svg+xml']);
    }
  }
  const kind = bodyKind(op);
  if (kind === 'file') {
    const [type, bytes] = rng.pick(FILES);
    draft.rawBody = bytes;
    draft.contentType = type;
  } else if (kind) {
    draft.body = validValue(op.body!.schema, ctx);
    draft.contentType = kind === 'json' ? 'application/json' : 'application/x-www-form-urlencoded';
  }
  const actors = Object.keys(credentials.bearer);
  const allowed = credentials.allowed?.[op.id];
  // Mostly someone the route lets in, so the mutation reaches the service; sometimes anyone.
  const p = rng.next();
  if (op.auth === 'bearer') draft.actor = !actors.length ? 'none' : p < 0.8 && allowed?.length ? rng.pick(allowed) : p < 0.95 ? rng.pick(actors) : 'none';
  else draft.actor = p < 0.15 && actors.length ? rng.pick(actors) : 'none';
  if (draft.actor !== 'none') draft.headers.authorization = credentials.bearer[draft.actor];
  return draft;
}

/** Puts raw JSON text where a value goes: returns the placeholder to store there. */
export function splice(draft: DraftRequest, json: string): string {
  const token = `__fuzz_splice_${draft.splices.size}__`;
  draft.splices.set(token, json);
  return token;
}

/** UTF-8 as percent escapes, lone surrogates included (as the 3-byte sequences WTF-8 gives them). */
export function percentEncode(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x2d || c === 0x2e || c === 0x5f || c === 0x7e) {
      out += text[i];
      continue;
    }
    let cp = c;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      }
    }
    const bytes =
      cp < 0x80
        ? [cp]
        : cp < 0x800
          ? [0xc0 | (cp >> 6), 0x80 | (cp & 63)]
          : cp < 0x10000
            ? [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63)]
            : [0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63)];
    for (const b of bytes) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function encodeBody(draft: DraftRequest): Buffer | undefined {
  if (draft.rawBody) return draft.rawBody;
  if (draft.body === undefined) return undefined;
  let text: string;
  if (bodyKind(draft.op) === 'form' && draft.body && typeof draft.body === 'object' && !Array.isArray(draft.body)) {
    text = Object.entries(draft.body as Record<string, unknown>)
      .map(([k, v]) => `${percentEncode(k)}=${percentEncode(typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v)))}`)
      .join('&');
    for (const [token, json] of draft.splices) text = text.split(percentEncode(token)).join(percentEncode(json));
  } else {
    text = JSON.stringify(draft.body) ?? '';
    for (const [token, json] of draft.splices) text = text.split(`"${token}"`).join(json);
  }
  return Buffer.from(text, 'utf8');
}

/**
 * Node refuses header values with control characters or beyond latin1: latin1 text goes out byte
 * for byte, wider text as its UTF-8 bytes, and control characters are dropped.
 */
const headerSafe = (value: string) =>
  (/[^\x00-\xff]/.test(value) ? Buffer.from(value, 'utf8').toString('latin1') : value).replace(/[^\t\x20-\x7e\x80-\xff]/g, '');

export function toWire(draft: DraftRequest): WireRequest {
  const path = draft.op.path.replace(/\{([^}]+)\}/g, (_, name: string) => draft.rawPathParams[name] ?? percentEncode(draft.pathParams[name] ?? ''));
  const pairs = draft.query.map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`);
  if (draft.rawQuery !== undefined) pairs.push(draft.rawQuery);
  const body = encodeBody(draft);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(draft.headers)) headers[name] = headerSafe(value);
  if (draft.contentType !== undefined) headers['content-type'] = headerSafe(draft.contentType);
  return { method: draft.method, path: pairs.length ? `${path}?${pairs.join('&')}` : path, headers, ...(body ? { body } : {}) };
}
