import { Omittable } from '../common/omittable';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBase64, IsIn, IsInt, IsISO8601, IsLatitude, IsLongitude, IsObject, IsString, IsUUID, MaxLength, Min, ValidateNested } from 'class-validator';
import { CountedPageResponse, PageQuery } from '../common/page';
import { QueryBoolean } from '../common/transforms';
import { APPLICATION_ACTIONS, APPLICATION_STATUSES, ApplicationAction, ApplicationStatus } from './lifecycle';

export class ApplicationLocation {
  @ApiProperty({ example: 2.33 })
  @IsLatitude()
  lat: number;
  @ApiProperty({ example: 99.63 })
  @IsLongitude()
  lng: number;
  @ApiPropertyOptional({ example: 'Jl. Jenderal Sudirman No. 1, Aek Kanopan' })
  @Omittable() @IsString() @MaxLength(300)
  address?: string;
}

/** A citizen starts an application as a draft. */
export class CreateApplicationRequest {
  @ApiProperty({ example: 'SKU' })
  @IsString() @MaxLength(40)
  permitTypeCode: string;

  /** Values of the permit type's form fields, by field code; checked fully at submit. */
  @ApiProperty({ example: { businessName: 'Warung Berkah', businessType: 'Kuliner', businessAddress: 'Aek Kanopan' } })
  @IsObject()
  formData: Record<string, unknown>;

  @ApiPropertyOptional({ type: ApplicationLocation })
  @Omittable() @ValidateNested() @Type(() => ApplicationLocation)
  location?: ApplicationLocation;
}

export class ApplicationHistoryEntry {
  @ApiProperty({ enum: APPLICATION_ACTIONS })
  action: ApplicationAction | 'create';
  @ApiProperty({ enum: APPLICATION_STATUSES, nullable: true })
  fromStatus: ApplicationStatus | null;
  @ApiProperty({ enum: APPLICATION_STATUSES })
  toStatus: ApplicationStatus;
  @ApiProperty({ format: 'uuid', nullable: true })
  actorId: string | null;
  @ApiProperty({ example: 'citizen' })
  actorRole: string;
  @ApiPropertyOptional()
  note?: string;
  @ApiProperty({ format: 'date-time' })
  at: string;
}

export class ApplicationResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;
  /** Readable number, unique: `PRM-2026-000123`. */
  @ApiProperty({ example: 'PRM-2026-000123' })
  number: string;
  @ApiProperty({ example: 'SKU' })
  permitTypeCode: string;
  @ApiProperty({ format: 'uuid' })
  agencyId: string;
  @ApiProperty({ format: 'uuid' })
  issuingAgencyId: string;
  @ApiProperty({ format: 'uuid' })
  applicantId: string;
  @ApiProperty({ enum: APPLICATION_STATUSES })
  status: ApplicationStatus;
  @ApiProperty({ type: 'object', additionalProperties: true })
  formData: Record<string, unknown>;
  @ApiPropertyOptional({ type: ApplicationLocation })
  location?: ApplicationLocation;
  /** Rupiah due before issuance; 0 when free. */
  @ApiProperty()
  fee: number;
  @ApiPropertyOptional({ format: 'date-time' })
  submittedAt?: string;
  /** The legal deadline: submission plus the type's SLA in working days. */
  @ApiPropertyOptional({ format: 'date-time' })
  dueAt?: string;
  /** Past its deadline with the decision still owed. */
  @ApiProperty()
  overdue: boolean;
  @ApiPropertyOptional({ format: 'date-time' })
  decidedAt?: string;
  @ApiPropertyOptional({ format: 'date-time' })
  issuedAt?: string;
  @ApiPropertyOptional()
  certificateNumber?: string;
  @ApiPropertyOptional({ format: 'date-time' })
  expiresAt?: string;
  /** Optimistic-lock version; send it back as If-Match. */
  @ApiProperty()
  version: number;
  @ApiProperty({ format: 'date-time' })
  createdAt: string;
  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
  @ApiPropertyOptional({ type: [ApplicationHistoryEntry] })
  history?: ApplicationHistoryEntry[];
  @ApiPropertyOptional({ type: () => [DocumentResponse] })
  documents?: DocumentResponse[];
}

export class ApplicationIdRequest {
  @IsUUID()
  id: string;
}

/** Staff and owners move an application along the lifecycle. */
export class ApplicationActionRequest {
  @ApiProperty({ enum: APPLICATION_ACTIONS.filter((a) => a !== 'submit' && a !== 'expire') })
  @IsString() @MaxLength(40)
  action: string;

  @ApiPropertyOptional({ maxLength: 2000 })
  @Omittable() @IsString() @MaxLength(2000)
  note?: string;
}

export class ApplicationActionCommand extends ApplicationActionRequest {
  @IsUUID()
  id: string;

  /** The version from If-Match; a stale one is refused with 412. */
  @Omittable() @IsInt() @Min(1)
  ifMatch?: number;
}

export class SubmitApplicationCommand {
  @IsUUID()
  id: string;

  @Omittable() @IsInt() @Min(1)
  ifMatch?: number;
}

export class ListApplicationsRequest extends PageQuery {
  @ApiPropertyOptional({ enum: APPLICATION_STATUSES })
  @Omittable() @IsIn(APPLICATION_STATUSES)
  status?: ApplicationStatus;

  @ApiPropertyOptional()
  @Omittable() @IsString() @MaxLength(40)
  permitTypeCode?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @Omittable() @IsUUID()
  agencyId?: string;

  /** Created at or after. */
  @ApiPropertyOptional({ format: 'date-time' })
  @Omittable() @IsISO8601()
  from?: string;

  /** Created before. */
  @ApiPropertyOptional({ format: 'date-time' })
  @Omittable() @IsISO8601()
  to?: string;

  @ApiPropertyOptional({ type: Boolean })
  @Omittable() @QueryBoolean()
  @IsIn([true, false])
  overdue?: boolean;

  /** `dueAt` (the work queue's default for staff), `-createdAt` (default for citizens), … */
  @ApiPropertyOptional({ enum: ['dueAt', '-dueAt', 'createdAt', '-createdAt'] })
  @Omittable() @IsIn(['dueAt', '-dueAt', 'createdAt', '-createdAt'])
  sort?: 'dueAt' | '-dueAt' | 'createdAt' | '-createdAt';
}

export class ApplicationPage extends CountedPageResponse {
  @ApiProperty({ type: [ApplicationResponse] })
  items: ApplicationResponse[];
}

export const DOCUMENT_CONTENT_TYPES = ['application/pdf', 'image/jpeg', 'image/png'] as const;
export type DocumentContentType = (typeof DOCUMENT_CONTENT_TYPES)[number];
export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;

export class DocumentResponse {
  @ApiProperty({ example: 'KTP' })
  code: string;
  @ApiProperty({ enum: DOCUMENT_CONTENT_TYPES })
  contentType: DocumentContentType;
  @ApiProperty({ example: 123456 })
  size: number;
  @ApiProperty({ example: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08' })
  sha256: string;
  @ApiProperty({ format: 'date-time' })
  uploadedAt: string;
}

/** Small files travel inline (`contentBase64`), large ones through the object store (`objectName`). */
export class UploadDocumentCommand {
  @IsUUID()
  id: string;
  @IsString() @MaxLength(40)
  documentCode: string;
  @IsIn(DOCUMENT_CONTENT_TYPES)
  contentType: DocumentContentType;
  @Omittable() @IsString() @MaxLength(100)
  objectName?: string;
  @Omittable() @IsBase64()
  contentBase64?: string;
}

export class DocumentRequest {
  @IsUUID()
  id: string;
  @IsString() @MaxLength(40)
  documentCode: string;
}

/** Small files travel inline (`contentBase64`), large ones through the object store (`objectName`). */
export interface DocumentDownload extends DocumentResponse {
  objectName?: string;
  contentBase64?: string;
}

/** The stored certificate on its way to the gateway, inline or through the object store as DocumentDownload. */
export interface CertificateDownload {
  certificateNumber: string;
  objectName?: string;
  contentBase64?: string;
}

/** Public answer of GET /permits/verify/:code: enough to trust a certificate, no personal data. */
export class PermitVerificationResponse {
  /** Issued and neither revoked nor expired. */
  @ApiProperty()
  valid: boolean;
  @ApiProperty({ enum: APPLICATION_STATUSES })
  status: ApplicationStatus;
  @ApiProperty({ example: 'REKLAME' })
  permitTypeCode: string;
  @ApiProperty({ example: 'REKLAME/2026/000042' })
  certificateNumber: string;
  /** Initials only, e.g. `S*** A*****`. */
  @ApiProperty({ example: 'S*** A*****' })
  holderName: string;
  @ApiProperty({ format: 'date-time' })
  issuedAt: string;
  @ApiPropertyOptional({ format: 'date-time', nullable: true })
  expiresAt: string | null;
}

export class VerificationCodeRequest {
  @IsString() @MaxLength(60)
  code: string;
}
