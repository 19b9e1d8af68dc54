import { Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DomainError } from '@smart-regency/platform';
import { createHmac } from 'crypto';
import { DataSource } from 'typeorm';
import { IdentityConfig } from '../config';

export interface ThrottlePolicy {
  /** Failures (or attempts) allowed before the key has to wait. */
  limit: number;
  /** The first wait; each further failure doubles it, up to maxDelaySeconds. */
  firstDelaySeconds: number;
  maxDelaySeconds: number;
  /** Failures are forgotten once none has come for this long (at most a day: older rows are swept). */
  forgetAfterSeconds: number;
}

/** What a throttle counts: the kind names the policy, the parts who (an account, an address). */
export type ThrottleKind = 'login-identifier' | 'login-address' | 'register' | 'password' | 'client';

export interface ThrottleKey {
  kind: ThrottleKind;
  /** `<kind>:<HMAC of the parts>`. */
  id: string;
}

const HOUR = 3600;
const DAY = 24 * HOUR;

/** The policies of docs/auth.md, from the configuration. */
export function throttlePolicies(config: IdentityConfig): Record<ThrottleKind, ThrottlePolicy> {
  const wait = { firstDelaySeconds: 30, maxDelaySeconds: config.LOGIN_LOCKOUT_MINUTES * 60 };
  return {
    // Wrong passwords for one identifier (known or not) from one address.
    'login-identifier': { limit: config.LOGIN_MAX_FAILURES, ...wait, forgetAfterSeconds: DAY },
    // Wrong passwords from one address, whatever the account: spraying one password over many.
    'login-address': { limit: config.LOGIN_MAX_FAILURES_PER_ADDRESS, ...wait, forgetAfterSeconds: HOUR },
    // Every registration attempt counts: each 409 tells whether a NIK, email or phone is registered.
    register: { limit: config.REGISTRATIONS_PER_ADDRESS_PER_HOUR, firstDelaySeconds: HOUR, maxDelaySeconds: HOUR, forgetAfterSeconds: HOUR },
    // Wrong current passwords of a signed-in user (POST /me/password, DELETE /me).
    password: { limit: config.LOGIN_MAX_FAILURES, ...wait, forgetAfterSeconds: DAY },
    // Wrong Open311 api_keys and OAuth client secrets from one address.
    client: { limit: config.CLIENT_MAX_FAILURES_PER_ADDRESS, ...wait, forgetAfterSeconds: HOUR },
  };
}


const SWEEP_EVERY_MS = 10 * 60_000;

/**
 * Failure counters with exponential waits, kept in identity's database so that every replica sees
 * the same counts (docs/auth.md, "Throttling"). A key that has to wait is refused before any
 * password is checked, so a refused attempt tells nothing; nothing ever locks an account for
 * everyone: keys are an address, or an account together with an address.
 *
 * The gateway names every caller's address (`x-client-ip`); a call without one did not come
 * through it (a test, an internal caller) and is not throttled by address.
 */
@Injectable()
export class ThrottleService implements OnModuleInit, OnApplicationShutdown {
  private sweeper?: NodeJS.Timeout;
  private readonly policies: Record<ThrottleKind, ThrottlePolicy>;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: IdentityConfig,
  ) {
    this.policies = throttlePolicies(config);
  }

  onModuleInit(): void {
    this.sweeper = setInterval(() => void this.sweep().catch(() => undefined), SWEEP_EVERY_MS);
    this.sweeper.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.sweeper);
  }

  /** The row's key: an HMAC, so the table holds no client address, identifier or account id. */
  key(kind: ThrottleKind, ...parts: string[]): ThrottleKey {
    const mac = createHmac('sha256', this.config.NIK_HASH_KEY).update(`throttle\0${kind}\0${parts.join('\0')}`).digest('base64url');
    return { kind, id: `${kind}:${mac}` };
  }

  /** Refuses (429 with Retry-After) when any of the keys has to wait. */
  async check(...keys: ThrottleKey[]): Promise<void> {
    if (!keys.length) return;
    const [row] = await this.db.query(
      `SELECT ceil(extract(epoch FROM max(blocked_until) - now()))::int AS wait FROM auth_throttles WHERE key = ANY($1) AND blocked_until > now()`,
      [keys.map((k) => k.id)],
    );
    if (row?.wait > 0) throw new DomainError('IDENTITY.TOO_MANY_ATTEMPTS', `too many attempts; try again in ${row.wait} s`, undefined, row.wait);
  }

  /**
   * Counts one failure (for `register`, one attempt) on each key, atomically across replicas.
   * From the `limit`-th on, the key waits firstDelay × 2^(failures − limit) seconds, at most maxDelay.
   */
  async count(...keys: ThrottleKey[]): Promise<void> {
    for (const key of keys) await this.countOne(key.id, this.policies[key.kind]);
  }

  private async countOne(key: string, policy: ThrottlePolicy): Promise<void> {
    const forgotten = `t.last_at < now() - make_interval(secs => $4::float8)`;
    const failures = `CASE WHEN ${forgotten} THEN 1 ELSE t.failures + 1 END`;
    const until = (n: string) => `CASE WHEN ${n} >= $2::int THEN now() + make_interval(secs => least($5::float8, $3::float8 * power(2, least(${n} - $2::int, 30)))) END`;
    await this.db.query(
      `INSERT INTO auth_throttles AS t (key, failures, last_at, blocked_until) VALUES ($1, 1, now(), ${until('1')})
       ON CONFLICT (key) DO UPDATE SET failures = ${failures}, last_at = now(), blocked_until = ${until(failures)}`,
      [key, policy.limit, policy.firstDelaySeconds, policy.forgetAfterSeconds, policy.maxDelaySeconds],
    );
  }

  /** Forgets a key's failures (the owner proved the password from there). */
  async clear(key: ThrottleKey | undefined): Promise<void> {
    if (!key) return;
    await this.db.query(`DELETE FROM auth_throttles WHERE key = $1`, [key.id]);
  }

  /** Rows no policy remembers any more. */
  async sweep(): Promise<void> {
    await this.db.query(`DELETE FROM auth_throttles WHERE last_at < now() - interval '1 day' AND (blocked_until IS NULL OR blocked_until < now())`);
  }
}
