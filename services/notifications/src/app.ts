import { bootstrapService, RunningService } from '@smart-regency/platform';
import { AppModule } from './app.module';
import { loadNotificationsConfig, NotificationsConfig } from './config';
import { configuredResolver, Resolver, systemResolver } from './webhooks/target-guard';

export interface NotificationsOptions {
  handleSignals?: boolean;
  /** How webhook host names resolve (default: WEBHOOK_HOSTS, then the system's DNS unless WEBHOOK_SYSTEM_DNS is off); tests give a stub. */
  resolver?: Resolver;
}

export function startNotifications(config: NotificationsConfig = loadNotificationsConfig(), handleSignals = false, options: NotificationsOptions = {}): Promise<RunningService> {
  return bootstrapService({
    service: 'notifications',
    config,
    rootModule: (connection) =>
      AppModule.forRoot(config, connection, options.resolver ?? configuredResolver(config.WEBHOOK_HOSTS, config.WEBHOOK_SYSTEM_DNS ? systemResolver : undefined)),
    handleSignals: options.handleSignals ?? handleSignals,
  });
}
