import { AckPolicy, ConsumerConfig, ConsumerInfo, DeliverPolicy, JetStreamManager, nanos } from 'nats';
import { Integrator, IntegratorConsumer } from './permissions';

/** How long one pull may wait: below the 2 minutes a service import keeps a pull's response route. */
export const INTEGRATOR_MAX_PULL_WAIT_MS = 60_000;

/** The durable the regency makes for an integrator: pull, explicit acks, the registry's filter, from the start of the stream. */
export function integratorDurableConfig(integrator: Integrator, consumer: IntegratorConsumer): Partial<ConsumerConfig> {
  return {
    durable_name: consumer.name,
    description: `integrator ${integrator.name} (npm run nats:integrator)`,
    filter_subject: consumer.filter,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(30_000),
    max_expires: nanos(INTEGRATOR_MAX_PULL_WAIT_MS),
  };
}

/** Why an existing durable is not the one the registry describes (a push consumer left from before, another filter), or undefined. */
function mismatch(info: ConsumerInfo, consumer: IntegratorConsumer): string | undefined {
  const { config } = info;
  if (config.deliver_subject) return `it delivered to ${config.deliver_subject}`;
  if (config.ack_policy !== AckPolicy.Explicit) return `its ack policy was ${config.ack_policy}`;
  const filter = config.filter_subject ?? config.filter_subjects?.join(',') ?? '';
  if (filter !== consumer.filter) return `its filter was "${filter}"`;
  return undefined;
}

export interface SyncReport {
  created: string[];
  recreated: string[];
  kept: string[];
  deleted: string[];
  /** What NATS refused or failed, one line each; the durable is left as it was. */
  failed: string[];
}

const NOT_FOUND = /consumer not found|10014|404/i;

/**
 * Makes the events stream's integrator durables match the registry: creates the missing ones,
 * recreates those that differ (they start over), deletes the durables of removed integrators. It
 * touches no other consumer, and the ops user it runs as may touch no other.
 */
export async function syncIntegratorDurables(jsm: JetStreamManager, stream: string, integrators: Integrator[], say: (line: string) => void): Promise<SyncReport> {
  const report: SyncReport = { created: [], recreated: [], kept: [], deleted: [], failed: [] };
  await jsm.streams.info(stream);
  const infoOf = (name: string) => jsm.consumers.info(stream, name).catch((error: Error) => (NOT_FOUND.test(error.message) ? undefined : Promise.reject(error)));
  const attempt = async (integrator: Integrator, consumer: IntegratorConsumer, step: () => Promise<void>) => {
    try {
      await step();
    } catch (error) {
      const line = `${consumer.name} (integrator ${integrator.name}): ${(error as Error).message}`;
      report.failed.push(line);
      say(`failed  ${line}`);
    }
  };
  for (const integrator of integrators.filter((i) => !i.removedAt)) {
    for (const consumer of integrator.consumers) {
      await attempt(integrator, consumer, async () => {
        const info = await infoOf(consumer.name);
        const wrong = info && mismatch(info, consumer);
        if (info && !wrong) {
          report.kept.push(consumer.name);
          say(`kept    ${consumer.name} (integrator ${integrator.name}, ${consumer.filter}, ${info.num_pending} pending)`);
          return;
        }
        if (wrong) await jsm.consumers.delete(stream, consumer.name);
        await jsm.consumers.add(stream, integratorDurableConfig(integrator, consumer));
        (wrong ? report.recreated : report.created).push(consumer.name);
        say(`${wrong ? `recreated ${consumer.name}: ${wrong}; it starts over` : `created ${consumer.name}`} (integrator ${integrator.name}, ${consumer.filter})`);
      });
    }
  }
  for (const integrator of integrators.filter((i) => i.removedAt)) {
    let left = 0;
    for (const consumer of integrator.consumers) {
      await attempt(integrator, consumer, async () => {
        left++;
        if (await infoOf(consumer.name)) {
          await jsm.consumers.delete(stream, consumer.name);
          report.deleted.push(consumer.name);
          say(`deleted ${consumer.name} (integrator ${integrator.name}, removed ${integrator.removedAt})`);
        }
        left--;
      });
    }
    if (left === 0) say(`nothing is left of removed integrator ${integrator.name}: npm run nats:integrator -- forget ${integrator.name}`);
  }
  return report;
}
