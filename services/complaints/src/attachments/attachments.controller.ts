import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Actor, AttachmentRequest, ComplaintIdRequest, PublicAttachmentRequest, SUBJECTS, UploadAttachmentCommand } from '@smart-regency/contracts';
import { CurrentActor } from '@smart-regency/platform';
import { AttachmentsService } from './attachments.service';

@Controller()
export class AttachmentsController {
  constructor(private readonly attachments: AttachmentsService) {}

  @MessagePattern(SUBJECTS.complaints.uploadAttachment)
  upload(@CurrentActor() actor: Actor, @Payload() command: UploadAttachmentCommand) {
    return this.attachments.upload(actor, command);
  }

  @MessagePattern(SUBJECTS.complaints.listAttachments)
  list(@CurrentActor() actor: Actor, @Payload() request: ComplaintIdRequest) {
    return this.attachments.list(actor, request.id);
  }

  @MessagePattern(SUBJECTS.complaints.downloadAttachment)
  download(@CurrentActor() actor: Actor, @Payload() request: AttachmentRequest) {
    return this.attachments.download(actor, request);
  }

  @MessagePattern(SUBJECTS.complaints.downloadPublicAttachment)
  downloadPublic(@Payload() request: PublicAttachmentRequest) {
    return this.attachments.downloadPublic(request);
  }
}
