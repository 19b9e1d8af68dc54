import { DynamicModule, Module } from '@nestjs/common';
import { ServiceCoreModule } from '@smart-regency/platform';
import { NatsConnection } from 'nats';
import { AgenciesModule } from './agencies/agencies.module';
import { IdentityConfig } from './config';
import { identitySchema } from './schema';

@Module({})
export class AppModule {
  static forRoot(config: IdentityConfig, connection: NatsConnection): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceCoreModule.forService({ service: 'identity', config, connection, schema: identitySchema }),
        AgenciesModule,
      ],
    };
  }
}
