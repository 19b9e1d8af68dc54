import { Omittable } from '../common/omittable';
import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsString, IsUUID, Matches, Max, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';
import { PageQuery, PageResponse } from '../common/page';
import { QueryBoolean } from '../common/transforms';

export const FORM_FIELD_TYPES = ['text', 'textarea', 'number', 'date', 'boolean', 'select'] as const;
export type FormFieldType = (typeof FORM_FIELD_TYPES)[number];

export class RequiredDocument {
  @ApiProperty({ example: 'KTP' })
  @IsString() @Matches(/^[A-Z0-9_-]{1,40}$/, { message: 'code must be capital letters, digits, "_" or "-"' })
  code: string;
  @ApiProperty({ example: 'Kartu Tanda Penduduk pemohon' })
  @IsString() @MinLength(2) @MaxLength(200)
  name: string;
  @ApiProperty()
  @IsBoolean()
  required: boolean;
}

export class FormField {
  @ApiProperty({ example: 'businessName' })
  @IsString() @Matches(/^[A-Za-z][A-Za-z0-9_]{0,59}$/, { message: 'code must be an identifier' })
  code: string;
  @ApiProperty({ example: 'Nama usaha' })
  @IsString() @MinLength(1) @MaxLength(200)
  label: string;
  @ApiProperty({ enum: FORM_FIELD_TYPES })
  @IsIn(FORM_FIELD_TYPES)
  type: FormFieldType;
  @ApiProperty()
  @IsBoolean()
  required: boolean;
  /** Allowed values, for `select` fields. */
  @ApiPropertyOptional({ type: [String] })
  @Omittable() @IsArray() @ArrayMaxSize(100) @IsString({ each: true })
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
  @Omittable()
  @IsUUID()
  agencyId?: string;

  /** Only active (true) or inactive (false) types. */
  @ApiPropertyOptional({ type: Boolean })
  @Omittable()
  @QueryBoolean()
  @IsBoolean()
  active?: boolean;

  /** Case-insensitive match on code or name. */
  @ApiPropertyOptional({ maxLength: 100 })
  @Omittable()
  @IsString()
  @MaxLength(100)
  q?: string;
}

export class PermitTypePage extends PageResponse {
  @ApiProperty({ type: [PermitTypeResponse] })
  items: PermitTypeResponse[];
}

/** An admin adds a permit type to the catalogue. */
export class CreatePermitTypeRequest {
  @ApiProperty({ example: 'SLF' })
  @IsString() @Matches(/^[A-Z0-9][A-Z0-9-]{1,39}$/, { message: 'code must be 2–40 capital letters, digits or "-"' })
  code: string;

  @ApiProperty({ example: 'Sertifikat Laik Fungsi' })
  @IsString() @MinLength(3) @MaxLength(200)
  name: string;

  @ApiPropertyOptional()
  @Omittable() @IsString() @MaxLength(5000)
  description?: string;

  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  agencyId: string;

  /** DPMPTSP unless set. */
  @ApiPropertyOptional({ format: 'uuid' })
  @Omittable() @IsUUID()
  issuingAgencyId?: string;

  @ApiProperty({ type: [RequiredDocument] })
  @IsArray() @ArrayMaxSize(30) @ValidateNested({ each: true }) @Type(() => RequiredDocument)
  requiredDocuments: RequiredDocument[];

  @ApiProperty({ type: [FormField] })
  @IsArray() @ArrayMaxSize(60) @ValidateNested({ each: true }) @Type(() => FormField)
  formFields: FormField[];

  @ApiProperty({ example: 14 })
  @IsInt() @Min(1) @Max(365)
  slaWorkingDays: number;

  @ApiProperty({ example: 0 })
  @IsInt() @Min(0) @Max(1_000_000_000_000)
  fee: number;

  @ApiProperty({ example: 12 })
  @IsInt() @Min(0) @Max(1200)
  validityMonths: number;

  @ApiPropertyOptional({ default: true })
  @Omittable() @IsBoolean()
  active?: boolean;
}

/** Every field of a new permit type but the code (which stays), all optional, with the same rules. */
export class UpdatePermitTypeRequest extends PartialType(OmitType(CreatePermitTypeRequest, ['code', 'active'] as const)) {
  /** Declared here, not inherited: the create body's `default: true` would tell clients that a PATCH without it reopens. */
  @ApiPropertyOptional({ description: 'Unchanged when absent.' })
  @Omittable() @IsBoolean()
  active?: boolean;
}

export class UpdatePermitTypeCommand extends UpdatePermitTypeRequest {
  @IsString() @MaxLength(40)
  code: string;
}

export class PermitTypeCodeRequest {
  @IsString() @MaxLength(40)
  code: string;
}
