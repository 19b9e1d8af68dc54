import { DynamicModule, Module } from '@nestjs/common';
import { AuditModule, ServiceCoreModule } from '@smart-regency/platform';
import { NatsConnection } from 'nats';
import { NotificationsConfig } from './config';
import { notificationsSchema } from './schema';
import { Resolver, systemResolver } from './webhooks/target-guard';
import { LaporModule } from './lapor/lapor.module';
import { MessagesModule } from './messages/messages.module';
import { NotificationsConsumer } from './notifications-consumer';
import { WebhooksModule } from './webhooks/webhooks.module';

@Module({})
export class AppModule {
  static forRoot(config: NotificationsConfig, connection: NatsConnection, resolver: Resolver = systemResolver): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceCoreModule.forService({ service: 'notifications', config, connection, schema: notificationsSchema }),
        AuditModule.forService('notifications'),
        WebhooksModule.forRoot(resolver),
        MessagesModule,
        LaporModule,
      ],
      providers: [NotificationsConsumer],
    };
  }
}
