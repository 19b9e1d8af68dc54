import { DynamicModule, Module } from '@nestjs/common';
import { AuditModule, ServiceCoreModule } from '@smart-regency/platform';
import { NatsConnection } from 'nats';
import { PermitsConfig } from './config';
import { PermitTypesModule } from './permit-types/permit-types.module';
import { ApplicationsModule } from './applications/applications.module';
import { permitsSchema } from './schema';
import { PrivacyModule } from './privacy/privacy.module';
import { NotificationContextModule } from './notification-context/notification-context.module';

@Module({})
export class AppModule {
  static forRoot(config: PermitsConfig, connection: NatsConnection): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceCoreModule.forService({ service: 'permits', config, connection, schema: permitsSchema }),
        AuditModule.forService('permits'),
        PermitTypesModule,
        ApplicationsModule,
        PrivacyModule,
        NotificationContextModule,
      ],
    };
  }
}
