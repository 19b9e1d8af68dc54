import { bootstrapService, RunningService } from '@smart-regency/platform';
import { AppModule } from './app.module';
import { ReportingConfig, loadReportingConfig } from './config';

export function startReporting(config: ReportingConfig = loadReportingConfig(), handleSignals = false): Promise<RunningService> {
  return bootstrapService({
    service: 'reporting',
    config,
    rootModule: (connection) => AppModule.forRoot(config, connection),
    handleSignals,
  });
}
