import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Actor, Revocation, REVOCATION_SUBJECT, SUBJECTS } from '@smart-regency/contracts';
import { NATS_CONNECTION, NATS_PREFIX, prefixed, RpcClient } from '@smart-regency/platform';
import { JSONCodec, NatsConnection, Subscription } from 'nats';

// Longer than any access token the guard accepts lives: 900 s of lifetime, 30 s of iat skew, 5 s past exp.
const KEEP_MS = 16 * 60 * 1000;
const SWEEP_EVERY_MS = 60 * 1000;

/**
 * Sessions that ended, so that access tokens stop at once on every gateway rather than when they
 * expire. Identity broadcasts each revocation; a gateway that starts later loads the recent ones.
 * Two kinds: a user's every session (disabled, roles changed, erased: tokens issued at or before
 * the instant are refused) and single sessions (logout, a replayed refresh token, the other
 * sessions after a password change: every token with that `sid` is refused). Each check is two
 * Map lookups; entries go once no token they could match is still alive.
 */
@Injectable()
export class Revocations implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Revocations');
  private readonly userRevokedAt = new Map<string, number>();
  /** Session id → when it ended (for the sweep; a session never resumes). */
  private readonly sessionEndedAt = new Map<string, number>();
  private subscription?: Subscription;
  private sweeper?: NodeJS.Timeout;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(NATS_PREFIX) private readonly prefix: string,
    private readonly rpc: RpcClient,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const codec = JSONCodec<Revocation>();
    this.subscription = this.nc.subscribe(prefixed(this.prefix, REVOCATION_SUBJECT), {
      callback: (error, msg) => {
        if (error) return;
        try {
          this.add(codec.decode(msg.data));
        } catch (e) {
          this.logger.warn(`ignored a revocation that is not one: ${(e as Error).message}`);
        }
      },
    });
    this.sweeper = setInterval(() => this.sweep(), SWEEP_EVERY_MS);
    this.sweeper.unref();
    void this.load();
    void this.reloadAfterReconnects();
  }

  /** Broadcasts sent while this gateway was cut off from NATS are lost: after a reconnect, load the recent revocations again. */
  private async reloadAfterReconnects(): Promise<void> {
    for await (const status of this.nc.status()) {
      if (status.type === 'reconnect') {
        this.logger.log('reconnected to NATS: loading the revocations it may have missed');
        void this.load();
      }
    }
  }

  private async load(attempt = 0): Promise<void> {
    try {
      for (const revocation of await this.rpc.send(SUBJECTS.identity.revocations, {})) this.add(revocation);
    } catch (error) {
      // identity may start after us; until it answers only broadcasts are known.
      if (attempt < 30) setTimeout(() => void this.load(attempt + 1), 2000).unref();
      else this.logger.warn(`could not load revocations: ${(error as Error).message}`);
    }
  }

  add(revocation: Revocation): void {
    const at = Date.parse(revocation.at);
    if (typeof revocation.userId !== 'string' || !Number.isFinite(at)) throw new Error('userId and at are required');
    if (Array.isArray(revocation.sessionIds)) {
      for (const sid of revocation.sessionIds) if (typeof sid === 'string') this.sessionEndedAt.set(sid, Math.max(at, this.sessionEndedAt.get(sid) ?? 0));
      return;
    }
    if (at > (this.userRevokedAt.get(revocation.userId) ?? 0)) this.userRevokedAt.set(revocation.userId, at);
  }

  /** True when the token's session ended, or all the user's sessions ended after it was issued (iat in seconds). */
  isRevoked(actor: Pick<Actor, 'id' | 'sessionId'>, issuedAtSeconds: number): boolean {
    if (actor.sessionId !== undefined && this.sessionEndedAt.has(actor.sessionId)) return true;
    const at = this.userRevokedAt.get(actor.id);
    return at !== undefined && issuedAtSeconds * 1000 <= at;
  }

  /** How many revocations are held (sessions, users). */
  get size(): { sessions: number; users: number } {
    return { sessions: this.sessionEndedAt.size, users: this.userRevokedAt.size };
  }

  /** Forgets revocations older than any token still alive. */
  sweep(now = Date.now()): void {
    for (const map of [this.userRevokedAt, this.sessionEndedAt]) {
      for (const [id, at] of map) if (now - at > KEEP_MS) map.delete(id);
    }
  }

  onApplicationShutdown(): void {
    this.subscription?.unsubscribe();
    clearInterval(this.sweeper);
  }
}
