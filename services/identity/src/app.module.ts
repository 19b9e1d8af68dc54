import { DynamicModule, Module } from '@nestjs/common';
import { AuditModule, ServiceCoreModule } from '@smart-regency/platform';
import { NatsConnection } from 'nats';
import { AgenciesModule } from './agencies/agencies.module';
import { IdentityConfig } from './config';
import { identitySchema } from './schema';
import { UsersModule } from './users/users.module';
import { AuthModule } from './auth/auth.module';
import { CalendarModule } from './calendar/calendar.module';
import { PrivacyModule } from './privacy/privacy.module';
import { ContactsModule } from './contacts/contacts.module';

@Module({})
export class AppModule {
  static forRoot(config: IdentityConfig, connection: NatsConnection): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceCoreModule.forService({ service: 'identity', config, connection, schema: identitySchema }),
        AuditModule.forService('identity'),
        AgenciesModule,
        UsersModule,
        AuthModule,
        CalendarModule,
        PrivacyModule,
        ContactsModule,
      ],
    };
  }
}
