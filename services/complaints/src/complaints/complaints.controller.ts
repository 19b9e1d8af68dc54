import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  Actor,
  AddCommentCommand,
  ComplaintActionCommand,
  ComplaintIdRequest,
  FileComplaintRequest,
  ListComplaintsRequest,
  ListPublicComplaintsRequest,
  RateComplaintCommand,
  SUBJECTS,
  TrackingNumberRequest,
} from '@smart-regency/contracts';
import { CurrentActor, IdempotencyKey, PEOPLE, RpcPublic, RpcRoles } from '@smart-regency/platform';
import { ComplaintsService } from './complaints.service';

@Controller()
export class ComplaintsController {
  constructor(private readonly complaints: ComplaintsService) {}

  @MessagePattern(SUBJECTS.complaints.file)
  @RpcRoles('citizen', 'integrator')
  file(@CurrentActor() actor: Actor, @Payload() request: FileComplaintRequest, @IdempotencyKey() key?: string) {
    return this.complaints.file(actor, request, key);
  }

  @MessagePattern(SUBJECTS.complaints.act)
  @RpcRoles(...PEOPLE)
  act(@CurrentActor() actor: Actor, @Payload() command: ComplaintActionCommand) {
    return this.complaints.act(actor, command);
  }

  @MessagePattern(SUBJECTS.complaints.get)
  @RpcRoles(...PEOPLE)
  get(@CurrentActor() actor: Actor, @Payload() request: ComplaintIdRequest) {
    return this.complaints.get(actor, request.id);
  }

  @MessagePattern(SUBJECTS.complaints.list)
  @RpcRoles(...PEOPLE)
  list(@CurrentActor() actor: Actor, @Payload() query: ListComplaintsRequest) {
    return this.complaints.list(actor, query);
  }

  @MessagePattern(SUBJECTS.complaints.listPublic)
  @RpcPublic()
  listPublic(@Payload() query: ListPublicComplaintsRequest) {
    return this.complaints.listPublic(query);
  }

  @MessagePattern(SUBJECTS.complaints.getPublic)
  @RpcPublic()
  getPublic(@Payload() request: TrackingNumberRequest) {
    return this.complaints.getPublic(request.trackingNumber);
  }

  @MessagePattern(SUBJECTS.complaints.listComments)
  @RpcRoles(...PEOPLE)
  comments(@CurrentActor() actor: Actor, @Payload() request: ComplaintIdRequest) {
    return this.complaints.comments(actor, request.id);
  }

  @MessagePattern(SUBJECTS.complaints.addComment)
  @RpcRoles(...PEOPLE)
  addComment(@CurrentActor() actor: Actor, @Payload() command: AddCommentCommand) {
    return this.complaints.addComment(actor, command);
  }

  @MessagePattern(SUBJECTS.complaints.rate)
  @RpcRoles('citizen')
  rate(@CurrentActor() actor: Actor, @Payload() command: RateComplaintCommand) {
    return this.complaints.rate(actor, command);
  }
}
