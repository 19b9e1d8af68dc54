import { DOCUMENT_CONTENT_TYPES, DocumentContentType } from '@smart-regency/contracts';
import { DomainError, FilePayload, FileTransfer, fromFilePayload } from '@smart-regency/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** The raw file of an upload: its claimed type must be one we take; the service sniffs the content. */
export function uploadedFile(request: FastifyRequest): { contentType: DocumentContentType; bytes: Buffer } {
  const contentType = String(request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase() as DocumentContentType;
  if (!DOCUMENT_CONTENT_TYPES.includes(contentType) || !Buffer.isBuffer(request.body)) {
    throw new DomainError('COMMON.UNSUPPORTED_MEDIA_TYPE', 'send the file as application/pdf, image/jpeg or image/png');
  }
  if (request.body.length === 0) throw new DomainError('COMMON.VALIDATION', 'the file is empty', [{ field: 'body', message: 'empty file', rule: 'isNotEmpty' }]);
  return { contentType, bytes: request.body };
}

/** A stored file on its way back: how it travels over NATS and what the service knows of it. */
export type DownloadedFile = FilePayload & { contentType: string; sha256: string };

/** Sends a downloaded file with its digest under a safe file name and the given cache policy. */
export async function sendFile(transfer: FileTransfer, file: DownloadedFile, fileName: string, reply: FastifyReply, cache: string): Promise<void> {
  const bytes = await fromFilePayload(transfer, file).catch(() => {
    throw new DomainError('COMMON.SERVICE_UNAVAILABLE', 'the file could not be fetched; try again');
  });
  void reply
    .header('Content-Type', file.contentType)
    .header('Content-Length', String(bytes.length))
    .header('Digest', `sha-256=${Buffer.from(file.sha256, 'hex').toString('base64')}`)
    .header('Content-Disposition', `inline; filename="${fileName.replace(/[^A-Za-z0-9._()-]/g, '_')}"`)
    .header('X-Content-Type-Options', 'nosniff')
    .header('Cache-Control', cache)
    .send(bytes);
}

/** `<base>.<pdf|jpeg|png>` for a file that has no name of its own. */
export const fileNameOf = (base: string, contentType: string) => `${base}.${contentType.split('/')[1]}`;
