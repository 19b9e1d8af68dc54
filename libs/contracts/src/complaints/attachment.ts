import { Omittable } from '../common/omittable';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBase64, IsIn, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { DOCUMENT_CONTENT_TYPES, DocumentContentType } from '../permits/application';

/** Photos (JPEG, PNG) and PDF, the same kinds and 10 MiB limit as permit documents. */
export const ATTACHMENT_CONTENT_TYPES = DOCUMENT_CONTENT_TYPES;
/** At most this many files per complaint (reporter and staff together). */
export const MAX_ATTACHMENTS_PER_COMPLAINT = 10;

export class AttachmentResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: ATTACHMENT_CONTENT_TYPES }) contentType: DocumentContentType;
  @ApiProperty({ example: 234567 }) size: number;
  @ApiProperty({ example: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08' }) sha256: string;
  /** The name the uploader gave (`?fileName=`), if any. */
  @ApiPropertyOptional({ example: 'jalan-rusak.jpg' }) fileName?: string;
  /** `citizen` for the reporter, else the staff member's role (never who). */
  @ApiProperty({ example: 'citizen' }) uploaderRole: string;
  @ApiProperty({ format: 'date-time' }) uploadedAt: string;
}

export class UploadAttachmentQuery {
  @ApiPropertyOptional({ maxLength: 100, example: 'jalan-rusak.jpg' })
  @Omittable()
  @IsString()
  @MaxLength(100)
  @Matches(/^[\p{L}\p{N} ._()-]+$/u, { message: 'letters, digits, spaces and . _ ( ) - only' })
  fileName?: string;
}

/** Small files travel inline (`contentBase64`), large ones through the object store (`objectName`). */
export class UploadAttachmentCommand extends UploadAttachmentQuery {
  @IsUUID() id: string;
  @IsIn(ATTACHMENT_CONTENT_TYPES) contentType: DocumentContentType;
  @Omittable() @IsString() @MaxLength(100) objectName?: string;
  @Omittable() @IsBase64() contentBase64?: string;
}

export class AttachmentRequest {
  @IsUUID() id: string;
  @IsUUID() attachmentId: string;
}

export class PublicAttachmentRequest {
  @IsString() @MaxLength(40) trackingNumber: string;
  @IsUUID() attachmentId: string;
}

export interface AttachmentDownload extends AttachmentResponse {
  objectName?: string;
  contentBase64?: string;
}
