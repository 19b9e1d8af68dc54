import { Module } from '@nestjs/common';
import { AttachmentStorage, PostgresAttachmentStorage } from './attachment-storage';
import { AttachmentsController } from './attachments.controller';
import { AttachmentsService } from './attachments.service';

@Module({
  controllers: [AttachmentsController],
  providers: [AttachmentsService, { provide: AttachmentStorage, useClass: PostgresAttachmentStorage }],
  exports: [AttachmentStorage],
})
export class AttachmentsModule {}
