import { DOCUMENT_CONTENT_TYPES } from '@smart-regency/contracts';
import { DomainError } from '@smart-regency/platform';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * How many file uploads (up to 10 MiB each, held in memory until they travel on) the gateway
 * reads at once, in all and per client address. Beyond that an upload is answered at once, before
 * its body is read: 429 for a client with too many of its own, 503 when the gateway is full. So
 * parallel uploads cannot grow memory without bound, and one client cannot take every slot.
 */
export class UploadSlots {
  private inUse = 0;
  private readonly byClient = new Map<string, number>();

  constructor(
    private readonly total: number,
    private readonly perClient: number,
  ) {}

  /** A release function, or the error to answer with. */
  take(client: string): (() => void) | DomainError {
    const mine = this.byClient.get(client) ?? 0;
    if (mine >= this.perClient) return new DomainError('COMMON.RATE_LIMITED', `at most ${this.perClient} uploads at a time from one address`, undefined, 5);
    if (this.inUse >= this.total) return new DomainError('COMMON.SERVICE_UNAVAILABLE', 'too many uploads in progress; try again shortly', undefined, 5);
    this.inUse++;
    this.byClient.set(client, mine + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inUse--;
      const left = (this.byClient.get(client) ?? 1) - 1;
      if (left > 0) this.byClient.set(client, left);
      else this.byClient.delete(client);
    };
  }

  get active(): number {
    return this.inUse;
  }
}

const isUpload = (request: FastifyRequest) =>
  (request.method === 'PUT' || request.method === 'POST') &&
  (DOCUMENT_CONTENT_TYPES as readonly string[]).includes(String(request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase());

/** Holds a slot from the first byte of an upload until its response is sent or its connection ends. */
export function limitUploads(fastify: FastifyInstance, slots: UploadSlots, refuse: (request: FastifyRequest, reply: FastifyReply, error: DomainError) => void): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    if (!isUpload(request)) return done();
    const release = slots.take(request.ip);
    if (release instanceof DomainError) {
      // The body is never read: close the connection rather than drain up to 10 MiB.
      reply.header('Connection', 'close');
      refuse(request, reply, release);
      return;
    }
    reply.raw.once('close', release);
    reply.raw.once('finish', release);
    done();
  });
}
