import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { RpcErrorPayload } from '@smart-regency/contracts';
import { throwError } from 'rxjs';
import { databaseErrorToDomain } from './database-errors';
import { DomainError } from './domain-error';

/** Turns anything a NATS handler throws into `{ code, message, details }`; unknown errors are logged once. */
export function toRpcError(exception: unknown, logger: Pick<Logger, 'error' | 'warn'>): RpcErrorPayload {
  if (exception instanceof DomainError) return exception.toRpc();
  if (exception instanceof HttpException && exception.getStatus() === 400) {
    return { code: 'COMMON.VALIDATION', message: exception.message };
  }
  const database = databaseErrorToDomain(exception);
  if (database?.code === 'COMMON.SERVICE_UNAVAILABLE') {
    logger.warn(`database unavailable: ${(exception as Error)?.message}`);
    return database.toRpc();
  }
  logger.error(exception instanceof Error ? exception.stack ?? exception.message : String(exception));
  // Input validation should have refused it; the caller still gets a 4xx, and the log says where.
  return database ? database.toRpc() : { code: 'COMMON.INTERNAL', message: 'Internal error' };
}

/**
 * A service's global filter: NATS handlers answer with an RPC error payload; the service's own
 * small HTTP surface (health, metrics) keeps Nest's default handling.
 */
@Catch()
export class RpcErrorFilter extends BaseExceptionFilter implements ExceptionFilter {
  private readonly log = new Logger('RpcErrorFilter');

  override catch(exception: unknown, host: ArgumentsHost) {
    if (host.getType() === 'rpc') {
      const payload = toRpcError(exception, this.log);
      return throwError(() => payload);
    }
    return super.catch(exception, host);
  }
}
