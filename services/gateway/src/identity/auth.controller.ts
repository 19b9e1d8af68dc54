import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ThrottlerGuard } from '@nestjs/throttler';
import { LoginRequest, RefreshRequest, RegisterCitizenRequest, SUBJECTS, TokenResponse, UserResponse } from '@smart-regency/contracts';
import { CallContext, RpcClient } from '@smart-regency/platform';
import { Public } from '../auth/auth.guard';
import { Call } from '../http/call-context';
import { ApiProblems } from '../http/openapi';

@ApiTags('identity')
@Controller('auth')
export class AuthController {
  constructor(private readonly rpc: RpcClient) {}

  @Public()
  @Post('register')
  @HttpCode(201)
  @ApiOperation({ summary: 'A citizen registers with NIK, email, phone and password; attempts are limited per client address' })
  @ApiCreatedResponse({ type: UserResponse })
  @ApiProblems(400, 409, 429, 503)
  register(@Body() body: RegisterCitizenRequest, @Call() call: CallContext) {
    return this.rpc.send(SUBJECTS.identity.registerCitizen, body, call);
  }

  @Public()
  // A flood guard per client IP and replica (LOGIN_RATE_LIMIT_PER_MINUTE); identity's throttles protect the accounts.
  @UseGuards(ThrottlerGuard)
  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Sign in with email, phone or NIK and password; an address that keeps failing waits (429)' })
  @ApiOkResponse({ type: TokenResponse })
  @ApiProblems(400, 401, 429, 503)
  login(@Body() body: LoginRequest, @Call() call: CallContext) {
    return this.rpc.send(SUBJECTS.identity.login, body, call);
  }

  @Public()
  // A flood guard per client IP and replica (LOGIN_RATE_LIMIT_PER_MINUTE).
  @UseGuards(ThrottlerGuard)
  @Post('refresh')
  @HttpCode(200)
  @ApiOperation({ summary: 'Exchange a refresh token for a new pair; the old one stops working, a used one ends the session' })
  @ApiOkResponse({ type: TokenResponse })
  @ApiProblems(400, 401, 429, 503)
  refresh(@Body() body: RefreshRequest, @Call() call: CallContext) {
    return this.rpc.send(SUBJECTS.identity.refresh, body, call);
  }

  @Public()
  @Post('logout')
  @HttpCode(204)
  @ApiOperation({ summary: 'End the session of a refresh token; its access tokens stop working at once' })
  @ApiNoContentResponse()
  @ApiProblems(400, 503)
  async logout(@Body() body: RefreshRequest, @Call() call: CallContext): Promise<void> {
    await this.rpc.send(SUBJECTS.identity.logout, body, call);
  }
}
