import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  Actor,
  AttachmentDownload,
  AttachmentRequest,
  AttachmentResponse,
  MAX_ATTACHMENTS_PER_COMPLAINT,
  PublicAttachmentRequest,
  UploadAttachmentCommand,
} from '@smart-regency/contracts';
import { AuditTrail, checkFile, DailyLimit, groupBy, DomainError, FileTransfer, fromFilePayload, toFilePayload } from '@smart-regency/platform';
import { DataSource, EntityManager, In } from 'typeorm';
import { Complaint } from '../complaints/complaint.entity';
import { findComplaint } from '../complaints/complaint-rows';
import { ComplaintsConfig } from '../config';
import { auditOf } from '../complaints/complaints.service';
import { canSeeComplaint, inThread } from '../complaints/complaint-access';
import { ComplaintAttachment } from './attachment.entity';
import { AttachmentStorage } from './attachment-storage';

const notFound = () => new DomainError('COMPLAINTS.COMPLAINT_NOT_FOUND', 'complaint not found');
const attachmentNotFound = () => new DomainError('COMPLAINTS.ATTACHMENT_NOT_FOUND', 'no such attachment');

export function toAttachmentResponse(a: ComplaintAttachment): AttachmentResponse {
  return {
    id: a.id,
    contentType: a.contentType,
    size: a.size,
    sha256: a.sha256,
    ...(a.fileName ? { fileName: a.fileName } : {}),
    uploaderRole: a.uploaderRole,
    uploadedAt: a.uploadedAt.toISOString(),
  };
}

/** The files anyone may see, per complaint: only `public` complaints show theirs. */
export async function publicAttachments(m: EntityManager, complaints: Array<Pick<Complaint, 'id' | 'visibility'>>): Promise<Map<string, AttachmentResponse[]>> {
  const ids = complaints.filter((c) => c.visibility === 'public').map((c) => c.id);
  if (!ids.length) return new Map();
  const rows = await m.getRepository(ComplaintAttachment).find({ where: { complaintId: In(ids) }, order: { uploadedAt: 'ASC' } });
  return new Map([...groupBy(rows, (r) => r.complaintId)].map(([id, files]) => [id, files.map(toAttachmentResponse)]));
}

@Injectable()
export class AttachmentsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly transfer: FileTransfer,
    private readonly storage: AttachmentStorage,
    private readonly audit: AuditTrail,
    config: ComplaintsConfig,
  ) {
    this.uploads = new DailyLimit('upload', config.CITIZEN_UPLOADS_PER_DAY, 'COMPLAINTS.DAILY_UPLOAD_LIMIT');
  }

  /** Files a citizen may upload per day. */
  private readonly uploads: DailyLimit;

  /** Photos and PDFs: content sniffed (the header is only a claim), 10 MiB at most, sha256 kept. */
  async upload(actor: Actor, command: UploadAttachmentCommand): Promise<AttachmentResponse> {
    const file = checkFile(await fromFilePayload(this.transfer, command), command.contentType, 'COMPLAINTS.CONTENT_MISMATCH');
    return this.db.transaction(async (m) => {
      const c = await findComplaint(m, { id: command.id }, { lock: true });
      if (!c || !canSeeComplaint(actor, c)) throw notFound();
      if (!inThread(actor, c)) throw new DomainError('COMPLAINTS.NOT_ALLOWED', 'the reporter and the handling staff add files');
      if (c.status === 'closed' || c.status === 'rejected') throw new DomainError('COMPLAINTS.ATTACHMENTS_LOCKED', `the complaint is ${c.status}`);
      const count = await m.getRepository(ComplaintAttachment).count({ where: { complaintId: c.id } });
      if (count >= MAX_ATTACHMENTS_PER_COMPLAINT) throw new DomainError('COMPLAINTS.TOO_MANY_ATTACHMENTS', `at most ${MAX_ATTACHMENTS_PER_COMPLAINT} files per complaint`);
      await this.uploads.take(m, actor);
      const key = `complaints/${c.id}/${file.sha256}`;
      await this.storage.put(m, key, file.bytes);
      const row = await m.getRepository(ComplaintAttachment).save(
        m.getRepository(ComplaintAttachment).create({
          complaintId: c.id,
          contentType: file.contentType,
          size: file.size,
          sha256: file.sha256,
          fileName: command.fileName ?? null,
          storageKey: key,
          uploadedBy: actor.id,
          uploaderRole: actor.id === c.reporterId ? 'citizen' : actor.roles[0],
        }),
      );
      await this.audit.record(m, { action: 'complaint.attach', ...auditOf(c, actor), changes: { after: { attachmentId: row.id, contentType: row.contentType, size: row.size, sha256: row.sha256 } } });
      return toAttachmentResponse(row);
    });
  }

  async list(actor: Actor, id: string): Promise<AttachmentResponse[]> {
    const c = await findComplaint(this.db.manager, { id });
    if (!c || !canSeeComplaint(actor, c)) throw notFound();
    const rows = await this.db.getRepository(ComplaintAttachment).find({ where: { complaintId: id }, order: { uploadedAt: 'ASC' } });
    return rows.map(toAttachmentResponse);
  }

  /** The file back to whoever may see the complaint. */
  async download(actor: Actor, request: AttachmentRequest): Promise<AttachmentDownload> {
    const c = await findComplaint(this.db.manager, { id: request.id });
    if (!c || !canSeeComplaint(actor, c)) throw notFound();
    return this.send(c, request.attachmentId);
  }

  /** Anyone, for `public` complaints only: files of anonymous and confidential ones are never public. */
  async downloadPublic(request: PublicAttachmentRequest): Promise<AttachmentDownload> {
    const c = await findComplaint(this.db.manager, { trackingNumber: request.trackingNumber });
    if (!c || c.visibility !== 'public') throw attachmentNotFound();
    return this.send(c, request.attachmentId);
  }

  private async send(c: Complaint, attachmentId: string): Promise<AttachmentDownload> {
    const row = await this.db.getRepository(ComplaintAttachment).findOne({ where: { id: attachmentId, complaintId: c.id } });
    const bytes = row ? await this.storage.get(this.db.manager, row.storageKey) : null;
    if (!row || !bytes) throw attachmentNotFound();
    return { ...toAttachmentResponse(row), ...(await toFilePayload(this.transfer, bytes)) };
  }
}
