import { Module } from '@nestjs/common';
import { DocumentsRepository } from '../applications/documents.repository';
import { DocumentStorage, PostgresDocumentStorage } from '../documents/document-storage';
import { PrivacyController } from './privacy.controller';
import { PrivacyService } from './privacy.service';

@Module({
  controllers: [PrivacyController],
  providers: [PrivacyService, DocumentsRepository, { provide: DocumentStorage, useClass: PostgresDocumentStorage }],
})
export class PrivacyModule {}
