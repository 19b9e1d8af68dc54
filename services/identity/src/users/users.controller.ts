import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  Actor,
  ChangePasswordRequest,
  CreateStaffRequest,
  ListUsersRequest,
  RegisterCitizenRequest,
  SUBJECTS,
  UpdateMeRequest,
  UpdateUserCommand,
  UserIdRequest,
} from '@smart-regency/contracts';
import { ClientIp, CurrentActor } from '@smart-regency/platform';
import { UsersService } from './users.service';

@Controller()
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @MessagePattern(SUBJECTS.identity.me)
  me(@CurrentActor() actor: Actor) {
    return this.users.get(actor.id);
  }

  @MessagePattern(SUBJECTS.identity.updateMe)
  updateMe(@CurrentActor() actor: Actor, @Payload() request: UpdateMeRequest) {
    return this.users.updateMe(actor, request);
  }

  @MessagePattern(SUBJECTS.identity.changePassword)
  changePassword(@CurrentActor() actor: Actor, @Payload() request: ChangePasswordRequest) {
    return this.users.changePassword(actor, request);
  }

  // The gateway admits only admins to the routes below; services trust the gateway's actor.
  @MessagePattern(SUBJECTS.identity.listUsers)
  list(@Payload() query: ListUsersRequest) {
    return this.users.list(query);
  }

  @MessagePattern(SUBJECTS.identity.getUser)
  get(@Payload() request: UserIdRequest) {
    return this.users.getForAdmin(request.id);
  }

  @MessagePattern(SUBJECTS.identity.createStaff)
  create(@Payload() request: CreateStaffRequest) {
    return this.users.createStaff(request);
  }

  @MessagePattern(SUBJECTS.identity.updateUser)
  update(@Payload() command: UpdateUserCommand, @CurrentActor() actor: Actor) {
    return this.users.update(command, actor);
  }

  @MessagePattern(SUBJECTS.identity.revocations)
  revocations() {
    return this.users.recentRevocations();
  }

  @MessagePattern(SUBJECTS.identity.registerCitizen)
  register(@Payload() request: RegisterCitizenRequest, @ClientIp() ip?: string) {
    return this.users.registerCitizen(request, ip);
  }
}
