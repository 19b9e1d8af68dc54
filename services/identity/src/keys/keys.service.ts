import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ACCESS_TOKEN_ALGORITHM, ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_ISSUER, JwksResponse, PublicJwk, Role } from '@smart-regency/contracts';
import { randomUUID } from 'crypto';
import { exportJWK, generateKeyPair, importJWK, JWK, KeyLike, SignJWT } from 'jose';
import { DataSource, EntityManager } from 'typeorm';
import { IdentityConfig } from '../config';
import { SigningKey } from './signing-key.entity';
import { SigningKeyCipher, UnreadableKeyError } from './signing-key-cipher';

const DAY_MS = 24 * 3600 * 1000;
// Serialises key creation and re-encryption between replicas starting at once.
const KEY_LOCK = 0x6b657973;

export interface AccessClaims {
  sub: string;
  roles: Role[];
  agency?: string;
  scope?: string;
  /** The sign-in (refresh-token family): the gateway can end one session without the others. */
  sid?: string;
}

@Injectable()
export class KeysService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Keys');
  private readonly cipher: SigningKeyCipher;
  private signing?: { kid: string; key: KeyLike | Uint8Array; createdAt: Date };

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: IdentityConfig,
  ) {
    this.cipher = new SigningKeyCipher(config.SIGNING_KEY_ENCRYPTION_KEY, config.SIGNING_KEY_ENCRYPTION_KEY_PREVIOUS);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.sealStoredKeys();
    await this.rotateIfDue();
  }

  /**
   * Encrypts what an older version stored in plain text, and re-encrypts what the previous
   * SIGNING_KEY_ENCRYPTION_KEY sealed, so that after one start every private key is sealed under
   * the current secret. Keys nobody can decrypt are left as they are (their public part still
   * verifies the tokens they signed); rotateIfDue replaces one that would have to sign.
   */
  async sealStoredKeys(): Promise<{ sealed: number; unreadable: number }> {
    return this.db.transaction(async (m) => {
      await m.query('SELECT pg_advisory_xact_lock($1)', [KEY_LOCK]);
      const repo = m.getRepository(SigningKey);
      let sealed = 0;
      const unreadable: string[] = [];
      for (const key of await repo.find()) {
        if (!key.privateJwk && key.privateKeySealed && this.cipher.isCurrent(key.privateKeySealed)) continue;
        const jwk = this.readable(key);
        if (!jwk) {
          unreadable.push(key.kid);
          continue;
        }
        await repo.update(key.kid, { privateKeySealed: this.cipher.seal(key.kid, jwk), privateJwk: null });
        sealed++;
      }
      if (sealed) this.logger.log(`encrypted ${sealed} signing key(s) under SIGNING_KEY_ENCRYPTION_KEY ${this.cipher.fingerprint}`);
      if (unreadable.length) {
        this.logger.warn(`${unreadable.length} signing key(s) cannot be decrypted with SIGNING_KEY_ENCRYPTION_KEY (${this.cipher.fingerprint}) or _PREVIOUS; they sign nothing more (docs/auth.md)`);
      }
      return { sealed, unreadable: unreadable.length };
    });
  }

  /** The private JWK, or undefined when no configured secret opens it. */
  private readable(key: SigningKey): Record<string, unknown> | undefined {
    if (key.privateJwk) return key.privateJwk;
    try {
      return this.cipher.open(key.kid, key.privateKeySealed ?? '');
    } catch (error) {
      if (error instanceof UnreadableKeyError) return undefined;
      throw error;
    }
  }

  /**
   * Creates a key when there is none, the newest is older than KEY_ROTATION_DAYS, or the newest
   * cannot be decrypted (SIGNING_KEY_ENCRYPTION_KEY lost or changed without _PREVIOUS).
   */
  async rotateIfDue(now = new Date()): Promise<SigningKey> {
    return this.db.transaction(async (m) => {
      await m.query('SELECT pg_advisory_xact_lock($1)', [KEY_LOCK]);
      const newest = await m.getRepository(SigningKey).findOne({ where: {}, order: { createdAt: 'DESC' } });
      const young = newest && now.getTime() - newest.createdAt.getTime() < this.config.KEY_ROTATION_DAYS * DAY_MS;
      const readable = newest && this.readable(newest);
      if (newest && young && readable) return newest;
      if (newest && !readable) this.logger.error(new UnreadableKeyError(newest.kid, newest.privateKeySealed?.split('.')[1]).message + ': making a new signing key');
      return this.create(m, newest);
    });
  }

  private async create(m: EntityManager, replacing: SigningKey | null): Promise<SigningKey> {
    const { publicKey, privateKey } = await generateKeyPair(ACCESS_TOKEN_ALGORITHM, { crv: 'Ed25519', extractable: true });
    const kid = randomUUID();
    const key = m.getRepository(SigningKey).create({
      kid,
      alg: ACCESS_TOKEN_ALGORITHM,
      publicJwk: { ...(await exportJWK(publicKey)), kid, alg: ACCESS_TOKEN_ALGORITHM, use: 'sig' },
      privateJwk: null,
      privateKeySealed: this.cipher.seal(kid, { ...(await exportJWK(privateKey)), kid, alg: ACCESS_TOKEN_ALGORITHM }),
    });
    await m.save(key);
    this.logger.log(`new signing key ${kid}${replacing ? `, replacing ${replacing.kid}` : ''}`);
    this.signing = undefined;
    return key;
  }

  /** The current key and the one before it: tokens signed just before a rotation stay valid. */
  async jwks(): Promise<JwksResponse> {
    const keys = await this.db.getRepository(SigningKey).find({ order: { createdAt: 'DESC' }, take: 2 });
    return { keys: keys.map((k) => k.publicJwk as unknown as PublicJwk) };
  }

  private async currentKey() {
    if (this.signing && Date.now() - this.signing.createdAt.getTime() < this.config.KEY_ROTATION_DAYS * DAY_MS) return this.signing;
    const key = await this.rotateIfDue();
    const jwk = this.readable(key);
    if (!jwk) throw new UnreadableKeyError(key.kid, undefined);
    this.signing = { kid: key.kid, key: await importJWK(jwk as unknown as JWK, ACCESS_TOKEN_ALGORITHM), createdAt: key.createdAt };
    return this.signing;
  }

  async signAccessToken(claims: AccessClaims): Promise<{ token: string; expiresIn: number }> {
    const { kid, key } = await this.currentKey();
    const expiresIn = this.config.ACCESS_TOKEN_TTL_SECONDS;
    // One instant for both claims: exp − iat is exactly the TTL, which the gateway caps.
    const issuedAt = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({
      roles: claims.roles,
      ...(claims.agency ? { agency: claims.agency } : {}),
      ...(claims.scope ? { scope: claims.scope } : {}),
      ...(claims.sid ? { sid: claims.sid } : {}),
    })
      .setProtectedHeader({ alg: ACCESS_TOKEN_ALGORITHM, kid, typ: 'at+jwt' })
      .setSubject(claims.sub)
      .setIssuer(ACCESS_TOKEN_ISSUER)
      .setAudience(ACCESS_TOKEN_AUDIENCE)
      .setIssuedAt(issuedAt)
      .setJti(randomUUID())
      .setExpirationTime(issuedAt + expiresIn)
      .sign(key);
    return { token, expiresIn };
  }
}
