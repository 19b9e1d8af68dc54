import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ACCESS_TOKEN_ALGORITHM, ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_ISSUER, JwksResponse, PublicJwk, Role } from '@smart-regency/contracts';
import { randomUUID } from 'crypto';
import { exportJWK, generateKeyPair, importJWK, JWK, KeyLike, SignJWT } from 'jose';
import { DataSource } from 'typeorm';
import { IdentityConfig } from '../config';
import { SigningKey } from './signing-key.entity';

const DAY_MS = 24 * 3600 * 1000;
// Serialises key creation between replicas starting at once.
const KEY_LOCK = 0x6b657973;

export interface AccessClaims {
  sub: string;
  roles: Role[];
  agency?: string;
  scope?: string;
}

@Injectable()
export class KeysService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Keys');
  private signing?: { kid: string; key: KeyLike | Uint8Array; createdAt: Date };

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: IdentityConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.rotateIfDue();
  }

  /** Creates a key when there is none or the newest is older than KEY_ROTATION_DAYS. */
  async rotateIfDue(now = new Date()): Promise<SigningKey> {
    return this.db.transaction(async (m) => {
      await m.query('SELECT pg_advisory_xact_lock($1)', [KEY_LOCK]);
      const newest = await m.getRepository(SigningKey).findOne({ where: {}, order: { createdAt: 'DESC' } });
      if (newest && now.getTime() - newest.createdAt.getTime() < this.config.KEY_ROTATION_DAYS * DAY_MS) return newest;
      const { publicKey, privateKey } = await generateKeyPair(ACCESS_TOKEN_ALGORITHM, { crv: 'Ed25519', extractable: true });
      const kid = randomUUID();
      const key = m.getRepository(SigningKey).create({
        kid,
        alg: ACCESS_TOKEN_ALGORITHM,
        publicJwk: { ...(await exportJWK(publicKey)), kid, alg: ACCESS_TOKEN_ALGORITHM, use: 'sig' },
        privateJwk: { ...(await exportJWK(privateKey)), kid, alg: ACCESS_TOKEN_ALGORITHM },
      });
      await m.save(key);
      this.logger.log(`new signing key ${kid}${newest ? `, replacing ${newest.kid}` : ''}`);
      this.signing = undefined;
      return key;
    });
  }

  /** The current key and the one before it: tokens signed just before a rotation stay valid. */
  async jwks(): Promise<JwksResponse> {
    const keys = await this.db.getRepository(SigningKey).find({ order: { createdAt: 'DESC' }, take: 2 });
    return { keys: keys.map((k) => k.publicJwk as unknown as PublicJwk) };
  }

  private async currentKey() {
    if (this.signing && Date.now() - this.signing.createdAt.getTime() < this.config.KEY_ROTATION_DAYS * DAY_MS) return this.signing;
    const key = await this.rotateIfDue();
    this.signing = { kid: key.kid, key: await importJWK(key.privateJwk as unknown as JWK, ACCESS_TOKEN_ALGORITHM), createdAt: key.createdAt };
    return this.signing;
  }

  async signAccessToken(claims: AccessClaims): Promise<{ token: string; expiresIn: number }> {
    const { kid, key } = await this.currentKey();
    const expiresIn = this.config.ACCESS_TOKEN_TTL_SECONDS;
    const token = await new SignJWT({ roles: claims.roles, ...(claims.agency ? { agency: claims.agency } : {}), ...(claims.scope ? { scope: claims.scope } : {}) })
      .setProtectedHeader({ alg: ACCESS_TOKEN_ALGORITHM, kid, typ: 'at+jwt' })
      .setSubject(claims.sub)
      .setIssuer(ACCESS_TOKEN_ISSUER)
      .setAudience(ACCESS_TOKEN_AUDIENCE)
      .setIssuedAt()
      .setJti(randomUUID())
      .setExpirationTime(`${expiresIn}s`)
      .sign(key);
    return { token, expiresIn };
  }
}
