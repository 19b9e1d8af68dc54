import { DynamicModule, Module } from '@nestjs/common';
import { ServiceCoreModule } from '@smart-regency/platform';
import { NatsConnection } from 'nats';
import { ReportingConfig } from './config';
import { reportingSchema } from './schema';
import { ProjectionModule } from './projection/projection.module';
import { ReportsModule } from './reports/reports.module';

@Module({})
export class AppModule {
  static forRoot(config: ReportingConfig, connection: NatsConnection): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceCoreModule.forService({ service: 'reporting', config, connection, schema: reportingSchema }),
        ProjectionModule,
        ReportsModule,
      ],
    };
  }
}
