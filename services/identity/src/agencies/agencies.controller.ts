import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ListAgenciesRequest, SUBJECTS } from '@smart-regency/contracts';
import { AgenciesService } from './agencies.service';

@Controller()
export class AgenciesController {
  constructor(private readonly agencies: AgenciesService) {}

  @MessagePattern(SUBJECTS.identity.listAgencies)
  list(@Payload() query: ListAgenciesRequest) {
    return this.agencies.list(query);
  }
}
