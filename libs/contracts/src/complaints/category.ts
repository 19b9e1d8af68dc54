import { Omittable } from '../common/omittable';
import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { IsBoolean, IsString, IsUUID, Matches, MaxLength, MinLength } from 'class-validator';
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
  /** Complaints of this category go to SP4N-LAPOR! on their own once verified. */
  @ApiProperty()
  forwardToLapor: boolean;
}

export class ListComplaintCategoriesRequest extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @Omittable()
  @IsUUID()
  agencyId?: string;

  @ApiPropertyOptional({ type: Boolean })
  @Omittable()
  @QueryBoolean()
  @IsBoolean()
  active?: boolean;
}

export class ComplaintCategoryPage extends PageResponse {
  @ApiProperty({ type: [ComplaintCategoryResponse] })
  items: ComplaintCategoryResponse[];
}

/** Lower-case words joined by "-", as the seeded categories (`roads-bridges`); also the Open311 service code. */
export const CATEGORY_CODE = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** An admin adds a complaint category, routed by default to one agency. */
export class CreateComplaintCategoryRequest {
  /** Fixed once created: complaints and Open311 clients refer to it. */
  @ApiProperty({ example: 'street-lighting', minLength: 2, maxLength: 40 })
  @IsString() @MinLength(2) @MaxLength(40) @Matches(CATEGORY_CODE, { message: 'code must be lower-case letters or digits joined by "-"' })
  code: string;

  @ApiProperty({ example: 'Penerangan jalan umum' })
  @IsString() @MinLength(3) @MaxLength(200)
  name: string;

  @ApiProperty({ example: 'Lampu jalan mati atau rusak.' })
  @IsString() @MaxLength(5000)
  description: string;

  /** The agency new complaints of this category go to. */
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  agencyId: string;

  /** Open for new complaints. */
  @ApiPropertyOptional({ default: true })
  @Omittable() @IsBoolean()
  active?: boolean;

  /** Forward its complaints to SP4N-LAPOR! when the coordinator verifies them. */
  @ApiPropertyOptional({ default: false })
  @Omittable() @IsBoolean()
  forwardToLapor?: boolean;
}

/**
 * Every field of a new category but the code (which stays), all optional, with the same rules.
 * Complaints already filed keep their agency; `active: false` takes no new complaints.
 */
export class UpdateComplaintCategoryRequest extends PartialType(OmitType(CreateComplaintCategoryRequest, ['code', 'active', 'forwardToLapor'] as const)) {
  /** Declared here, not inherited: the create body's `default: true` would tell clients that a PATCH without it reopens. */
  @ApiPropertyOptional({ description: 'Unchanged when absent.' })
  @Omittable() @IsBoolean()
  active?: boolean;

  /** As `active`: a PATCH without it leaves the setting as it is. Applies to complaints verified from then on. */
  @ApiPropertyOptional({ description: 'Unchanged when absent.' })
  @Omittable() @IsBoolean()
  forwardToLapor?: boolean;
}

export class UpdateComplaintCategoryCommand extends UpdateComplaintCategoryRequest {
  @IsString() @MaxLength(40)
  code: string;
}
