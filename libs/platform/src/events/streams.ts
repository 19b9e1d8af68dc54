import { DiscardPolicy, JetStreamManager, nanos, RetentionPolicy, StorageType, StreamConfig } from 'nats';
import type { ServiceConfig } from '../config/config';

export type EventsSettings = Pick<
  ServiceConfig,
  | 'EVENTS_STREAM'
  | 'EVENTS_SUBJECT_PREFIX'
  | 'EVENTS_MAX_AGE_DAYS'
  | 'EVENTS_DUPLICATE_WINDOW_SECONDS'
  | 'DEADLETTER_STREAM'
  | 'DEADLETTER_SUBJECT_PREFIX'
>;

const DAY_MS = 24 * 3600 * 1000;

async function upsertStream(jsm: JetStreamManager, config: Partial<StreamConfig> & { name: string }): Promise<void> {
  try {
    const current = await jsm.streams.info(config.name);
    const changed = (Object.keys(config) as Array<keyof StreamConfig>).some(
      (key) => JSON.stringify(current.config[key]) !== JSON.stringify(config[key]),
    );
    if (changed) await jsm.streams.update(config.name, { ...current.config, ...config });
  } catch (error) {
    if ((error as { code?: string }).code !== '404') throw error;
    try {
      await jsm.streams.add(config);
    } catch (addError) {
      // Another replica created it in the meantime: that is what we wanted.
      if (!/already in use/i.test((addError as Error).message)) throw addError;
    }
  }
}

/** Creates or updates the events stream and the dead-letter stream; safe to call from every replica. */
export async function ensureEventStreams(jsm: JetStreamManager, settings: EventsSettings): Promise<void> {
  const streams: Array<[name: string, prefix: string]> = [
    [settings.EVENTS_STREAM, settings.EVENTS_SUBJECT_PREFIX],
    [settings.DEADLETTER_STREAM, settings.DEADLETTER_SUBJECT_PREFIX],
  ];
  for (const [name, prefix] of streams) {
    await upsertStream(jsm, {
      name,
      subjects: [`${prefix}.>`],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      discard: DiscardPolicy.Old,
      max_age: nanos(settings.EVENTS_MAX_AGE_DAYS * DAY_MS),
      duplicate_window: nanos(settings.EVENTS_DUPLICATE_WINDOW_SECONDS * 1000),
    });
  }
}
