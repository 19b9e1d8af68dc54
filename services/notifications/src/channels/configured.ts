import { NotificationsConfig } from '../config';
import { MessageChannel } from './channel';
import { EmailChannel } from './email-channel';
import { HttpMessageChannel } from './http-channel';

/** The channels the configuration turns on: email with SMTP_HOST, SMS and WhatsApp with their provider's URL. */
export function configuredChannels(config: NotificationsConfig): MessageChannel[] {
  const channels: MessageChannel[] = [];
  if (config.SMTP_HOST) {
    channels.push(
      new EmailChannel({
        host: config.SMTP_HOST,
        port: config.SMTP_PORT,
        secure: config.SMTP_SECURE,
        requireTls: !!config.SMTP_REQUIRE_TLS,
        user: config.SMTP_USER,
        password: config.SMTP_PASSWORD,
        from: config.SMTP_FROM,
        timeoutMs: config.MESSAGE_TIMEOUT_MS,
      }),
    );
  }
  if (config.SMS_PROVIDER_URL) channels.push(new HttpMessageChannel({ name: 'sms', url: config.SMS_PROVIDER_URL, token: config.SMS_PROVIDER_TOKEN ?? '', timeoutMs: config.MESSAGE_TIMEOUT_MS }));
  if (config.WHATSAPP_PROVIDER_URL) {
    channels.push(new HttpMessageChannel({ name: 'whatsapp', url: config.WHATSAPP_PROVIDER_URL, token: config.WHATSAPP_PROVIDER_TOKEN ?? '', timeoutMs: config.MESSAGE_TIMEOUT_MS }));
  }
  return channels;
}
