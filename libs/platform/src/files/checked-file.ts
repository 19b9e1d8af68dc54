import { DocumentContentType, ErrorCode, MAX_DOCUMENT_BYTES } from '@smart-regency/contracts';
import { createHash } from 'crypto';
import { DomainError } from '../errors/domain-error';
import { FileTransfer } from '../nats/file-transfer';
import { sniffContentType } from './sniff';

/** Files up to this size ride inside the NATS message (base64 keeps it under the 1 MB default); larger ones go through the object store. */
export const INLINE_FILE_BYTES = 512 * 1024;

/** How a file travels over NATS: inline (small) or named in the JetStream object store (large). */
export interface FilePayload {
  objectName?: string;
  contentBase64?: string;
}

/** A file whose content was sniffed against its claimed type, with its size and sha256. */
export interface CheckedFile {
  bytes: Buffer;
  contentType: DocumentContentType;
  size: number;
  sha256: string;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * The rules every uploaded file follows: not empty, at most 10 MiB (413), and its bytes are the
 * PDF, JPEG or PNG it claims to be (415 with the caller's `mismatchCode`).
 */
export function checkFile(bytes: Uint8Array, claimed: string, mismatchCode: ErrorCode, maxBytes = MAX_DOCUMENT_BYTES): CheckedFile {
  if (bytes.length === 0) throw new DomainError('COMMON.VALIDATION', 'the file is empty', [{ field: 'body', message: 'empty file', rule: 'isNotEmpty' }]);
  if (bytes.length > maxBytes) throw new DomainError('COMMON.PAYLOAD_TOO_LARGE', `files are at most ${Math.floor(maxBytes / 1024 / 1024)} MiB`);
  const sniffed = sniffContentType(bytes);
  if (sniffed !== claimed) throw new DomainError(mismatchCode, `the file is ${sniffed ?? 'not a PDF, JPEG or PNG'}, not ${claimed}`);
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
  return { bytes: buffer, contentType: sniffed, size: buffer.length, sha256: sha256Hex(buffer) };
}

/** Sender side: small files inline, large ones through the object store. */
export async function toFilePayload(transfer: FileTransfer, bytes: Uint8Array): Promise<FilePayload> {
  if (bytes.length <= INLINE_FILE_BYTES) return { contentBase64: Buffer.from(bytes).toString('base64') };
  return { objectName: await transfer.put(bytes) };
}

/** Receiver side: the bytes of a FilePayload (an object is taken: read and deleted). */
export async function fromFilePayload(transfer: FileTransfer, payload: FilePayload): Promise<Buffer> {
  if (payload.contentBase64 !== undefined) return Buffer.from(payload.contentBase64, 'base64');
  const bytes = payload.objectName ? await transfer.take(payload.objectName) : null;
  if (!bytes) throw new DomainError('COMMON.VALIDATION', 'the uploaded file is no longer available; upload it again');
  return Buffer.from(bytes);
}
