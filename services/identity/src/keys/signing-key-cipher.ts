import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'crypto';

const FORMAT = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

interface CipherKey {
  /** Names the secret in each sealed value without revealing it, so a wrong secret is told from a tampered value. */
  fingerprint: string;
  key: Buffer;
}

function derive(secret: string): CipherKey {
  // HKDF turns any long secret (a passphrase or `openssl rand -base64 48`) into the 32 bytes AES-256 needs.
  const key = Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), 'smart-regency', 'signing-key-encryption/v1', 32));
  return { fingerprint: createHmac('sha256', key).update('fingerprint').digest('hex').slice(0, 16), key };
}

/** A sealed value names a secret that is not configured, or does not decrypt under it. */
export class UnreadableKeyError extends Error {
  constructor(
    readonly kid: string,
    readonly fingerprint: string | undefined,
  ) {
    super(`signing key ${kid} cannot be decrypted with SIGNING_KEY_ENCRYPTION_KEY${fingerprint ? ` (it was sealed under key ${fingerprint})` : ''}`);
    this.name = 'UnreadableKeyError';
  }
}

/**
 * Encrypts private signing keys at rest: AES-256-GCM under a key derived (HKDF-SHA256) from
 * SIGNING_KEY_ENCRYPTION_KEY, with the key's kid as additional data so that a sealed value cannot be
 * moved to another row. Stored as `v1.<fingerprint>.<iv>.<ciphertext>.<tag>` (base64url).
 * The previous secret, while rotating, only opens.
 */
export class SigningKeyCipher {
  private readonly current: CipherKey;
  private readonly readable: CipherKey[];

  constructor(secret: string, previous?: string) {
    this.current = derive(secret);
    this.readable = [this.current, ...(previous ? [derive(previous)] : [])];
  }

  get fingerprint(): string {
    return this.current.fingerprint;
  }

  seal(kid: string, jwk: Record<string, unknown>): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(kid, 'utf8'));
    const body = Buffer.concat([cipher.update(JSON.stringify(jwk), 'utf8'), cipher.final()]);
    return [FORMAT, this.current.fingerprint, iv, body, cipher.getAuthTag()].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
  }

  /** True when the value is sealed under the current secret (nothing to re-encrypt). */
  isCurrent(sealed: string): boolean {
    return sealed.startsWith(`${FORMAT}.${this.current.fingerprint}.`);
  }

  open(kid: string, sealed: string): Record<string, unknown> {
    const [format, fingerprint, iv, body, tag, ...rest] = sealed.split('.');
    const key = this.readable.find((k) => k.fingerprint === fingerprint);
    if (format !== FORMAT || rest.length || !key || !iv || !body || !tag) throw new UnreadableKeyError(kid, format === FORMAT ? fingerprint : undefined);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key.key, Buffer.from(iv, 'base64url'), { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(kid, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      const plain = Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]);
      return JSON.parse(plain.toString('utf8')) as Record<string, unknown>;
    } catch {
      throw new UnreadableKeyError(kid, fingerprint);
    }
  }
}
