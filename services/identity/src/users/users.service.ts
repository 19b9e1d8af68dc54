import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ErrorCode, RegisterCitizenRequest, UserResponse } from '@smart-regency/contracts';
import { DomainError, EventRecorder } from '@smart-regency/platform';
import { createHmac } from 'crypto';
import { DataSource, QueryFailedError } from 'typeorm';
import { IdentityConfig } from '../config';
import { checkNik, maskNik, nikProblemMessage } from '../nik/nik';
import { normalizeEmail, normalizePhone, passwordProblem } from './contact';
import { hashPassword } from './passwords';
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
  };
}

const BOOTSTRAP_LOCK = 0x61646d6e;

const invalid = (code: ErrorCode, field: string, message: string) => new DomainError(code, message, [{ field, message, rule: code }]);

@Injectable()
export class UsersService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly events: EventRecorder,
    private readonly config: IdentityConfig,
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
      return 'created';
    });
  }

  nikHash(nik: string): string {
    return createHmac('sha256', this.config.NIK_HASH_KEY).update(nik).digest('hex');
  }

  /** Self-registration: checks the NIK, phone and password, stores the citizen and the event together. */
  async registerCitizen(request: RegisterCitizenRequest): Promise<UserResponse> {
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
      await this.events.record(manager, 'identity.user.registered.v1', { userId: user.id, roles: user.roles });
      return toUserResponse(user);
    });
  }
}
