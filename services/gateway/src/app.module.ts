import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { TerminusModule } from '@nestjs/terminus';
import {
  CALLER_SIGNER,
  CallerSigner,
  createValidationPipe,
  FileTransfer,
  loggingModule,
  Metrics,
  NatsHealthIndicator,
  NatsModule,
  RPC_TIMEOUT_MS,
  RpcClient,
} from '@smart-regency/platform';
import { NatsConnection } from 'nats';
import { AgenciesController, ComplaintCategoriesController, PermitTypesController } from './catalog/catalog.controller';
import { GatewayConfig } from './config';
import { HealthController, READINESS_TIMEOUT_MS } from './health/health.controller';
import { AuthController } from './identity/auth.controller';
import { CalendarController } from './identity/calendar.controller';
import { ServiceAccountsController } from './identity/service-accounts.controller';
import { ApplicationsController, PermitVerificationController } from './permits/applications.controller';
import { ComplaintsController, PublicComplaintsController } from './complaints/complaints.controller';
import { OPEN311_LIST_SHARE_MS, Open311Controller, PUBLIC_BASE_URL } from './open311/open311.controller';
import { MeController, UsersController } from './identity/users.controller';
import { DataExport } from './identity/data-export';
import { Revocations } from './auth/revocations';
import { AuthGuard } from './auth/auth.guard';
import { TokenVerifier } from './auth/jwks';
import { JwksController } from './auth/jwks.controller';
import { ProblemFilter } from './http/problem.filter';
import { InputGuard } from './http/input.guard';
import { PublicReportsController } from './reporting/public-reports.controller';
import { ReportsController } from './reporting/reports.controller';
import { AuditController } from './audit/audit.controller';
import { MyNotificationsController, NotificationMessagesController, NotificationTemplatesController } from './notifications/notifications.controller';
import { WebhooksController } from './notifications/webhooks.controller';

@Module({})
export class AppModule {
  static forRoot(config: GatewayConfig, connection: NatsConnection): DynamicModule {
    return {
      module: AppModule,
      imports: [
        loggingModule('gateway', config.LOG_LEVEL, config.LOG_FORMAT),
        NatsModule.forConnection(connection, config.NATS_PREFIX),
        TerminusModule.forRoot({ logger: false }),
        // Applies where a route uses ThrottlerGuard (sign-in); in-memory per gateway replica.
        ThrottlerModule.forRoot([{ name: 'login', ttl: 60_000, limit: config.LOGIN_RATE_LIMIT_PER_MINUTE }]),
      ],
      controllers: [
        HealthController,
        AgenciesController,
        AuthController,
        MeController,
        UsersController,
        CalendarController,
        ServiceAccountsController,
        ApplicationsController,
        PermitVerificationController,
        ComplaintsController,
        PublicComplaintsController,
        Open311Controller,
        JwksController,
        PermitTypesController,
        ComplaintCategoriesController,
        PublicReportsController,
        ReportsController,
        AuditController,
        WebhooksController,
        MyNotificationsController,
        NotificationTemplatesController,
        NotificationMessagesController,
      ],
      providers: [
        { provide: Metrics, useValue: new Metrics('gateway') },
        { provide: RPC_TIMEOUT_MS, useValue: config.RPC_TIMEOUT_MS },
        // Only the gateway speaks for callers: it signs who is calling on every request.
        { provide: CALLER_SIGNER, useValue: new CallerSigner(config.ACTOR_SIGNING_KEY) },
        { provide: READINESS_TIMEOUT_MS, useValue: config.READINESS_TIMEOUT_MS },
        { provide: PUBLIC_BASE_URL, useValue: config.PUBLIC_BASE_URL },
        { provide: OPEN311_LIST_SHARE_MS, useValue: config.OPEN311_LIST_SHARE_MS },
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_FILTER, useClass: ProblemFilter },
        // Guards run in this order: hostile input is refused before the token is looked at.
        { provide: APP_GUARD, useClass: InputGuard },
        { provide: APP_GUARD, useClass: AuthGuard },
        TokenVerifier,
        Revocations,
        RpcClient,
        FileTransfer,
        NatsHealthIndicator,
        DataExport,
      ],
    };
  }
}
