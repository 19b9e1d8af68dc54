import { Omittable } from '../common/omittable';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, MaxLength, MinLength } from 'class-validator';
import type { Role } from './user';

/** Who is calling, as the gateway established from the access token; travels in a NATS header. */
export interface Actor {
  id: string;
  roles: Role[];
  agencyId?: string;
  /** For service accounts: the scopes granted. */
  scopes?: string[];
  /** The sign-in (refresh-token family) the access token belongs to; absent for service accounts. */
  sessionId?: string;
}

export const ACTOR_HEADER = 'x-actor';
export const CLIENT_IP_HEADER = 'x-client-ip';
/**
 * The gateway's signature over the subject and the caller headers of a request (`x-actor`,
 * `x-client-ip`, `idempotency-key`, `x-request-id`): `v1.<issued at, ms>.<base64url HMAC-SHA256>`.
 * A service trusts those headers only when it verifies; anyone else on NATS cannot make one.
 */
export const CALLER_SIGNATURE_HEADER = 'x-caller-signature';

export class LoginRequest {
  /** Email, phone (+62… or 08…) or NIK. */
  @ApiProperty({ example: 'siti@example.id' })
  @IsString() @MinLength(3) @MaxLength(254)
  identifier: string;

  @ApiProperty()
  @IsString() @MinLength(1) @MaxLength(128)
  password: string;
}

export class TokenResponse {
  /** Short-lived JWT (EdDSA); send as `Authorization: Bearer …`. */
  @ApiProperty()
  accessToken: string;
  /** Opaque; exchange at /auth/refresh for a new pair. Each one works once. */
  @ApiPropertyOptional()
  refreshToken?: string;
  @ApiProperty({ example: 'Bearer' })
  tokenType: 'Bearer';
  /** Seconds until the access token expires. */
  @ApiProperty({ example: 900 })
  expiresIn: number;
  /** Granted scopes (service accounts). */
  @ApiPropertyOptional({ example: 'events:read' })
  scope?: string;
}

export class RefreshRequest {
  @ApiProperty()
  @IsString() @MinLength(20) @MaxLength(200)
  refreshToken: string;
}

/** OAuth 2 client credentials grant (RFC 6749 §4.4), form-encoded. */
export class ClientCredentialsRequest {
  @ApiProperty({ enum: ['client_credentials'] })
  @IsIn(['client_credentials'])
  grant_type: 'client_credentials';

  @ApiPropertyOptional()
  @Omittable() @IsString() @MaxLength(100)
  client_id?: string;

  @ApiPropertyOptional()
  @Omittable() @IsString() @MaxLength(200)
  client_secret?: string;

  /** Space-separated subset of the account's scopes. */
  @ApiPropertyOptional()
  @Omittable() @IsString() @MaxLength(500)
  scope?: string;
}

/** A public signing key as a JWK. */
export interface PublicJwk {
  kty: string;
  crv?: string;
  x?: string;
  kid: string;
  alg: string;
  use: 'sig';
}

export class JwksResponse {
  @ApiProperty({ type: 'array', items: { type: 'object' } })
  keys: PublicJwk[];
}

export const ACCESS_TOKEN_AUDIENCE = 'smart-regency-api';
export const ACCESS_TOKEN_ISSUER = 'smart-regency-identity';
export const ACCESS_TOKEN_ALGORITHM = 'EdDSA';
/** The longest lifetime (exp − iat) an access token may have; the gateway refuses longer ones. */
export const ACCESS_TOKEN_MAX_TTL_SECONDS = 900;
