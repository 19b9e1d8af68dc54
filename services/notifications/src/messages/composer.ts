import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Contact, CONTEXTS_PER_REQUEST, MessageChannelName, MessageLanguage, NotificationContext, SUBJECTS } from '@smart-regency/contracts';
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
import { StaffDirectory } from './staff-directory';
import { TemplateBook } from './template-book';
import { messageVariables } from './variables';
import { MessageSender, Reach } from './sender';

type Subject = { recordId: string; userId: string };

/** An event with what its record's service said about it. */
interface Plan {
  job: JobRow;
  event: Record<string, unknown>;
  intents: Intent[];
  context: NotificationContext;
}

/** Jobs claimed together, batches composed side by side, each record service asked once per batch. */
const JOB_BATCH = 100;
const COMPOSER_BATCHES = 2;
const CONTACTS_PER_CALL = 200;

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
export class MessageComposer extends QueueLoop<JobRow[]> implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly store = new MessageStore();
  private readonly delays: number[];
  private readonly staff: StaffDirectory;
  readonly templates: TemplateBook;

  constructor(
    private readonly db: DataSource,
    private readonly rpc: RpcClient,
    private readonly config: NotificationsConfig,
    private readonly channels: MessageChannels,
    private readonly sender: MessageSender,
  ) {
    // A batch of jobs shares its lookups (one contacts call, one staff list per agency) and one transaction.
    super('MessageComposer', COMPOSER_BATCHES, config.MESSAGE_POLL_MS);
    this.delays = messageRetryDelays(config);
    this.templates = new TemplateBook(db);
    this.staff = new StaffDirectory(rpc);
  }

  onApplicationBootstrap(): void {
    this.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.stop();
  }

  protected async claim(): Promise<JobRow[][]> {
    const jobs = await this.store.claimJobs(this.db, JOB_BATCH, this.config.MESSAGE_TIMEOUT_MS * 4 + 30_000);
    // A full batch may have left more behind: look again as soon as a slot is free.
    if (jobs.length === JOB_BATCH) this.wake();
    return jobs.length ? [jobs] : [];
  }

  protected async handle(jobs: JobRow[]): Promise<void> {
    const { composed, failed, reach } = await this.composeAll(jobs);
    for (const [job, error] of failed) {
      const transient = isTransient(error);
      const delay = transient ? nextDelay(this.delays, job.attempts - 1) : undefined;
      const reason = `${(error as Error).message}`.slice(0, 500);
      if (delay === undefined) this.logger.warn(`event ${job.event_id} (${job.event_type}) dead-lettered: ${reason}`);
      await this.store.failJob(this.db, job.event_id, reason, delay);
    }
    if (!composed.length) return;
    const messages = composed.flatMap((c) => c.messages);
    const handover = this.sender.handover(messages, reach);
    try {
      // The messages, their deliveries and the jobs' end: one statement; then the first sends.
      const stored = await this.store.insertMessages(this.db, messages, { subjects: composed.flatMap((c) => c.subjects), finishedJobs: composed.map((c) => c.job.event_id), deliveries: handover.deliveries });
      handover.send(stored);
    } finally {
      handover.done();
    }
  }

  /**
   * The messages a batch of events leads to (none for most). Each event asks its record's service
   * (side by side); the people are looked up together. A job whose lookups failed is returned
   * with its error, the rest go on.
   */
  async composeAll(jobs: JobRow[]): Promise<{ composed: Array<{ job: JobRow; messages: NewNotification[]; subjects: Subject[] }>; failed: Array<[JobRow, unknown]>; reach: Map<string, Reach> }> {
    const failed: Array<[JobRow, unknown]> = [];
    const planned: Plan[] = [];
    // Each record service is asked once for all of its events in the batch (both side by side).
    const asking = new Map<'permits' | 'complaints', Array<{ job: JobRow; event: Record<string, unknown>; intents: Intent[] }>>();
    for (const job of jobs) {
      const event = job.data ?? {};
      const intents = intentsFor({ type: job.event_type, data: event });
      const service = contextServiceOf(job.event_type, event);
      if (!intents.length || !service) planned.push({ job, event, intents: [], context: NO_CONTEXT });
      else asking.set(service, [...(asking.get(service) ?? []), { job, event, intents }]);
    }
    await Promise.all(
      [...asking].map(async ([service, items]) => {
        for (let i = 0; i < items.length; i += CONTEXTS_PER_REQUEST) {
          const chunk = items.slice(i, i + CONTEXTS_PER_REQUEST);
          try {
            const contexts = await this.contexts(service, chunk.map((item) => item.job));
            chunk.forEach((item, k) => planned.push({ ...item, context: contexts[k] ?? NO_CONTEXT }));
          } catch (error) {
            for (const item of chunk) failed.push([item.job, error]);
          }
        }
      }),
    );
    // Everyone the batch concerns, looked up at once.
    const people = [...new Set(planned.flatMap((p) => (p.context.found && p.intents.some((i) => i.to === 'record') ? p.context.recipients.map((r) => r.userId) : [])))];
    let contacts: Map<string, Contact>;
    try {
      contacts = await this.contactsOf(people);
    } catch (error) {
      // Without identity nobody in the batch can be told: all of it waits for a retry.
      return { composed: [], failed: [...failed, ...planned.map((p): [JobRow, unknown] => [p.job, error])], reach: new Map() };
    }
    const composed: Array<{ job: JobRow; messages: NewNotification[]; subjects: Subject[] }> = [];
    const recipientsOf = new Map<Plan, Recipient[]>();
    for (const plan of planned) {
      try {
        recipientsOf.set(plan, plan.context.found ? await this.recipients(plan, contacts) : []);
      } catch (error) {
        failed.push([plan.job, error]);
      }
    }
    const everyone = [...new Set([...recipientsOf.values()].flatMap((rs) => rs.map((r) => r.contact.userId)))];
    const prefs = await this.store.preferences(this.db, everyone);
    const reach = new Map<string, Reach>();
    for (const [plan, recipients] of recipientsOf) {
      const subjects = plan.context.found ? plan.context.recipients.map((r) => ({ recordId: plan.job.record_id, userId: r.userId })) : [];
      const messages: NewNotification[] = [];
      for (const r of recipients) {
        for (const intent of r.intents) {
          const message = await this.message(plan.job, plan.context, plan.event, r, intent, prefs.get(r.contact.userId));
          if (!message) continue;
          messages.push(message);
          reach.set(message.id, { contact: r.contact, prefs: prefs.get(r.contact.userId) });
        }
      }
      composed.push({ job: plan.job, messages, subjects });
    }
    return { composed, failed, reach };
  }

  private async contactsOf(userIds: string[]): Promise<Map<string, Contact>> {
    const out = new Map<string, Contact>();
    for (let i = 0; i < userIds.length; i += CONTACTS_PER_CALL) {
      const { contacts } = await this.rpc.send(SUBJECTS.identity.contacts, { userIds: userIds.slice(i, i + CONTACTS_PER_CALL) });
      for (const c of contacts) out.set(c.userId, c);
    }
    return out;
  }

  /** What the record's service says about each event, in the order of the jobs (at most CONTEXTS_PER_REQUEST). */
  private async contexts(service: 'permits' | 'complaints', jobs: Array<Pick<JobRow, 'event_type' | 'record_id' | 'data'>>): Promise<NotificationContext[]> {
    const requests = jobs.map((job) => {
      const d = job.data ?? {};
      // A deadline warning is about the record as it stands: asked as its service's own kind of event.
      const eventType = job.event_type === DEADLINE_APPROACHING ? (service === 'permits' ? 'permits.application.deadline_approaching.v1' : 'complaints.complaint.deadline_approaching.v1') : job.event_type;
      return {
        recordId: job.record_id,
        eventType,
        ...(typeof d.at === 'string' ? { at: d.at } : {}),
        ...(typeof d.action === 'string' ? { action: d.action } : {}),
        ...(typeof d.commentId === 'string' ? { commentId: d.commentId } : {}),
      };
    });
    const { contexts } = await this.rpc.send(SUBJECTS[service].notificationContext, { requests });
    if (!Array.isArray(contexts) || contexts.length !== requests.length) throw new Error(`${service} answered ${Array.isArray(contexts) ? contexts.length : 'no'} contexts for ${requests.length} events`);
    return contexts;
  }

  /** Each person concerned, once, with the messages meant for them. */
  private async recipients({ context, intents, event }: Plan, contacts: Map<string, Contact>): Promise<Recipient[]> {
    const byUser = new Map<string, Recipient>();
    const add = (contact: Contact | undefined, role: Recipient['role'], intent: Intent) => {
      if (!contact?.active) return;
      const r = byUser.get(contact.userId) ?? { contact, role, intents: [] };
      if (!r.intents.some((i) => i.type === intent.type)) r.intents.push(intent);
      byUser.set(contact.userId, r);
    };
    const agencyId = context.agencyId ?? (typeof event.agencyId === 'string' ? event.agencyId : undefined);
    for (const intent of intents) {
      if (intent.to === 'record') {
        for (const person of context.recipients ?? []) add(contacts.get(person.userId), person.role, intent);
      } else {
        if (intent.to === 'agency' && !agencyId) continue;
        for (const c of await this.staff.of(intent.to === 'agency' ? { agencyId } : { role: 'admin' })) add(c, 'staff', intent);
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
