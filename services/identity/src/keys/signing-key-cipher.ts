import { SecretBox, UnreadableSecretError } from '@smart-regency/platform';

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
 * Encrypts private signing keys at rest (a SecretBox under SIGNING_KEY_ENCRYPTION_KEY), with the
 * key's kid as additional data so that a sealed value cannot be moved to another row.
 */
export class SigningKeyCipher {
  private readonly box: SecretBox;

  constructor(secret: string, previous?: string) {
    this.box = new SecretBox(secret, previous, 'signing-key-encryption/v1');
  }

  get fingerprint(): string {
    return this.box.fingerprint;
  }

  seal(kid: string, jwk: Record<string, unknown>): string {
    return this.box.seal(kid, JSON.stringify(jwk));
  }

  /** True when the value is sealed under the current secret (nothing to re-encrypt). */
  isCurrent(sealed: string): boolean {
    return this.box.isCurrent(sealed);
  }

  open(kid: string, sealed: string): Record<string, unknown> {
    try {
      return JSON.parse(this.box.open(kid, sealed)) as Record<string, unknown>;
    } catch (error) {
      throw new UnreadableKeyError(kid, error instanceof UnreadableSecretError ? error.fingerprint : undefined);
    }
  }
}
