import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import {
  createValidationPipe,
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
import { ProblemFilter } from './http/problem.filter';
import { PublicReportsController } from './reporting/public-reports.controller';

@Module({})
export class AppModule {
  static forRoot(config: GatewayConfig, connection: NatsConnection): DynamicModule {
    return {
      module: AppModule,
      imports: [
        loggingModule('gateway', config.LOG_LEVEL, config.LOG_FORMAT),
        NatsModule.forConnection(connection, config.NATS_PREFIX),
        TerminusModule.forRoot({ logger: false }),
      ],
      controllers: [
        HealthController,
        AgenciesController,
        AuthController,
        PermitTypesController,
        ComplaintCategoriesController,
        PublicReportsController,
      ],
      providers: [
        { provide: Metrics, useValue: new Metrics('gateway') },
        { provide: RPC_TIMEOUT_MS, useValue: config.RPC_TIMEOUT_MS },
        { provide: READINESS_TIMEOUT_MS, useValue: config.READINESS_TIMEOUT_MS },
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_FILTER, useClass: ProblemFilter },
        RpcClient,
        NatsHealthIndicator,
      ],
    };
  }
}
