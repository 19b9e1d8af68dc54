import { CalendarReadModel } from '@smart-regency/platform';
import { Module } from '@nestjs/common';
import { DocumentStorage, PostgresDocumentStorage } from '../documents/document-storage';
import { DocumentsService } from '../documents/documents.service';
import { ApplicationsController } from './applications.controller';
import { ApplicationsRepository } from './applications.repository';
import { ApplicationsService } from './applications.service';
import { DocumentsRepository } from './documents.repository';
import { PermitJobs } from './permit-jobs';
import { CertificatesModule } from '../certificates/certificates.module';
import { PermitTypesModule } from '../permit-types/permit-types.module';

@Module({
  imports: [PermitTypesModule, CertificatesModule],
  controllers: [ApplicationsController],
  providers: [CalendarReadModel.for('permits'), ApplicationsService, ApplicationsRepository, PermitJobs, DocumentsService, DocumentsRepository, { provide: DocumentStorage, useClass: PostgresDocumentStorage }],
})
export class ApplicationsModule {}
