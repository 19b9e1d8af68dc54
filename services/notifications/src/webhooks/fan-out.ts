import { eventTypeMatches, RegencyCloudEvent } from '@smart-regency/contracts';
import { NewDelivery, Sql, WebhookStore } from './webhook.store';

type Subscription = { id: string; event_types: string[]; agency_id: string | null };

/** The agencies an event names itself (a permit's technical and issuing agency, a complaint's handler). */
export function agenciesNamedBy(event: RegencyCloudEvent): string[] | undefined {
  const data = (event.data ?? {}) as Record<string, unknown>;
  const ids = [data.agencyId, data.issuingAgencyId].filter((v): v is string => typeof v === 'string');
  return ids.length ? [...new Set(ids)] : undefined;
}

/** Whether a subscription wants an event: one of its patterns matches, and its agency (if any) is the record's. */
export function wants(subscription: Subscription, event: RegencyCloudEvent, agencies: string[] | undefined): boolean {
  if (!subscription.event_types.some((p) => eventTypeMatches(p, event.type))) return false;
  // Fail closed: an agency-scoped subscription gets nothing whose agency is unknown.
  return !subscription.agency_id || !!agencies?.includes(subscription.agency_id);
}

/**
 * Every pattern that can match an event type (`a.b.v1`: `a.b.v1`, `a.*.v1`, `a.>`, `*.b`, `>`…),
 * so the subscriptions that want it are found through the index on their patterns, not by reading
 * all of them: a segment is itself or `*`, a final `>` stands for one or more, and a pattern
 * without the version matches every version. At most a few hundred for six segments.
 */
export function patternsMatching(type: string): string[] {
  const segments = type.split('.');
  const targets = [segments];
  if (segments.length > 1 && /^v\d+$/.test(segments[segments.length - 1])) targets.push(segments.slice(0, -1));
  const out = new Set<string>();
  const expand = (parts: string[]): string[][] => parts.reduce<string[][]>((acc, part) => acc.flatMap((p) => [[...p, part], [...p, '*']]), [[]]);
  for (const target of targets) {
    for (const p of expand(target)) out.add(p.join('.'));
    for (let k = 0; k < target.length; k++) for (const p of expand(target.slice(0, k))) out.add([...p, '>'].join('.'));
  }
  return [...out];
}

/**
 * Turns events into deliveries in the consumer's transaction (with its inbox row): a delivery
 * exists exactly when its event was consumed. The body is the CloudEvent as it came off the stream.
 */
export class FanOut {
  /** `heldDays`: how long a subscription the system turned off still collects deliveries (WEBHOOK_HOLD_DAYS). */
  constructor(
    private readonly heldDays: number,
    private readonly store = new WebhookStore(),
  ) {}

  /** Queues the deliveries of a batch; returns how many. `only`: a replay, for one subscription. */
  async apply(m: Sql, events: RegencyCloudEvent[], only?: Subscription): Promise<number> {
    const named = new Map<string, string[]>();
    for (const e of events) {
      const agencies = agenciesNamedBy(e);
      if (agencies && e.subject) named.set(e.subject, agencies);
    }
    // A live batch keeps the map current; a replay reads it as it is now.
    if (!only) await this.store.rememberAgencies(m, named);
    const patterns = [...new Set(events.flatMap((e) => (typeof e.type === 'string' ? patternsMatching(e.type) : [])))];
    const subscriptions = only ? [only] : patterns.length ? await this.store.receivingSubscriptions(m, this.heldDays, patterns) : [];
    if (!subscriptions.length) return 0;
    const unnamed = events.filter((e) => e.subject && !named.has(e.subject)).map((e) => e.subject);
    const known = await this.store.agenciesOf(m, [...new Set(unnamed)]);
    const deliveries: NewDelivery[] = [];
    for (const e of events) {
      // The event's own, else the latest this batch named for its record, else the stored one.
      const agencies = agenciesNamedBy(e) ?? named.get(e.subject) ?? known.get(e.subject);
      let payload: string | undefined;
      for (const s of subscriptions) {
        if (!wants(s, e, agencies)) continue;
        payload ??= JSON.stringify(e);
        deliveries.push({ subscriptionId: s.id, eventId: e.id, eventType: e.type, eventTime: e.time, payload });
      }
    }
    return this.store.queueDeliveries(m, deliveries, !!only);
  }
}
