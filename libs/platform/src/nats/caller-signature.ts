import { ACTOR_HEADER, CALLER_SIGNATURE_HEADER, CLIENT_IP_HEADER, IDEMPOTENCY_KEY_HEADER, REQUEST_ID_HEADER } from '@smart-regency/contracts';
import { createHmac, timingSafeEqual } from 'crypto';
import type { MsgHdrs } from 'nats';

/** The headers a service acts on for who is calling; the signature covers all of them. */
export const SIGNED_HEADERS = [REQUEST_ID_HEADER, ACTOR_HEADER, CLIENT_IP_HEADER, IDEMPOTENCY_KEY_HEADER] as const;

/**
 * How far a signature's time may be from the verifier's clock: the gateway waits at most a minute
 * for a service, and hosts keep their clocks within seconds of each other.
 */
export const CALLER_SIGNATURE_MAX_AGE_MS = 90_000;

/** Used where no key is configured: fine on a developer's machine, refused in production. */
export const DEVELOPMENT_ACTOR_SIGNING_KEY = 'development-only-actor-signing-key-0123456789';

// HMAC rather than a signature with a key pair: verifying an Ed25519 signature costs ~97 µs per
// request here against ~4 µs (bench in docs/auth.md), and who may publish a request at all is
// already limited by each process's NATS permissions, so a service holding the key can mint
// callers only on the few subjects its own NATS user may publish to.
function mac(key: string, subject: string, issuedAt: number, values: Array<string | undefined>): Buffer {
  return createHmac('sha256', key)
    .update(JSON.stringify(['v1', subject, issuedAt, ...values.map((v) => v ?? null)]))
    .digest();
}

const valuesOf = (headers: MsgHdrs | undefined) => SIGNED_HEADERS.map((name) => headers?.get(name) || undefined);

/** Signs the caller headers of a request to `subject` (the subject without the install's prefix). */
export class CallerSigner {
  constructor(private readonly key: string) {}

  sign(subject: string, headers: MsgHdrs, now = Date.now()): void {
    headers.set(CALLER_SIGNATURE_HEADER, `v1.${now}.${mac(this.key, subject, now, valuesOf(headers)).toString('base64url')}`);
  }
}

export type CallerCheck = { ok: true } | { ok: false; reason: string };

/** Checks a request's caller headers against the signature, with the current key or the previous one. */
export class CallerVerifier {
  private readonly keys: string[];

  constructor(keys: Array<string | undefined>) {
    this.keys = keys.filter((k): k is string => !!k);
    if (this.keys.length === 0) throw new Error('CallerVerifier needs a key');
  }

  /** Whether the request carries any header that needs a signature. */
  static claimsCaller(headers: MsgHdrs | undefined): boolean {
    return !!headers && (!!headers.get(ACTOR_HEADER) || !!headers.get(CLIENT_IP_HEADER) || !!headers.get(IDEMPOTENCY_KEY_HEADER) || !!headers.get(CALLER_SIGNATURE_HEADER));
  }

  verify(subject: string, headers: MsgHdrs | undefined, now = Date.now()): CallerCheck {
    const signature = headers?.get(CALLER_SIGNATURE_HEADER);
    const match = signature ? /^v1\.(\d{1,16})\.([A-Za-z0-9_-]{43})$/.exec(signature) : null;
    if (!match) return { ok: false, reason: 'caller headers without a valid signature' };
    const issuedAt = Number(match[1]);
    if (Math.abs(now - issuedAt) > CALLER_SIGNATURE_MAX_AGE_MS) return { ok: false, reason: 'caller signature expired or from the future' };
    const given = Buffer.from(match[2], 'base64url');
    const values = valuesOf(headers);
    for (const key of this.keys) {
      if (timingSafeEqual(given, mac(key, subject, issuedAt, values))) return { ok: true };
    }
    return { ok: false, reason: 'caller signature does not match' };
  }
}
