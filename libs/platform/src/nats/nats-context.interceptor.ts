import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { NatsContext } from '@nestjs/microservices';
import { isRpcErrorPayload, REQUEST_ID_HEADER } from '@smart-regency/contracts';
import { randomUUID } from 'crypto';
import { PinoLogger } from 'nestjs-pino';
import { Store, storage } from 'nestjs-pino/storage';
import { Observable } from 'rxjs';
import { DomainError } from '../errors/domain-error';
import { Metrics } from '../metrics/metrics';

/**
 * Runs every NATS handler inside the caller's request context: log lines carry the gateway's
 * request id, and each handled request is counted and timed by subject.
 */
@Injectable()
export class NatsContextInterceptor implements NestInterceptor {
  constructor(
    private readonly metrics: Metrics,
    private readonly prefix: string,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'rpc') return next.handle();
    const nats = context.switchToRpc().getContext<NatsContext>();
    const fullSubject = nats.getSubject();
    const subject = this.prefix && fullSubject.startsWith(`${this.prefix}.`) ? fullSubject.slice(this.prefix.length + 1) : fullSubject;
    const requestId = nats.getHeaders()?.get(REQUEST_ID_HEADER) || randomUUID();
    const logger = PinoLogger.root.child({ requestId, subject });
    const started = process.hrtime.bigint();
    const finish = (outcome: string, level: 'info' | 'warn' | 'error' = 'info') => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      this.metrics.natsRequests.inc({ subject, outcome });
      this.metrics.natsDuration.observe({ subject, outcome }, seconds);
      logger[level]({ outcome, durationMs: Math.round(seconds * 10000) / 10 }, `handled ${subject}`);
    };
    return new Observable((subscriber) =>
      storage.run(new Store(logger), () =>
        next.handle().subscribe({
          next: (value) => subscriber.next(value),
          error: (error: unknown) => {
            const code = error instanceof DomainError ? error.code : isRpcErrorPayload(error as unknown) ? (error as { code: string }).code : 'COMMON.INTERNAL';
            finish(code, code === 'COMMON.INTERNAL' ? 'error' : 'warn');
            subscriber.error(error);
          },
          complete: () => {
            finish('ok');
            subscriber.complete();
          },
        }),
      ),
    );
  }
}
