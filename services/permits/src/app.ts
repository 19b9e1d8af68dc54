import { bootstrapService, RunningService } from '@smart-regency/platform';
import { AppModule } from './app.module';
import { PermitsConfig, loadPermitsConfig } from './config';

export function startPermits(config: PermitsConfig = loadPermitsConfig(), handleSignals = false): Promise<RunningService> {
  return bootstrapService({
    service: 'permits',
    config,
    rootModule: (connection) => AppModule.forRoot(config, connection),
    handleSignals,
  });
}
