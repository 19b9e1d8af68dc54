import { Body, Controller, Headers, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiConsumes, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ThrottlerGuard } from '@nestjs/throttler';
import {
  ClientCredentialsRequest,
  CreateServiceAccountRequest,
  OAuthTokenResponse,
  ServiceAccountCreatedResponse,
  SUBJECTS,
} from '@smart-regency/contracts';
import { CallContext, RpcClient } from '@smart-regency/platform';
import { Public, Roles } from '../auth/auth.guard';
import { Call } from '../http/call-context';
import { ApiProblems } from '../http/openapi';

/** RFC 6749 §2.3.1: clients may authenticate with HTTP Basic instead of form fields. */
function basicCredentials(header: string | undefined): { client_id?: string; client_secret?: string } {
  const match = header ? /^Basic ([A-Za-z0-9+/=]+)$/.exec(header) : null;
  if (!match) return {};
  const decoded = Buffer.from(match[1], 'base64').toString();
  const colon = decoded.indexOf(':');
  if (colon < 0) return {};
  return { client_id: decodeURIComponent(decoded.slice(0, colon)), client_secret: decodeURIComponent(decoded.slice(colon + 1)) };
}

@ApiTags('identity')
@Controller()
export class ServiceAccountsController {
  constructor(private readonly rpc: RpcClient) {}

  @Post('service-accounts')
  @Roles('admin')
  @HttpCode(201)
  @ApiBearerAuth()
  @ApiOperation({ summary: "Create an integrator's client; the secret is shown once (admin)" })
  @ApiCreatedResponse({ type: ServiceAccountCreatedResponse })
  @ApiProblems(400, 401, 403, 503)
  create(@Body() body: CreateServiceAccountRequest, @Call() call: CallContext) {
    return this.rpc.send(SUBJECTS.identity.createServiceAccount, body, call);
  }

  @Public()
  @UseGuards(ThrottlerGuard)
  @Post('auth/token')
  @HttpCode(200)
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json')
  @ApiOperation({ summary: 'OAuth 2 client credentials grant for integrators (form-encoded, or HTTP Basic client authentication)' })
  @ApiOkResponse({ type: OAuthTokenResponse })
  @ApiProblems(400, 401, 429, 503)
  token(@Body() body: ClientCredentialsRequest, @Headers('authorization') authorization: string | undefined, @Call() call: CallContext) {
    const basic = basicCredentials(authorization);
    const request = { ...body, client_id: body.client_id ?? basic.client_id, client_secret: body.client_secret ?? basic.client_secret };
    return this.rpc.send(SUBJECTS.identity.clientToken, request, call);
  }
}
