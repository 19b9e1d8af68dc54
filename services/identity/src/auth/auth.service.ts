import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { LoginRequest, TokenResponse } from '@smart-regency/contracts';
import { DomainError } from '@smart-regency/platform';
import { createHash, randomBytes, randomUUID } from 'crypto';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { IdentityConfig } from '../config';
import { KeysService } from '../keys/keys.service';
import { checkNik } from '../nik/nik';
import { normalizeEmail, normalizePhone } from '../users/contact';
import { hashPassword, verifyPassword } from '../users/passwords';
import { User } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { LoginEvent, RefreshToken } from './refresh-token.entity';

const DAY_MS = 24 * 3600 * 1000;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
// Two-key advisory locks: one session (refresh-token family) at a time, apart from the one-key locks.
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

  async login(request: LoginRequest, ip?: string): Promise<TokenResponse> {
    const user = await this.findByIdentifier(this.db.manager, request.identifier);
    const now = new Date();
    if (user?.lockedUntil && user.lockedUntil > now) {
      await this.record(user.id, false, ip, 'locked');
      throw this.locked(user.lockedUntil, now);
    }
    const ok = await verifyPassword(user?.passwordHash ?? (await this.dummyHash), request.password);
    if (!user || !ok || !user.active) {
      if (user && !ok) await this.failed(user, ip, now);
      else await this.record(user?.id ?? null, false, ip, user ? 'disabled' : 'unknown');
      throw invalidCredentials();
    }
    await this.db.getRepository(User).update(user.id, { failedLoginCount: 0, lockedUntil: null, lastLoginAt: now });
    await this.record(user.id, true, ip, 'password');
    return this.issue(this.db.manager, user, randomUUID());
  }

  /** Counts a wrong password; the LOGIN_MAX_FAILURES-th locks the account. Atomic across replicas. */
  private async failed(user: User, ip: string | undefined, now: Date): Promise<void> {
    const lockUntil = new Date(now.getTime() + this.config.LOGIN_LOCKOUT_MINUTES * 60_000);
    const [row] = await this.db.query(
      `UPDATE users SET failed_login_count = failed_login_count + 1,
              locked_until = CASE WHEN failed_login_count + 1 >= $2 THEN $3::timestamptz ELSE locked_until END
        WHERE id = $1 RETURNING failed_login_count, locked_until`,
      [user.id, this.config.LOGIN_MAX_FAILURES, lockUntil],
    );
    await this.record(user.id, false, ip, 'password');
    if (row[0]?.locked_until && new Date(row[0].locked_until) > now) {
      // Reset the counter so that after the lock the account gets a fresh set of attempts.
      await this.db.query(`UPDATE users SET failed_login_count = 0 WHERE id = $1`, [user.id]);
      throw this.locked(new Date(row[0].locked_until), now);
    }
  }

  private locked(until: Date, now: Date): DomainError {
    const seconds = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));
    return new DomainError('IDENTITY.ACCOUNT_LOCKED', `too many failed sign-ins; try again in ${seconds} s`, undefined, seconds);
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
    const result = await this.db.transaction(async (m) => {
      const tokens = m.getRepository(RefreshToken);
      const found = await tokens.findOne({ where: { tokenHash: sha256(refreshToken) } });
      if (!found) return null;
      await lockSession(m, found.familyId);
      const user = await m.getRepository(User).findOne({ where: { id: found.userId }, lock: { mode: 'pessimistic_read' } });
      const stored = await tokens.findOne({ where: { id: found.id }, lock: { mode: 'pessimistic_write' } });
      if (!stored || stored.revokedAt || stored.expiresAt <= new Date()) return null;
      if (stored.usedAt) {
        // Someone replayed a token that was already exchanged: end every token of that sign-in.
        const at = new Date();
        await tokens.update({ familyId: stored.familyId, revokedAt: IsNull() }, { revokedAt: at });
        return { reused: { userId: stored.userId, at: at.toISOString(), sessionIds: [stored.familyId] } };
      }
      if (!user?.active) return null;
      await tokens.update(stored.id, { usedAt: new Date() });
      return { issued: await this.issue(m, user, stored.familyId) };
    });
    if (result?.reused) this.users.broadcastRevocation(result.reused);
    if (!result?.issued) throw invalidRefresh();
    return result.issued;
  }

  /** Ends the session the refresh token belongs to, its access tokens at once. Unknown tokens are ignored (logout is idempotent). */
  async logout(refreshToken: string): Promise<Record<string, never>> {
    const stored = await this.db.getRepository(RefreshToken).findOne({ where: { tokenHash: sha256(refreshToken) } });
    if (!stored) return {};
    const at = new Date();
    await this.db.transaction(async (m) => {
      await lockSession(m, stored.familyId);
      // The user's row before the tokens, as every other writer of refresh_tokens: no deadlock with a password change.
      await m.getRepository(User).findOne({ where: { id: stored.userId }, lock: { mode: 'pessimistic_read' } });
      await m.getRepository(RefreshToken).update({ familyId: stored.familyId, revokedAt: IsNull() }, { revokedAt: at });
    });
    this.users.broadcastRevocation({ userId: stored.userId, at: at.toISOString(), sessionIds: [stored.familyId] });
    return {};
  }
}
