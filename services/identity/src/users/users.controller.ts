import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Actor, RegisterCitizenRequest, SUBJECTS } from '@smart-regency/contracts';
import { CurrentActor } from '@smart-regency/platform';
import { UsersService } from './users.service';

@Controller()
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @MessagePattern(SUBJECTS.identity.me)
  me(@CurrentActor() actor: Actor) {
    return this.users.get(actor.id);
  }

  @MessagePattern(SUBJECTS.identity.registerCitizen)
  register(@Payload() request: RegisterCitizenRequest) {
    return this.users.registerCitizen(request);
  }
}
