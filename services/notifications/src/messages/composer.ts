import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Contact, MessageChannelName, MessageLanguage, NotificationContext, SUBJECTS } from '@smart-regency/contracts';
import { RpcClient } from '@smart-regency/platform';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { messageRetryDelays, NotificationsConfig } from '../config';
import { MessageChannels } from './message-channels';
import { MESSAGE_TYPES } from './message-types';
import { JobRow, MessageStore, NewNotification, PreferencesRow, toPreferences } from './message.store';
import { QueueLoop, isTransient, nextDelay } from './queue-loop';
import { DEADLINE_APPROACHING } from './deadlines';
import { contextServiceOf, Intent, intentsFor } from './rules';
import { render } from './templates';
import { TemplateBook } from './template-book';
import { messageVariables } from './variables';
import { MessageSender } from './sender';

interface Recipient {
  contact: Contact;
  role: 'applicant' | 'reporter' | 'staff';
  intents: Intent[];
}

/** The variables that carry what a complaint says (its title, notes, answers), blanked in a confidential complaint's SMS and WhatsApp. */
const CONTENT_VARIABLES = ['title', 'note', 'response', 'comment'];

function withoutContent(variables: Record<string, string>): Record<string, string> {
  return { ...variables, ...Object.fromEntries(CONTENT_VARIABLES.map((k) => [k, ''])) };
}

/** Where a record lives in a front end when its service gave no link. */
const NO_CONTEXT: NotificationContext = { found: false, recipients: [], variables: {} };

/**
 * Turns queued events into messages: asks the record's service who is concerned and what to say
 * (as itself), identity how to reach them, renders each person's template in their language, and
 * stores the messages with a delivery per chosen channel, all in one transaction with the job's
 * end. A service that does not answer leaves the job for a retry; a refusal dead-letters it.
 */
@Injectable()
export class MessageComposer extends QueueLoop<JobRow> implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly store = new MessageStore();
  private readonly delays: number[];
  readonly templates: TemplateBook;

  constructor(
    private readonly db: DataSource,
    private readonly rpc: RpcClient,
    private readonly config: NotificationsConfig,
    private readonly channels: MessageChannels,
    private readonly sender: MessageSender,
  ) {
    super('MessageComposer', Math.max(4, Math.ceil(config.MESSAGE_CONCURRENCY / 2)), config.MESSAGE_POLL_MS);
    this.delays = messageRetryDelays(config);
    this.templates = new TemplateBook(db);
  }

  onApplicationBootstrap(): void {
    this.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.stop();
  }

  protected claim(limit: number): Promise<JobRow[]> {
    return this.store.claimJobs(this.db, limit, this.config.MESSAGE_TIMEOUT_MS * 4 + 30_000);
  }

  protected async handle(job: JobRow): Promise<void> {
    let messages: NewNotification[];
    let subjects: Array<{ recordId: string; userId: string }>;
    try {
      ({ messages, subjects } = await this.compose(job));
    } catch (error) {
      const transient = isTransient(error);
      const delay = transient ? nextDelay(this.delays, job.attempts - 1) : undefined;
      const reason = `${(error as Error).message}`.slice(0, 500);
      if (delay === undefined) this.logger.warn(`event ${job.event_id} (${job.event_type}) dead-lettered: ${reason}`);
      await this.store.failJob(this.db, job.event_id, reason, delay);
      return;
    }
    await this.db.transaction(async (m) => {
      await this.store.insertMessages(m, messages, subjects);
      await this.store.finishJob(m, job.event_id);
    });
    if (messages.some((n) => n.channels.length)) this.sender.wake();
  }

  /** The messages one event leads to (none for most), and whose record it is. */
  async compose(job: Pick<JobRow, 'event_id' | 'event_type' | 'record_id' | 'data' | 'event_time'>): Promise<{ messages: NewNotification[]; subjects: Array<{ recordId: string; userId: string }> }> {
    const event = job.data ?? {};
    const intents = intentsFor({ type: job.event_type, data: event });
    const service = contextServiceOf(job.event_type, event);
    if (!intents.length || !service) return { messages: [], subjects: [] };
    const context = await this.context(service, job);
    if (!context.found) return { messages: [], subjects: [] };
    const subjects = (context.recipients ?? []).map((r) => ({ recordId: job.record_id, userId: r.userId }));
    const recipients = await this.recipients(context, intents, event);
    if (!recipients.length) return { messages: [], subjects };
    const prefs = await this.store.preferences(this.db, recipients.map((r) => r.contact.userId));
    const messages: NewNotification[] = [];
    for (const r of recipients) {
      for (const intent of r.intents) {
        const message = await this.message(job, context, event, r, intent, prefs.get(r.contact.userId));
        if (message) messages.push(message);
      }
    }
    return { messages, subjects };
  }

  private async context(service: 'permits' | 'complaints', job: Pick<JobRow, 'event_type' | 'record_id' | 'data'>): Promise<NotificationContext> {
    const d = job.data ?? {};
    // A deadline warning is about the record as it stands: asked as its service's own kind of event.
    const eventType = job.event_type === DEADLINE_APPROACHING ? (service === 'permits' ? 'permits.application.deadline_approaching.v1' : 'complaints.complaint.deadline_approaching.v1') : job.event_type;
    const request = {
      recordId: job.record_id,
      eventType,
      ...(typeof d.at === 'string' ? { at: d.at } : {}),
      ...(typeof d.action === 'string' ? { action: d.action } : {}),
      ...(typeof d.commentId === 'string' ? { commentId: d.commentId } : {}),
    };
    const context = await this.rpc.send(SUBJECTS[service].notificationContext, request);
    return context ?? NO_CONTEXT;
  }

  /** Each person concerned, once, with the messages meant for them. */
  private async recipients(context: NotificationContext, intents: Intent[], event: Record<string, unknown>): Promise<Recipient[]> {
    const byUser = new Map<string, Recipient>();
    const add = (contact: Contact, role: Recipient['role'], intent: Intent) => {
      if (!contact.active) return;
      const r = byUser.get(contact.userId) ?? { contact, role, intents: [] };
      if (!r.intents.some((i) => i.type === intent.type)) r.intents.push(intent);
      byUser.set(contact.userId, r);
    };
    const agencyId = context.agencyId ?? (typeof event.agencyId === 'string' ? event.agencyId : undefined);
    for (const intent of intents) {
      if (intent.to === 'record') {
        const people = context.recipients ?? [];
        if (!people.length) continue;
        const { contacts } = await this.rpc.send(SUBJECTS.identity.contacts, { userIds: people.map((p) => p.userId) });
        for (const c of contacts) add(c, people.find((p) => p.userId === c.userId)!.role, intent);
      } else {
        if (intent.to === 'agency' && !agencyId) continue;
        const { contacts } = await this.rpc.send(SUBJECTS.identity.agencyStaff, intent.to === 'agency' ? { agencyId } : { role: 'admin' });
        for (const c of contacts) add(c, 'staff', intent);
      }
    }
    return [...byUser.values()];
  }

  private async message(
    job: Pick<JobRow, 'event_id' | 'record_id' | 'event_time'>,
    context: NotificationContext,
    event: Record<string, unknown>,
    r: Recipient,
    intent: Intent,
    row: PreferencesRow | undefined,
  ): Promise<NewNotification | undefined> {
    const prefs = toPreferences(row);
    const language: MessageLanguage = row ? prefs.language : (r.contact.language ?? 'id');
    const variables = messageVariables(context, event, language, r.contact.fullName, this.config.APP_BASE_URL);
    const text = render(await this.templates.text(intent.type, language), variables);
    const citizen = MESSAGE_TYPES[intent.type].audience === 'citizen';
    // Confidential complaints: SMS and WhatsApp say only that there is news to the reporter, and carry
    // none of the complaint's words to staff, whatever an admin put in the template's short text.
    if (context.visibility === 'confidential') {
      text.short = citizen
        ? render(await this.templates.text('complaint.confidential_update', language), variables).short
        : render(await this.templates.text(intent.type, language), withoutContent(variables)).short;
    }
    const instant = citizen || prefs.staff?.instant !== false;
    const channels = instant ? this.channelsFor(prefs.channels, r.contact) : [];
    // Staff messages are kept for the daily digest even when they see no inbox.
    const keep = prefs.channels.inApp || channels.length > 0 || !citizen;
    if (!keep) return undefined;
    return {
      id: randomUUID(),
      userId: r.contact.userId,
      eventId: job.event_id,
      recordId: job.record_id,
      agencyId: context.agencyId ?? (typeof event.agencyId === 'string' ? event.agencyId : null),
      type: intent.type,
      recipientRole: r.role,
      language,
      ...{ title: text.subject, body: text.body, short: text.short },
      link: context.link ?? null,
      inApp: prefs.channels.inApp,
      eventTime: new Date(job.event_time).toISOString(),
      channels,
    };
  }

  /** The channels a person chose that the regency runs and they have an address for. */
  private channelsFor(chosen: Record<MessageChannelName | 'inApp', boolean>, contact: Contact): MessageChannelName[] {
    const out: MessageChannelName[] = [];
    if (chosen.email && contact.email && this.channels.has('email')) out.push('email');
    if (chosen.sms && contact.phone && this.channels.has('sms')) out.push('sms');
    if (chosen.whatsapp && contact.phone && this.channels.has('whatsapp')) out.push('whatsapp');
    return out;
  }
}
