import { Omittable } from '../common/omittable';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsISO8601, IsString, IsUUID, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { PageQuery, PageResponse } from '../common/page';

/** The services that keep an audit trail (each in its own database, each its own hash chain). */
export const AUDITED_SERVICES = ['identity', 'permits', 'complaints', 'notifications'] as const;
export type AuditedService = (typeof AUDITED_SERVICES)[number];

/** Why `verify` stopped at a row. */
export const AUDIT_BREAK_REASONS = ['hash_mismatch', 'gap', 'reordered', 'head_mismatch', 'anchor_mismatch'] as const;
export type AuditBreakReason = (typeof AUDIT_BREAK_REASONS)[number];

/** A lower-case hex SHA-256. */
export const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Filters of the audit trail, shared by the gateway route and each service's `audit.list`. */
export class ListAuditRequest extends PageQuery {
  /** Only this service's trail (default: every audited service, merged by time). */
  @ApiPropertyOptional({ enum: AUDITED_SERVICES }) @Omittable() @IsIn(AUDITED_SERVICES)
  service?: AuditedService;

  /** Rows about this record (an application, complaint, user, permit type code, calendar year…). */
  @ApiPropertyOptional({ example: '9f1e2a34-5b6c-4d7e-8f90-a1b2c3d4e5f6' }) @Omittable() @IsString() @MaxLength(100)
  entityId?: string;

  /** Rows whose data subject (the citizen the record is about) is this user, and the list pages that showed their data. */
  @ApiPropertyOptional({ format: 'uuid' }) @Omittable() @IsUUID()
  subjectId?: string;

  /** Rows written by this user. */
  @ApiPropertyOptional({ format: 'uuid' }) @Omittable() @IsUUID()
  actorId?: string;

  /** From this instant (inclusive). */
  @ApiPropertyOptional({ format: 'date-time' }) @Omittable() @IsISO8601({ strict: true })
  from?: string;

  /** Before this instant (exclusive). */
  @ApiPropertyOptional({ format: 'date-time' }) @Omittable() @IsISO8601({ strict: true })
  to?: string;
}

/**
 * What the gateway asks one service when it merges several trails: the first `limit` rows
 * (newest first) that match, so it can merge them and cut the requested page.
 */
export class AuditListQuery extends ListAuditRequest {
  /** Rows to return from the newest match on (overrides paging; at most 10 000). */
  @Omittable() @Type(() => Number) @IsInt() @Min(1) @Max(10_000)
  limit?: number;
}

/** One row of a service's audit trail. */
export class AuditEntryResponse {
  @ApiProperty({ enum: AUDITED_SERVICES }) service: AuditedService;
  /** Position in the service's chain, from 1, without gaps. */
  @ApiProperty({ example: 42 }) seq: number;
  @ApiProperty({ format: 'date-time' }) at: string;
  /** Who did it; absent for the system (jobs, start-up). */
  @ApiPropertyOptional({ format: 'uuid' }) actorId?: string;
  @ApiProperty({ example: ['officer'] }) actorRoles: string[];
  @ApiPropertyOptional({ format: 'uuid' }) actorAgencyId?: string;
  /** `<entity>.<verb>`, e.g. `application.verify`, `user.update`, `complaint.read`. */
  @ApiProperty({ example: 'application.verify' }) action: string;
  @ApiProperty({ example: 'application' }) entityType: string;
  @ApiProperty() entityId: string;
  /** The citizen whose personal data the record holds, when there is one. */
  @ApiPropertyOptional({ format: 'uuid' }) subjectId?: string;
  /** Changed fields before and after; secrets never, personal values as `[personal]`. */
  @ApiProperty({ example: { before: { status: 'submitted' }, after: { status: 'verified' } } }) changes: Record<string, unknown>;
  @ApiPropertyOptional() requestId?: string;
  /** SHA-256 (hex) of the previous row's hash followed by this row's canonical JSON. */
  @ApiProperty({ example: 'a3f1…' }) hash: string;
}

export class AuditPage extends PageResponse {
  @ApiProperty({ type: [AuditEntryResponse] })
  items: AuditEntryResponse[];
}

/** The last row of a service's chain: keep it outside the system to prove later that nothing before it changed. */
export class AuditHead {
  @ApiProperty({ enum: AUDITED_SERVICES }) @IsIn(AUDITED_SERVICES)
  service: AuditedService;
  /** 0 for an empty chain. */
  @ApiProperty({ example: 42 }) @Type(() => Number) @IsInt() @Min(0) @Max(Number.MAX_SAFE_INTEGER)
  seq: number;
  /** 64 zeros for an empty chain. */
  @ApiProperty({ example: '0'.repeat(64) }) @IsString() @Matches(SHA256_HEX, { message: 'hash must be a lower-case hex SHA-256' })
  hash: string;
  @ApiPropertyOptional({ format: 'date-time' }) @Omittable() @IsISO8601({ strict: true })
  at?: string;
}

export class AuditHeadsResponse {
  @ApiProperty({ format: 'date-time' }) exportedAt: string;
  @ApiProperty({ type: [AuditHead] }) heads: AuditHead[];
}

/** A service's chain head as a query value: `<service>:<seq>:<hash>`. */
export const ANCHOR_PATTERN = /^(identity|permits|complaints):(\d{1,15}):([0-9a-f]{64})$/;

export function parseAnchor(text: string): AuditHead | undefined {
  const m = ANCHOR_PATTERN.exec(text);
  return m ? { service: m[1] as AuditedService, seq: Number(m[2]), hash: m[3] } : undefined;
}

/** `GET /audit/verify?service&anchor=<service>:<seq>:<hash>` (anchors repeated or comma-separated). */
export class VerifyAuditRequest {
  @ApiPropertyOptional({ enum: AUDITED_SERVICES }) @Omittable() @IsIn(AUDITED_SERVICES)
  service?: AuditedService;

  /** Exported heads to compare against, `<service>:<seq>:<hash>`; a chain rewritten since then fails. */
  @ApiPropertyOptional({ type: [String], example: ['identity:42:a3f1…'] })
  @Omittable()
  @Transform(({ value }) => (typeof value === 'string' ? value.split(',') : value))
  @IsArray()
  @ArrayMaxSize(30)
  @Matches(ANCHOR_PATTERN, { each: true, message: 'anchor must be <service>:<seq>:<64 hex digits>' })
  anchor?: string[];
}

/** `POST /audit/verify` with the document `GET /audit/head` exported. */
export class VerifyAgainstHeadsRequest {
  @ApiProperty({ type: [AuditHead] })
  @IsArray()
  @ArrayMaxSize(30)
  @ValidateNested({ each: true })
  @Type(() => AuditHead)
  heads: AuditHead[];

  @ApiPropertyOptional({ format: 'date-time' }) @Omittable() @IsISO8601({ strict: true })
  exportedAt?: string;
}

/** What a service is asked to verify: its chain, optionally against one exported head. */
export class VerifyChainCommand {
  @Omittable() @ValidateNested() @Type(() => AuditHead)
  anchor?: AuditHead;
}

export class AuditBreak {
  /** The first row that does not hold (for a gap: the first missing seq). */
  @ApiProperty({ example: 17 }) seq: number;
  @ApiProperty({ enum: AUDIT_BREAK_REASONS }) reason: AuditBreakReason;
  @ApiProperty({ example: 'row 17 does not hash to its stored hash' }) detail: string;
}

export class ChainVerification {
  @ApiProperty({ enum: AUDITED_SERVICES }) service: AuditedService;
  @ApiProperty() intact: boolean;
  /** Rows walked. */
  @ApiProperty() checked: number;
  @ApiProperty({ type: AuditHead }) head: AuditHead;
  @ApiPropertyOptional({ type: AuditBreak }) broken?: AuditBreak;
  /** Whether an exported head was given and matched. */
  @ApiPropertyOptional() anchorChecked?: boolean;
}

export class AuditVerificationResponse {
  /** True when every service's chain is intact (and matches every given anchor). */
  @ApiProperty() intact: boolean;
  @ApiProperty({ format: 'date-time' }) verifiedAt: string;
  @ApiProperty({ type: [ChainVerification] }) services: ChainVerification[];
}
