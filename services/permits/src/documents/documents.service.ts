import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Actor, DocumentDownload, DocumentRequest, DocumentResponse, UploadDocumentCommand } from '@smart-regency/contracts';
import { AuditTrail, checkFile, DailyLimit, DomainError, FileTransfer, fromFilePayload, toFilePayload } from '@smart-regency/platform';
import { DataSource } from 'typeorm';
import { Application } from '../applications/application.entity';
import { mayUpload } from '../applications/application.rules';
import { canSeeApplication } from '../applications/applications.service';
import { DocumentsRepository } from '../applications/documents.repository';
import { PermitsConfig } from '../config';
import { PermitType } from '../permit-types/permit-type.entity';
import { documentKey, DocumentStorage } from './document-storage';

const notFound = () => new DomainError('PERMITS.APPLICATION_NOT_FOUND', 'application not found');

@Injectable()
export class DocumentsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly transfer: FileTransfer,
    private readonly storage: DocumentStorage,
    private readonly documents: DocumentsRepository,
    private readonly audit: AuditTrail,
    config: PermitsConfig,
  ) {
    this.uploads = new DailyLimit('upload', config.CITIZEN_UPLOADS_PER_DAY, 'PERMITS.DAILY_UPLOAD_LIMIT');
  }

  /** Uploads per citizen per day (replacements count: each one is written). */
  private readonly uploads: DailyLimit;

  /**
   * The owner uploads a required document while the application is a draft or under revision
   * (`mayUpload`, application.rules.ts). A document that replaces another deletes the earlier
   * version's bytes in the same transaction, under the application's lock (every writer of its
   * documents holds it), so nothing keeps them.
   */
  async upload(actor: Actor, command: UploadDocumentCommand): Promise<DocumentResponse> {
    const file = checkFile(await fromFilePayload(this.transfer, command), command.contentType, 'PERMITS.CONTENT_MISMATCH');
    return this.db.transaction(async (m) => {
      const app = await m.getRepository(Application).findOne({ where: { id: command.id }, lock: { mode: 'pessimistic_write' } });
      if (!app || !canSeeApplication(actor, app)) throw notFound();
      const permitType = await m.getRepository(PermitType).findOne({ where: { code: app.permitTypeCode } });
      mayUpload(app, actor, { documentCode: command.documentCode, permitType });
      const { bytes: buffer, sha256 } = file;
      const key = documentKey(app.id, command.documentCode, sha256);
      const replaced = await this.documents.find(m, app.id, command.documentCode);
      await this.storage.put(m, key, buffer);
      const saved = await this.documents.upsert(m, {
        application_id: app.id,
        code: command.documentCode,
        content_type: command.contentType,
        size: buffer.length,
        sha256,
        storage_key: key,
        uploaded_by: actor.id,
      });
      if (replaced && replaced.storage_key !== key && !(await this.documents.references(m, app.id, replaced.storage_key))) {
        await this.storage.delete(m, replaced.storage_key);
      }
      // The citizen's daily allowance last: its row lock serialises all of one citizen's uploads and is
      // held until COMMIT, so it is taken when only the audit row is left to write (a refusal still
      // rolls everything back).
      await this.uploads.take(m, actor);
      const after = { documentCode: command.documentCode, contentType: command.contentType, size: buffer.length, sha256 };
      await this.audit.record(m, { action: 'document.upload', entityType: 'application', entityId: app.id, subjectId: app.applicantId, changes: { after } });
      return saved;
    });
  }

  /** The file back to the owner or the handling staff: inline when small, else through the object store (toFilePayload). */
  async download(actor: Actor, request: DocumentRequest): Promise<DocumentDownload> {
    const app = await this.db.getRepository(Application).findOne({ where: { id: request.id } });
    if (!app || !canSeeApplication(actor, app)) throw notFound();
    const row = await this.documents.find(this.db.manager, app.id, request.documentCode);
    const bytes = row ? await this.storage.get(this.db.manager, row.storage_key) : null;
    if (!row || !bytes) throw new DomainError('PERMITS.DOCUMENT_NOT_FOUND', `${request.documentCode} has not been uploaded`);
    if (actor.id !== app.applicantId) {
      await this.audit.recordRead({ action: 'document.read', entityType: 'application', entityId: app.id, subjectId: app.applicantId, changes: { documentCode: row.code } });
    }
    const file = await toFilePayload(this.transfer, bytes);
    return { code: row.code, contentType: row.content_type, size: Number(row.size), sha256: row.sha256, uploadedAt: row.uploaded_at.toISOString(), ...file };
  }
}
