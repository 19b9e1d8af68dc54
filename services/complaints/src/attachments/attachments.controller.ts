import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Actor, AttachmentRequest, ComplaintIdRequest, PublicAttachmentRequest, SUBJECTS, UploadAttachmentCommand } from '@smart-regency/contracts';
import { CurrentActor, PEOPLE, RpcPublic, RpcRoles } from '@smart-regency/platform';
import { AttachmentsService } from './attachments.service';

@Controller()
export class AttachmentsController {
  constructor(private readonly attachments: AttachmentsService) {}

  @MessagePattern(SUBJECTS.complaints.uploadAttachment)
  @RpcRoles(...PEOPLE)
  upload(@CurrentActor() actor: Actor, @Payload() command: UploadAttachmentCommand) {
    return this.attachments.upload(actor, command);
  }

  @MessagePattern(SUBJECTS.complaints.listAttachments)
  @RpcRoles(...PEOPLE)
  list(@CurrentActor() actor: Actor, @Payload() request: ComplaintIdRequest) {
    return this.attachments.list(actor, request.id);
  }

  @MessagePattern(SUBJECTS.complaints.downloadAttachment)
  @RpcRoles(...PEOPLE)
  download(@CurrentActor() actor: Actor, @Payload() request: AttachmentRequest) {
    return this.attachments.download(actor, request);
  }

  @MessagePattern(SUBJECTS.complaints.downloadPublicAttachment)
  @RpcPublic()
  downloadPublic(@Payload() request: PublicAttachmentRequest) {
    return this.attachments.downloadPublic(request);
  }
}
