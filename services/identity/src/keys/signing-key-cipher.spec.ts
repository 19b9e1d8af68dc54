import { SigningKeyCipher, UnreadableKeyError } from './signing-key-cipher';

describe('SigningKeyCipher', () => {
  const secret = 'a-test-secret-of-at-least-32-characters-1';
  const jwk = { kty: 'OKP', crv: 'Ed25519', x: 'public-part', d: 'the-private-part-nobody-may-read', kid: 'k1' };

  it('seals so that the private part is not readable, and opens it again', () => {
    const cipher = new SigningKeyCipher(secret);
    const sealed = cipher.seal('k1', jwk);
    expect(sealed).toMatch(/^v1\.[0-9a-f]{16}\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealed).not.toContain(jwk.d);
    expect(Buffer.from(sealed.split('.')[3], 'base64url').toString('latin1')).not.toContain(jwk.d);
    expect(cipher.open('k1', sealed)).toEqual(jwk);
    // A fresh IV each time.
    expect(cipher.seal('k1', jwk)).not.toBe(sealed);
  });

  it('refuses a sealed value moved to another kid, or changed', () => {
    const cipher = new SigningKeyCipher(secret);
    const sealed = cipher.seal('k1', jwk);
    expect(() => cipher.open('k2', sealed)).toThrow(UnreadableKeyError);
    const parts = sealed.split('.');
    const body = Buffer.from(parts[3], 'base64url');
    body[0] ^= 1;
    parts[3] = body.toString('base64url');
    expect(() => cipher.open('k1', parts.join('.'))).toThrow(UnreadableKeyError);
    expect(() => cipher.open('k1', 'not sealed at all')).toThrow(UnreadableKeyError);
  });

  it('names the secret a value was sealed under when another one is configured', () => {
    const old = new SigningKeyCipher(secret);
    const sealed = old.seal('k1', jwk);
    const other = new SigningKeyCipher('another-secret-of-at-least-32-characters-2');
    expect(other.fingerprint).not.toBe(old.fingerprint);
    expect(() => other.open('k1', sealed)).toThrow(`sealed under key ${old.fingerprint}`);
  });

  it('opens with the previous secret while rotating, and seals only with the current one', () => {
    const old = new SigningKeyCipher(secret);
    const sealed = old.seal('k1', jwk);
    const rotating = new SigningKeyCipher('the-new-secret-of-at-least-32-characters-3', secret);
    expect(rotating.isCurrent(sealed)).toBe(false);
    expect(rotating.open('k1', sealed)).toEqual(jwk);
    const resealed = rotating.seal('k1', jwk);
    expect(rotating.isCurrent(resealed)).toBe(true);
    expect(() => old.open('k1', resealed)).toThrow(UnreadableKeyError);
  });
});
