import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsUUID } from 'class-validator';
import { PageQuery, PageResponse } from '../common/page';
import { QueryBoolean } from '../common/transforms';

/** A kind of complaint, routed by default to one agency. */
export class ComplaintCategoryResponse {
  @ApiProperty({ example: 'roads-bridges' })
  code: string;
  @ApiProperty({ example: 'Jalan dan jembatan' })
  name: string;
  @ApiProperty()
  description: string;
  /** The agency that handles this category unless the coordinator disposes elsewhere. */
  @ApiProperty({ format: 'uuid' })
  agencyId: string;
  @ApiProperty()
  active: boolean;
}

export class ListComplaintCategoriesRequest extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  agencyId?: string;

  @ApiPropertyOptional({ type: Boolean })
  @IsOptional()
  @QueryBoolean()
  @IsBoolean()
  active?: boolean;
}

export class ComplaintCategoryPage extends PageResponse {
  @ApiProperty({ type: [ComplaintCategoryResponse] })
  items: ComplaintCategoryResponse[];
}
