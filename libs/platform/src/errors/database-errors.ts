import { DomainError } from './domain-error';

/** Seconds a client is told to wait when the database is unreachable (Retry-After). */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

const UNREACHABLE_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH']);
const UNREACHABLE_MESSAGE = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended|the database system is (starting up|shutting down|in recovery mode)|Query runner already released|Client was closed and is not queryable/i;

function sqlState(error: unknown): string | undefined {
  const e = error as { code?: unknown; driverError?: { code?: unknown } };
  const code = e?.driverError?.code ?? e?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * What a failure of PostgreSQL means to the caller, when it means something: the server is away
 * (connection errors, SQLSTATE classes 08 and 57P, too many connections) is a 503 with Retry-After,
 * never a 500, and so is a deadlock or serialization failure PostgreSQL broke (40P01, 40001); a value the database refuses (class 22, data exception: a NUL byte, a number or date
 * out of range) or a missing NOT NULL value is the caller's 400; a unique or foreign key violation
 * that validation did not foresee is a 409. Anything else stays an internal error. Class 22 and
 * 23 answers are a safety net: validation should have refused the input first, so the filter still
 * logs them.
 */
export function databaseErrorToDomain(error: unknown): DomainError | null {
  const state = sqlState(error);
  const message = (error as Error)?.message ?? '';
  if (state && (UNREACHABLE_ERRNO.has(state) || /^08/.test(state) || /^57P0[1-3]$/.test(state) || state === '53300')) {
    return new DomainError('COMMON.SERVICE_UNAVAILABLE', 'the database is not reachable; try again shortly', undefined, DATABASE_RETRY_AFTER_SECONDS);
  }
  if ((error as Error)?.name === 'QueryRunnerAlreadyReleasedError' || UNREACHABLE_MESSAGE.test(message)) {
    return new DomainError('COMMON.SERVICE_UNAVAILABLE', 'the database is not reachable; try again shortly', undefined, DATABASE_RETRY_AFTER_SECONDS);
  }
  // Two writes that met (a deadlock PostgreSQL broke, a serialization failure): nothing was
  // written, and the same request a moment later succeeds. A 503 to retry, not a 500.
  if (state === '40P01' || state === '40001') {
    return new DomainError('COMMON.SERVICE_UNAVAILABLE', 'the request met another change at the same moment; try again', undefined, 1);
  }
  if (!state || !(error as { driverError?: unknown }).driverError) return null;
  if (state.startsWith('22')) return new DomainError('COMMON.VALIDATION', 'a value in the request cannot be stored (out of range or malformed)');
  if (state === '23502') return new DomainError('COMMON.VALIDATION', 'a required value is missing');
  if (state === '23505' || state === '23503') return new DomainError('COMMON.CONFLICT', 'the request conflicts with a record that exists (or no longer exists)');
  return null;
}

/** Whether a database error means "not reachable" (the caller gets 503). */
export function isDatabaseUnavailable(error: unknown): boolean {
  return databaseErrorToDomain(error)?.code === 'COMMON.SERVICE_UNAVAILABLE';
}
