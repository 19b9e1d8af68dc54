export type ChannelName = 'email' | 'sms' | 'whatsapp';

/** One message to one address. `reference` is the message's id: providers that support it use it to drop duplicates. */
export interface OutboundMessage {
  to: string;
  subject?: string;
  text: string;
  reference: string;
}

export type SendOutcome =
  | { ok: true; providerId?: string }
  /** `permanent`: retrying cannot help (a refused address, a 4xx other than 408/429); `retryAfterMs` when the provider said so. */
  | { ok: false; permanent: boolean; reason: string; retryAfterMs?: number };

export interface MessageChannel {
  readonly name: ChannelName;
  send(message: OutboundMessage): Promise<SendOutcome>; // never throws: every failure is an outcome
  close(): Promise<void>;
}
