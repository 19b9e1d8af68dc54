import { bootstrapService, RunningService } from '@smart-regency/platform';
import { AppModule } from './app.module';
import { ComplaintsConfig, loadComplaintsConfig } from './config';

export function startComplaints(config: ComplaintsConfig = loadComplaintsConfig(), handleSignals = false): Promise<RunningService> {
  return bootstrapService({
    service: 'complaints',
    config,
    rootModule: (connection) => AppModule.forRoot(config, connection),
    handleSignals,
  });
}
