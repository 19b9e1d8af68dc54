import { Module } from '@nestjs/common';
import { CalendarClient } from '../calendar/calendar.client';
import { DocumentStorage, PostgresDocumentStorage } from '../documents/document-storage';
import { DocumentsService } from '../documents/documents.service';
import { ApplicationsController } from './applications.controller';
import { ApplicationsService } from './applications.service';
import { DocumentsRepository } from './documents.repository';

@Module({
  controllers: [ApplicationsController],
  providers: [ApplicationsService, DocumentsService, DocumentsRepository, CalendarClient, { provide: DocumentStorage, useClass: PostgresDocumentStorage }],
})
export class ApplicationsModule {}
