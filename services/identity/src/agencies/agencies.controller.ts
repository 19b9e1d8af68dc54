import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { CreateAgencyRequest, ListAgenciesRequest, SUBJECTS, UpdateAgencyCommand } from '@smart-regency/contracts';
import { AgenciesService } from './agencies.service';
import { RpcPublic, RpcRoles } from '@smart-regency/platform';

@Controller()
export class AgenciesController {
  constructor(private readonly agencies: AgenciesService) {}

  @MessagePattern(SUBJECTS.identity.listAgencies)
  @RpcPublic()
  list(@Payload() query: ListAgenciesRequest) {
    return this.agencies.list(query);
  }

  @MessagePattern(SUBJECTS.identity.createAgency)
  @RpcRoles('admin')
  create(@Payload() request: CreateAgencyRequest) {
    return this.agencies.create(request);
  }

  @MessagePattern(SUBJECTS.identity.updateAgency)
  @RpcRoles('admin')
  update(@Payload() command: UpdateAgencyCommand) {
    return this.agencies.update(command);
  }
}
