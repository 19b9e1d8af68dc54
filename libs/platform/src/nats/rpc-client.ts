import { Inject, Injectable } from '@nestjs/common';
import {
  ACTOR_HEADER,
  Actor,
  CLIENT_IP_HEADER,
  IDEMPOTENCY_KEY_HEADER,
  isRpcErrorPayload,
  LANGUAGE_HEADER,
  REQUEST_ID_HEADER,
  RequestOf,
  ResponseOf,
  Subject,
} from '@smart-regency/contracts';
import { randomUUID } from 'crypto';
import { ErrorCode as NatsErrorCode, headers as natsHeaders, JSONCodec, NatsConnection, NatsError } from 'nats';
import { DomainError } from '../errors/domain-error';
import { Metrics } from '../metrics/metrics';
import { prefixed } from './connection';
import { NATS_CONNECTION, NATS_PREFIX } from './nats.module';

export const RPC_TIMEOUT_MS = Symbol('RPC_TIMEOUT_MS');

/** Who is calling: travels as NATS headers so services log and answer in the caller's context. */
export interface CallContext {
  requestId?: string;
  lang?: string;
  /** The authenticated caller, when there is one. */
  actor?: Actor;
  /** The client's address, for per-IP limits and audit. */
  clientIp?: string;
  /** Idempotency-Key of a write that creates a record. */
  idempotencyKey?: string;
}

interface NestReply<T> {
  response?: T;
  err?: unknown;
}

const codec = JSONCodec<unknown>();

/**
 * Typed request/reply to the services. Speaks Nest's NATS wire format (`{ pattern, data, id }` in,
 * `{ response | err }` out) so services stay plain Nest microservices, but uses nats.js's request()
 * directly: a stopped service fails at once with "no responders" instead of waiting for a timeout.
 */
@Injectable()
export class RpcClient {
  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(NATS_PREFIX) private readonly prefix: string,
    @Inject(RPC_TIMEOUT_MS) private readonly timeoutMs: number,
    private readonly metrics: Metrics,
  ) {}

  async send<S extends Subject>(subject: S, payload: RequestOf<S>, ctx: CallContext = {}, timeoutMs = this.timeoutMs): Promise<ResponseOf<S>> {
    const h = natsHeaders();
    h.set(REQUEST_ID_HEADER, ctx.requestId ?? randomUUID());
    if (ctx.lang) h.set(LANGUAGE_HEADER, ctx.lang);
    if (ctx.actor) h.set(ACTOR_HEADER, JSON.stringify(ctx.actor));
    if (ctx.clientIp) h.set(CLIENT_IP_HEADER, ctx.clientIp);
    if (ctx.idempotencyKey) h.set(IDEMPOTENCY_KEY_HEADER, ctx.idempotencyKey);
    const stop = this.metrics.rpcClientDuration.startTimer({ subject });
    let outcome = 'ok';
    try {
      const msg = await this.nc
        .request(prefixed(this.prefix, subject), codec.encode({ pattern: subject, data: payload ?? {}, id: randomUUID() }), {
          timeout: timeoutMs,
          headers: h,
        })
        .catch((error: unknown) => {
          throw this.transportError(subject, error);
        });
      const reply = codec.decode(msg.data) as NestReply<ResponseOf<S>>;
      if (reply.err !== undefined && reply.err !== null) {
        if (isRpcErrorPayload(reply.err)) throw DomainError.fromRpc(reply.err);
        // e.g. "There is no matching message handler": a service older than this gateway.
        throw new DomainError('COMMON.SERVICE_UNAVAILABLE', `${subject}: ${String(reply.err)}`);
      }
      return reply.response as ResponseOf<S>;
    } catch (error) {
      outcome = error instanceof DomainError ? error.code : 'error';
      throw error;
    } finally {
      stop({ outcome });
    }
  }

  private transportError(subject: string, error: unknown): DomainError {
    const code = (error as NatsError)?.code;
    if (code === NatsErrorCode.Timeout) return new DomainError('COMMON.TIMEOUT', `${subject} did not answer in time`);
    if (code === NatsErrorCode.NoResponders) return new DomainError('COMMON.SERVICE_UNAVAILABLE', `no service answers ${subject}`);
    return new DomainError('COMMON.SERVICE_UNAVAILABLE', `${subject}: ${(error as Error)?.message ?? 'NATS unavailable'}`);
  }
}
