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
import { CurrentActor, IdempotencyKey } from '@smart-regency/platform';
import { ComplaintsService } from './complaints.service';

@Controller()
export class ComplaintsController {
  constructor(private readonly complaints: ComplaintsService) {}

  @MessagePattern(SUBJECTS.complaints.file)
  file(@CurrentActor() actor: Actor, @Payload() request: FileComplaintRequest, @IdempotencyKey() key?: string) {
    return this.complaints.file(actor, request, key);
  }

  @MessagePattern(SUBJECTS.complaints.act)
  act(@CurrentActor() actor: Actor, @Payload() command: ComplaintActionCommand) {
    return this.complaints.act(actor, command);
  }

  @MessagePattern(SUBJECTS.complaints.get)
  get(@CurrentActor() actor: Actor, @Payload() request: ComplaintIdRequest) {
    return this.complaints.get(actor, request.id);
  }

  @MessagePattern(SUBJECTS.complaints.list)
  list(@CurrentActor() actor: Actor, @Payload() query: ListComplaintsRequest) {
    return this.complaints.list(actor, query);
  }

  @MessagePattern(SUBJECTS.complaints.listPublic)
  listPublic(@Payload() query: ListPublicComplaintsRequest) {
    return this.complaints.listPublic(query);
  }

  @MessagePattern(SUBJECTS.complaints.getPublic)
  getPublic(@Payload() request: TrackingNumberRequest) {
    return this.complaints.getPublic(request.trackingNumber);
  }

  @MessagePattern(SUBJECTS.complaints.listComments)
  comments(@CurrentActor() actor: Actor, @Payload() request: ComplaintIdRequest) {
    return this.complaints.comments(actor, request.id);
  }

  @MessagePattern(SUBJECTS.complaints.addComment)
  addComment(@CurrentActor() actor: Actor, @Payload() command: AddCommentCommand) {
    return this.complaints.addComment(actor, command);
  }

  @MessagePattern(SUBJECTS.complaints.rate)
  rate(@CurrentActor() actor: Actor, @Payload() command: RateComplaintCommand) {
    return this.complaints.rate(actor, command);
  }
}
