import { Logger } from '@nestjs/common';
import { ServerNats } from '@nestjs/microservices';
import { isRpcErrorPayload, RpcErrorPayload } from '@smart-regency/contracts';
import { headers as natsHeaders, Msg, NatsConnection, Subscription } from 'nats';
import { inspectInput } from '../common/input-guard';
import { DomainError } from '../errors/domain-error';
import { CallerVerifier } from './caller-signature';
import { prefixed } from './connection';
import { FileTransfer } from './file-transfer';
import { LARGE_REPLY_HEADER, largeReplyThreshold } from './large-replies';

export interface RegencyNatsServerOptions {
  connection: NatsConnection;
  /** Subject prefix of this install or test run. */
  prefix: string;
  /** Queue group: every replica of a service uses the same one, so each request is handled once. */
  queue: string;
  /** How long close() waits for in-flight requests. */
  graceMs: number;
  /** Checks the gateway's signature on caller headers (`x-actor`, ...). */
  verifier: CallerVerifier;
}

interface NestPacket {
  id?: string;
  response?: unknown;
  err?: unknown;
  isDisposed?: boolean;
}

const encoder = new TextEncoder();

/**
 * Nest's NATS transport, adjusted for us: subjects carry the install's prefix, every handler joins
 * the service's queue group, the connection is shared with the rest of the service, and close()
 * stops taking requests, then waits for the ones in flight before returning.
 *
 * It also fails closed. Whatever arrives is checked before a handler sees it (well-formed JSON of a
 * bounded shape, caller headers signed by the gateway), every error in decoding, handling or
 * replying is caught, logged and answered, and a reply larger than a NATS message travels through
 * the transfer object store, as files do. Nothing a caller sends can end the process.
 */
export class RegencyNatsServer extends ServerNats {
  private readonly log = new Logger('RegencyNatsServer');
  private inFlight = 0;
  private idle: (() => void) | null = null;
  private readonly subs: Subscription[] = [];
  private readonly transfer: FileTransfer;
  /** Requests decoded while being checked, so Nest's deserializer does not parse them again. */
  private readonly decoded = new WeakMap<Uint8Array, object>();

  constructor(private readonly regency: RegencyNatsServerOptions) {
    super({ queue: regency.queue });
    this.transfer = new FileTransfer(regency.connection, regency.prefix);
    this.deserializer = {
      deserialize: (value: Uint8Array) => this.decoded.get(value) ?? JSON.parse(Buffer.from(value).toString('utf8')),
    };
  }

  override createNatsClient(): Promise<NatsConnection> {
    return Promise.resolve(this.regency.connection) as never;
  }

  override bindEvents(client: NatsConnection): void {
    for (const [channel, handler] of this.messageHandlers) {
      const sub = client.subscribe(prefixed(this.regency.prefix, channel), {
        queue: handler.extras?.queue ?? this.regency.queue,
        callback: this.getMessageHandler(channel).bind(this),
      });
      this.subs.push(sub);
    }
  }

  get inFlightCount(): number {
    return this.inFlight;
  }

  override getMessageHandler(channel: string) {
    return async (error: unknown, message: Msg) => {
      if (error) {
        this.log.error(`subscription to ${channel} failed: ${(error as Error)?.message ?? error}`);
        return;
      }
      try {
        await this.handleMessage(channel, message as never);
      } catch (failure) {
        // Reached only by faults outside a handler (Nest's own plumbing); the caller still gets an answer.
        this.log.error(`${channel}: ${(failure as Error)?.stack ?? failure}`);
        this.answer(message, { err: { code: 'COMMON.INTERNAL', message: 'Internal error' }, isDisposed: true });
      }
    };
  }

  override async handleMessage(channel: string, natsMsg: Parameters<ServerNats['handleMessage']>[1]): Promise<unknown> {
    const msg = natsMsg as unknown as Msg;
    // Requests only: nothing of ours sends fire-and-forget messages to a service's subjects.
    if (!msg.reply || !this.messageHandlers.has(channel)) {
      if (msg.reply) this.answer(msg, { err: { code: 'COMMON.SERVICE_UNAVAILABLE', message: `no handler for ${channel}` }, isDisposed: true });
      return undefined;
    }
    const refusal = this.refusal(channel, msg);
    if (refusal) {
      this.log.warn(`${channel}: refused (${refusal.code}: ${refusal.message})`);
      this.answer(msg, { err: refusal, isDisposed: true });
      return undefined;
    }
    this.inFlight++;
    try {
      return await super.handleMessage(channel, natsMsg);
    } catch (error) {
      this.done();
      throw error;
    }
  }

  /** Why a request must not reach its handler, or null when it may. */
  private refusal(channel: string, msg: Msg): RpcErrorPayload | null {
    if (CallerVerifier.claimsCaller(msg.headers)) {
      const check = this.regency.verifier.verify(channel, msg.headers);
      if (!check.ok) return { code: 'COMMON.UNAUTHENTICATED', message: check.reason };
    }
    let packet: { data?: unknown; id?: unknown; pattern?: unknown };
    try {
      packet = JSON.parse(Buffer.from(msg.data).toString('utf8'));
    } catch {
      return { code: 'COMMON.MALFORMED_BODY', message: 'the request is not JSON' };
    }
    if (typeof packet !== 'object' || packet === null || typeof packet.id !== 'string') {
      return { code: 'COMMON.MALFORMED_BODY', message: 'the request is not { pattern, data, id }' };
    }
    const problems = inspectInput(packet.data);
    if (!problems.length) this.decoded.set(msg.data, packet);
    return problems.length ? new DomainError('COMMON.VALIDATION', 'Validation failed', problems).toRpc() : null;
  }

  override getPublisher(natsMsg: Parameters<ServerNats['getPublisher']>[0], id: string, ctx: Parameters<ServerNats['getPublisher']>[2]) {
    const msg = natsMsg as unknown as Msg;
    return async (packet: NestPacket) => {
      try {
        this.onProcessingEndHook?.(this.transportId, ctx);
        await this.reply(msg, { ...packet, id });
      } catch (error) {
        this.log.error(`reply on ${msg.subject} failed: ${(error as Error)?.stack ?? error}`);
        this.answer(msg, { id, err: { code: 'COMMON.INTERNAL', message: 'Internal error' }, isDisposed: true });
      } finally {
        if (packet.isDisposed) this.done();
      }
    };
  }

  /** Sends a reply; one too large for a NATS message goes to the object store and the reply names it. */
  private async reply(msg: Msg, packet: NestPacket): Promise<void> {
    if (packet.err !== undefined && !isRpcErrorPayload(packet.err)) {
      packet = { ...packet, err: { code: 'COMMON.INTERNAL', message: 'Internal error' } };
    }
    const bytes = encoder.encode(JSON.stringify(packet));
    if (bytes.length <= largeReplyThreshold(this.regency.connection)) {
      msg.respond(bytes);
      return;
    }
    const name = await this.transfer.put(bytes);
    const h = natsHeaders();
    h.set(LARGE_REPLY_HEADER, name);
    msg.respond(encoder.encode(JSON.stringify({ id: packet.id, isDisposed: packet.isDisposed })), { headers: h });
  }

  /** Last-resort answer: never throws. */
  private answer(msg: Msg, packet: NestPacket): void {
    try {
      if (msg.reply) msg.respond(encoder.encode(JSON.stringify(packet)));
    } catch (error) {
      this.log.error(`could not answer on ${msg.subject}: ${(error as Error)?.message ?? error}`);
    }
  }

  private done(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    if (this.inFlight === 0 && this.idle) this.idle();
  }

  override async close(): Promise<void> {
    for (const sub of this.subs.splice(0)) sub.unsubscribe();
    if (this.inFlight > 0) {
      await Promise.race([
        new Promise<void>((resolve) => (this.idle = resolve)),
        new Promise<void>((resolve) => setTimeout(resolve, this.regency.graceMs).unref()),
      ]);
    }
    // The connection belongs to NatsModule, which drains it when the application shuts down.
  }
}
