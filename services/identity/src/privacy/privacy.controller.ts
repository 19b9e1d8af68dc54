import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Actor, EraseMeRequest, SUBJECTS } from '@smart-regency/contracts';
import { CurrentActor, RpcRoles } from '@smart-regency/platform';
import { PrivacyService } from './privacy.service';

@Controller()
export class PrivacyController {
  constructor(private readonly privacy: PrivacyService) {}

  @MessagePattern(SUBJECTS.identity.exportMyData)
  @RpcRoles('citizen')
  export(@CurrentActor() actor: Actor) {
    return this.privacy.export(actor);
  }

  @MessagePattern(SUBJECTS.identity.eraseMe)
  @RpcRoles('citizen')
  erase(@CurrentActor() actor: Actor, @Payload() request: EraseMeRequest) {
    return this.privacy.erase(actor, request);
  }
}
