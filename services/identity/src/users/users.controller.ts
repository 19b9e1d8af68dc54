import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  Actor,
  ChangePasswordRequest,
  CreateStaffRequest,
  HolderNameRequest,
  ListUsersRequest,
  RegisterCitizenRequest,
  SUBJECTS,
  UpdateMeRequest,
  UpdateUserCommand,
  UserIdRequest,
} from '@smart-regency/contracts';
import { ClientIp, CurrentActor, RpcInternal, RpcPublic, RpcRoles } from '@smart-regency/platform';
import { UsersService } from './users.service';

@Controller()
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @MessagePattern(SUBJECTS.identity.me)
  @RpcRoles()
  me(@CurrentActor() actor: Actor) {
    return this.users.get(actor.id);
  }

  @MessagePattern(SUBJECTS.identity.updateMe)
  @RpcRoles()
  updateMe(@CurrentActor() actor: Actor, @Payload() request: UpdateMeRequest) {
    return this.users.updateMe(actor, request);
  }

  @MessagePattern(SUBJECTS.identity.changePassword)
  @RpcRoles()
  changePassword(@CurrentActor() actor: Actor, @Payload() request: ChangePasswordRequest) {
    return this.users.changePassword(actor, request);
  }

  // Admins only, checked here too (RpcRoles): this subject can be reached without the gateway.
  @MessagePattern(SUBJECTS.identity.listUsers)
  @RpcRoles('admin')
  list(@Payload() query: ListUsersRequest) {
    return this.users.list(query);
  }

  @MessagePattern(SUBJECTS.identity.getUser)
  @RpcRoles('admin')
  get(@Payload() request: UserIdRequest) {
    return this.users.getForAdmin(request.id);
  }

  @MessagePattern(SUBJECTS.identity.holderName)
  @RpcInternal()
  holderName(@Payload() request: HolderNameRequest) {
    return this.users.holderName(request.userId);
  }

  @MessagePattern(SUBJECTS.identity.createStaff)
  @RpcRoles('admin')
  create(@Payload() request: CreateStaffRequest) {
    return this.users.createStaff(request);
  }

  @MessagePattern(SUBJECTS.identity.updateUser)
  @RpcRoles('admin')
  update(@Payload() command: UpdateUserCommand, @CurrentActor() actor: Actor) {
    return this.users.update(command, actor);
  }

  @MessagePattern(SUBJECTS.identity.revocations)
  @RpcInternal()
  revocations() {
    return this.users.recentRevocations();
  }

  @MessagePattern(SUBJECTS.identity.registerCitizen)
  @RpcPublic()
  register(@Payload() request: RegisterCitizenRequest, @ClientIp() ip?: string) {
    return this.users.registerCitizen(request, ip);
  }
}
