import { DynamicModule, Module } from '@nestjs/common';
import { AuditModule, ServiceCoreModule } from '@smart-regency/platform';
import { NatsConnection } from 'nats';
import { AttachmentsModule } from './attachments/attachments.module';
import { CategoriesModule } from './categories/categories.module';
import { ComplaintsModule } from './complaints/complaints.module';
import { ComplaintsConfig } from './config';
import { complaintsSchema } from './schema';
import { PrivacyModule } from './privacy/privacy.module';
import { LaporModule } from './lapor/lapor.module';
import { NotificationContextModule } from './notification-context/notification-context.module';

@Module({})
export class AppModule {
  static forRoot(config: ComplaintsConfig, connection: NatsConnection): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceCoreModule.forService({ service: 'complaints', config, connection, schema: complaintsSchema }),
        AuditModule.forService('complaints'),
        CategoriesModule,
        ComplaintsModule,
        PrivacyModule,
        AttachmentsModule,
        LaporModule,
        NotificationContextModule,
      ],
    };
  }
}
