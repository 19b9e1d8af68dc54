import { ACTOR_HEADER, CALLER_SIGNATURE_HEADER, CLIENT_IP_HEADER, IDEMPOTENCY_KEY_HEADER, REQUEST_ID_HEADER } from '@smart-regency/contracts';
import { headers, MsgHdrs } from 'nats';
import { CALLER_SIGNATURE_MAX_AGE_MS, CallerSigner, CallerVerifier } from './caller-signature';

const KEY = 'the-install-s-actor-signing-key-0123456789';
const OLD = 'the-key-before-the-last-rotation-0123456789';
const SUBJECT = 'identity.user.list';

function signed(key = KEY, at = Date.now()): MsgHdrs {
  const h = headers();
  h.set(REQUEST_ID_HEADER, 'req-1');
  h.set(ACTOR_HEADER, JSON.stringify({ id: 'u1', roles: ['citizen'] }));
  h.set(CLIENT_IP_HEADER, '10.0.0.7');
  h.set(IDEMPOTENCY_KEY_HEADER, 'k-1');
  new CallerSigner(key).sign(SUBJECT, h, at);
  return h;
}

describe('caller signatures', () => {
  const verifier = new CallerVerifier([KEY, OLD]);

  it('accepts what the gateway signed, with the current or the previous key', () => {
    expect(verifier.verify(SUBJECT, signed())).toEqual({ ok: true });
    expect(verifier.verify(SUBJECT, signed(OLD))).toEqual({ ok: true });
  });

  it('refuses any change to the caller, the address, the key, the request id or the subject', () => {
    for (const [name, value] of [
      [ACTOR_HEADER, JSON.stringify({ id: 'u1', roles: ['admin'] })],
      [CLIENT_IP_HEADER, '10.0.0.8'],
      [IDEMPOTENCY_KEY_HEADER, 'k-2'],
      [REQUEST_ID_HEADER, 'req-2'],
    ]) {
      const h = signed();
      h.set(name, value);
      expect(verifier.verify(SUBJECT, h)).toMatchObject({ ok: false, reason: 'caller signature does not match' });
    }
    expect(verifier.verify('identity.user.update', signed())).toMatchObject({ ok: false });
    expect(verifier.verify(SUBJECT, signed('somebody-else-s-key-000000000000000'))).toMatchObject({ ok: false });
  });

  it('refuses a missing, malformed, stale or future signature', () => {
    const bare = headers();
    bare.set(ACTOR_HEADER, JSON.stringify({ id: 'u1', roles: ['admin'] }));
    expect(CallerVerifier.claimsCaller(bare)).toBe(true);
    expect(verifier.verify(SUBJECT, bare)).toMatchObject({ ok: false, reason: 'caller headers without a valid signature' });
    const garbled = signed();
    garbled.set(CALLER_SIGNATURE_HEADER, 'v1.abc.def');
    expect(verifier.verify(SUBJECT, garbled)).toMatchObject({ ok: false });
    expect(verifier.verify(SUBJECT, signed(KEY, Date.now() - CALLER_SIGNATURE_MAX_AGE_MS - 1000))).toMatchObject({ ok: false, reason: 'caller signature expired or from the future' });
    expect(verifier.verify(SUBJECT, signed(KEY, Date.now() + CALLER_SIGNATURE_MAX_AGE_MS + 1000))).toMatchObject({ ok: false });
  });

  it('sees no caller in a request that names none', () => {
    const h = headers();
    h.set(REQUEST_ID_HEADER, 'req-1');
    expect(CallerVerifier.claimsCaller(h)).toBe(false);
    expect(CallerVerifier.claimsCaller(undefined)).toBe(false);
  });
});
