import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { Actor, SUBJECTS } from '@smart-regency/contracts';
import { CurrentActor, RpcRoles } from '@smart-regency/platform';
import { PrivacyService } from './privacy.service';

@Controller()
export class PrivacyController {
  constructor(private readonly privacy: PrivacyService) {}

  @MessagePattern(SUBJECTS.permits.exportMyData)
  @RpcRoles('citizen')
  export(@CurrentActor() actor: Actor) {
    return this.privacy.export(actor);
  }
}
