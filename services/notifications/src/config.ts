import { Expose } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength, ValidateIf } from 'class-validator';
import { ConfigError, loadConfig, ServiceConfig, toBool, toInt } from '@smart-regency/platform';

export class NotificationsConfig extends ServiceConfig {
  /** Encrypts webhook secrets at rest (AES-256-GCM under a key derived from it). Losing it means rotating every webhook's secret. */
  @Expose() @IsString() @MinLength(32, { message: 'WEBHOOK_SECRET_ENCRYPTION_KEY must be at least 32 characters' })
  WEBHOOK_SECRET_ENCRYPTION_KEY: string;

  /** The key before WEBHOOK_SECRET_ENCRYPTION_KEY, while rotating it: read, never written. */
  @Expose() @ValidateIf((c: NotificationsConfig) => c.WEBHOOK_SECRET_ENCRYPTION_KEY_PREVIOUS !== undefined)
  @IsString() @MinLength(32, { message: 'WEBHOOK_SECRET_ENCRYPTION_KEY_PREVIOUS must be at least 32 characters' })
  WEBHOOK_SECRET_ENCRYPTION_KEY_PREVIOUS?: string;

  /**
   * Targets in private, loopback or link-local ranges are refused unless listed here (comma-separated
   * addresses or CIDR ranges, e.g. `10.20.0.0/16` for a regency's own data centre).
   */
  @Expose() @IsOptional() @IsString() @Matches(/^[0-9a-fA-F.:/, ]*$/, { message: 'WEBHOOK_ALLOWED_PRIVATE_RANGES must be addresses or CIDR ranges separated by commas' })
  WEBHOOK_ALLOWED_PRIVATE_RANGES: string = '';

  /**
   * Host names resolved here before DNS, like a hosts file: `name=address` pairs separated by
   * commas (e.g. `dashboard.sumut.internal=10.20.1.5`). Their addresses are checked like any other.
   */
  @Expose() @IsOptional() @IsString() @Matches(/^([A-Za-z0-9._-]+=[0-9a-fA-F.:]+(,\s*[A-Za-z0-9._-]+=[0-9a-fA-F.:]+)*)?$/, { message: 'WEBHOOK_HOSTS must be name=address pairs separated by commas' })
  WEBHOOK_HOSTS: string = '';

  /** Resolve other names with the system's DNS (tests turn it off: they reach no resolver). */
  @Expose() @toBool() @IsBoolean()
  WEBHOOK_SYSTEM_DNS: boolean = true;

  /** Plain http:// targets (default: only in development and tests). */
  @Expose() @IsOptional() @toBool() @IsBoolean()
  WEBHOOK_ALLOW_HTTP?: boolean;

  /** Each attempt's whole time: connect, send, answer. */
  @Expose() @toInt() @IsInt() @Min(500) @Max(60000)
  WEBHOOK_TIMEOUT_MS: number = 10000;

  /** Bytes of a receiver's answer read at most; the rest is dropped (the answer is not needed, only its status). */
  @Expose() @toInt() @IsInt() @Min(0) @Max(1048576)
  WEBHOOK_MAX_RESPONSE_BYTES: number = 65536;

  /** Deliveries in flight at once in each replica. */
  @Expose() @toInt() @IsInt() @Min(1) @Max(1000)
  WEBHOOK_CONCURRENCY: number = 64;

  /** Of those, at most this many for one subscription, so a slow receiver cannot hold up the others. */
  @Expose() @toInt() @IsInt() @Min(1) @Max(1000)
  WEBHOOK_CONCURRENCY_PER_SUBSCRIPTION: number = 32;

  /** How often each replica looks for due retries (new events wake it at once). */
  @Expose() @toInt() @IsInt() @Min(50) @Max(60000)
  WEBHOOK_POLL_MS: number = 1000;

  /** How long a rotated-out secret keeps signing deliveries, so receivers can switch without a gap. */
  @Expose() @toInt() @IsInt() @Min(0) @Max(24 * 30)
  WEBHOOK_SECRET_GRACE_HOURS: number = 24;

  /**
   * How long a subscription the system turned off keeps collecting deliveries for when it is turned
   * back on; after that none are queued (a replay fetches them from the stream, kept 365 days).
   */
  @Expose() @toInt() @IsInt() @Min(0) @Max(365)
  WEBHOOK_HOLD_DAYS: number = 7;

  /** Delivered rows are deleted after this many days (failed and pending ones stay until handled). */
  @Expose() @toInt() @IsInt() @Min(1) @Max(3650)
  WEBHOOK_DELIVERY_RETENTION_DAYS: number = 30;

  /**
   * Replays read from the stream at once in each replica; the others wait their turn (running, with
   * nothing scanned yet). Each holds at most one batch of events, so this bounds their memory.
   */
  @Expose() @toInt() @IsInt() @Min(1) @Max(64)
  WEBHOOK_REPLAY_CONCURRENCY: number = 2;

  /** Most subscriptions at once. */
  @Expose() @toInt() @IsInt() @Min(1) @Max(10000)
  WEBHOOK_MAX_SUBSCRIPTIONS: number = 200;

  /**
   * Seconds between attempts, comma-separated; the last attempt is after the last delay. The default
   * keeps trying for about 26 hours: 5 s, 30 s, 2 min, 10 min, 30 min, 1 h, 2 h, 4 h, 8 h, 10 h.
   * Tests use a short schedule.
   */
  @Expose() @IsString() @Matches(/^\d+(\.\d+)?(,\d+(\.\d+)?){0,29}$/, { message: 'WEBHOOK_RETRY_SCHEDULE must be seconds separated by commas' })
  WEBHOOK_RETRY_SCHEDULE: string = '5,30,120,600,1800,3600,7200,14400,28800,36000';

  /** The citizens' and staff's front end: links in messages point here (`{{appUrl}}`). */
  @Expose() @IsString() @Matches(/^https?:\/\/[^\s]+[^/\s]$/, { message: 'APP_BASE_URL must be an http(s) URL without a trailing slash' })
  APP_BASE_URL: string = 'http://localhost:3000';

  /** SMTP server for email; without it no email is sent (the inbox and other channels still are). */
  @Expose() @IsOptional() @IsString() @MaxLength(255)
  SMTP_HOST?: string;

  @Expose() @toInt() @IsInt() @Min(1) @Max(65535)
  SMTP_PORT: number = 587;

  /** Implicit TLS (port 465); otherwise STARTTLS when the server offers it. */
  @Expose() @toBool() @IsBoolean()
  SMTP_SECURE: boolean = false;

  /** Refuse to send over a connection STARTTLS did not protect (default: on in production). */
  @Expose() @IsOptional() @toBool() @IsBoolean()
  SMTP_REQUIRE_TLS?: boolean;

  @Expose() @IsOptional() @IsString() @MaxLength(255)
  SMTP_USER?: string;

  @Expose() @IsOptional() @IsString() @MaxLength(1024)
  SMTP_PASSWORD?: string;

  /** The sender, e.g. `Pemkab Labuhanbatu Utara <layanan@labura.go.id>`. */
  @Expose() @IsString() @MaxLength(255)
  SMTP_FROM: string = 'Smart Regency <no-reply@localhost>';

  /** The SMS gateway provider's endpoint (see docs/notifications.md); without it no SMS is sent. */
  @Expose() @IsOptional() @IsString() @Matches(/^https?:\/\/\S+$/, { message: 'SMS_PROVIDER_URL must be an http(s) URL' })
  SMS_PROVIDER_URL?: string;

  @Expose() @IsOptional() @IsString() @MaxLength(1024)
  SMS_PROVIDER_TOKEN?: string;

  /** The WhatsApp gateway provider's endpoint; without it no WhatsApp message is sent. */
  @Expose() @IsOptional() @IsString() @Matches(/^https?:\/\/\S+$/, { message: 'WHATSAPP_PROVIDER_URL must be an http(s) URL' })
  WHATSAPP_PROVIDER_URL?: string;

  @Expose() @IsOptional() @IsString() @MaxLength(1024)
  WHATSAPP_PROVIDER_TOKEN?: string;

  /** Each send's whole time (SMTP, SMS, WhatsApp, SP4N-LAPOR!). */
  @Expose() @toInt() @IsInt() @Min(500) @Max(120000)
  MESSAGE_TIMEOUT_MS: number = 15000;

  /** Sends in flight at once per channel and replica (a hanging provider holds up only its own channel). */
  @Expose() @toInt() @IsInt() @Min(1) @Max(1000)
  MESSAGE_CONCURRENCY: number = 16;

  /** How often the message workers look for due retries. */
  @Expose() @toInt() @IsInt() @Min(50) @Max(60000)
  MESSAGE_POLL_MS: number = 1000;

  /**
   * Seconds between attempts of a message (and of turning an event into messages), comma-separated;
   * after the last, the message is dead-lettered with its reason. The default tries for about 10
   * hours: 10 s, 1 min, 5 min, 15 min, 1 h, 3 h, 6 h.
   */
  @Expose() @IsString() @Matches(/^\d+(\.\d+)?(,\d+(\.\d+)?){0,29}$/, { message: 'MESSAGE_RETRY_SCHEDULE must be seconds separated by commas' })
  MESSAGE_RETRY_SCHEDULE: string = '10,60,300,900,3600,10800,21600';

  /** Staff are warned this many hours before a deadline of their queue passes. */
  @Expose() @toInt() @IsInt() @Min(1) @Max(24 * 14)
  DEADLINE_WARNING_HOURS: number = 24;

  /** How often deadlines about to pass are looked for. */
  @Expose() @toInt() @IsInt() @Min(1) @Max(86400)
  DEADLINE_CHECK_SECONDS: number = 300;

  /** Hour of the day (WIB) staff who chose it get their daily digest. */
  @Expose() @toInt() @IsInt() @Min(0) @Max(23)
  DIGEST_HOUR: number = 7;

  /** How often digests that are due are looked for. */
  @Expose() @toInt() @IsInt() @Min(1) @Max(3600)
  DIGEST_CHECK_SECONDS: number = 60;

  /** SP4N-LAPOR!'s API for this regency (see docs/lapor.md); without it forwards wait and fail after the retry schedule. */
  @Expose() @IsOptional() @IsString() @Matches(/^https?:\/\/\S+[^/]$/, { message: 'LAPOR_URL must be an http(s) URL without a trailing slash' })
  LAPOR_URL?: string;

  @Expose() @IsOptional() @IsString() @MaxLength(1024)
  LAPOR_TOKEN?: string;

  /** How often the status of each forwarded complaint is read back from SP4N-LAPOR!. */
  @Expose() @toInt() @IsInt() @Min(1) @Max(86400)
  LAPOR_POLL_SECONDS: number = 900;
}

const DEVELOPMENT_SECRETS = {
  WEBHOOK_SECRET_ENCRYPTION_KEY: 'development-only-webhook-secret-encryption-key-0123456789',
} as const;

export function loadNotificationsConfig(env: Record<string, string | undefined> = process.env): NotificationsConfig {
  const development = (env.NODE_ENV ?? 'development') !== 'production';
  const config = loadConfig(NotificationsConfig, env, {
    PORT: 3005,
    DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/regency_notifications',
    ...(development ? DEVELOPMENT_SECRETS : {}),
  });
  config.WEBHOOK_ALLOW_HTTP ??= development;
  config.SMTP_REQUIRE_TLS ??= !development;
  if (!development && config.WEBHOOK_SECRET_ENCRYPTION_KEY === DEVELOPMENT_SECRETS.WEBHOOK_SECRET_ENCRYPTION_KEY) {
    throw new ConfigError(['WEBHOOK_SECRET_ENCRYPTION_KEY must not be the development value in production']);
  }
  return config;
}

/** A schedule of seconds separated by commas (`WEBHOOK_RETRY_SCHEDULE`, `MESSAGE_RETRY_SCHEDULE`), in milliseconds. */
export function scheduleMs(schedule: string): number[] {
  return schedule.split(',').map((s) => Math.round(Number(s) * 1000));
}

/** The webhook retry delays in milliseconds. */
export const retryDelays = (config: Pick<NotificationsConfig, 'WEBHOOK_RETRY_SCHEDULE'>): number[] => scheduleMs(config.WEBHOOK_RETRY_SCHEDULE);

/** The message retry delays in milliseconds. */
export const messageRetryDelays = (config: Pick<NotificationsConfig, 'MESSAGE_RETRY_SCHEDULE'>): number[] => scheduleMs(config.MESSAGE_RETRY_SCHEDULE);
