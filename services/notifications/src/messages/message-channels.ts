import { ChannelName, MessageChannel } from '../channels/channel';

/** The channels this regency configured (email needs SMTP_HOST, SMS and WhatsApp a provider URL). */
export class MessageChannels {
  private readonly byName: Map<ChannelName, MessageChannel>;

  constructor(channels: MessageChannel[]) {
    this.byName = new Map(channels.map((c) => [c.name, c]));
  }

  has(name: ChannelName): boolean {
    return this.byName.has(name);
  }

  get(name: ChannelName): MessageChannel | undefined {
    return this.byName.get(name);
  }

  async close(): Promise<void> {
    await Promise.all([...this.byName.values()].map((c) => c.close().catch(() => undefined)));
  }
}
