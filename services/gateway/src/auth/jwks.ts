import { Injectable, Logger } from '@nestjs/common';
import { ACCESS_TOKEN_ALGORITHM, ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_ISSUER, Actor, JwksResponse, Role, SUBJECTS } from '@smart-regency/contracts';
import { DomainError, RpcClient } from '@smart-regency/platform';
import { importJWK, JWK, jwtVerify, KeyLike } from 'jose';

// An unknown kid triggers a refresh at most this often, so forged kids cannot hammer identity.
const REFRESH_INTERVAL_MS = 5000;
// Verified tokens are remembered until they expire: a front end sends the same token many times,
// and each EdDSA check costs ~0.1 ms of CPU plus a trip through libuv's thread pool (bench/auth).
const VERIFIED_CACHE_SIZE = 10_000;

/**
 * Verifies access tokens locally against identity's JWKS (cached; refreshed when a token names
 * a key we do not have). Only EdDSA, only our issuer and audience: `alg: none`, HS256 with the
 * public key and foreign tokens all fail here, without a NATS call per request.
 */
@Injectable()
export class TokenVerifier {
  private readonly logger = new Logger('TokenVerifier');
  private keys = new Map<string, KeyLike | Uint8Array>();
  private jwks: JwksResponse = { keys: [] };
  private lastRefresh = 0;
  private refreshing?: Promise<void>;

  constructor(private readonly rpc: RpcClient) {}

  /** The public keys, as served at /.well-known/jwks.json. */
  async publicKeys(): Promise<JwksResponse> {
    if (!this.jwks.keys.length || Date.now() - this.lastRefresh > 60_000) await this.refresh(true);
    return this.jwks;
  }

  private refresh(force = false): Promise<void> {
    if (!force && Date.now() - this.lastRefresh < REFRESH_INTERVAL_MS) return Promise.resolve();
    this.refreshing ??= (async () => {
      try {
        const jwks = await this.rpc.send(SUBJECTS.identity.jwks, {});
        const keys = new Map<string, KeyLike | Uint8Array>();
        for (const jwk of jwks.keys) keys.set(jwk.kid, await importJWK(jwk as unknown as JWK, ACCESS_TOKEN_ALGORITHM));
        this.keys = keys;
        this.jwks = jwks;
        this.lastRefresh = Date.now();
      } catch (error) {
        this.logger.warn(`could not refresh the JWKS: ${(error as Error).message}`);
        if (!this.keys.size) throw error;
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }

  private async keyFor(kid: string | undefined): Promise<KeyLike | Uint8Array> {
    if (!kid) throw new Error('token has no kid');
    if (!this.keys.has(kid)) await this.refresh();
    const key = this.keys.get(kid);
    if (!key) throw new Error('unknown signing key');
    return key;
  }

  private readonly verified = new Map<string, { actor: Actor; issuedAt: number; expiresAt: number }>();

  async verify(token: string): Promise<{ actor: Actor; issuedAt: number }> {
    const hit = this.verified.get(token);
    if (hit) {
      if (hit.expiresAt > Date.now()) return hit;
      this.verified.delete(token);
    }
    const result = await this.verifyOnce(token);
    if (this.verified.size >= VERIFIED_CACHE_SIZE) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, result);
    return result;
  }

  private async verifyOnce(token: string): Promise<{ actor: Actor; issuedAt: number; expiresAt: number }> {
    try {
      const { payload } = await jwtVerify(token, (header) => this.keyFor(header.kid), {
        algorithms: [ACCESS_TOKEN_ALGORITHM],
        issuer: ACCESS_TOKEN_ISSUER,
        audience: ACCESS_TOKEN_AUDIENCE,
        typ: 'at+jwt',
        requiredClaims: ['sub', 'exp', 'iat'],
        clockTolerance: 5,
      });
      const roles = Array.isArray(payload.roles) ? (payload.roles as Role[]) : [];
      return {
        actor: {
          id: String(payload.sub),
          roles,
          ...(typeof payload.agency === 'string' ? { agencyId: payload.agency } : {}),
          ...(typeof payload.scope === 'string' ? { scopes: payload.scope.split(' ') } : {}),
        },
        issuedAt: Number(payload.iat),
        // clockTolerance above lets a token live 5 s past exp; the cache does not.
        expiresAt: Number(payload.exp) * 1000,
      };
    } catch (error) {
      if (error instanceof DomainError) throw error;
      throw new DomainError('COMMON.UNAUTHENTICATED', `invalid access token: ${(error as Error).message}`);
    }
  }
}
