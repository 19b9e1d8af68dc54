import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Actor, CreatePermitTypeRequest, ListPermitTypesRequest, PermitTypeCodeRequest, SUBJECTS, UpdatePermitTypeCommand } from '@smart-regency/contracts';
import { CurrentActor, RpcPublic, RpcRoles, requireRole } from '@smart-regency/platform';
import { PermitTypesService } from './permit-types.service';

@Controller()
export class PermitTypesController {
  constructor(private readonly types: PermitTypesService) {}

  @MessagePattern(SUBJECTS.permits.listPermitTypes)
  @RpcPublic()
  list(@Payload() query: ListPermitTypesRequest) {
    return this.types.list(query);
  }

  @MessagePattern(SUBJECTS.permits.getPermitType)
  @RpcPublic()
  get(@Payload() request: PermitTypeCodeRequest) {
    return this.types.get(request.code);
  }

  // Admin only: the gateway admits admins to these two.
  @MessagePattern(SUBJECTS.permits.createPermitType)
  @RpcRoles('admin')
  create(@CurrentActor() actor: Actor, @Payload() request: CreatePermitTypeRequest) {
    requireRole(actor, ['admin'], 'permit types are kept by admins');
    return this.types.create(request);
  }

  @MessagePattern(SUBJECTS.permits.updatePermitType)
  @RpcRoles('admin')
  update(@CurrentActor() actor: Actor, @Payload() command: UpdatePermitTypeCommand) {
    requireRole(actor, ['admin'], 'permit types are kept by admins');
    return this.types.update(command);
  }
}
