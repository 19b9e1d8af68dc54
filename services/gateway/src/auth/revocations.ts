import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Revocation, REVOCATION_SUBJECT, SUBJECTS } from '@smart-regency/contracts';
import { NATS_CONNECTION, NATS_PREFIX, prefixed, RpcClient } from '@smart-regency/platform';
import { JSONCodec, NatsConnection, Subscription } from 'nats';

const KEEP_MS = 16 * 60 * 1000; // longer than any access token lives

/**
 * Users whose sessions an admin ended (disabled, roles changed). Access tokens they got before
 * that instant are refused by every gateway at once: identity broadcasts each revocation, and a
 * gateway that starts later loads the recent ones.
 */
@Injectable()
export class Revocations implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Revocations');
  private readonly revokedAt = new Map<string, number>();
  private subscription?: Subscription;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(NATS_PREFIX) private readonly prefix: string,
    private readonly rpc: RpcClient,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const codec = JSONCodec<Revocation>();
    this.subscription = this.nc.subscribe(prefixed(this.prefix, REVOCATION_SUBJECT), {
      callback: (error, msg) => {
        if (!error) this.add(codec.decode(msg.data));
      },
    });
    void this.load();
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
    if (at > (this.revokedAt.get(revocation.userId) ?? 0)) this.revokedAt.set(revocation.userId, at);
  }

  /** True when the user's sessions were ended after this token was issued (iat in seconds). */
  isRevoked(userId: string, issuedAtSeconds: number): boolean {
    const at = this.revokedAt.get(userId);
    if (at === undefined) return false;
    if (Date.now() - at > KEEP_MS) {
      this.revokedAt.delete(userId);
      return false;
    }
    return issuedAtSeconds * 1000 <= at;
  }

  onApplicationShutdown(): void {
    this.subscription?.unsubscribe();
  }
}
