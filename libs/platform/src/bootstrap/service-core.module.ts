import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, APP_PIPE, DiscoveryModule } from '@nestjs/core';
import { RpcAccessCheck, RpcAccessGuard } from '../auth/rpc-access';
import { ServiceName } from '@smart-regency/contracts';
import { NatsConnection } from 'nats';
import type { ServiceConfig } from '../config/config';
import { databaseModule, DatabaseSchema } from '../database/database';
import { withEventTables } from '../events/event-tables.migration';
import { EventsModule } from '../events/events.module';
import { ServiceHealthModule } from '../health/service-health.module';
import { loggingModule } from '../logging/logging';
import { Metrics } from '../metrics/metrics';
import { NatsContextInterceptor } from '../nats/nats-context.interceptor';
import { NatsModule } from '../nats/nats.module';
import { RPC_TIMEOUT_MS, RpcClient } from '../nats/rpc-client';
import { FileTransfer } from '../nats/file-transfer';
import { IdempotentWrites } from '../database/idempotency';
import { RpcErrorFilter } from '../errors/rpc-error.filter';
import { createValidationPipe } from '../errors/validation';

export interface ServiceCoreOptions {
  service: ServiceName;
  config: ServiceConfig;
  connection: NatsConnection;
  schema: DatabaseSchema;
}

/** Everything a domain service has besides its domain: logs, metrics, NATS, its database, health. */
@Module({})
export class ServiceCoreModule {
  static forService({ service, config, connection, schema }: ServiceCoreOptions): DynamicModule {
    return {
      module: ServiceCoreModule,
      global: true,
      imports: [
        DiscoveryModule,
        loggingModule(service, config.LOG_LEVEL, config.LOG_FORMAT),
        NatsModule.forConnection(connection, config.NATS_PREFIX),
        databaseModule(config, withEventTables(schema)),
        EventsModule.forService(config),
        ServiceHealthModule.forService(service),
      ],
      providers: [
        // The service's own config class is injectable everywhere in it (e.g. `PermitsConfig`).
        { provide: config.constructor, useValue: config },
        { provide: Metrics, useValue: new Metrics(service) },
        // Services ask each other too (e.g. permits reads identity's calendar).
        { provide: RPC_TIMEOUT_MS, useValue: 5000 },
        RpcClient,
        FileTransfer,
        IdempotentWrites,
        // Registered as providers so the NATS transport inherits them (a hybrid app's microservice
        // is already initialised when connected, too late for useGlobal*).
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_FILTER, useClass: RpcErrorFilter },
        // Who may ask what, checked here as well as in the gateway: deny by default.
        { provide: APP_GUARD, useClass: RpcAccessGuard },
        RpcAccessCheck,
        {
          provide: APP_INTERCEPTOR,
          useFactory: (metrics: Metrics) => new NatsContextInterceptor(metrics, config.NATS_PREFIX),
          inject: [Metrics],
        },
      ],
      exports: [config.constructor, Metrics, RpcClient, FileTransfer, IdempotentWrites],
    };
  }
}
