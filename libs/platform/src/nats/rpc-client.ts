import { Inject, Injectable, Optional } from '@nestjs/common';
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
import { ErrorCode as NatsErrorCode, headers as natsHeaders, JSONCodec, Msg, NatsConnection, NatsError } from 'nats';
import { DomainError } from '../errors/domain-error';
import { Metrics } from '../metrics/metrics';
import { CallerSigner } from './caller-signature';
import { prefixed } from './connection';
import { FileTransfer } from './file-transfer';
import { LARGE_REPLY_HEADER, largeReplyThreshold } from './large-replies';
import { NATS_CONNECTION, NATS_PREFIX } from './nats.module';

export const RPC_TIMEOUT_MS = Symbol('RPC_TIMEOUT_MS');
/** The gateway's CallerSigner. Services have none: they never speak for a caller. */
export const CALLER_SIGNER = Symbol('CALLER_SIGNER');

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
  private readonly transfer: FileTransfer;
  /** While the connection is down a request would only wait out its timeout: callers get 503 at once instead. */
  private disconnected = false;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(NATS_PREFIX) private readonly prefix: string,
    @Inject(RPC_TIMEOUT_MS) private readonly timeoutMs: number,
    private readonly metrics: Metrics,
    @Optional() @Inject(CALLER_SIGNER) private readonly signer?: CallerSigner,
  ) {
    this.transfer = new FileTransfer(nc, prefix);
    void this.watchConnection();
  }

  private async watchConnection(): Promise<void> {
    for await (const status of this.nc.status()) {
      if (status.type === 'disconnect') this.disconnected = true;
      else if (status.type === 'reconnect') this.disconnected = false;
    }
  }

  async send<S extends Subject>(subject: S, payload: RequestOf<S>, ctx: CallContext = {}, timeoutMs = this.timeoutMs): Promise<ResponseOf<S>> {
    const h = natsHeaders();
    h.set(REQUEST_ID_HEADER, ctx.requestId ?? randomUUID());
    if (ctx.lang) h.set(LANGUAGE_HEADER, ctx.lang);
    if (ctx.actor) h.set(ACTOR_HEADER, JSON.stringify(ctx.actor));
    if (ctx.clientIp) h.set(CLIENT_IP_HEADER, ctx.clientIp);
    if (ctx.idempotencyKey) h.set(IDEMPOTENCY_KEY_HEADER, ctx.idempotencyKey);
    if (this.signer) this.signer.sign(subject, h);
    else if (ctx.actor || ctx.clientIp || ctx.idempotencyKey) throw new Error(`${subject}: only the gateway speaks for a caller (no CallerSigner here)`);
    const stop = this.metrics.rpcClientDuration.startTimer({ subject });
    let outcome = 'ok';
    try {
      if (this.disconnected) throw new DomainError('COMMON.SERVICE_UNAVAILABLE', `${subject}: NATS is not connected`, undefined, 5);
      const body = codec.encode({ pattern: subject, data: payload ?? {}, id: randomUUID() });
      // A request that cannot travel is the caller's (413), not a failure of ours.
      if (body.length > largeReplyThreshold(this.nc)) throw new DomainError('COMMON.PAYLOAD_TOO_LARGE', `the request to ${subject} is larger than a NATS message`);
      let msg: Msg;
      try {
        // Inside the try: a closed connection throws before any promise exists.
        msg = await this.nc.request(prefixed(this.prefix, subject), body, { timeout: timeoutMs, headers: h });
      } catch (error) {
        throw this.transportError(subject, error);
      }
      const reply = (await this.decode(subject, msg)) as NestReply<ResponseOf<S>>;
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

  /** The reply, from the message itself or, for a large one, from the transfer object store. */
  private async decode(subject: string, msg: Msg): Promise<unknown> {
    const object = msg.headers?.get(LARGE_REPLY_HEADER);
    let bytes: Uint8Array | null = msg.data;
    if (object) {
      bytes = await this.transfer.take(object).catch((error: unknown) => {
        throw this.transportError(subject, error);
      });
      if (!bytes) throw new DomainError('COMMON.SERVICE_UNAVAILABLE', `${subject}: the reply expired before it was read`);
    }
    try {
      return codec.decode(bytes);
    } catch {
      throw new DomainError('COMMON.SERVICE_UNAVAILABLE', `${subject}: the reply is not JSON`);
    }
  }

  private transportError(subject: string, error: unknown): DomainError {
    const code = (error as NatsError)?.code;
    if (code === NatsErrorCode.Timeout) return new DomainError('COMMON.TIMEOUT', `${subject} did not answer in time`);
    if (code === NatsErrorCode.NoResponders) return new DomainError('COMMON.SERVICE_UNAVAILABLE', `no service answers ${subject}`);
    return new DomainError('COMMON.SERVICE_UNAVAILABLE', `${subject}: ${(error as Error)?.message ?? 'NATS unavailable'}`);
  }
}
