import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { PageQuery, PageResponse } from '../common/page';
import { QueryBoolean } from '../common/transforms';

export const FORM_FIELD_TYPES = ['text', 'textarea', 'number', 'date', 'boolean', 'select'] as const;
export type FormFieldType = (typeof FORM_FIELD_TYPES)[number];

export class RequiredDocument {
  @ApiProperty({ example: 'KTP' })
  code: string;
  @ApiProperty({ example: 'Kartu Tanda Penduduk pemohon' })
  name: string;
  @ApiProperty()
  required: boolean;
}

export class FormField {
  @ApiProperty({ example: 'businessName' })
  code: string;
  @ApiProperty({ example: 'Nama usaha' })
  label: string;
  @ApiProperty({ enum: FORM_FIELD_TYPES })
  type: FormFieldType;
  @ApiProperty()
  required: boolean;
  /** Allowed values, for `select` fields. */
  @ApiPropertyOptional({ type: [String] })
  options?: string[];
}

/** A kind of permit the regency issues, with what an application needs. */
export class PermitTypeResponse {
  @ApiProperty({ example: 'PBG' })
  code: string;
  @ApiProperty({ example: 'Persetujuan Bangunan Gedung' })
  name: string;
  @ApiProperty()
  description: string;
  /** The technical agency that verifies and recommends. */
  @ApiProperty({ format: 'uuid' })
  agencyId: string;
  /** The agency that decides and issues (DPMPTSP unless set). */
  @ApiProperty({ format: 'uuid' })
  issuingAgencyId: string;
  @ApiProperty({ type: [RequiredDocument] })
  requiredDocuments: RequiredDocument[];
  @ApiProperty({ type: [FormField] })
  formFields: FormField[];
  /** Legal deadline from submission, in working days. */
  @ApiProperty({ example: 14 })
  slaWorkingDays: number;
  /** Retribution in rupiah; 0 when free. */
  @ApiProperty({ example: 0 })
  fee: number;
  /** How long an issued permit is valid; 0 means no expiry. */
  @ApiProperty({ example: 12 })
  validityMonths: number;
  @ApiProperty()
  active: boolean;
}

export class ListPermitTypesRequest extends PageQuery {
  /** Only types reviewed by this technical agency. */
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  agencyId?: string;

  /** Only active (true) or inactive (false) types. */
  @ApiPropertyOptional({ type: Boolean })
  @IsOptional()
  @QueryBoolean()
  @IsBoolean()
  active?: boolean;

  /** Case-insensitive match on code or name. */
  @ApiPropertyOptional({ maxLength: 100 })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;
}

export class PermitTypePage extends PageResponse {
  @ApiProperty({ type: [PermitTypeResponse] })
  items: PermitTypeResponse[];
}
