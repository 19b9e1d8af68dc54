import { CanActivate, ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Actor, Role } from '@smart-regency/contracts';
import { DomainError, Metrics } from '@smart-regency/platform';
import type { FastifyRequest } from 'fastify';
import { TokenVerifier } from './jwks';
import { Revocations } from './revocations';

const PUBLIC = 'regency:public';
const ROLES = 'regency:roles';

/** Open to anyone, without a token. Everything else needs one (deny by default). */
export const Public = () => SetMetadata(PUBLIC, true);
/** Only callers holding one of these roles; others get 403. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES, roles);

export type AuthenticatedRequest = FastifyRequest & { actor?: Actor };

@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenVerifier,
    private readonly revocations: Revocations,
    private readonly metrics: Metrics,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(header) : null;
    if (!match) throw new DomainError('COMMON.UNAUTHENTICATED', 'a Bearer access token is required');
    const stop = this.metrics.tokenVerification.startTimer();
    try {
      const { actor, issuedAt } = await this.tokens.verify(match[1]);
      if (this.revocations.isRevoked(actor, issuedAt)) throw new DomainError('COMMON.UNAUTHENTICATED', 'this session has ended');
      request.actor = actor;
      stop({ outcome: 'ok' });
    } catch (error) {
      stop({ outcome: 'refused' });
      throw error;
    }
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES, targets);
    if (roles && !roles.some((role) => request.actor!.roles.includes(role))) {
      throw new DomainError('COMMON.FORBIDDEN', 'your role does not allow this');
    }
    return true;
  }
}
