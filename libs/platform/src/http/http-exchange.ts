/** A failure as the HTTP adapters report it: the reason names the other side and a status or error code, never a citizen's address or text. */
export interface HttpFailure {
  ok: false;
  permanent: boolean;
  reason: string;
  retryAfterMs?: number;
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  /** At most the configured number of bytes of the body. */
  body: string;
  /** False when the body was cut at the limit or broke off. */
  complete: boolean;
}

export interface ExchangeOptions {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  maxResponseBytes: number;
}

/**
 * One request under one deadline for the whole exchange (connect, headers, body). Redirects are not
 * followed: they would carry the bearer token to wherever the provider points. Never throws.
 */
export async function exchange(url: string, options: ExchangeOptions, who: string): Promise<{ ok: true; answer: HttpAnswer } | HttpFailure> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs);
  try {
    const res = await fetch(url, { method: options.method, headers: options.headers, body: options.body, signal: controller.signal, redirect: 'manual' });
    const { text, complete } = await readBounded(res, options.maxResponseBytes);
    return { ok: true, answer: { status: res.status, headers: res.headers, body: text, complete } };
  } catch (error) {
    if (controller.signal.aborted) return { ok: false, permanent: false, reason: `${who}: no answer within ${options.timeoutMs} ms` };
    return { ok: false, permanent: false, reason: `${who}: request failed (${errorCode(error)})` };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The outcome of a non-2xx answer. 408, 425, 429 and 5xx are worth another try, and so is a 3xx
 * (a provider moving its endpoint); any other 4xx is refused for good.
 */
export function failureOf(answer: HttpAnswer, who: string): HttpFailure {
  const { status } = answer;
  const retryable = status === 408 || status === 425 || status === 429 || status >= 500 || (status >= 300 && status < 400);
  // Only a code-like token of the answer: its free text may quote the number or the message back.
  const code = errorCodeIn(answer.body);
  const reason = `${who} answered ${status}${status >= 300 && status < 400 ? ' (redirect not followed)' : ''}${code ? ` (${code})` : ''}`;
  if (!retryable) return { ok: false, permanent: true, reason };
  const retryAfterMs = parseRetryAfter(answer.headers.get('retry-after'));
  return retryAfterMs === undefined ? { ok: false, permanent: false, reason } : { ok: false, permanent: false, reason, retryAfterMs };
}

/** Retry-After as milliseconds from `now`: delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) {
    const seconds = Number(trimmed);
    return Number.isSafeInteger(seconds * 1000) ? seconds * 1000 : undefined;
  }
  // Dates name their month in letters; Date.parse would take '-5' for a year.
  const at = /[A-Za-z]{3}/.test(trimmed) ? Date.parse(trimmed) : NaN;
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The JSON object in a body, or undefined for anything else (a cut-off body included). */
export function jsonObject(body: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A value fit for a header such as Idempotency-Key: visible ASCII, bounded. */
export const isHeaderToken = (value: string) => /^[\x21-\x7e]{1,200}$/.test(value);

async function readBounded(res: Response, max: number): Promise<{ text: string; complete: boolean }> {
  if (!res.body) return { text: '', complete: true };
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const text = () => Buffer.concat(chunks).toString('utf8');
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { text: text(), complete: true };
      if (size + value.length > max) {
        chunks.push(value.subarray(0, max - size));
        // Cancelling drops the connection: the rest of the body is never buffered.
        reader.cancel().catch(() => undefined);
        return { text: text(), complete: false };
      }
      chunks.push(value);
      size += value.length;
    }
  } catch {
    // The status already arrived and decides the outcome; a body that broke off only loses its details.
    return { text: text(), complete: false };
  }
}

function errorCode(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } })?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : (error as { code?: unknown })?.code;
  return typeof code === 'string' && /^[A-Z0-9_]{1,40}$/.test(code) ? code : 'network error';
}

function errorCodeIn(body: string): string | undefined {
  const json = jsonObject(body);
  const code = json?.code ?? json?.error;
  return typeof code === 'string' && /^(?=.*[A-Za-z])[A-Za-z0-9_.-]{1,40}$/.test(code) ? code : undefined;
}
