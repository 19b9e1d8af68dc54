import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'crypto';

const FORMAT = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

interface BoxKey {
  /** Names the secret in each sealed value without revealing it, so a wrong secret is told from a tampered value. */
  fingerprint: string;
  key: Buffer;
}

function derive(secret: string, purpose: string): BoxKey {
  // HKDF turns any long secret (a passphrase or `openssl rand -base64 48`) into the 32 bytes AES-256 needs.
  const key = Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), 'smart-regency', purpose, 32));
  return { fingerprint: createHmac('sha256', key).update('fingerprint').digest('hex').slice(0, 16), key };
}

/** A sealed value names a secret that is not configured, or does not decrypt under it. */
export class UnreadableSecretError extends Error {
  constructor(readonly fingerprint: string | undefined) {
    super(`a sealed value cannot be decrypted${fingerprint ? ` (it was sealed under key ${fingerprint})` : ''}`);
    this.name = 'UnreadableSecretError';
  }
}

/**
 * Encrypts secrets at rest: AES-256-GCM under a key derived (HKDF-SHA256, `purpose` as info) from
 * a configured secret, with `aad` (the row's id) bound in so that a sealed value cannot be moved to
 * another row. Stored as `v1.<fingerprint>.<iv>.<ciphertext>.<tag>` (base64url). The previous
 * secret, while rotating, only opens.
 */
export class SecretBox {
  private readonly current: BoxKey;
  private readonly readable: BoxKey[];

  constructor(secret: string, previous: string | undefined, purpose: string) {
    this.current = derive(secret, purpose);
    this.readable = [this.current, ...(previous ? [derive(previous, purpose)] : [])];
  }

  get fingerprint(): string {
    return this.current.fingerprint;
  }

  seal(aad: string, plain: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [FORMAT, this.current.fingerprint, iv, body, cipher.getAuthTag()].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
  }

  /** True when the value is sealed under the current secret (nothing to re-encrypt). */
  isCurrent(sealed: string): boolean {
    return sealed.startsWith(`${FORMAT}.${this.current.fingerprint}.`);
  }

  open(aad: string, sealed: string): string {
    const [format, fingerprint, iv, body, tag, ...rest] = sealed.split('.');
    const key = this.readable.find((k) => k.fingerprint === fingerprint);
    if (format !== FORMAT || rest.length || !key || !iv || !body || !tag) throw new UnreadableSecretError(format === FORMAT ? fingerprint : undefined);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key.key, Buffer.from(iv, 'base64url'), { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(aad, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new UnreadableSecretError(fingerprint);
    }
  }
}
