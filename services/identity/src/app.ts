import { bootstrapService, RunningService } from '@smart-regency/platform';
import { AppModule } from './app.module';
import { IdentityConfig, loadIdentityConfig } from './config';

export function startIdentity(config: IdentityConfig = loadIdentityConfig(), handleSignals = false): Promise<RunningService> {
  return bootstrapService({
    service: 'identity',
    config,
    rootModule: (connection) => AppModule.forRoot(config, connection),
    handleSignals,
  });
}
