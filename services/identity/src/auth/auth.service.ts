import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { LoginRequest, Role, TokenResponse } from '@smart-regency/contracts';
import { DomainError } from '@smart-regency/platform';
import { createHash, randomBytes, randomUUID } from 'crypto';
import { DataSource, EntityManager } from 'typeorm';
import { IdentityConfig } from '../config';
import { KeysService } from '../keys/keys.service';
import { checkNik } from '../nik/nik';
import { ThrottleService } from '../throttling/throttle.service';
import { normalizeEmail, normalizePhone } from '../users/contact';
import { hashPassword, verifyPassword } from '../users/passwords';
import { User } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { LoginEvent, RefreshToken } from './refresh-token.entity';

const DAY_MS = 24 * 3600 * 1000;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
// Two-key advisory locks: one session (refresh-token family) at a time, apart from the one-key locks.
// identity_refresh and identity_logout (migration RefreshInOneCall1767900000000) take the same lock.
const SESSION_LOCK_CLASS = 0x73657373;

const invalidCredentials = () => new DomainError('IDENTITY.INVALID_CREDENTIALS', 'wrong identifier or password');
const invalidRefresh = () => new DomainError('IDENTITY.INVALID_REFRESH_TOKEN', 'refresh token is not valid');

/** Serialises everything that creates or ends tokens of one session. */
export async function lockSession(m: EntityManager, familyId: string): Promise<void> {
  await m.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [SESSION_LOCK_CLASS, familyId]);
}

@Injectable()
export class AuthService {
  // Verified against when the identifier matches nobody, so both answers take as long.
  private readonly dummyHash = hashPassword(randomUUID());

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly keys: KeysService,
    private readonly users: UsersService,
    private readonly throttles: ThrottleService,
    private readonly config: IdentityConfig,
  ) {}

  /** Finds a user by email, phone or NIK, whichever the identifier looks like. */
  private findByIdentifier(m: EntityManager, identifier: string): Promise<User | null> {
    const repo = m.getRepository(User);
    const value = identifier.trim();
    if (value.includes('@')) return repo.findOne({ where: { email: normalizeEmail(value) } });
    if (/^\d{16}$/.test(value) && checkNik(value).valid) return repo.findOne({ where: { nikHash: this.users.nikHash(value) } });
    const phone = normalizePhone(value);
    return phone ? repo.findOne({ where: { phone } }) : Promise.resolve(null);
  }

  /**
   * What the per-account throttle counts: the identifier as typed, normalised (08… and +62… are one
   * phone). Not the account it names: a throttle that carried over from an email to the same
   * account's phone would tell an attacker that the two belong together.
   */
  private identifierKey(identifier: string): string {
    const value = identifier.trim();
    if (value.includes('@')) return `email\0${normalizeEmail(value)}`;
    const phone = /^\d{16}$/.test(value) ? null : normalizePhone(value);
    return phone ? `phone\0${phone}` : `other\0${value.toLowerCase()}`;
  }

  /**
   * Signs in. A known and an unknown identifier take the same path (one argon2 verification, the
   * same throttle writes) and get the same answers: 401, then 429 for the address that keeps
   * failing. The throttles count per identifier + address and per address, never per account
   * alone, so the owner signs in from elsewhere while an attacker waits (docs/auth.md).
   */
  async login(request: LoginRequest, ip?: string): Promise<TokenResponse> {
    const user = await this.findByIdentifier(this.db.manager, request.identifier);
    const account = this.identifierKey(request.identifier);
    const pair = ip ? this.throttles.key('login-identifier', account, ip) : undefined;
    const throttled = pair && ip ? [pair, this.throttles.key('login-address', ip)] : [];
    try {
      await this.throttles.check(...throttled);
    } catch (error) {
      await this.record(user?.id ?? null, false, ip, 'throttled');
      throw error;
    }
    const ok = await verifyPassword(user?.passwordHash ?? (await this.dummyHash), request.password);
    if (!user || !ok || !user.active) {
      await this.throttles.count(...throttled);
      await this.record(user?.id ?? null, false, ip, !user ? 'unknown' : !ok ? 'password' : 'disabled');
      throw invalidCredentials();
    }
    await this.throttles.clear(pair);
    await this.db.getRepository(User).update(user.id, { lastLoginAt: new Date() });
    await this.record(user.id, true, ip, 'password');
    return this.issue(this.db.manager, user, randomUUID());
  }

  private async record(userId: string | null, success: boolean, ip: string | undefined, reason: string): Promise<void> {
    await this.db.getRepository(LoginEvent).insert({ userId, success, ip: ip?.slice(0, 64) ?? null, reason });
  }

  /** A refresh token and an access token of the session `familyId` (the access token's `sid`). */
  private async issue(m: EntityManager, user: User, familyId: string): Promise<TokenResponse> {
    const refreshToken = randomBytes(32).toString('base64url');
    await m.getRepository(RefreshToken).insert({
      userId: user.id,
      familyId,
      tokenHash: sha256(refreshToken),
      expiresAt: new Date(Date.now() + this.config.REFRESH_TOKEN_TTL_DAYS * DAY_MS),
    });
    const { token, expiresIn } = await this.keys.signAccessToken({ sub: user.id, roles: user.roles, agency: user.agencyId ?? undefined, sid: familyId });
    return { accessToken: token, refreshToken, tokenType: 'Bearer', expiresIn };
  }

  /**
   * Rotates a refresh token: the old one stops working; presenting a used one (a sign of theft)
   * ends its session, access tokens included. Locks in the order session → user → token, as
   * logout (session) and the user's own changes (user → tokens) do, so that no token is issued
   * into a session or to a user whose sessions are being ended.
   */
  async refresh(refreshToken: string): Promise<TokenResponse> {
    // One call (identity_refresh, migration RefreshInOneCall1767900000000) takes the locks and writes.
    const next = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + this.config.REFRESH_TOKEN_TTL_DAYS * DAY_MS);
    const [row]: Array<{ outcome: 'issued' | 'reused'; user_id: string; family_id: string; roles: Role[] | null; agency_id: string | null; ended_at: Date | null }> =
      await this.db.query(`SELECT outcome, user_id, family_id, roles, agency_id, ended_at FROM identity_refresh($1, $2, $3)`, [sha256(refreshToken), sha256(next), expiresAt]);
    if (row?.outcome === 'reused') this.users.broadcastRevocation({ userId: row.user_id, at: row.ended_at!.toISOString(), sessionIds: [row.family_id] });
    if (row?.outcome !== 'issued') throw invalidRefresh();
    const { token, expiresIn } = await this.keys.signAccessToken({ sub: row.user_id, roles: row.roles!, agency: row.agency_id ?? undefined, sid: row.family_id });
    return { accessToken: token, refreshToken: next, tokenType: 'Bearer', expiresIn };
  }

  /** Ends the session the refresh token belongs to, its access tokens at once. Unknown tokens are ignored (logout is idempotent). */
  async logout(refreshToken: string): Promise<Record<string, never>> {
    const at = new Date();
    // One call (identity_logout): the session's lock, the user's row before the tokens as every other writer of refresh_tokens, then the tokens.
    const [ended]: Array<{ user_id: string; family_id: string }> = await this.db.query(`SELECT user_id, family_id FROM identity_logout($1, $2)`, [sha256(refreshToken), at]);
    if (ended) this.users.broadcastRevocation({ userId: ended.user_id, at: at.toISOString(), sessionIds: [ended.family_id] });
    return {};
  }

}
