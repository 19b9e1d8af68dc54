import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ListPermitTypesRequest, SUBJECTS } from '@smart-regency/contracts';
import { PermitTypesService } from './permit-types.service';

@Controller()
export class PermitTypesController {
  constructor(private readonly types: PermitTypesService) {}

  @MessagePattern(SUBJECTS.permits.listPermitTypes)
  list(@Payload() query: ListPermitTypesRequest) {
    return this.types.list(query);
  }
}
