import { DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import pino, { LoggerOptions } from 'pino';
import type { LogLevel } from '../config/config';

export type LogFormat = 'json' | 'pretty';

/** Never written to a log: credentials, tokens and identity numbers, wherever they appear. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'password',
  'newPassword',
  'nik',
  'token',
  'accessToken',
  'refreshToken',
  'clientSecret',
  'api_key',
  '*.password',
  '*.newPassword',
  '*.nik',
  '*.token',
  '*.accessToken',
  '*.refreshToken',
  '*.clientSecret',
  '*.api_key',
];

function prettyTransport(format: LogFormat): LoggerOptions['transport'] {
  if (format !== 'pretty') return undefined;
  try {
    require.resolve('pino-pretty');
  } catch {
    return undefined; // production images carry no dev dependencies: stay on JSON
  }
  return { target: 'pino-pretty', options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' } };
}

export function baseLoggerOptions(service: string, level: LogLevel, format: LogFormat = 'json'): LoggerOptions {
  return {
    transport: prettyTransport(format),
    level,
    base: { service },
    messageKey: 'msg',
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    formatters: { level: (label) => ({ level: label }) },
  };
}

/** A logger for the time before Nest is up (waiting for PostgreSQL and NATS). */
export function createStartupLogger(service: string, level: LogLevel, format: LogFormat = 'json') {
  return pino(baseLoggerOptions(service, level, format));
}

/**
 * Structured JSON logs through Nest's logger. HTTP access lines are written by instrumentHttp()
 * from a Fastify hook with the request id, rather than by pino-http's middleware, which builds a
 * child logger for every request (12% of the gateway's CPU in bench/).
 */
export function loggingModule(service: string, level: LogLevel, format: LogFormat = 'json'): DynamicModule {
  return LoggerModule.forRoot({
    pinoHttp: baseLoggerOptions(service, level, format),
    forRoutes: [],
  });
}
