import { SecretBox } from '@smart-regency/platform';
import { randomBytes } from 'crypto';
import { Webhook } from 'standardwebhooks';

/** A new Standard Webhooks secret: `whsec_` and 32 random bytes in base64. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** The secrets a delivery is signed with: the current one, and the previous one during its grace period. */
export interface SigningSecrets {
  current: string;
  previous?: string;
}

/**
 * Signs deliveries the Standard Webhooks way with the `standardwebhooks` library. During a
 * rotation's grace period the header carries a signature per secret (space-separated, as the
 * specification allows), so a receiver that still has the old secret verifies as well.
 */
export class WebhookSigner {
  private readonly cache = new Map<string, Webhook>();

  sign(secrets: SigningSecrets, id: string, at: Date, payload: string): string {
    return [secrets.current, ...(secrets.previous ? [secrets.previous] : [])].map((s) => this.webhook(s).sign(id, at, payload)).join(' ');
  }

  private webhook(secret: string): Webhook {
    let hook = this.cache.get(secret);
    if (!hook) {
      if (this.cache.size > 10_000) this.cache.clear();
      hook = new Webhook(secret);
      this.cache.set(secret, hook);
    }
    return hook;
  }
}

/** Seals and opens secrets at rest, bound to their subscription's id. */
export class SecretSealer {
  private readonly box: SecretBox;
  private readonly opened = new Map<string, string>();

  constructor(key: string, previous?: string) {
    this.box = new SecretBox(key, previous, 'webhook-secret-encryption/v1');
  }

  seal(subscriptionId: string, secret: string): string {
    return this.box.seal(subscriptionId, secret);
  }

  /** Opened once per sealed value: every delivery of a subscription needs its secret, and the signer keeps it anyway. */
  open(subscriptionId: string, sealed: string): string {
    const key = `${subscriptionId}.${sealed}`;
    let secret = this.opened.get(key);
    if (secret === undefined) {
      if (this.opened.size > 10_000) this.opened.clear();
      secret = this.box.open(subscriptionId, sealed);
      this.opened.set(key, secret);
    }
    return secret;
  }
}
