import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { CreateAgencyRequest, ListAgenciesRequest, SUBJECTS, UpdateAgencyCommand } from '@smart-regency/contracts';
import { AgenciesService } from './agencies.service';

@Controller()
export class AgenciesController {
  constructor(private readonly agencies: AgenciesService) {}

  @MessagePattern(SUBJECTS.identity.listAgencies)
  list(@Payload() query: ListAgenciesRequest) {
    return this.agencies.list(query);
  }

  @MessagePattern(SUBJECTS.identity.createAgency)
  create(@Payload() request: CreateAgencyRequest) {
    return this.agencies.create(request);
  }

  @MessagePattern(SUBJECTS.identity.updateAgency)
  update(@Payload() command: UpdateAgencyCommand) {
    return this.agencies.update(command);
  }
}
