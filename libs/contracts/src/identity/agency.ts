import { Omittable } from '../common/omittable';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, IsUUID, Matches, MaxLength, MinLength } from 'class-validator';
import { PageQuery, PageResponse } from '../common/page';

export const AGENCY_KINDS = ['dinas', 'badan', 'satuan', 'sekretariat', 'inspektorat', 'kecamatan', 'kantor'] as const;
export type AgencyKind = (typeof AGENCY_KINDS)[number];

/** An agency of the regency (OPD). */
export class AgencyResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;
  /** Short code used by people and catalogues, e.g. `DPMPTSP`. */
  @ApiProperty({ example: 'DPMPTSP' })
  code: string;
  @ApiProperty({ example: 'Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu' })
  name: string;
  @ApiProperty({ enum: AGENCY_KINDS })
  kind: AgencyKind;
}

export class ListAgenciesRequest extends PageQuery {
  /** Only agencies of this kind. */
  @ApiPropertyOptional({ enum: AGENCY_KINDS })
  @Omittable()
  @IsIn(AGENCY_KINDS)
  kind?: AgencyKind;

  /** Case-insensitive match on code or name. */
  @ApiPropertyOptional({ maxLength: 100 })
  @Omittable()
  @IsString()
  @MaxLength(100)
  q?: string;
}

export class AgencyPage extends PageResponse {
  @ApiProperty({ type: [AgencyResponse] })
  items: AgencyResponse[];
}

export class CreateAgencyRequest {
  @ApiProperty({ example: 'BAPPEDA' })
  @IsString() @Matches(/^[A-Z0-9][A-Z0-9_-]{1,31}$/, { message: 'code must be 2–32 capital letters, digits, "_" or "-"' })
  code: string;

  @ApiProperty({ example: 'Badan Perencanaan Pembangunan Daerah' })
  @IsString() @MinLength(3) @MaxLength(200)
  name: string;

  @ApiProperty({ enum: AGENCY_KINDS })
  @IsIn(AGENCY_KINDS)
  kind: AgencyKind;
}

export class UpdateAgencyRequest {
  @ApiPropertyOptional()
  @Omittable() @IsString() @MinLength(3) @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ enum: AGENCY_KINDS })
  @Omittable() @IsIn(AGENCY_KINDS)
  kind?: AgencyKind;
}

/** NATS payload of an agency update: the id from the path plus the changes. */
export class UpdateAgencyCommand extends UpdateAgencyRequest {
  @IsUUID()
  id: string;
}
