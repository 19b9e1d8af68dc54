import { Injectable, Logger } from '@nestjs/common';
import { ACCESS_TOKEN_ALGORITHM, ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_ISSUER, ACCESS_TOKEN_MAX_TTL_SECONDS, Actor, JwksResponse, Role, SUBJECTS } from '@smart-regency/contracts';
import { DomainError, RpcClient } from '@smart-regency/platform';
import { importJWK, JWK, JWTPayload, jwtVerify, KeyLike } from 'jose';

// An unknown kid triggers a refresh at most this often, so forged kids cannot hammer identity.
const REFRESH_INTERVAL_MS = 5000;
// Verified tokens are remembered until they expire: a front end sends the same token many times,
// and each EdDSA check costs ~0.1 ms of CPU plus a trip through libuv's thread pool (bench/auth).
const VERIFIED_CACHE_SIZE = 10_000;
/** How far ahead of our clock a token's iat may be (identity's clock may run a little fast). */
export const ISSUED_AT_SKEW_SECONDS = 30;
/** How long past exp a token still passes (clocks again). */
const EXPIRY_TOLERANCE_SECONDS = 5;

/**
 * What jose does not check: a token issued "in the future" would outlive every revocation made
 * before its iat, and a long exp would outlive the TTL. Lifetime at most ACCESS_TOKEN_MAX_TTL_SECONDS,
 * iat at most ISSUED_AT_SKEW_SECONDS ahead.
 */
function lifetimeProblem(payload: JWTPayload, nowSeconds: number): string | undefined {
  const { iat, exp, sid } = payload;
  if (typeof iat !== 'number' || typeof exp !== 'number' || !Number.isFinite(iat) || !Number.isFinite(exp)) return 'iat and exp must be numbers';
  if (iat > nowSeconds + ISSUED_AT_SKEW_SECONDS) return 'issued in the future';
  if (exp <= iat) return 'expires before it was issued';
  if (exp - iat > ACCESS_TOKEN_MAX_TTL_SECONDS) return `lives longer than ${ACCESS_TOKEN_MAX_TTL_SECONDS} s`;
  if (sid !== undefined && (typeof sid !== 'string' || !sid || sid.length > 64)) return 'sid must be a session id';
  return undefined;
}

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
        clockTolerance: EXPIRY_TOLERANCE_SECONDS,
      });
      const problem = lifetimeProblem(payload, Math.floor(Date.now() / 1000));
      if (problem) throw new Error(problem);
      const roles = Array.isArray(payload.roles) ? (payload.roles as Role[]) : [];
      return {
        actor: {
          id: String(payload.sub),
          roles,
          ...(typeof payload.agency === 'string' ? { agencyId: payload.agency } : {}),
          ...(typeof payload.scope === 'string' ? { scopes: payload.scope.split(' ') } : {}),
          ...(typeof payload.sid === 'string' ? { sessionId: payload.sid } : {}),
        },
        issuedAt: Number(payload.iat),
        // clockTolerance above lets a token live 5 s past exp; the cache does not.
        expiresAt: Number(payload.exp) * 1000,
      };
    } catch (error) {
      if (error instanceof DomainError) throw error;
      // Why a token failed (signature, kid, typ, a claim) helps only someone forging one: the log
      // keeps the reason, the caller gets one answer for all.
      this.logger.debug(`access token refused: ${(error as Error).message}`);
      throw new DomainError('COMMON.UNAUTHENTICATED', 'the access token is not valid or has expired');
    }
  }
}
