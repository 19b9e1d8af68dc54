import { TestSystem } from '@smart-regency/testing';
import { Client } from 'pg';
import request from 'supertest';
import { createServer, Server } from 'http';
import type { AddressInfo } from 'net';

/**
 * What the OWASP API Top 10 suites share: an API client that keeps every answer for a last scan,
 * the refusal a caller sees, and a fingerprint of the databases that a refused request must leave
 * as it was.
 */

/** Keys that name secrets or internals: in no answer of the API, whatever the route or the caller. */
export const SECRET_KEYS = new Set([
  'password',
  'passwordHash',
  'password_hash',
  'secretHash',
  'secret_hash',
  'tokenHash',
  'token_hash',
  'nikHash',
  'nik_hash',
  'privateJwk',
  'private_jwk',
  'privateKeySealed',
  'private_key_sealed',
  'storageKey',
  'storage_key',
  'uploadedBy',
  'uploaded_by',
  'authorId',
  'author_id',
  'sessionsRevokedAt',
  'erasedAt',
  'lastLoginAt',
  'verificationCode',
  'verification_code',
  'holder_name',
  'escalatedStages',
  'overdueNotifiedAt',
  'stack',
  'driverError',
]);

/** Text that is internal wherever it shows: stack frames, hashes of secrets, database and bus names. */
const INTERNAL_TEXT: Array<[string, RegExp]> = [
  ['a full NIK', /(^|[^\w-])\d{16}([^\w-]|$)/],
  ['an argon2 hash', /\$argon2/],
  ['a PEM key', /-----BEGIN/],
  ['a stack trace', /(\\n|\n)\s+at \S+/],
  ['a source path', /node_modules|\/dist\/|\.ts:\d+/],
  ['a database error', /QueryFailedError|ECONNREFUSED|duplicate key value|violates .* constraint|relation "/],
  ['a database name', /regency_(identity|permits|complaints|reporting)/],
];
/** In error answers only: a NATS subject (`identity.user.me`) names the inside of the system. */
const SUBJECT = /\b(identity|permits|complaints|reporting)\.[a-z][A-Za-z-]*\.[a-z][A-Za-z-]*\b/;

/** The keys of a JSON value, at every depth. */
function keysOf(value: unknown, into: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => keysOf(v, into));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      into.push(k);
      keysOf(v, into);
    }
  }
  return into;
}

/** What is wrong with one answer, if anything: secret keys, internal text, or (errors) a bus subject. */
export function leaksOf(res: request.Response): string[] {
  const type = String(res.headers['content-type'] ?? '');
  if (!/json|xml|text|csv|svg/.test(type)) return [];
  const text = res.text ?? '';
  const found: string[] = [];
  if (/json/.test(type) && res.body && typeof res.body === 'object') {
    for (const key of keysOf(res.body)) if (SECRET_KEYS.has(key)) found.push(`key ${key}`);
  }
  for (const [what, pattern] of INTERNAL_TEXT) if (pattern.test(text)) found.push(what);
  if (res.status >= 400 && SUBJECT.test(text)) found.push(`a NATS subject (${SUBJECT.exec(text)![0]})`);
  return found;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'trace'] as const;

/** Every answer the suite saw, with what it asked. */
export interface Seen {
  what: string;
  res: request.Response;
}

/** A supertest client that records every answer in `seen`, for a scan at the end of a suite. */
export function recording(url: string, seen: Seen[]): ReturnType<typeof request> {
  const api = request(url);
  return new Proxy(api, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof prop !== 'string' || !(METHODS as readonly string[]).includes(prop)) return value;
      return (path: string) => {
        const test = (value as (path: string) => request.Test).call(target, path);
        test.on('response', (res: request.Response) => seen.push({ what: `${prop.toUpperCase()} ${path}`, res }));
        return test;
      };
    },
  });
}

/** The answers in `seen` that leak something, as readable lines (empty when none does). The API documents are not answers about anyone. */
export function leaks(seen: Seen[]): string[] {
  return seen.filter(({ what }) => !/ \/docs\b/.test(what)).flatMap(({ what, res }) => leaksOf(res).map((leak) => `${what} → ${res.status}: ${leak}`));
}

/** The refusal a caller notices: the status, problem+json, and the code when given. */
export function expectRefused(res: request.Response, status: number, code?: string): void {
  const seen = { status: res.status, type: res.headers['content-type'], ...(code ? { code: res.body?.code } : {}) };
  expect(seen).toEqual({ status, type: expect.stringMatching(/^application\/problem\+json/), ...(code ? { code } : {}) });
}

/** A problem without the part that differs on every request. */
export const sansRequestId = (body: Record<string, unknown>) => ({ ...body, requestId: undefined });

/**
 * Each service database, and a fingerprint of the records a refused request must leave alone:
 * the row count and a hash of every row of the business tables and of the outbox (no event either).
 */
export class Databases {
  private readonly clients = new Map<string, Client>();

  static readonly TABLES: Record<string, string[]> = {
    identity: ['users', 'agencies', 'service_accounts', 'holidays', 'outbox'],
    permits: ['applications', 'application_history', 'application_documents', 'permit_types', 'outbox'],
    complaints: ['complaints', 'complaint_history', 'complaint_comments', 'complaint_attachments', 'complaint_categories', 'outbox'],
  };

  async open(system: TestSystem): Promise<void> {
    for (const service of Object.keys(Databases.TABLES)) {
      const client = new Client({ connectionString: system.process(service as 'identity').env.DATABASE_URL });
      await client.connect();
      this.clients.set(service, client);
    }
  }

  query(service: 'identity' | 'permits' | 'complaints', sql: string, params: unknown[] = []) {
    return this.clients.get(service)!.query(sql, params);
  }

  /** `service.table` → `count:md5` of every row. */
  async fingerprint(): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const [service, tables] of Object.entries(Databases.TABLES)) {
      for (const table of tables) {
        // The outbox by event (the relay marks rows sent meanwhile); every other table by whole rows.
        const row = table === 'outbox' ? `(t.id, t.type, t.record_id, t.event)::text` : 't::text';
        const { rows } = await this.clients.get(service)!.query(`SELECT count(*)::int AS n, md5(coalesce(string_agg(${row}, '|' ORDER BY ${row}), '')) AS h FROM ${table} t`);
        out[`${service}.${table}`] = `${rows[0].n}:${rows[0].h}`;
      }
    }
    return out;
  }

  async close(): Promise<void> {
    await Promise.all([...this.clients.values()].map((c) => c.end()));
  }
}

/** A server that records any request it gets: nothing a caller sends may make the system call it. */
export class Canary {
  readonly hits: string[] = [];
  private readonly server: Server = createServer((req, res) => {
    this.hits.push(`${req.method} ${req.url}`);
    res.end('{}');
  });
  url = '';

  async open(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
