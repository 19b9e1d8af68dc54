import 'reflect-metadata';
import { connectNats, natsOptionsOf, runMain, runMigrations, withEventTables, createStartupLogger } from '@smart-regency/platform';
import { SingleBar, Presets } from 'cli-progress';
import { loadReportingConfig } from './config';
import { rebuildReadModels } from './rebuild/rebuild';
import { reportingSchema } from './schema';

/**
 * `npx nx run reporting:rebuild` (or `node services/reporting/dist/rebuild.js [--allow-truncated]`):
 * replays the events stream into fresh read models and swaps them in while the service runs.
 */
void runMain('reporting rebuild', async () => {
  const config = loadReportingConfig();
  const logger = createStartupLogger('reporting-rebuild', config.LOG_LEVEL, config.LOG_FORMAT);
  await runMigrations(config, withEventTables(reportingSchema), logger);
  const nc = await connectNats(natsOptionsOf(config, 'reporting-rebuild'), logger);
  // Without a terminal (a job's log) the bar is printed every 5 s instead of redrawn.
  const bar = new SingleBar(
    { format: 'rebuild [{bar}] {percentage}% | stream {value}/{total} | {eta_formatted} left', etaBuffer: 50, noTTYOutput: true, notTTYSchedule: 5000 },
    Presets.shades_classic,
  );
  let started = false;
  try {
    const result = await rebuildReadModels({
      databaseUrl: config.DATABASE_URL,
      nc,
      stream: config.EVENTS_STREAM,
      logger,
      allowTruncatedStream: process.argv.includes('--allow-truncated'),
      onProgress: (done, total) => {
        if (!started) bar.start(total, done);
        started = true;
        bar.setTotal(Math.max(total, 1));
        bar.update(done);
      },
    });
    bar.stop();
    process.stdout.write(
      `rebuilt from ${result.messages} messages (${result.applied} events applied, ${result.skipped} skipped) up to stream #${result.lastSequence} in ${result.seconds.toFixed(1)} s; new tables swapped in\n`,
    );
  } finally {
    bar.stop();
    await nc.drain();
  }
  process.exit(0);
});
