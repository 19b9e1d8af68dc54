import { Expose, plainToInstance, Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength, ValidateBy, ValidateIf, ValidationError, validateSync } from 'class-validator';
import { DEVELOPMENT_ACTOR_SIGNING_KEY } from '../nats/caller-signature';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Env values are strings; these turn them into numbers and booleans before validation. */
export const toInt = () =>
  Transform(({ value }) => (typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value));
export const toBool = () =>
  Transform(({ value }) => (value === 'true' || value === '1' ? true : value === 'false' || value === '0' ? false : value));

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const STREAM_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const SUBJECT_TOKENS = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

/** What every process (gateway and services) reads from its environment. */
export class CommonConfig {
  /** HTTP port: the API for the gateway, health and metrics for a service. */
  @Expose() @toInt() @IsInt() @Min(0) @Max(65535)
  PORT: number = 3000;

  /** One or more NATS servers, comma-separated. */
  @Expose() @IsString() @Matches(/^(nats|tls|ws|wss):\/\/[^\s,]+(,(nats|tls|ws|wss):\/\/[^\s,]+)*$/, {
    message: 'NATS_URL must be one or more nats://host:port URLs separated by commas',
  })
  NATS_URL: string = 'nats://127.0.0.1:4222';

  /** Prepended to every request/reply subject, so that several installs or test runs can share a NATS server. */
  @Expose() @IsString() @Matches(/^([A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*)?$/, {
    message: 'NATS_PREFIX must be empty or dot-separated tokens of letters, digits, "_" and "-"',
  })
  NATS_PREFIX: string = '';

  @Expose() @IsIn(LOG_LEVELS, { message: `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}` })
  LOG_LEVEL: LogLevel = 'info';

  /** `json` for machines (default); `pretty` for a developer's terminal (needs pino-pretty, a dev dependency). */
  @Expose() @IsIn(['json', 'pretty'], { message: 'LOG_FORMAT must be json or pretty' })
  LOG_FORMAT: 'json' | 'pretty' = 'json';

  /** How long SIGTERM waits for in-flight work before closing connections. */
  @Expose() @toInt() @IsInt() @Min(0) @Max(120000)
  SHUTDOWN_GRACE_MS: number = 10000;

  @Expose() @IsIn(['development', 'production', 'test'], { message: 'NODE_ENV must be development, production or test' })
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  /**
   * Secret the gateway signs each request's caller with (HMAC-SHA256), and services check it with:
   * the same value in every process. Required in production; a development value otherwise.
   */
  @Expose() @IsString() @MinLength(32, { message: 'ACTOR_SIGNING_KEY must be at least 32 characters' })
  @NotInProduction(DEVELOPMENT_ACTOR_SIGNING_KEY, 'ACTOR_SIGNING_KEY must be set in production (the development value is public)')
  ACTOR_SIGNING_KEY: string = DEVELOPMENT_ACTOR_SIGNING_KEY;

  /** The key before the last rotation: still accepted by services while every gateway moves to the new one. */
  @Expose() @IsOptional() @IsString() @MinLength(32, { message: 'ACTOR_SIGNING_KEY_PREVIOUS must be at least 32 characters' })
  ACTOR_SIGNING_KEY_PREVIOUS?: string;

  /** This process's NATS user and password; required in production, where NATS has users and permissions. */
  // class-validator checks a property's rules from the one nearest it upwards: IsString (is it set?) first.
  @Expose() @ValidateIf((c: CommonConfig) => c.NODE_ENV === 'production' || c.NATS_USER !== undefined || c.NATS_PASSWORD !== undefined)
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: 'NATS_USER must be letters, digits, "_" or "-"' })
  @IsString({ message: 'NATS_USER is required in production and with NATS_PASSWORD' })
  NATS_USER?: string;

  @Expose() @ValidateIf((c: CommonConfig) => c.NODE_ENV === 'production' || c.NATS_USER !== undefined || c.NATS_PASSWORD !== undefined)
  @MinLength(16, { message: 'NATS_PASSWORD must be at least 16 characters' })
  @IsString({ message: 'NATS_PASSWORD is required in production and with NATS_USER' })
  NATS_PASSWORD?: string;

  /** TLS to NATS: the CA that signed the server's certificate, and this client's certificate and key (mutual TLS). */
  @Expose() @IsOptional() @IsString()
  NATS_TLS_CA_FILE?: string;

  @Expose() @IsOptional() @IsString()
  NATS_TLS_CERT_FILE?: string;

  @Expose() @IsOptional() @IsString()
  NATS_TLS_KEY_FILE?: string;
}

/** Refuses `forbidden` (a public development value) when NODE_ENV is production. */
export function NotInProduction(forbidden: string, message: string) {
  return ValidateBy({
    name: 'notInProduction',
    validator: {
      validate: (value, args) => (args?.object as CommonConfig).NODE_ENV !== 'production' || value !== forbidden,
      defaultMessage: () => message,
    },
  });
}

/** A domain service: common settings plus its own PostgreSQL database. */
export class ServiceConfig extends CommonConfig {
  /** The service's own database; created at start if missing. */
  @Expose() @IsString() @Matches(/^postgres(ql)?:\/\/[^/\s]+\/[A-Za-z_][A-Za-z0-9_$-]{0,62}(\?\S*)?$/, {
    message: 'DATABASE_URL must look like postgres://user[:password]@host[:port]/database',
  })
  DATABASE_URL: string;

  @Expose() @toInt() @IsInt() @Min(1) @Max(200)
  DB_POOL_SIZE: number = 10;

  /** JetStream stream that carries the integrators' events. */
  @Expose() @Matches(STREAM_NAME, { message: 'EVENTS_STREAM must be letters, digits, "_" or "-"' })
  EVENTS_STREAM: string = 'REGENCY_EVENTS';

  /** Events are published on `<prefix>.<service>.<entity>.<event>.v<N>`. */
  @Expose() @Matches(SUBJECT_TOKENS, { message: 'EVENTS_SUBJECT_PREFIX must be dot-separated tokens' })
  EVENTS_SUBJECT_PREFIX: string = 'events';

  /** How long the stream keeps events (integrators can replay that far back). */
  @Expose() @toInt() @IsInt() @Min(1) @Max(3650)
  EVENTS_MAX_AGE_DAYS: number = 365;

  /** JetStream de-duplication window by event id; at least 2 minutes. */
  @Expose() @toInt() @IsInt() @Min(120, { message: 'EVENTS_DUPLICATE_WINDOW_SECONDS must be at least 120' }) @Max(86400)
  EVENTS_DUPLICATE_WINDOW_SECONDS: number = 120;

  /** Stream and subject prefix where consumers put events they could not process. */
  @Expose() @Matches(STREAM_NAME, { message: 'DEADLETTER_STREAM must be letters, digits, "_" or "-"' })
  DEADLETTER_STREAM: string = 'REGENCY_DEADLETTER';

  @Expose() @Matches(SUBJECT_TOKENS, { message: 'DEADLETTER_SUBJECT_PREFIX must be dot-separated tokens' })
  DEADLETTER_SUBJECT_PREFIX: string = 'deadletter';

  /** Published outbox rows are deleted after this many hours. */
  @Expose() @toInt() @IsInt() @Min(1) @Max(24 * 365)
  OUTBOX_RETENTION_HOURS: number = 72;
}

function describe(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((e) => {
    const name = parent ? `${parent}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((m) => (m.startsWith(e.property) ? m : `${name}: ${m}`));
    return [...own, ...describe(e.children ?? [], name)];
  });
}

/**
 * Reads and validates the environment once at start. Every bad variable is named in one error,
 * and values are never echoed (some are secrets).
 */
export function loadConfig<T extends object>(
  schema: new () => T,
  env: Record<string, string | undefined> = process.env,
  defaults: Partial<Record<keyof T, unknown>> = {},
): T {
  const source: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && value !== '') source[key] = value;
  }
  const config = plainToInstance(schema, source, { excludeExtraneousValues: true, exposeDefaultValues: true });
  const errors = validateSync(config, { forbidUnknownValues: false, stopAtFirstError: true });
  if (errors.length > 0) throw new ConfigError(describe(errors));
  return config;
}
