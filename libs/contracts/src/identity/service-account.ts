import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsString, MaxLength, MinLength } from 'class-validator';

/** What an integrator's token may be used for. */
export const SCOPES = ['events:read', 'open311:write', 'reports:read'] as const;
export type Scope = (typeof SCOPES)[number];

export class CreateServiceAccountRequest {
  @ApiProperty({ example: 'SP4N-LAPOR! bridge' })
  @IsString() @MinLength(3) @MaxLength(100)
  name: string;

  @ApiProperty({ enum: SCOPES, isArray: true })
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(SCOPES.length) @IsIn(SCOPES, { each: true })
  scopes: Scope[];
}

/** The secret is shown here once and stored only as a hash. */
export class ServiceAccountCreatedResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;
  @ApiProperty()
  name: string;
  @ApiProperty({ example: 'sa_5f0c6c1e7d4e4f7e' })
  clientId: string;
  @ApiProperty()
  clientSecret: string;
  @ApiProperty({ enum: SCOPES, isArray: true })
  scopes: Scope[];
}

/** RFC 6749 §5.1 access token response (snake_case, as OAuth 2 clients expect). */
export class OAuthTokenResponse {
  @ApiProperty()
  access_token: string;
  @ApiProperty({ example: 'Bearer' })
  token_type: 'Bearer';
  @ApiProperty({ example: 900 })
  expires_in: number;
  @ApiProperty({ example: 'open311:write' })
  scope: string;
}

/** Open311 `api_key`: the client secret of a service account, checked by identity. */
export class ApiKeyRequest {
  @IsString() @MinLength(10) @MaxLength(200)
  apiKey: string;
}

export interface ApiKeyOwner {
  id: string;
  name: string;
  scopes: string[];
}
