import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { RegisterCitizenRequest, SUBJECTS } from '@smart-regency/contracts';
import { UsersService } from './users.service';

@Controller()
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @MessagePattern(SUBJECTS.identity.registerCitizen)
  register(@Payload() request: RegisterCitizenRequest) {
    return this.users.registerCitizen(request);
  }
}
