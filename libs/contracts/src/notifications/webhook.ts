import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsISO8601, IsString, IsUrl, IsUUID, MaxLength, ValidateIf } from 'class-validator';
import { Omittable } from '../common/omittable';
import { CountedPageResponse, PageQuery, PageResponse } from '../common/page';
import { QueryBoolean } from '../common/transforms';
import { IsEventTypePattern, MAX_EVENT_PATTERNS } from './event-patterns';

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

const URL_RULES = { protocols: ['http', 'https'], require_protocol: true, require_tld: false, require_valid_protocol: true, allow_underscores: true };

/** A subscription as admins see it; the secret is never shown again after creation or rotation. */
export class WebhookResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;
  /** Where deliveries are POSTed. */
  @ApiProperty({ example: 'https://dashboard.sumutprov.go.id/hooks/labura' })
  url: string;
  /** Event type patterns (`permits.application.*`, `>` for everything). */
  @ApiProperty({ type: [String], example: ['permits.application.*', 'complaints.complaint.received'] })
  eventTypes: string[];
  /** Only events of this agency's records; absent for every agency. */
  @ApiPropertyOptional({ format: 'uuid', nullable: true })
  agencyId: string | null;
  @ApiProperty()
  description: string;
  @ApiProperty()
  active: boolean;
  /** Why the system turned the subscription off (absent while active or when an admin did). */
  @ApiPropertyOptional({ nullable: true, example: 'deliveries failed for 24 hours (last: HTTP 503)' })
  disabledReason: string | null;
  @ApiPropertyOptional({ nullable: true })
  disabledAt: string | null;
  /** Until then the secret before the last rotation still signs every delivery too. */
  @ApiPropertyOptional({ nullable: true })
  previousSecretExpiresAt: string | null;
  @ApiProperty()
  createdAt: string;
  @ApiProperty()
  updatedAt: string;
}

/** The secret is shown here once (`whsec_…`); store it where the receiver verifies signatures. */
export class WebhookCreatedResponse extends WebhookResponse {
  @ApiProperty({ example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' })
  secret: string;
}

export class WebhookPage extends PageResponse {
  @ApiProperty({ type: [WebhookResponse] })
  items: WebhookResponse[];
}

export class CreateWebhookRequest {
  /** http(s) URL of the receiver; private and loopback addresses are refused unless the regency allows them. */
  @ApiProperty({ example: 'https://dashboard.sumutprov.go.id/hooks/labura', maxLength: 2000 })
  @IsString() @MaxLength(2000) @IsUrl(URL_RULES, { message: 'url must be an http or https URL' })
  url: string;

  @ApiProperty({ type: [String], example: ['permits.application.*'], maxItems: MAX_EVENT_PATTERNS })
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(MAX_EVENT_PATTERNS) @IsEventTypePattern()
  eventTypes: string[];

  @ApiPropertyOptional({ format: 'uuid' })
  @Omittable() @IsUUID()
  agencyId?: string;

  @ApiPropertyOptional({ maxLength: 500 })
  @Omittable() @IsString() @MaxLength(500)
  description?: string;

  /** Default true. */
  @ApiPropertyOptional({ default: true })
  @Omittable() @IsBoolean()
  active?: boolean;
}

export class UpdateWebhookRequest {
  @ApiPropertyOptional({ maxLength: 2000 })
  @Omittable() @IsString() @MaxLength(2000) @IsUrl(URL_RULES, { message: 'url must be an http or https URL' })
  url?: string;

  @ApiPropertyOptional({ type: [String], maxItems: MAX_EVENT_PATTERNS })
  @Omittable() @IsArray() @ArrayMinSize(1) @ArrayMaxSize(MAX_EVENT_PATTERNS) @IsEventTypePattern()
  eventTypes?: string[];

  /** `null` removes the agency filter. */
  @ApiPropertyOptional({ format: 'uuid', nullable: true })
  @Omittable() @ValidateIf((_, v) => v !== null) @IsUUID()
  agencyId?: string | null;

  @ApiPropertyOptional({ maxLength: 500 })
  @Omittable() @IsString() @MaxLength(500)
  description?: string;

  /** `true` turns a subscription the system disabled back on: what waited is delivered. */
  @ApiPropertyOptional()
  @Omittable() @IsBoolean()
  active?: boolean;
}

export class UpdateWebhookCommand extends UpdateWebhookRequest {
  @IsUUID()
  id: string;
}

export class WebhookIdRequest {
  @IsUUID()
  id: string;
}

export class ListWebhooksRequest extends PageQuery {
  @ApiPropertyOptional()
  @Omittable() @QueryBoolean() @IsBoolean()
  active?: boolean;
}

export class RotateSecretResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;
  /** The new secret, shown once. */
  @ApiProperty({ example: 'whsec_…' })
  secret: string;
  /** Until then deliveries carry a signature with the old secret as well. */
  @ApiProperty()
  previousSecretExpiresAt: string;
}

/** One event for one subscription, with its attempts. */
export class DeliveryResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;
  /** Also the `webhook-id` header, so receivers can drop duplicates. */
  @ApiProperty({ format: 'uuid' })
  eventId: string;
  @ApiProperty({ example: 'permits.application.submitted.v1' })
  eventType: string;
  @ApiProperty()
  eventTime: string;
  @ApiProperty({ enum: DELIVERY_STATUSES })
  status: DeliveryStatus;
  @ApiProperty()
  attempts: number;
  @ApiPropertyOptional({ nullable: true })
  lastAttemptAt: string | null;
  /** The receiver's HTTP status at the last attempt (absent when it did not answer). */
  @ApiPropertyOptional({ nullable: true })
  lastResponseStatus: number | null;
  /** Why the last attempt failed, or the start of the receiver's answer. */
  @ApiPropertyOptional({ nullable: true })
  lastError: string | null;
  @ApiPropertyOptional({ nullable: true })
  nextAttemptAt: string | null;
  @ApiPropertyOptional({ nullable: true })
  deliveredAt: string | null;
  @ApiProperty()
  createdAt: string;
}

export class DeliveryPage extends CountedPageResponse {
  @ApiProperty({ type: [DeliveryResponse] })
  items: DeliveryResponse[];
}

export class ListDeliveriesQuery extends PageQuery {
  @ApiPropertyOptional({ enum: DELIVERY_STATUSES })
  @Omittable() @IsIn(DELIVERY_STATUSES)
  status?: DeliveryStatus;
}

export class ListDeliveriesRequest extends ListDeliveriesQuery {
  @IsUUID()
  id: string;
}

export class DeliveryIdRequest {
  @IsUUID()
  id: string;
  @IsUUID()
  deliveryId: string;
}

export class ReplayRequest {
  /** Every event of the stream since then that the subscription matches is delivered again. */
  @ApiProperty({ example: '2026-12-01T00:00:00.000Z' })
  @IsISO8601({ strict: true })
  since: string;
}

export class ReplayCommand extends ReplayRequest {
  @IsUUID()
  id: string;
}

export class ReplayIdRequest {
  @IsUUID()
  id: string;
  @IsUUID()
  replayId: string;
}

export const REPLAY_STATUSES = ['running', 'done', 'failed'] as const;

/** A replay reads the stream in the background; poll it to follow its progress. */
export class ReplayResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;
  @ApiProperty({ format: 'uuid' })
  webhookId: string;
  @ApiProperty()
  since: string;
  @ApiProperty({ enum: REPLAY_STATUSES })
  status: (typeof REPLAY_STATUSES)[number];
  /** Events of the stream read so far. */
  @ApiProperty()
  eventsScanned: number;
  /** Of those, the ones the subscription matches, queued for delivery. */
  @ApiProperty()
  deliveriesQueued: number;
  /** Events in the stream from `since` when the replay started (what `eventsScanned` goes up to). */
  @ApiProperty()
  eventsTotal: number;
  @ApiPropertyOptional({ nullable: true })
  error: string | null;
  @ApiProperty()
  startedAt: string;
  @ApiPropertyOptional({ nullable: true })
  finishedAt: string | null;
}
