import { Controller, DynamicModule, Module, Type } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Expose } from 'class-transformer';
import { IsBoolean, IsInt, Max, Min } from 'class-validator';
import { Actor, AUDIT_SUBJECTS, AuditedService, AuditListQuery, VerifyChainCommand } from '@smart-regency/contracts';
import { CurrentActor } from '../auth/actor.decorator';
import { requireRole } from '../auth/ownership';
import { RpcRoles } from '../auth/rpc-access';
import { loadConfig, toBool, toInt } from '../config/config';
import { DomainError } from '../errors/domain-error';
import { AuditContextInterceptor } from './audit-context';
import { AuditChainer } from './audit-chainer';
import { AUDIT_OPTIONS, AUDIT_SERVICE, AuditOptions, AuditTrail } from './audit-trail';

/** The audit settings every audited service reads from its environment. */
export class AuditConfig {
  /** Only a benchmark turns the trail off; production refuses to start without it. */
  @Expose() @toBool() @IsBoolean()
  AUDIT_ENABLED: boolean = true;

  @Expose() @toInt() @IsInt() @Min(100) @Max(50_000)
  AUDIT_VERIFY_BATCH_SIZE: number = 5000;

  /** How often the chainer looks for committed rows to chain (ms). */
  @Expose() @toInt() @IsInt() @Min(10) @Max(10_000)
  AUDIT_CHAIN_INTERVAL_MS: number = 100;

  /** Rows chained per transaction. */
  @Expose() @toInt() @IsInt() @Min(10) @Max(10_000)
  AUDIT_CHAIN_BATCH_SIZE: number = 500;

  @Expose()
  NODE_ENV?: string;
}

export function loadAuditOptions(env: Record<string, string | undefined> = process.env): AuditOptions {
  const config = loadConfig(AuditConfig, env);
  if (!config.AUDIT_ENABLED && config.NODE_ENV === 'production') {
    throw new Error('Invalid configuration:\n  - AUDIT_ENABLED=false is not allowed in production');
  }
  return {
    enabled: config.AUDIT_ENABLED,
    verifyBatchSize: config.AUDIT_VERIFY_BATCH_SIZE,
    chainIntervalMs: config.AUDIT_CHAIN_INTERVAL_MS,
    chainBatchSize: config.AUDIT_CHAIN_BATCH_SIZE,
  };
}

const requireAuditor = (actor: Actor) => requireRole(actor, ['admin', 'auditor'], 'the audit trail is for admins and auditors');

/** The NATS face of one service's trail: `<service>.audit.list|verify|head`. */
function auditController(service: AuditedService): Type<unknown> {
  const subjects = AUDIT_SUBJECTS[service];

  @Controller()
  class AuditController {
    constructor(private readonly trail: AuditTrail) {}

    @MessagePattern(subjects.list)
    @RpcRoles('admin', 'auditor')
    list(@Payload() query: AuditListQuery, @CurrentActor() actor: Actor) {
      requireAuditor(actor);
      return this.trail.list(query);
    }

    @MessagePattern(subjects.verify)
    @RpcRoles('admin', 'auditor')
    verify(@Payload() command: VerifyChainCommand, @CurrentActor() actor: Actor) {
      requireAuditor(actor);
      if (command.anchor && command.anchor.service !== service) throw new DomainError('AUDIT.INVALID_ANCHOR', `that head belongs to ${command.anchor.service}`);
      return this.trail.verify(command.anchor);
    }

    @MessagePattern(subjects.head)
    @RpcRoles('admin', 'auditor')
    head(@CurrentActor() actor: Actor) {
      requireAuditor(actor);
      return this.trail.head();
    }
  }
  return AuditController;
}

/**
 * Gives a service its audit trail: `AuditTrail` injectable everywhere in it, the caller and request
 * id of each NATS request available to it, and the list/verify/head subjects answered.
 */
@Module({})
export class AuditModule {
  static forService(service: AuditedService, options: AuditOptions = loadAuditOptions()): DynamicModule {
    return {
      module: AuditModule,
      global: true,
      controllers: [auditController(service)],
      providers: [
        { provide: AUDIT_SERVICE, useValue: service },
        { provide: AUDIT_OPTIONS, useValue: options },
        AuditChainer,
        AuditTrail,
        { provide: APP_INTERCEPTOR, useClass: AuditContextInterceptor },
      ],
      exports: [AuditTrail],
    };
  }
}
