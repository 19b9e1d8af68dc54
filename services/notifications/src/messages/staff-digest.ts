import { Injectable } from '@nestjs/common';
import { MessageChannelName, SUBJECTS } from '@smart-regency/contracts';
import { RpcClient, ScheduledJob } from '@smart-regency/platform';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { NotificationsConfig } from '../config';
import { MessageChannels } from './message-channels';
import { MessageStore, NewNotification, toPreferences } from './message.store';
import { MessageSender } from './sender';
import { TemplateBook } from './template-book';
import { formatDay, render } from './templates';
import { digestEventId, lastDigestHour } from './digest-time';

const BATCH = 50;

/**
 * Each morning at DIGEST_HOUR (WIB), staff who chose the daily digest get one message listing the
 * staff messages of the past day (nothing when there were none). Claimed with SKIP LOCKED, so
 * replicas share the work and nobody gets two.
 */
@Injectable()
export class StaffDigest extends ScheduledJob {
  private readonly store = new MessageStore();
  private readonly templates: TemplateBook;

  constructor(
    private readonly db: DataSource,
    private readonly rpc: RpcClient,
    private readonly config: NotificationsConfig,
    private readonly channels: MessageChannels,
    private readonly sender: MessageSender,
  ) {
    super('StaffDigest', config.DIGEST_CHECK_SECONDS * 1000);
    this.templates = new TemplateBook(db);
  }

  /** Sends the digests due at `now`; returns how many went out. */
  async runOnce(now = new Date()): Promise<number> {
    const due = lastDigestHour(now, this.config.DIGEST_HOUR);
    let sent = 0;
    for (;;) {
      const { claimed, made } = await this.db.transaction(async (m) => {
        const rows = await this.store.claimDigests(m, due, BATCH);
        if (!rows.length) return { claimed: 0, made: 0 };
        const { contacts } = await this.rpc.send(SUBJECTS.identity.contacts, { userIds: rows.map((r) => r.user_id) });
        const messages: NewNotification[] = [];
        for (const row of rows) {
          const contact = contacts.find((c) => c.userId === row.user_id);
          if (!contact?.active) continue;
          // Since the digest before (the day before the first one).
          const since = row.previous_digest_at ?? new Date(due.getTime() - 86_400_000);
          const items = await this.store.staffMessagesSince(m, row.user_id, since);
          if (!items.length) continue;
          const prefs = toPreferences(row);
          const variables = {
            name: contact.fullName,
            appUrl: this.config.APP_BASE_URL,
            date: formatDay(due.toISOString(), prefs.language),
            count: String(items.length),
            items: items.map((i) => `- ${i.title}`).join('\n'),
          };
          const template = await this.templates.text('staff.digest', prefs.language);
          const text = render(template, variables);
          // The list quotes message titles (a confidential complaint's, if an admin made titles say it): never by SMS or WhatsApp.
          text.short = render(template, { ...variables, items: '' }).short;
          const channels = (['email', 'sms', 'whatsapp'] as MessageChannelName[]).filter(
            (c) => prefs.channels[c] && this.channels.has(c) && (c === 'email' ? contact.email : contact.phone),
          );
          messages.push({
            id: randomUUID(),
            userId: row.user_id,
            eventId: digestEventId(row.user_id, due),
            recordId: null,
            agencyId: contact.agencyId,
            type: 'staff.digest',
            recipientRole: 'staff',
            language: prefs.language,
            title: text.subject,
            body: text.body,
            short: text.short,
            link: null,
            inApp: prefs.channels.inApp,
            eventTime: due.toISOString(),
            channels,
          });
        }
        return { claimed: rows.length, made: (await this.store.insertMessages(m, messages)).length };
      });
      sent += made;
      if (claimed < BATCH) break;
    }
    if (sent) {
      this.logger.log(`sent ${sent} daily digests`);
      this.sender.wake();
    }
    return sent;
  }
}
