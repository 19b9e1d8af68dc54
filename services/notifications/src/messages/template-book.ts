import { MessageLanguage } from '@smart-regency/contracts';
import { Sql } from '../sql';
import { MESSAGE_TYPES, MessageTemplateText, MessageType } from './message-types';
import { MessageStore } from './message.store';

const FRESH_MS = 5000;

/** The templates in force: an admin's text where there is one, else the shipped default. Read at most every 5 s. */
export class TemplateBook {
  private overrides?: { at: number; texts: Promise<Map<string, MessageTemplateText & { updatedAt: Date }>> };

  constructor(
    private readonly db: Sql,
    private readonly store = new MessageStore(),
  ) {}

  async text(type: MessageType, language: MessageLanguage): Promise<MessageTemplateText> {
    return (await this.custom()).get(`${type}/${language}`) ?? MESSAGE_TYPES[type].defaults[language];
  }

  /** The admins' texts, by `type/language`. */
  custom(): Promise<Map<string, MessageTemplateText & { updatedAt: Date }>> {
    if (!this.overrides || Date.now() - this.overrides.at > FRESH_MS) {
      const texts = this.store.templates(this.db).then((rows) => new Map(rows.map((r) => [`${r.type}/${r.language}`, { subject: r.subject, body: r.body, short: r.short, updatedAt: r.updated_at }])));
      // A failed read is not remembered.
      texts.catch(() => (this.overrides = undefined));
      this.overrides = { at: Date.now(), texts };
    }
    return this.overrides.texts;
  }

  /** A template changed here: read them again next time. */
  forget(): void {
    this.overrides = undefined;
  }
}
