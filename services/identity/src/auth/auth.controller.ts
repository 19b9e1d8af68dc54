import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { LoginRequest, RefreshRequest, SUBJECTS } from '@smart-regency/contracts';
import { ClientIp, RpcPublic } from '@smart-regency/platform';
import { KeysService } from '../keys/keys.service';
import { AuthService } from './auth.service';

@Controller()
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly keys: KeysService,
  ) {}

  @MessagePattern(SUBJECTS.identity.login)
  @RpcPublic()
  login(@Payload() request: LoginRequest, @ClientIp() ip?: string) {
    return this.auth.login(request, ip);
  }

  @MessagePattern(SUBJECTS.identity.refresh)
  @RpcPublic()
  refresh(@Payload() request: RefreshRequest) {
    return this.auth.refresh(request.refreshToken);
  }

  @MessagePattern(SUBJECTS.identity.logout)
  @RpcPublic()
  logout(@Payload() request: RefreshRequest) {
    return this.auth.logout(request.refreshToken);
  }

  @MessagePattern(SUBJECTS.identity.jwks)
  @RpcPublic()
  jwks() {
    return this.keys.jwks();
  }
}
