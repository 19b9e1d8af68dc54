import { Omittable } from '../common/omittable';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsLatitude, IsLongitude, IsObject, IsString, IsUUID, Max, MaxLength, Min, MinLength, ValidateIf, ValidateNested } from 'class-validator';
import { CountedPageResponse, PageQuery } from '../common/page';
import { QueryBoolean } from '../common/transforms';
import { AttachmentResponse } from './attachment';
import { LaporState } from './lapor';
import { COMPLAINT_ACTIONS, COMPLAINT_STATUSES, ComplaintStatus } from './lifecycle';

export const VISIBILITIES = ['public', 'anonymous', 'confidential'] as const;
export type Visibility = (typeof VISIBILITIES)[number];

/** Coordinates are required unless an address alone says where (Open311 `address_string`); one coordinate without the other is refused. */
const needsCoordinates = (o: ComplaintLocation) => o.address === undefined || o.lat !== undefined || o.lng !== undefined;

export class ComplaintLocation {
  /** Required unless `address` is given (then lat and lng come together or not at all). */
  @ApiProperty({ example: 2.3412, required: false }) @ValidateIf(needsCoordinates) @IsLatitude()
  lat?: number;
  @ApiProperty({ example: 99.6321, required: false }) @ValidateIf(needsCoordinates) @IsLongitude()
  lng?: number;
  @ApiPropertyOptional() @Omittable() @IsString() @MinLength(5) @MaxLength(300)
  address?: string;
  @ApiPropertyOptional({ example: 'Kualuh Hulu' }) @Omittable() @IsString() @MaxLength(100)
  district?: string;
  @ApiPropertyOptional({ example: 'Aek Kanopan' }) @Omittable() @IsString() @MaxLength(100)
  village?: string;
}

export class FileComplaintRequest {
  @ApiProperty({ example: 'roads-bridges' }) @IsString() @MaxLength(40)
  categoryCode: string;
  @ApiProperty({ example: 'Jalan berlubang di depan SD Negeri 1' }) @IsString() @MinLength(5) @MaxLength(200)
  title: string;
  @ApiProperty() @IsString() @MinLength(10) @MaxLength(5000)
  description: string;
  @ApiProperty({ type: ComplaintLocation }) @IsObject() @ValidateNested() @Type(() => ComplaintLocation)
  location: ComplaintLocation;
  /** `public`: published with the reporter's name hidden anyway; `anonymous`: published, reporter known only to handling staff; `confidential`: never published. */
  @ApiProperty({ enum: VISIBILITIES }) @IsIn(VISIBILITIES)
  visibility: Visibility;
}

export class ComplaintResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'LPR-2026-000123' }) trackingNumber: string;
  @ApiProperty() categoryCode: string;
  @ApiProperty() title: string;
  @ApiProperty() description: string;
  @ApiProperty({ type: ComplaintLocation }) location: ComplaintLocation;
  @ApiProperty({ enum: VISIBILITIES }) visibility: Visibility;
  @ApiProperty({ enum: COMPLAINT_STATUSES }) status: ComplaintStatus;
  /** The agency handling it (from disposition; the category's default before). */
  @ApiPropertyOptional({ format: 'uuid' }) agencyId?: string;
  /** Hidden from everyone but the owner and handling staff for anonymous complaints. */
  @ApiPropertyOptional({ format: 'uuid' }) reporterId?: string;
  /** Deadline of the current stage: verification, follow-up or auto-close. */
  @ApiPropertyOptional({ format: 'date-time' }) dueAt?: string;
  /** The 60-day cap. */
  @ApiProperty({ format: 'date-time' }) finalDueAt: string;
  @ApiProperty() overdue: boolean;
  @ApiPropertyOptional() answer?: string;
  @ApiPropertyOptional({ minimum: 1, maximum: 5 }) rating?: number;
  @ApiProperty() version: number;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiPropertyOptional({ format: 'date-time' }) resolvedAt?: string;
  @ApiPropertyOptional({ format: 'date-time' }) closedAt?: string;
  /** Where it stands with SP4N-LAPOR!, once someone asked to forward it (never on public routes or Open311). */
  @ApiPropertyOptional({ type: LaporState }) lapor?: LaporState;
  /** Every step, oldest first (on `GET /complaints/:id` only): the lifecycle, the forward to SP4N-LAPOR! and each status it reported. */
  @ApiPropertyOptional({ type: () => [ComplaintHistoryEntry] }) history?: ComplaintHistoryEntry[];
}

/** One step in a complaint's history; `actorRole` says which side acted, never who. */
export class ComplaintHistoryEntry {
  @ApiProperty({ example: 'resolve' }) action: string;
  @ApiPropertyOptional({ nullable: true }) fromStatus: string | null;
  @ApiProperty() toStatus: string;
  @ApiProperty({ example: 'officer' }) actorRole: string;
  @ApiPropertyOptional({ nullable: true }) note: string | null;
  @ApiProperty({ format: 'date-time' }) at: string;
}

/** What anyone may see of a public or anonymous complaint. */
export class PublicComplaintResponse {
  @ApiProperty() trackingNumber: string;
  /** Where the problem is (a place, not the reporter's); absent when only an address was given. */
  @ApiPropertyOptional() lat?: number;
  @ApiPropertyOptional() lng?: number;
  @ApiPropertyOptional() address?: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
  @ApiPropertyOptional({ format: 'date-time' }) dueAt?: string;
  @ApiProperty() categoryCode: string;
  @ApiProperty() title: string;
  @ApiProperty() description: string;
  @ApiProperty({ enum: COMPLAINT_STATUSES }) status: ComplaintStatus;
  @ApiPropertyOptional() district?: string;
  @ApiPropertyOptional() village?: string;
  @ApiPropertyOptional({ format: 'uuid' }) agencyId?: string;
  @ApiPropertyOptional() answer?: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiPropertyOptional({ format: 'date-time' }) resolvedAt?: string;
  /** Files of `public` complaints only (never of anonymous or confidential ones); download at `/public/complaints/:trackingNumber/attachments/:id`. */
  @ApiPropertyOptional({ type: [AttachmentResponse] }) attachments?: AttachmentResponse[];
}

export class ComplaintActionRequest {
  @ApiProperty({ enum: COMPLAINT_ACTIONS }) @IsString() @MaxLength(40)
  action: string;
  @ApiPropertyOptional({ maxLength: 5000 }) @Omittable() @IsString() @MaxLength(5000)
  note?: string;
  /** For `dispose`: the agency that must follow up. */
  @ApiPropertyOptional({ format: 'uuid' }) @Omittable() @IsUUID()
  agencyId?: string;
}

export class ComplaintActionCommand extends ComplaintActionRequest {
  @IsUUID() id: string;
  @Omittable() @IsInt() @Min(1) ifMatch?: number;
}

export class ComplaintIdRequest {
  @IsUUID() id: string;
}

export class TrackingNumberRequest {
  @IsString() @MaxLength(40) trackingNumber: string;
}

export class ListComplaintsRequest extends PageQuery {
  @ApiPropertyOptional({ enum: COMPLAINT_STATUSES }) @Omittable() @IsIn(COMPLAINT_STATUSES)
  status?: ComplaintStatus;
  @ApiPropertyOptional() @Omittable() @IsString() @MaxLength(40)
  categoryCode?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @Omittable() @IsUUID()
  agencyId?: string;
  @ApiPropertyOptional({ format: 'date-time' }) @Omittable() @IsISO8601()
  from?: string;
  @ApiPropertyOptional({ format: 'date-time' }) @Omittable() @IsISO8601()
  to?: string;
  @ApiPropertyOptional({ type: Boolean }) @Omittable() @QueryBoolean() @IsIn([true, false])
  overdue?: boolean;
}

export class ListPublicComplaintsRequest extends PageQuery {
  /** Tracking numbers, comma-separated (Open311 service_request_id). */
  @ApiPropertyOptional() @Omittable() @IsString() @MaxLength(2000)
  trackingNumbers?: string;
  @ApiPropertyOptional({ format: 'date-time' }) @Omittable() @IsISO8601()
  from?: string;
  @ApiPropertyOptional({ format: 'date-time' }) @Omittable() @IsISO8601()
  to?: string;
  /** Open311 status: open (not closed or rejected) or closed. */
  @ApiPropertyOptional({ enum: ['open', 'closed'] }) @Omittable() @IsIn(['open', 'closed'])
  state?: 'open' | 'closed';
  @ApiPropertyOptional({ enum: COMPLAINT_STATUSES }) @Omittable() @IsIn(COMPLAINT_STATUSES)
  status?: ComplaintStatus;
  @ApiPropertyOptional() @Omittable() @IsString() @MaxLength(40)
  categoryCode?: string;
  /** Several categories, comma-separated (Open311 service_code). */
  @ApiPropertyOptional() @Omittable() @IsString() @MaxLength(2000)
  categoryCodes?: string;
  @ApiPropertyOptional() @Omittable() @IsString() @MaxLength(100)
  district?: string;
}

export class ComplaintPage extends CountedPageResponse {
  @ApiProperty({ type: [ComplaintResponse] }) items: ComplaintResponse[];
}

export class PublicComplaintPage extends CountedPageResponse {
  @ApiProperty({ type: [PublicComplaintResponse] }) items: PublicComplaintResponse[];
}

export class AddCommentRequest {
  @ApiProperty({ maxLength: 5000 }) @IsString() @MinLength(1) @MaxLength(5000)
  body: string;
}

export class AddCommentCommand extends AddCommentRequest {
  @IsUUID() id: string;
}

export class CommentResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'citizen' }) authorRole: string;
  @ApiProperty() body: string;
  @ApiProperty({ format: 'date-time' }) at: string;
}

export class RateComplaintRequest {
  @ApiProperty({ minimum: 1, maximum: 5 }) @IsInt() @Min(1) @Max(5)
  score: number;
  @ApiPropertyOptional({ maxLength: 2000 }) @Omittable() @IsString() @MaxLength(2000)
  comment?: string;
}

export class RateComplaintCommand extends RateComplaintRequest {
  @IsUUID() id: string;
}

export * from './attachment';
