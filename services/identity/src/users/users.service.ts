import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  ACCESS_TOKEN_MAX_TTL_SECONDS,
  Actor,
  ChangePasswordRequest,
  CreateStaffRequest,
  HolderNameResponse,
  ErrorCode,
  ListUsersRequest,
  Page,
  pageOf,
  pageOffset,
  RegisterCitizenRequest,
  Revocation,
  REVOCATION_SUBJECT,
  Role,
  UpdateMeRequest,
  UpdateUserCommand,
  UserResponse,
} from '@smart-regency/contracts';
import { auditChanges, AuditTrail, currentAuditContext, DomainError, EventRecorder, NATS_CONNECTION, NATS_PREFIX, prefixed, SYSTEM_ACTOR, WriteStatement } from '@smart-regency/platform';
import { OneAtATime, retried, unlessChanged } from '../single-statement';
import { Inject } from '@nestjs/common';
import { JSONCodec, NatsConnection } from 'nats';
import { createHmac } from 'crypto';
import { DataSource, EntityManager, MoreThan, QueryFailedError } from 'typeorm';
import { IdentityConfig } from '../config';
import { checkNik, maskNik, nikProblemMessage } from '../nik/nik';
import { ThrottleService } from '../throttling/throttle.service';
import { normalizeEmail, normalizePhone, passwordProblem } from './contact';
import { hashPassword, verifyPassword } from './passwords';
import { User } from './user.entity';

const UNIQUE_VIOLATIONS: Record<string, { code: ErrorCode; field: string }> = {
  uq_users_nik_hash: { code: 'IDENTITY.NIK_TAKEN', field: 'nik' },
  uq_users_email: { code: 'IDENTITY.EMAIL_TAKEN', field: 'email' },
  uq_users_phone: { code: 'IDENTITY.PHONE_TAKEN', field: 'phone' },
};

export function toUserResponse(user: User): UserResponse {
  return {
    id: user.id,
    ...(user.nikMasked ? { nik: user.nikMasked } : {}),
    fullName: user.fullName,
    email: user.email,
    ...(user.phone ? { phone: user.phone } : {}),
    roles: user.roles,
    ...(user.agencyId ? { agencyId: user.agencyId } : {}),
    active: user.active,
    createdAt: user.createdAt.toISOString(),
    ...(user.consentVersion && user.consentAt ? { consent: { version: user.consentVersion, at: user.consentAt.toISOString() } } : {}),
  };
}

const BOOTSTRAP_LOCK = 0x61646d6e;

/** What the audit trail keeps of an account's changes (personal values only as "[personal]", secrets never). */
const AUDITED_FIELDS = ['nikMasked', 'fullName', 'email', 'phone', 'roles', 'agencyId', 'active', 'consentVersion', 'consentAt'];
const userAudit = (user: User) => ({ entityType: 'user', entityId: user.id, subjectId: user.id });

const invalid = (code: ErrorCode, field: string, message: string) => new DomainError(code, message, [{ field, message, rule: code }]);

/** Auditors (Inspektorat) examine the agencies' work: they may not be part of an agency's chain of decisions. */
const AUDITOR_EXCLUDES: Role[] = ['officer', 'agency_head'];

// Older than an access token can live (exp − iat ≤ 900 s, plus the gateway's clock skew): no longer worth telling a gateway.
const REVOCATION_HORIZON_MS = (ACCESS_TOKEN_MAX_TTL_SECONDS + 60) * 1000;
// Keeps the revocation list inside one NATS message (~110 bytes a session); more than this many
// sessions ending within 16 minutes would be news, and the live broadcasts still carry every one.
const MAX_LISTED_SESSIONS = 5000;

@Injectable()
export class UsersService {
  // A replica's own changes to one account, one after another (single-statement.ts).
  private readonly ownChanges = new OneAtATime();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly events: EventRecorder,
    private readonly config: IdentityConfig,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(NATS_PREFIX) private readonly prefix: string,
    private readonly audit: AuditTrail,
    private readonly throttles: ThrottleService,
  ) {}

  async get(id: string): Promise<UserResponse> {
    const user = await this.db.getRepository(User).findOne({ where: { id } });
    if (!user) throw new DomainError('IDENTITY.USER_NOT_FOUND', 'user not found');
    return toUserResponse(user);
  }

  /** Creates the first admin from ADMIN_EMAIL/ADMIN_PASSWORD when no admin exists; never overwrites. */
  async ensureBootstrapAdmin(): Promise<'created' | 'exists' | 'skipped'> {
    if (!this.config.ADMIN_PASSWORD) return 'skipped';
    const passwordHash = await hashPassword(this.config.ADMIN_PASSWORD);
    return this.db.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [BOOTSTRAP_LOCK]);
      const [{ n }] = await manager.query(`SELECT count(*)::int AS n FROM users WHERE 'admin' = ANY (roles)`);
      if (n > 0) return 'exists';
      const admin = manager.create(User, {
        nikHash: null,
        nikMasked: null,
        fullName: 'Administrator',
        email: normalizeEmail(this.config.ADMIN_EMAIL),
        phone: null,
        passwordHash,
        roles: ['admin'],
        agencyId: null,
        active: true,
        consentVersion: null,
        consentAt: null,
      });
      await manager.save(admin);
      await this.events.record(manager, 'identity.user.registered.v1', { userId: admin.id, roles: admin.roles });
      await this.audit.record(manager, { action: 'user.create', ...userAudit(admin), actor: SYSTEM_ACTOR, changes: auditChanges(null, admin, { only: AUDITED_FIELDS }) });
      return 'created';
    });
  }

  private async userOr404(m: EntityManager, id: string, lock = false): Promise<User> {
    const user = await m.getRepository(User).findOne({ where: { id }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
    if (!user) throw new DomainError('IDENTITY.USER_NOT_FOUND', 'user not found');
    return user;
  }

  /** An admin seeing accounts (names, emails, phones) in a list: one audit row per page; the search text only as "[personal]". */
  private auditListed(query: ListUsersRequest, rows: readonly User[]): Promise<void> {
    const reader = currentAuditContext().actor?.id;
    const others = rows.map((u) => u.id).filter((id) => id !== reader);
    if (!others.length) return Promise.resolve();
    return this.audit.recordList({ entityType: 'user', query, freeText: ['q'], records: rows.map((u) => u.id), subjects: others });
  }

  async list(query: ListUsersRequest): Promise<Page<UserResponse>> {
    const qb = this.db.getRepository(User).createQueryBuilder('u').orderBy('u.createdAt', 'DESC');
    if (query.role) qb.andWhere(':role = ANY(u.roles)', { role: query.role });
    if (query.agencyId) qb.andWhere('u.agencyId = :agencyId', { agencyId: query.agencyId });
    if (query.active !== undefined) qb.andWhere('u.active = :active', { active: query.active });
    if (query.q) qb.andWhere('(u.fullName ILIKE :q OR u.email ILIKE :q)', { q: `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` });
    const { skip, take } = pageOffset(query);
    const [rows, total] = await qb.skip(skip).take(take).getManyAndCount();
    await this.auditListed(query, rows);
    return pageOf(rows.map(toUserResponse), total, query);
  }

  private checkStaffRoles(roles: Role[], agencyId: string | null | undefined): void {
    const conflicting = roles.includes('auditor') ? AUDITOR_EXCLUDES.filter((r) => roles.includes(r)) : [];
    if (conflicting.length) {
      throw invalid('IDENTITY.CONFLICTING_ROLES', 'roles', `an auditor cannot also be ${conflicting.join(' or ')}: auditors are independent of the agencies they audit`);
    }
    if ((roles.includes('officer') || roles.includes('agency_head')) && !agencyId) {
      throw invalid('IDENTITY.AGENCY_REQUIRED', 'agencyId', 'officer and agency_head belong to an agency');
    }
  }

  private async checkAgency(m: EntityManager, agencyId: string | null | undefined): Promise<void> {
    if (!agencyId) return;
    const [{ n }] = await m.query('SELECT count(*)::int AS n FROM agencies WHERE id = $1', [agencyId]);
    if (!n) throw invalid('IDENTITY.AGENCY_NOT_FOUND', 'agencyId', 'no such agency');
  }

  private async save(m: EntityManager, user: User): Promise<User> {
    try {
      return await m.save(user);
    } catch (error) {
      const taken = error instanceof QueryFailedError ? UNIQUE_VIOLATIONS[(error.driverError as { constraint?: string }).constraint ?? ''] : undefined;
      if (taken) throw invalid(taken.code, taken.field, `${taken.field} is already registered`);
      throw error;
    }
  }

  /** An admin creates a staff account with its first password. */
  async createStaff(request: CreateStaffRequest): Promise<UserResponse> {
    this.checkStaffRoles(request.roles, request.agencyId);
    const email = normalizeEmail(request.email);
    const phone = request.phone ? normalizePhone(request.phone) : null;
    if (request.phone && !phone) throw invalid('IDENTITY.INVALID_PHONE', 'phone', 'not an Indonesian phone number');
    const weak = passwordProblem(request.password, [email, email.split('@')[0], ...(phone ? [phone.slice(3)] : [])]);
    if (weak) throw invalid('IDENTITY.WEAK_PASSWORD', 'password', weak);
    const passwordHash = await hashPassword(request.password);
    return this.db.transaction(async (m) => {
      await this.checkAgency(m, request.agencyId);
      const user = await this.save(
        m,
        m.create(User, {
          nikHash: null,
          nikMasked: null,
          fullName: request.fullName,
          email,
          phone,
          passwordHash,
          roles: request.roles,
          agencyId: request.agencyId ?? null,
          active: true,
          consentVersion: null,
          consentAt: null,
        }),
      );
      const audited = this.audit.pending({ action: 'user.create', ...userAudit(user), changes: auditChanges(null, user, { only: AUDITED_FIELDS }) });
      await this.events.record(m, 'identity.user.registered.v1', { userId: user.id, roles: user.roles, ...(user.agencyId ? { agencyId: user.agencyId } : {}) }, audited);
      return toUserResponse(user);
    });
  }

  /**
   * An admin changes roles, agency or the active flag. Disabling, or changing what a token says
   * (roles, agency), ends the user's sessions at once: refresh tokens are revoked and every gateway
   * refuses the access tokens issued before now.
   */
  async update({ id, ...changes }: UpdateUserCommand, actor: Actor): Promise<UserResponse> {
    const { user, revoked } = await this.db.transaction(async (m) => {
      const user = await this.userOr404(m, id, true);
      const roles = changes.roles ?? user.roles;
      const agencyId = changes.agencyId !== undefined ? changes.agencyId : user.agencyId;
      if (user.roles.includes('citizen') && changes.roles) throw invalid('COMMON.VALIDATION', 'roles', 'citizens keep the citizen role');
      if (id === actor.id && (changes.active === false || (changes.roles && !changes.roles.includes('admin')))) {
        throw invalid('COMMON.VALIDATION', 'active', 'an admin cannot disable or demote themself');
      }
      this.checkStaffRoles(roles, agencyId);
      await this.checkAgency(m, agencyId);
      const was = { ...user };
      const claimsChanged = JSON.stringify(roles) !== JSON.stringify(user.roles) || agencyId !== user.agencyId;
      const revoked = (changes.active === false && user.active) || claimsChanged;
      Object.assign(user, {
        ...(changes.fullName !== undefined ? { fullName: changes.fullName } : {}),
        roles,
        agencyId,
        ...(changes.active !== undefined ? { active: changes.active } : {}),
        ...(revoked ? { sessionsRevokedAt: new Date() } : {}),
      });
      await this.save(m, user);
      if (revoked) await this.revokeRefreshTokens(m, user.id);
      await this.audit.record(m, { action: 'user.update', ...userAudit(user), changes: auditChanges(was, user, { only: AUDITED_FIELDS }) });
      return { user, revoked };
    });
    if (revoked) this.broadcastRevocation({ userId: user.id, at: user.sessionsRevokedAt!.toISOString() });
    return toUserResponse(user);
  }

  async getForAdmin(id: string): Promise<UserResponse> {
    const user = await this.userOr404(this.db.manager, id);
    // Someone looked at another person's account: part of the trail.
    if (currentAuditContext().actor?.id !== id) await this.audit.recordRead(userAudit(user));
    return toUserResponse(user);
  }

  /** A permit holder's name for their certificate (asked by permits as itself); the read is audited. */
  async holderName(id: string): Promise<HolderNameResponse> {
    const user = await this.userOr404(this.db.manager, id);
    await this.audit.recordRead({ ...userAudit(user), action: 'user.holder_name.read' });
    return { fullName: user.fullName };
  }

  /**
   * The caller's own name or phone: read, then one statement (the row, guarded by its xmin, and its
   * audit row) instead of a transaction holding the row over five round trips (`retried`).
   */
  async updateMe(actor: Actor, changes: UpdateMeRequest): Promise<UserResponse> {
    const phone = changes.phone !== undefined ? normalizePhone(changes.phone) : undefined;
    if (phone === null) throw invalid('IDENTITY.INVALID_PHONE', 'phone', 'not an Indonesian phone number');
    return this.ownChanges.run(actor.id, () =>
      retried(async () => {
        const { entities, raw } = await this.db.getRepository(User).createQueryBuilder('u').addSelect('u.xmin::text', 'version').where('u.id = :id', { id: actor.id }).getRawAndEntities<{ version: string }>();
        const [user] = entities;
        if (!user) throw new DomainError('IDENTITY.USER_NOT_FOUND', 'user not found');
        const { version } = raw[0];
        const was = { ...user };
        if (changes.fullName !== undefined) user.fullName = changes.fullName;
        if (phone !== undefined) user.phone = phone;
        const w = new WriteStatement().with(
          'u',
          `UPDATE users SET full_name = :fullName, phone = :phone, updated_at = now(), version = version + 1 WHERE id = :id::uuid AND xmin = :version::xid RETURNING id`,
          { fullName: user.fullName, phone: user.phone, id: user.id, version },
        );
        w.audited(this.audit.pending({ action: 'user.update', ...userAudit(user), changes: auditChanges(was, user, { only: AUDITED_FIELDS }) }));
        const { text, values } = w.select(unlessChanged('u'));
        try {
          await this.db.query(text, values);
        } catch (error) {
          const taken = error instanceof QueryFailedError ? UNIQUE_VIOLATIONS[(error.driverError as { constraint?: string }).constraint ?? ''] : undefined;
          if (taken) throw invalid(taken.code, taken.field, `${taken.field} is already registered`);
          throw error;
        }
        return toUserResponse(user);
      }, 'your account'),
    );
  }


  /**
   * Changes the password after checking the current one (wrong ones are throttled per user). Every
   * other session ends at once, access tokens included; the session that made the change goes on.
   */
  async changePassword(actor: Actor, request: ChangePasswordRequest): Promise<Record<string, never>> {
    const user = await this.userOr404(this.db.manager, actor.id);
    await this.checkCurrentPassword(user, request.currentPassword, 'currentPassword');
    const weak = passwordProblem(request.newPassword, [user.email, user.email.split('@')[0], ...(user.phone ? [user.phone.slice(3)] : [])]);
    if (weak) throw invalid('IDENTITY.WEAK_PASSWORD', 'newPassword', weak);
    const passwordHash = await hashPassword(request.newPassword);
    const at = new Date();
    const ended = await this.db.transaction(async (m) => {
      await m.getRepository(User).update(user.id, { passwordHash });
      const rows: Array<{ family_id: string }> = await m.query(
        `WITH ended AS (
           UPDATE refresh_tokens SET revoked_at = $3 WHERE user_id = $1 AND revoked_at IS NULL AND family_id IS DISTINCT FROM $2 RETURNING family_id
         ) SELECT DISTINCT family_id FROM ended`,
        [user.id, actor.sessionId ?? null, at],
      );
      await this.audit.record(m, { action: 'user.password_change', ...userAudit(user) });
      return rows.map((r) => r.family_id);
    });
    if (ended.length) this.broadcastRevocation({ userId: user.id, at: at.toISOString(), sessionIds: ended });
    return {};
  }

  /**
   * A signed-in user proving their password again (password change, erasure). Wrong ones count per
   * user: after LOGIN_MAX_FAILURES the user waits (429), so a stolen access token cannot be used
   * to guess the password.
   */
  async checkCurrentPassword(user: User, password: string, field: string): Promise<void> {
    const key = this.throttles.key('password', user.id);
    await this.throttles.check(key);
    if (await verifyPassword(user.passwordHash, password)) return this.throttles.clear(key);
    await this.throttles.count(key);
    throw invalid('IDENTITY.WRONG_PASSWORD', field, `the ${field === 'password' ? '' : 'current '}password is wrong`);
  }

  private async revokeRefreshTokens(m: EntityManager, userId: string): Promise<void> {
    await m.query(`UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL`, [userId]);
  }

  broadcastRevocation(revocation: Revocation): void {
    this.nc.publish(prefixed(this.prefix, REVOCATION_SUBJECT), JSONCodec().encode(revocation));
  }

  /**
   * Revocations young enough to matter, for a gateway that starts: users whose sessions all ended
   * (users.sessions_revoked_at), and single sessions that ended (refresh-token families revoked).
   */
  async recentRevocations(): Promise<Revocation[]> {
    const horizon = new Date(Date.now() - REVOCATION_HORIZON_MS);
    const users = await this.db.getRepository(User).find({
      select: { id: true, sessionsRevokedAt: true },
      where: { sessionsRevokedAt: MoreThan(horizon) },
    });
    const sessions: Array<{ user_id: string; family_id: string; at: Date }> = await this.db.query(
      `SELECT user_id, family_id, max(revoked_at) AS at FROM refresh_tokens WHERE revoked_at > $1
        GROUP BY user_id, family_id ORDER BY at DESC LIMIT $2`,
      [horizon, MAX_LISTED_SESSIONS],
    );
    const byUser = new Map<string, Revocation & { sessionIds: string[] }>();
    for (const s of sessions) {
      const entry = byUser.get(s.user_id) ?? { userId: s.user_id, at: s.at.toISOString(), sessionIds: [] };
      entry.sessionIds.push(s.family_id);
      byUser.set(s.user_id, entry);
    }
    return [...users.map((u) => ({ userId: u.id, at: u.sessionsRevokedAt!.toISOString() })), ...byUser.values()];
  }

  nikHash(nik: string): string {
    return createHmac('sha256', this.config.NIK_HASH_KEY).update(nik).digest('hex');
  }

  /**
   * Self-registration: checks the NIK, phone and password, stores the citizen and the event together.
   * Every attempt counts against the client address (REGISTRATIONS_PER_ADDRESS_PER_HOUR): each 409
   * tells whether a NIK, email or phone is registered, and each hash costs 19 MiB and ~25 ms.
   */
  async registerCitizen(request: RegisterCitizenRequest, ip?: string): Promise<UserResponse> {
    if (ip) {
      const key = this.throttles.key('register', ip);
      await this.throttles.check(key);
      await this.throttles.count(key);
    }
    const nik = checkNik(request.nik);
    if (!nik.valid) throw invalid('IDENTITY.INVALID_NIK', 'nik', nikProblemMessage(nik.problem));
    const phone = normalizePhone(request.phone);
    if (!phone) throw invalid('IDENTITY.INVALID_PHONE', 'phone', 'not an Indonesian phone number');
    const email = normalizeEmail(request.email);
    const weak = passwordProblem(request.password, [request.nik, email, email.split('@')[0], phone.slice(3)]);
    if (weak) throw invalid('IDENTITY.WEAK_PASSWORD', 'password', weak);
    const passwordHash = await hashPassword(request.password);

    return this.db.transaction(async (manager) => {
      const user = manager.create(User, {
        nikHash: this.nikHash(request.nik),
        nikMasked: maskNik(request.nik),
        fullName: request.fullName,
        email,
        phone,
        passwordHash,
        roles: ['citizen'],
        agencyId: null,
        active: true,
        consentVersion: this.config.CONSENT_VERSION,
        consentAt: new Date(),
      });
      try {
        await manager.save(user);
      } catch (error) {
        const taken = error instanceof QueryFailedError ? UNIQUE_VIOLATIONS[(error.driverError as { constraint?: string }).constraint ?? ''] : undefined;
        if (taken) throw invalid(taken.code, taken.field, `${taken.field} is already registered`);
        throw error;
      }
      // Self-registration has no signed-in caller: the new citizen is the actor.
      const audited = this.audit.pending({ action: 'user.register', ...userAudit(user), actor: { id: user.id, roles: user.roles }, changes: auditChanges(null, user, { only: AUDITED_FIELDS }) });
      await this.events.record(manager, 'identity.user.registered.v1', { userId: user.id, roles: user.roles }, audited);
      return toUserResponse(user);
    });
  }
}
