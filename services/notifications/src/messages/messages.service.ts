import { Injectable } from '@nestjs/common';
import {
  Actor,
  ListMessagesRequest,
  ListMyNotificationsRequest,
  MESSAGE_CHANNELS,
  MESSAGE_LANGUAGES,
  MessageResponse,
  NotificationPreferences,
  NotificationPreferencesResponse,
  NotificationResponse,
  NotificationsDataExport,
  Page,
  PutTemplateCommand,
  TemplateResponse,
} from '@smart-regency/contracts';
import { AuditTrail, DomainError } from '@smart-regency/platform';
import { DataSource } from 'typeorm';
import { MessageComposer } from './composer';
import { isMessageType, MESSAGE_TYPES, MessageType } from './message-types';
import { MessageStore, toPreferences } from './message.store';
import { templateProblems } from './templates';

const STAFF_ROLES = ['officer', 'agency_head', 'admin'];

/** The inbox, preferences, templates and the record of messages, as people and admins use them. */
@Injectable()
export class MessagesService {
  private readonly store = new MessageStore();

  constructor(
    private readonly db: DataSource,
    private readonly audit: AuditTrail,
    private readonly composer: MessageComposer,
  ) {}

  async inbox(actor: Actor, query: ListMyNotificationsRequest): Promise<Page<NotificationResponse>> {
    const page = query.page ?? 1;
    const pageSize = query.pageSize ?? 20;
    return { ...(await this.store.inbox(this.db, actor.id, !!query.unread, page, pageSize)), page, pageSize };
  }

  async unreadCount(actor: Actor): Promise<{ count: number }> {
    return { count: await this.store.unreadCount(this.db, actor.id) };
  }

  async markRead(actor: Actor, id: string): Promise<NotificationResponse> {
    const row = await this.store.markRead(this.db, actor.id, id);
    // Someone else's message is as absent as one that never was.
    if (!row) throw new DomainError('NOTIFICATIONS.NOTIFICATION_NOT_FOUND', 'no such message in your inbox');
    return row;
  }

  async markAllRead(actor: Actor): Promise<{ marked: number }> {
    return { marked: await this.store.markAllRead(this.db, actor.id) };
  }

  async preferences(actor: Actor): Promise<NotificationPreferencesResponse> {
    const row = (await this.store.preferences(this.db, [actor.id])).get(actor.id);
    return this.forRole(actor, toPreferences(row));
  }

  /** Consent to SMS and WhatsApp, and its withdrawal, is recorded in the audit trail (UU 27/2022). */
  async putPreferences(actor: Actor, request: NotificationPreferences): Promise<NotificationPreferencesResponse> {
    const staff = actor.roles.some((r) => STAFF_ROLES.includes(r));
    const wanted = { ...request, staff: staff ? (request.staff ?? { instant: true, dailyDigest: false }) : undefined };
    const row = await this.db.transaction(async (m) => {
      const before = (await this.store.preferences(m, [actor.id])).get(actor.id);
      const after = await this.store.putPreferences(m, actor.id, wanted);
      await this.store.skipPending(m, actor.id, MESSAGE_CHANNELS.filter((c) => !wanted.channels[c]));
      await this.audit.record(m, {
        action: 'notification.preferences',
        entityType: 'notification_preferences',
        entityId: actor.id,
        changes: { before: before ? stripTime(toPreferences(before)) : null, after: stripTime(toPreferences(after)) },
      });
      return after;
    });
    return this.forRole(actor, toPreferences(row));
  }

  async templates(): Promise<TemplateResponse[]> {
    const custom = await this.composer.templates.custom();
    return (Object.keys(MESSAGE_TYPES) as MessageType[]).flatMap((type) =>
      MESSAGE_LANGUAGES.map((language) => {
        const own = custom.get(`${type}/${language}`);
        const text = own ?? MESSAGE_TYPES[type].defaults[language];
        return {
          type,
          language,
          audience: MESSAGE_TYPES[type].audience,
          subject: text.subject,
          body: text.body,
          short: text.short,
          variables: [...MESSAGE_TYPES[type].variables],
          customised: !!own,
          ...(own ? { updatedAt: own.updatedAt.toISOString() } : {}),
        };
      }),
    );
  }

  async putTemplate(actor: Actor, command: PutTemplateCommand): Promise<TemplateResponse> {
    if (!isMessageType(command.type)) throw new DomainError('NOTIFICATIONS.TEMPLATE_NOT_FOUND', `no message type "${command.type}"`);
    const spec = MESSAGE_TYPES[command.type];
    const text = { subject: command.subject, body: command.body, short: command.short };
    const problems = templateProblems(text, spec.variables);
    if (problems.length) throw new DomainError('NOTIFICATIONS.INVALID_TEMPLATE', problems.map((p) => `${p.field}: ${p.message}`).join('; '), problems);
    const updatedAt = await this.db.transaction(async (m) => {
      const at = await this.store.putTemplate(m, { type: command.type, language: command.language, ...text }, actor.id);
      await this.audit.record(m, { action: 'notification.template', entityType: 'notification_template', entityId: `${command.type}/${command.language}`, changes: { after: text } });
      return at;
    });
    this.composer.templates.forget();
    return { type: command.type, language: command.language, audience: spec.audience, ...text, variables: [...spec.variables], customised: true, updatedAt: updatedAt.toISOString() };
  }

  /** Staff see the messages about their agency's records; admins and auditors all of them. */
  async messages(actor: Actor, query: ListMessagesRequest): Promise<Page<MessageResponse>> {
    const everything = actor.roles.some((r) => r === 'admin' || r === 'auditor');
    if (!everything && !actor.agencyId) throw new DomainError('COMMON.FORBIDDEN', 'staff of an agency, admins and auditors only');
    const page = query.page ?? 1;
    const pageSize = query.pageSize ?? 20;
    const found = await this.store.messages(this.db, { recordId: query.recordId, status: query.status, agencyId: everything ? undefined : actor.agencyId }, page, pageSize);
    return { ...found, page, pageSize };
  }

  async exportMine(actor: Actor): Promise<NotificationsDataExport> {
    const { preferences, notifications } = await this.store.everythingOf(this.db, actor.id);
    return { preferences: toPreferences(preferences), notifications };
  }

  private forRole(actor: Actor, prefs: NotificationPreferencesResponse): NotificationPreferencesResponse {
    if (actor.roles.some((r) => STAFF_ROLES.includes(r))) return prefs;
    const { staff: _staff, ...rest } = prefs;
    return rest;
  }
}

function stripTime(p: NotificationPreferencesResponse): Omit<NotificationPreferencesResponse, 'updatedAt'> {
  const { updatedAt: _at, ...rest } = p;
  return rest;
}
