import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
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
  @IsOptional()
  @IsIn(AGENCY_KINDS)
  kind?: AgencyKind;

  /** Case-insensitive match on code or name. */
  @ApiPropertyOptional({ maxLength: 100 })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;
}

export class AgencyPage extends PageResponse {
  @ApiProperty({ type: [AgencyResponse] })
  items: AgencyResponse[];
}
