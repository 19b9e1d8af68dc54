import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Actor, ApiKeyOwner, ClientCredentialsRequest, CreateServiceAccountRequest, OAuthTokenResponse, ServiceAccountCreatedResponse } from '@smart-regency/contracts';
import { AuditTrail, DomainError, WriteStatement } from '@smart-regency/platform';
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'crypto';
import { DataSource } from 'typeorm';
import { KeysService } from '../keys/keys.service';
import { ThrottleKey, ThrottleService } from '../throttling/throttle.service';
import { ServiceAccount } from './service-account.entity';

const sha256 = (text: string) => createHash('sha256').update(text).digest();

@Injectable()
export class ServiceAccountsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly keys: KeysService,
    private readonly audit: AuditTrail,
    private readonly throttles: ThrottleService,
  ) {}

  /**
   * Runs a check of a client's secret under the per-address throttle (CLIENT_MAX_FAILURES_PER_ADDRESS):
   * an address that keeps presenting wrong api_keys or client secrets waits, doubling, with 429.
   * A right secret does not reset the count: one valid key must not buy more guesses.
   */
  private async guarded<T>(ip: string | undefined, check: () => Promise<T>): Promise<T> {
    const key: ThrottleKey[] = ip ? [this.throttles.key('client', ip)] : [];
    await this.throttles.check(...key);
    try {
      return await check();
    } catch (error) {
      if (error instanceof DomainError && error.code === 'IDENTITY.INVALID_CLIENT') await this.throttles.count(...key);
      throw error;
    }
  }

  async create(request: CreateServiceAccountRequest, actor: Actor): Promise<ServiceAccountCreatedResponse> {
    const clientId = `sa_${randomBytes(8).toString('hex')}`;
    const clientSecret = randomBytes(32).toString('base64url');
    const id = randomUUID();
    const scopes = [...new Set(request.scopes)];
    // The account and its audit row in one statement (atomic, one round trip). The secret, shown once, never enters the trail.
    const w = new WriteStatement().with(
      'a',
      `INSERT INTO service_accounts (id, name, client_id, secret_hash, scopes, active, created_by) VALUES (:id::uuid, :name, :clientId, :secretHash, :scopes::text[], true, :createdBy::uuid) RETURNING id`,
      { id, name: request.name, clientId, secretHash: sha256(clientSecret).toString('hex'), scopes, createdBy: actor.id },
    );
    w.audited(this.audit.pending({ action: 'service_account.create', entityType: 'service_account', entityId: id, changes: { after: { name: request.name, clientId, scopes, active: true } } }));
    const { text, values } = w.select('a.id FROM a');
    await this.db.query(text, values);
    const account = { id, name: request.name };
    return { id: account.id, name: account.name, clientId, clientSecret, scopes: request.scopes };
  }

  /** Open311's api_key is a service account's secret; the account needs `open311:write`. */
  async authenticateApiKey(apiKey: string, ip?: string): Promise<ApiKeyOwner> {
    return this.guarded(ip, async () => {
      const account = await this.db.getRepository(ServiceAccount).findOne({ where: { secretHash: sha256(apiKey).toString('hex'), active: true } });
      if (!account || !account.scopes.includes('open311:write')) throw new DomainError('IDENTITY.INVALID_CLIENT', 'invalid api_key');
      return { id: account.id, name: account.name, scopes: account.scopes };
    });
  }

  /** OAuth 2 client credentials (RFC 6749 §4.4): an access token with the role `integrator`. */
  async token(request: ClientCredentialsRequest, ip?: string): Promise<OAuthTokenResponse> {
    const invalid = () => new DomainError('IDENTITY.INVALID_CLIENT', 'client authentication failed');
    if (!request.client_id || !request.client_secret) throw invalid();
    const { client_id: clientId, client_secret: secret } = request;
    const account = await this.guarded(ip, async () => {
      const found = await this.db.getRepository(ServiceAccount).findOne({ where: { clientId } });
      const presented = sha256(secret);
      const stored = found ? Buffer.from(found.secretHash, 'hex') : sha256('no such client');
      if (!found || !found.active || !timingSafeEqual(presented, stored)) throw invalid();
      return found;
    });
    const requested = request.scope ? request.scope.split(/\s+/).filter(Boolean) : account.scopes;
    const outside = requested.filter((s) => !account.scopes.includes(s));
    if (outside.length) throw new DomainError('IDENTITY.INVALID_SCOPE', `not granted: ${outside.join(' ')}`);
    const scope = requested.join(' ');
    const { token, expiresIn } = await this.keys.signAccessToken({ sub: account.id, roles: ['integrator'], scope });
    return { access_token: token, token_type: 'Bearer', expires_in: expiresIn, scope };
  }
}
