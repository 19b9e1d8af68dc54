import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Actor, DocumentDownload, DocumentRequest, DocumentResponse, MAX_DOCUMENT_BYTES, UploadDocumentCommand } from '@smart-regency/contracts';
import { DomainError, FileTransfer } from '@smart-regency/platform';
import { createHash } from 'crypto';
import { DataSource } from 'typeorm';
import { Application } from '../applications/application.entity';
import { canSeeApplication } from '../applications/applications.service';
import { DocumentsRepository } from '../applications/documents.repository';
import { PermitType } from '../permit-types/permit-type.entity';
import { DocumentStorage } from './document-storage';
import { sniffContentType } from './sniff';

const notFound = () => new DomainError('PERMITS.APPLICATION_NOT_FOUND', 'application not found');

@Injectable()
export class DocumentsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly transfer: FileTransfer,
    private readonly storage: DocumentStorage,
    private readonly documents: DocumentsRepository,
  ) {}

  /** The owner uploads a required document while the application is a draft or under revision. */
  async upload(actor: Actor, command: UploadDocumentCommand): Promise<DocumentResponse> {
    const bytes = await this.transfer.take(command.objectName);
    if (!bytes) throw new DomainError('COMMON.VALIDATION', 'the uploaded file is no longer available; upload it again');
    if (bytes.length > MAX_DOCUMENT_BYTES) throw new DomainError('COMMON.PAYLOAD_TOO_LARGE', 'documents are at most 10 MiB');
    const sniffed = sniffContentType(bytes);
    if (sniffed !== command.contentType) {
      throw new DomainError('PERMITS.CONTENT_MISMATCH', `the file is ${sniffed ?? 'not a PDF, JPEG or PNG'}, not ${command.contentType}`);
    }
    return this.db.transaction(async (m) => {
      const app = await m.getRepository(Application).findOne({ where: { id: command.id }, lock: { mode: 'pessimistic_write' } });
      if (!app || !canSeeApplication(actor, app)) throw notFound();
      if (app.applicantId !== actor.id) throw new DomainError('PERMITS.NOT_ALLOWED', 'only the applicant uploads documents');
      if (app.status !== 'draft' && app.status !== 'revision_requested') throw new DomainError('PERMITS.DOCUMENTS_LOCKED', `the application is ${app.status}`);
      const type = await m.getRepository(PermitType).findOne({ where: { code: app.permitTypeCode } });
      if (!type?.requiredDocuments.some((d) => d.code === command.documentCode)) {
        throw new DomainError('PERMITS.UNKNOWN_DOCUMENT', `${app.permitTypeCode} has no document ${command.documentCode}`);
      }
      const buffer = Buffer.from(bytes);
      const sha256 = createHash('sha256').update(buffer).digest('hex');
      const key = `applications/${app.id}/${command.documentCode}/${sha256}`;
      await this.storage.put(m, key, buffer);
      return this.documents.upsert(m, {
        application_id: app.id,
        code: command.documentCode,
        content_type: command.contentType,
        size: buffer.length,
        sha256,
        storage_key: key,
        uploaded_by: actor.id,
      });
    });
  }

  /** The file back to the owner or the handling staff, through the object store. */
  async download(actor: Actor, request: DocumentRequest): Promise<DocumentDownload> {
    const app = await this.db.getRepository(Application).findOne({ where: { id: request.id } });
    if (!app || !canSeeApplication(actor, app)) throw notFound();
    const row = await this.documents.find(this.db.manager, app.id, request.documentCode);
    const bytes = row ? await this.storage.get(this.db.manager, row.storage_key) : null;
    if (!row || !bytes) throw new DomainError('PERMITS.DOCUMENT_NOT_FOUND', `${request.documentCode} has not been uploaded`);
    const objectName = await this.transfer.put(bytes);
    return { code: row.code, contentType: row.content_type, size: Number(row.size), sha256: row.sha256, uploadedAt: row.uploaded_at.toISOString(), objectName };
  }
}
