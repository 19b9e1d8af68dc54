import { bootstrapService, RunningService } from '@smart-regency/platform';
import { AppModule } from './app.module';
import { loadNotificationsConfig, NotificationsConfig } from './config';
import { Resolver, systemResolver } from './webhooks/target-guard';

export interface NotificationsOptions {
  handleSignals?: boolean;
  /** How webhook host names resolve: the system's resolver; tests give a stub. */
  resolver?: Resolver;
}

export function startNotifications(config: NotificationsConfig = loadNotificationsConfig(), handleSignals = false, options: NotificationsOptions = {}): Promise<RunningService> {
  return bootstrapService({
    service: 'notifications',
    config,
    rootModule: (connection) => AppModule.forRoot(config, connection, options.resolver ?? systemResolver),
    handleSignals: options.handleSignals ?? handleSignals,
  });
}
