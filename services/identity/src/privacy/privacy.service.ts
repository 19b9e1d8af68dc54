import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Actor, EraseMeRequest, ErasureResponse, IdentityDataExport } from '@smart-regency/contracts';
import { AuditTrail, DomainError, EventRecorder } from '@smart-regency/platform';
import { DataSource } from 'typeorm';
import { User } from '../users/user.entity';
import { toUserResponse, UsersService } from '../users/users.service';

/** The name an erased account keeps, so that staff screens and old references still render. */
export const ERASED_NAME = 'Pengguna terhapus';

/** The services that hold a copy of a citizen's data and anonymise it on `identity.user.erased.v1`. */
export const ERASURE_FOLLOWERS = ['permits', 'complaints', 'notifications'];

/**
 * Citizens' data rights in identity: the export of what identity holds about the caller, and
 * erasure. Erasure anonymises the account in place (the id stays, so the regency's records that the
 * law requires keep pointing somewhere) and publishes `identity.user.erased.v1` in the same
 * transaction; the other services anonymise their copies from that event.
 */
@Injectable()
export class PrivacyService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly events: EventRecorder,
    private readonly users: UsersService,
    private readonly audit: AuditTrail,
  ) {}

  async export(actor: Actor): Promise<IdentityDataExport> {
    const user = await this.db.getRepository(User).findOne({ where: { id: actor.id } });
    if (!user || user.erasedAt) throw new DomainError('IDENTITY.USER_NOT_FOUND', 'user not found');
    const logins: Array<{ at: Date; success: boolean; reason: string; ip: string | null }> = await this.db.query(
      `SELECT at, success, reason, ip FROM login_events WHERE user_id = $1 ORDER BY at DESC`,
      [user.id],
    );
    const sessions: Array<{ created_at: Date; expires_at: Date; used_at: Date | null; revoked_at: Date | null }> = await this.db.query(
      `SELECT created_at, expires_at, used_at, revoked_at FROM refresh_tokens WHERE user_id = $1 ORDER BY created_at DESC`,
      [user.id],
    );
    const iso = (d: Date | null) => (d ? d.toISOString() : null);
    return {
      profile: toUserResponse(user),
      loginHistory: logins.map((l) => ({ at: l.at.toISOString(), success: l.success, reason: l.reason, ip: l.ip })),
      sessions: sessions.map((s) => ({ issuedAt: s.created_at.toISOString(), expiresAt: s.expires_at.toISOString(), usedAt: iso(s.used_at), revokedAt: iso(s.revoked_at) })),
    };
  }

  /**
   * Erases the caller's account after checking the password again. Idempotent: erasing an erased
   * account answers with the first erasure. Sessions end at once on every gateway.
   */
  async erase(actor: Actor, request: EraseMeRequest): Promise<ErasureResponse> {
    if (!actor.roles.includes('citizen')) throw new DomainError('COMMON.FORBIDDEN', 'only citizens erase their own account; staff accounts are disabled by an admin');
    const current = await this.db.getRepository(User).findOne({ where: { id: actor.id } });
    if (!current) throw new DomainError('IDENTITY.USER_NOT_FOUND', 'user not found');
    if (current.erasedAt) return this.response(current.id, current.erasedAt);
    await this.users.checkCurrentPassword(current, request.password, 'password');
    const erasedAt = await this.db.transaction(async (m) => {
      const user = await m.getRepository(User).findOne({ where: { id: actor.id }, lock: { mode: 'pessimistic_write' } });
      if (!user) throw new DomainError('IDENTITY.USER_NOT_FOUND', 'user not found');
      if (user.erasedAt) return user.erasedAt;
      const now = new Date();
      await m.getRepository(User).update(user.id, {
        fullName: ERASED_NAME,
        // The column is unique and required; this address names nobody and can never receive mail.
        email: `erased-${user.id}@erased.invalid`,
        phone: null,
        nikHash: null,
        nikMasked: null,
        // Not an argon2 hash: no password ever verifies against it.
        passwordHash: '!erased',
        active: false,
        sessionsRevokedAt: now,
        erasedAt: now,
      });
      await m.query(`DELETE FROM refresh_tokens WHERE user_id = $1`, [user.id]);
      await m.query(`DELETE FROM login_events WHERE user_id = $1`, [user.id]);
      await this.events.record(m, 'identity.user.erased.v1', { userId: user.id });
      // The trail names fields, never their values: erasure leaves it intact and it shows that erasure happened.
      await this.audit.record(m, { action: 'user.erase', entityType: 'user', entityId: user.id, subjectId: user.id, changes: { fields: ['fullName', 'email', 'phone', 'nik', 'password', 'loginHistory', 'sessions'] } });
      return now;
    });
    this.users.broadcastRevocation({ userId: actor.id, at: erasedAt.toISOString() });
    return this.response(actor.id, erasedAt);
  }

  private response(userId: string, erasedAt: Date): ErasureResponse {
    return { userId, erasedAt: erasedAt.toISOString(), propagatesTo: ERASURE_FOLLOWERS };
  }
}
