import { DynamicModule } from '@nestjs/common';
import { IncomingMessage } from 'http';
import { LoggerModule } from 'nestjs-pino';
import pino, { LoggerOptions } from 'pino';
import type { LogLevel } from '../config/config';

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

export function baseLoggerOptions(service: string, level: LogLevel): LoggerOptions {
  return {
    level,
    base: { service },
    messageKey: 'msg',
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    formatters: { level: (label) => ({ level: label }) },
  };
}

/** A logger for the time before Nest is up (waiting for PostgreSQL and NATS). */
export function createStartupLogger(service: string, level: LogLevel) {
  return pino(baseLoggerOptions(service, level));
}

const QUIET_ROUTES = /^\/(health|metrics)(\/|$|\?)/;

/** Structured JSON logs; every line of a request carries `requestId`. */
export function loggingModule(service: string, level: LogLevel): DynamicModule {
  return LoggerModule.forRoot({
    pinoHttp: {
      ...baseLoggerOptions(service, level),
      quietReqLogger: true,
      customAttributeKeys: { reqId: 'requestId' },
      autoLogging: { ignore: (req: IncomingMessage) => QUIET_ROUTES.test(req.url ?? '') },
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
      serializers: {
        req: (req: { method: string; url: string; remoteAddress?: string }) => ({
          method: req.method,
          url: req.url,
          remoteAddress: req.remoteAddress,
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    },
  });
}
