import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Contact, MESSAGE_CHANNELS, MessageChannelName, SUBJECTS } from '@smart-regency/contracts';
import { Metrics, RpcClient } from '@smart-regency/platform';
import { Counter, Gauge, Histogram } from 'prom-client';
import { DataSource } from 'typeorm';
import { normalizeIndonesianPhone } from '../channels/http-channel';
import { messageRetryDelays, NotificationsConfig } from '../config';
import { MessageChannels } from './message-channels';
import { randomUUID } from 'node:crypto';
import { ClaimedMessage, MessageOutcome, MessageStore, NewDelivery, NewNotification, PreferencesRow, StoredMessage, toPreferences } from './message.store';
import { QueueLoop, nextDelay } from './queue-loop';

/** Messages claimed (and asked about) together. */
const SEND_BATCH = 8;

/** Outcomes are written back together, at most this often. */
const FLUSH_MS = 20;

/**
 * Sends due messages on their channels. The address is asked of identity at send time (a changed
 * email is used, an erased or disabled account gets nothing) and the person's choice is read again
 * (opting out stops what waits). A failure is retried along MESSAGE_RETRY_SCHEDULE; a refusal, or
 * the schedule spent, dead-letters the message with its reason for staff to see. Each channel
 * has its own sending slots, so a provider that hangs holds up only its own channel.
 */
@Injectable()
export class MessageSender implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('MessageSender');
  private readonly store = new MessageStore();
  private readonly loops: ChannelSendLoop[];
  private readonly delays: number[];
  private outcomes: MessageOutcome[] = [];
  private flushTimer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();
  private readonly sent: Counter<'channel' | 'outcome'>;
  private readonly eventToMessage: Histogram<'channel'>;

  constructor(
    private readonly db: DataSource,
    private readonly rpc: RpcClient,
    private readonly config: NotificationsConfig,
    private readonly channels: MessageChannels,
    metrics: Metrics,
  ) {
    this.loops = MESSAGE_CHANNELS.map((channel) => new ChannelSendLoop(channel, this, config.MESSAGE_CONCURRENCY, config.MESSAGE_POLL_MS));
    this.delays = messageRetryDelays(config);
    this.sent = new Counter({ name: 'messages_sent_total', help: 'Message attempts by channel and outcome (delivered, retry, failed, skipped)', labelNames: ['channel', 'outcome'] as const, registers: [metrics.registry] });
    this.eventToMessage = new Histogram({
      name: 'message_event_to_delivery_seconds',
      help: "From the event's time to the message's delivery, by channel",
      labelNames: ['channel'] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 30, 300, 3600],
      registers: [metrics.registry],
    });
    const store = this.store;
    new Gauge({
      name: 'messages_pending',
      help: 'Messages waiting for a send or a retry',
      registers: [metrics.registry],
      async collect() {
        this.set((await store.pendingSummary(db).catch(() => undefined))?.pending ?? 0);
      },
    });
  }

  onApplicationBootstrap(): void {
    for (const loop of this.loops) loop.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.loops.map((loop) => loop.stop()));
    await this.flush();
    await this.channels.close();
  }

  /** New messages wait on these channels (all, when not said): they look at once. */
  wake(channels: readonly MessageChannelName[] = MESSAGE_CHANNELS): void {
    for (const loop of this.loops) if (channels.includes(loop.channel)) loop.wake();
  }

  private loopOf(channel: MessageChannelName): ChannelSendLoop {
    return this.loops.find((l) => l.channel === channel)!;
  }

  /** How long a claimed (or handed-over) delivery is ours before another attempt may take it. */
  private get leaseMs(): number {
    return this.config.MESSAGE_TIMEOUT_MS + 30_000;
  }

  /**
   * The deliveries of messages being composed. Those that fit in free sending slots are leased as
   * they are stored and sent at once (`Handover.send`), with the contact and choices the composer
   * has just read: identity was asked milliseconds before, so the first attempt asks nothing again
   * and waits for no claim. The rest (slots full: a slow provider) wait for the channel's loop,
   * which asks identity when it claims them; so do all retries.
   */
  handover(messages: NewNotification[], reach: ReadonlyMap<string, Reach>): Handover {
    const slots = new Map<MessageChannelName, number>();
    const deliveries: NewDelivery[] = [];
    for (const channel of MESSAGE_CHANNELS) {
      const on = messages.filter((n) => n.channels.includes(channel));
      if (!on.length) continue;
      const got = this.loopOf(channel).reserve(Math.ceil(on.length / SEND_BATCH));
      slots.set(channel, got);
      on.forEach((n, i) => deliveries.push({ id: randomUUID(), notificationId: n.id, userId: n.userId, channel, ...(i < got * SEND_BATCH && reach.has(n.id) ? { leaseMs: this.leaseMs } : {}) }));
    }
    let settled = false;
    const byId = new Map(messages.map((n) => [n.id, n]));
    return {
      deliveries,
      send: (stored: StoredMessage[]) => {
        const fresh = new Map(stored.map((x) => [x.id, x]));
        for (const [channel, got] of slots) {
          const ready: Ready[] = [];
          for (const d of deliveries) {
            const text = fresh.get(d.notificationId);
            const person = reach.get(d.notificationId);
            const n = byId.get(d.notificationId)!;
            if (d.channel !== channel || d.leaseMs === undefined || !text || !person) continue;
            const claimed: ClaimedMessage = { id: d.id, notification_id: n.id, user_id: n.userId, channel, attempts: 1, retry_step: 0, title: text.title, body: text.body, short: text.short, event_time: new Date(n.eventTime), prefs: person.prefs ?? null };
            ready.push({ d: claimed, contact: person.contact, prefs: person.prefs });
          }
          const loop = this.loopOf(channel);
          let used = 0;
          for (let i = 0; i < ready.length; i += SEND_BATCH, used++) loop.adopt(ready.slice(i, i + SEND_BATCH));
          slots.set(channel, got - used);
        }
      },
      done: () => {
        if (settled) return;
        settled = true;
        for (const [channel, left] of slots) this.loopOf(channel).release(left);
        // What was not handed over waits for its channel's loop.
        const waiting = new Set(deliveries.filter((d) => d.leaseMs === undefined).map((d) => d.channel));
        if (waiting.size) this.wake([...waiting]);
      },
    };
  }

  /**
   * Due messages of one channel, a batch of at most SEND_BATCH, leased for the time a send may take,
   * each with its person's choices (read with the claim) and address (one contacts question for the batch).
   */
  async claim(channel: MessageChannelName): Promise<Ready[]> {
    const claimed = await this.store.claimDeliveries(this.db, channel, SEND_BATCH, this.leaseMs);
    if (!claimed.length) return [];
    const users = [...new Set(claimed.map((d) => d.user_id))];
    try {
      const answer = await this.rpc.send(SUBJECTS.identity.contacts, { userIds: users });
      const contacts = new Map(answer.contacts.map((c) => [c.userId, c]));
      return claimed.map((d) => ({ d, contact: contacts.get(d.user_id), prefs: d.prefs ?? undefined }));
    } catch (error) {
      // Identity away: the same step again soon, not a failed attempt.
      const retryAt = new Date(Date.now() + (this.delays[0] ?? 10_000));
      for (const d of claimed) this.record({ id: d.id, status: 'retry', note: `contacts unavailable: ${(error as Error).message}`.slice(0, 300), nextAt: retryAt, step: false }, d);
      return [];
    }
  }

  /** Sends a batch side by side. */
  async handle(batch: Ready[]): Promise<void> {
    await Promise.all(batch.map(({ d, contact, prefs }) => this.send(d, contact, prefs)));
  }

  private async send(d: ClaimedMessage, contact: Contact | undefined, row: PreferencesRow | undefined): Promise<void> {
    const skip = (note: string) => this.record({ id: d.id, status: 'skipped', note }, d);
    if (!contact?.active) return skip('the account is disabled or erased');
    if (!toPreferences(row).channels[d.channel]) return skip('the person turned this channel off');
    const to = d.channel === 'email' ? contact.email : contact.phone && normalizeIndonesianPhone(contact.phone);
    if (!to) return skip(d.channel === 'email' ? 'no email address' : 'no usable mobile number');
    const channel = this.channels.get(d.channel);
    if (!channel) return skip(`${d.channel} is not configured`);
    const outcome = await channel.send({ to, subject: d.title, text: d.channel === 'email' ? d.body : d.short, reference: d.id });
    if (outcome.ok) {
      this.eventToMessage.observe({ channel: d.channel }, (Date.now() - new Date(d.event_time).getTime()) / 1000);
      return this.record({ id: d.id, status: 'delivered', note: null, providerId: outcome.providerId }, d);
    }
    const delay = outcome.permanent ? undefined : nextDelay(this.delays, d.retry_step);
    if (delay === undefined) {
      const note = outcome.permanent ? outcome.reason : `gave up after ${d.attempts} attempts: ${outcome.reason}`;
      return this.record({ id: d.id, status: 'failed', note: note.slice(0, 500) }, d);
    }
    this.record({ id: d.id, status: 'retry', note: outcome.reason.slice(0, 500), nextAt: new Date(Date.now() + Math.max(delay, outcome.retryAfterMs ?? 0)) }, d);
  }

  private record(outcome: MessageOutcome, d: ClaimedMessage): void {
    this.sent.inc({ channel: d.channel, outcome: outcome.status });
    this.outcomes.push(outcome);
    this.flushTimer ??= setTimeout(() => void this.flush(), FLUSH_MS);
  }

  /** Writes the outcomes gathered so far (one statement). */
  flush(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const outcomes = this.outcomes;
    this.outcomes = [];
    this.flushing = this.flushing.then(async () => {
      if (!outcomes.length) return;
      try {
        await this.store.recordOutcomes(this.db, outcomes);
      } catch (error) {
        // The leases run out and the messages are tried again: at least once, never lost.
        this.logger.error(`recording ${outcomes.length} outcomes failed: ${(error as Error).message}`);
      }
    });
    return this.flushing;
  }
}

/** Whom a composed message is for, as the composer read it (identity's answer and the person's choices). */
export interface Reach {
  contact: Contact;
  prefs: PreferencesRow | undefined;
}

/** Deliveries of messages being stored; `send` after they are, `done` always (gives back unused slots). */
export interface Handover {
  deliveries: NewDelivery[];
  send(stored: StoredMessage[]): void;
  done(): void;
}

/** A claimed message with what sending it needs. */
interface Ready {
  d: ClaimedMessage;
  contact: Contact | undefined;
  prefs: PreferencesRow | undefined;
}

/**
 * The sending slots of one channel: up to MESSAGE_CONCURRENCY batches in flight. A batch waits for
 * its slowest send, so a hanging provider holds up batches of its own channel only, one slot each.
 */
class ChannelSendLoop extends QueueLoop<Ready[]> {
  constructor(
    readonly channel: MessageChannelName,
    private readonly sender: MessageSender,
    concurrency: number,
    pollMs: number,
  ) {
    super(`MessageSender:${channel}`, concurrency, pollMs);
  }

  protected async claim(): Promise<Ready[][]> {
    const batch = await this.sender.claim(this.channel);
    // A full batch may have left more behind: look again at once.
    if (batch.length === SEND_BATCH) this.wake();
    return batch.length ? [batch] : [];
  }

  protected handle(batch: Ready[]): Promise<void> {
    return this.sender.handle(batch);
  }
}
