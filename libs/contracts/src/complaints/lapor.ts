import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsInt, IsISO8601, IsString, IsUUID, Matches, MaxLength, Min, ValidateIf } from 'class-validator';
import { Omittable } from '../common/omittable';

/**
 * Forwarding a complaint to SP4N-LAPOR!, the national channel. Complaints owns the action, the
 * history and the events; the notifications service's LAPOR! adapter makes the outbound call from
 * the event and reports back over the internal subjects below (see docs/lapor.md).
 */

/** `POST /complaints/:id/forward-lapor`. */
export class ForwardLaporRequest {
  /** Why it goes to the national channel (shown in the complaint's history). */
  @ApiPropertyOptional({ maxLength: 2000 }) @Omittable() @IsString() @MaxLength(2000)
  note?: string;
}

export class ForwardLaporCommand extends ForwardLaporRequest {
  @IsUUID() id: string;
  /** The gateway's `If-Match`: the complaint's version the caller saw. */
  @Omittable() @IsInt() @Min(1) ifMatch?: number;
}

export const LAPOR_STATUSES = ['requested', 'forwarded', 'failed'] as const;
export type LaporStatus = (typeof LAPOR_STATUSES)[number];

/** Where a complaint stands with SP4N-LAPOR! (on ComplaintResponse as `lapor`). */
export class LaporState {
  /** `requested` until the national channel took it, then `forwarded`; `failed` when it could not. */
  @ApiProperty({ enum: LAPOR_STATUSES }) status: LaporStatus;
  /** The national channel's id once it took the complaint. */
  @ApiPropertyOptional() laporId?: string;
  /** The last status the national channel reported. */
  @ApiPropertyOptional() remoteStatus?: string;
  @ApiProperty({ format: 'date-time' }) requestedAt: string;
  @ApiPropertyOptional({ format: 'date-time' }) forwardedAt?: string;
  @ApiPropertyOptional() failedReason?: string;
}

/** Internal: what notifications sends to LAPOR! for a complaint (never the reporter's identity). */
export class LaporReportRequest {
  @IsUUID() complaintId: string;
}

export interface LaporReportResponse {
  found: boolean;
  reference: string;
  trackingNumber: string;
  title: string;
  description: string;
  /** The category's code and name. */
  category: string;
  /** The handling agency's code, when the complaint has one. */
  agencyCode?: string;
  /** As published: exact for public complaints, coarsened for anonymous ones, district only for confidential ones. */
  location?: { lat?: number; lng?: number; district?: string; village?: string; address?: string };
  visibility: 'public' | 'anonymous' | 'confidential';
  submittedAt: string;
}

/** Internal: the outcome of the outbound call, applied once per request event. */
export class RecordLaporForwardCommand {
  @IsUUID() complaintId: string;
  /** The `lapor_forward_requested` event this answers (a second answer to it changes nothing). */
  @IsUUID() requestEventId: string;
  @IsBoolean() ok: boolean;
  @ValidateIf((c: RecordLaporForwardCommand) => c.ok) @IsString() @MaxLength(100) @Matches(/^[\w.:/-]+$/)
  laporId?: string;
  @ValidateIf((c: RecordLaporForwardCommand) => !c.ok) @IsString() @MaxLength(500)
  reason?: string;
}

/** Internal: a status the national channel reported, applied as a history entry once. */
export class RecordLaporUpdateCommand {
  @IsUUID() complaintId: string;
  @IsString() @MaxLength(100) @Matches(/^[\w.:/-]+$/) laporId: string;
  @IsString() @MaxLength(60) status: string;
  @Omittable() @IsString() @MaxLength(500) statusText?: string;
  /** The national channel's (or the agency's) answer, when it sent one. */
  @Omittable() @IsString() @MaxLength(4000) response?: string;
  @IsISO8601() updatedAt: string;
}

export interface RecordLaporResult {
  /** False when the outcome was known already (a retry): nothing changed. */
  applied: boolean;
}
