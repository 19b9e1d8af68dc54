import { INestApplication, Logger } from '@nestjs/common';

/**
 * On SIGTERM/SIGINT: stop taking work, let in-flight requests finish (Nest closes the HTTP server
 * and the NATS transport, which waits for its handlers), close pools, exit 0. If that takes
 * longer than the grace period plus a margin, exit 1 rather than hang.
 */
export function exitOnSignals(app: INestApplication, graceMs: number, signals: NodeJS.Signals[] = ['SIGTERM', 'SIGINT']): void {
  const logger = new Logger('Shutdown');
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    logger.log(`${signal} received: finishing in-flight work`);
    const force = setTimeout(() => {
      logger.error(`still busy ${graceMs + 5000} ms after ${signal}; exiting anyway`);
      process.exit(1);
    }, graceMs + 5000);
    force.unref();
    app.close().then(
      () => {
        logger.log('stopped cleanly');
        process.exit(0);
      },
      (error: Error) => {
        logger.error(`error while stopping: ${error.stack ?? error.message}`);
        process.exit(1);
      },
    );
  };
  for (const signal of signals) process.on(signal, onSignal);
}
