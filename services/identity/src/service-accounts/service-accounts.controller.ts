import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Actor, ApiKeyRequest, ClientCredentialsRequest, CreateServiceAccountRequest, SUBJECTS } from '@smart-regency/contracts';
import { ClientIp, CurrentActor, RpcInternal, RpcPublic, RpcRoles } from '@smart-regency/platform';
import { ServiceAccountsService } from './service-accounts.service';

@Controller()
export class ServiceAccountsController {
  constructor(private readonly accounts: ServiceAccountsService) {}

  @MessagePattern(SUBJECTS.identity.createServiceAccount)
  @RpcRoles('admin')
  create(@Payload() request: CreateServiceAccountRequest, @CurrentActor() actor: Actor) {
    return this.accounts.create(request, actor);
  }

  @MessagePattern(SUBJECTS.identity.authenticateApiKey)
  @RpcInternal()
  authenticate(@Payload() request: ApiKeyRequest, @ClientIp() ip?: string) {
    return this.accounts.authenticateApiKey(request.apiKey, ip);
  }

  @MessagePattern(SUBJECTS.identity.clientToken)
  @RpcPublic()
  token(@Payload() request: ClientCredentialsRequest, @ClientIp() ip?: string) {
    return this.accounts.token(request, ip);
  }
}
