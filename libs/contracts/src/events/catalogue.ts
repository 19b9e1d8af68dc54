import { Omittable } from '../common/omittable';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsISO8601, IsLatitude, IsLongitude, IsString, IsUUID, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { AGENCY_KINDS, AgencyKind } from '../identity/agency';

/**
 * The v1 event catalogue (../shared/spec/EVENTS.md). Each class is the `data` of one CloudEvent
 * type; it is validated before the event is recorded, and docs/asyncapi.yaml is checked against it.
 * Events carry ids, never personal data: a consumer with the right to see more asks the API.
 */

export class UserRegisteredV1 {
  @IsUUID() userId: string;
  @IsArray() @IsString({ each: true }) roles: string[];
  @Omittable() @IsUUID() agencyId?: string;
}

export class UserErasedV1 {
  @IsUUID() userId: string;
}

/** A year's non-working days as identity now holds them (seeded, or an admin's correction): the whole year, so a follower just replaces it. */
export class CalendarChangedV1 {
  @IsInt() @Min(2000) @Max(2100) year: number;
  @IsArray() @ArrayMaxSize(366) @Matches(/^\d{4}-\d{2}-\d{2}$/, { each: true }) holidays: string[];
}

/**
 * An agency as identity's public directory (`GET /agencies`) now shows it, after an admin created or
 * changed it: the whole entry, so a follower just replaces its copy. Nothing the directory does not show.
 */
export class AgencyChangedV1 {
  @IsUUID() agencyId: string;
  @IsString() @MaxLength(32) code: string;
  @IsString() @MaxLength(200) name: string;
  @IsIn(AGENCY_KINDS) kind: AgencyKind;
  /** When identity made the change: a follower keeps the entry with the latest `at` and ignores an older one. */
  @IsISO8601() at: string;
}

export class ApplicationSubmittedV1 {
  @IsUUID() applicationId: string;
  @IsString() @MaxLength(40) number: string;
  @IsString() @MaxLength(40) permitTypeCode: string;
  @IsUUID() agencyId: string;
  @IsISO8601() dueAt: string;
  /** Added in v1 (optional, additive): the agency that decides and issues (DPMPTSP by default). */
  @Omittable() @IsUUID() issuingAgencyId?: string;
}

export class ApplicationStatusChangedV1 {
  @IsUUID() applicationId: string;
  @IsString() fromStatus: string;
  @IsString() toStatus: string;
  @IsString() action: string;
  @IsString() actorRole: string;
  @IsISO8601() at: string;
  // Added in v1 (optional, additive) so that consumers such as reporting need not ask the API:
  /** The permit type of the application. */
  @Omittable() @IsString() @MaxLength(40) permitTypeCode?: string;
  /** The technical agency that verifies and recommends. */
  @Omittable() @IsUUID() agencyId?: string;
  /** The agency that decides and issues. */
  @Omittable() @IsUUID() issuingAgencyId?: string;
  /** The application's service-level deadline after this change (absent for drafts). */
  @Omittable() @IsISO8601() dueAt?: string;
}

export class ApplicationIssuedV1 {
  @IsUUID() applicationId: string;
  @IsString() certificateNumber: string;
  @IsString() verificationCode: string;
  @Omittable() @IsISO8601() expiresAt?: string;
}

export class ApplicationOverdueV1 {
  @IsUUID() applicationId: string;
  @IsUUID() agencyId: string;
  @IsISO8601() dueAt: string;
}

export class EventLocation {
  /** Exact for public complaints, rounded to three decimals (~110 m) for anonymous ones, absent for confidential ones. */
  @Omittable() @IsLatitude() lat?: number;
  /** As `lat`. */
  @Omittable() @IsLongitude() lng?: number;
  @Omittable() @IsString() @MaxLength(100) district?: string;
}

export class ComplaintReceivedV1 {
  @IsUUID() complaintId: string;
  @IsString() trackingNumber: string;
  @IsString() categoryCode: string;
  @IsUUID() agencyId: string;
  @IsIn(['public', 'anonymous', 'confidential']) visibility: 'public' | 'anonymous' | 'confidential';
  @ValidateNested() @Type(() => EventLocation) location: EventLocation;
  // Added in v1 (optional, additive):
  /** Deadline for verification and disposition (3 working days). */
  @Omittable() @IsISO8601() dueAt?: string;
  /** Nothing may stay open past this (60 days). */
  @Omittable() @IsISO8601() finalDueAt?: string;
}

export class ComplaintStatusChangedV1 {
  @IsUUID() complaintId: string;
  @IsString() fromStatus: string;
  @IsString() toStatus: string;
  @IsString() action: string;
  @Omittable() @IsUUID() agencyId?: string;
  @IsISO8601() at: string;
  // Added in v1 (optional, additive) so that consumers such as reporting need not ask the API:
  /** The complaint's category. */
  @Omittable() @IsString() @MaxLength(40) categoryCode?: string;
  @Omittable() @IsIn(['public', 'anonymous', 'confidential']) visibility?: 'public' | 'anonymous' | 'confidential';
  /** The deadline of the stage this change ends (absent when none ran): met when `at` ≤ `stageDueAt`. */
  @Omittable() @IsISO8601() stageDueAt?: string;
  /** The deadline of the stage this change starts (absent when the complaint is closed). */
  @Omittable() @IsISO8601() dueAt?: string;
}

export class ComplaintEscalatedV1 {
  @IsUUID() complaintId: string;
  @IsUUID() agencyId: string;
  @IsString() stage: string;
  @IsISO8601() dueAt: string;
}

export class ComplaintRatedV1 {
  @IsUUID() complaintId: string;
  @IsInt() @Min(1) @Max(5) score: number;
}

export class ComplaintCommentedV1 {
  @IsUUID() complaintId: string;
  @IsUUID() commentId: string;
  /** `owner` for the reporter, else the author's staff role: never who. */
  @IsString() authorRole: string;
  @Omittable() @IsUUID() agencyId?: string;
  @IsISO8601() at: string;
}

export class ComplaintLaporForwardRequestedV1 {
  @IsUUID() complaintId: string;
  @Omittable() @IsUUID() agencyId?: string;
  /** `agency_head` or `admin` who asked, or `category` when the category forwards on its own. */
  @IsString() requestedBy: string;
  @IsISO8601() at: string;
}

export class ComplaintLaporForwardedV1 {
  @IsUUID() complaintId: string;
  @IsString() @MaxLength(100) laporId: string;
  @IsISO8601() at: string;
}

export class ComplaintLaporForwardFailedV1 {
  @IsUUID() complaintId: string;
  @IsString() @MaxLength(500) reason: string;
  @IsISO8601() at: string;
}

export class ComplaintLaporUpdatedV1 {
  @IsUUID() complaintId: string;
  @IsString() @MaxLength(100) laporId: string;
  @IsString() @MaxLength(60) status: string;
  @IsISO8601() at: string;
}

export class WebhookCreatedV1 {
  @IsUUID() webhookId: string;
  @IsArray() @IsString({ each: true }) eventTypes: string[];
  @Omittable() @IsUUID() agencyId?: string;
  @IsBoolean() active: boolean;
}

export class WebhookUpdatedV1 {
  @IsUUID() webhookId: string;
  /** The fields that changed (`url`, `eventTypes`, `agencyId`, `description`, `active`). */
  @IsArray() @IsString({ each: true }) changed: string[];
  @IsBoolean() active: boolean;
}

export class WebhookDeletedV1 {
  @IsUUID() webhookId: string;
}

export class WebhookSecretRotatedV1 {
  @IsUUID() webhookId: string;
  /** The old secret keeps signing deliveries until then. */
  @IsISO8601() previousSecretExpiresAt: string;
}

export class WebhookDisabledV1 {
  @IsUUID() webhookId: string;
  @IsString() @MaxLength(500) reason: string;
}

export interface EventSpec<T> {
  data: new () => T;
  /** The record the event is about: the CloudEvents `subject`, and the unit of ordering. */
  recordId: (data: T) => string;
}

const spec = <T>(data: new () => T, recordId: (d: T) => string): EventSpec<T> => ({ data, recordId });

export const EVENT_CATALOGUE = {
  'identity.user.registered.v1': spec(UserRegisteredV1, (d) => d.userId),
  'identity.user.erased.v1': spec(UserErasedV1, (d) => d.userId),
  'identity.calendar.changed.v1': spec(CalendarChangedV1, (d) => `calendar-${d.year}`),
  'identity.agency.changed.v1': spec(AgencyChangedV1, (d) => d.agencyId),
  'permits.application.submitted.v1': spec(ApplicationSubmittedV1, (d) => d.applicationId),
  'permits.application.status_changed.v1': spec(ApplicationStatusChangedV1, (d) => d.applicationId),
  'permits.application.issued.v1': spec(ApplicationIssuedV1, (d) => d.applicationId),
  'permits.application.overdue.v1': spec(ApplicationOverdueV1, (d) => d.applicationId),
  'complaints.complaint.received.v1': spec(ComplaintReceivedV1, (d) => d.complaintId),
  'complaints.complaint.status_changed.v1': spec(ComplaintStatusChangedV1, (d) => d.complaintId),
  'complaints.complaint.escalated.v1': spec(ComplaintEscalatedV1, (d) => d.complaintId),
  'complaints.complaint.rated.v1': spec(ComplaintRatedV1, (d) => d.complaintId),
  'complaints.complaint.commented.v1': spec(ComplaintCommentedV1, (d) => d.complaintId),
  'complaints.complaint.lapor_forward_requested.v1': spec(ComplaintLaporForwardRequestedV1, (d) => d.complaintId),
  'complaints.complaint.lapor_forwarded.v1': spec(ComplaintLaporForwardedV1, (d) => d.complaintId),
  'complaints.complaint.lapor_forward_failed.v1': spec(ComplaintLaporForwardFailedV1, (d) => d.complaintId),
  'complaints.complaint.lapor_updated.v1': spec(ComplaintLaporUpdatedV1, (d) => d.complaintId),
  'notifications.webhook.created.v1': spec(WebhookCreatedV1, (d) => d.webhookId),
  'notifications.webhook.updated.v1': spec(WebhookUpdatedV1, (d) => d.webhookId),
  'notifications.webhook.deleted.v1': spec(WebhookDeletedV1, (d) => d.webhookId),
  'notifications.webhook.secret_rotated.v1': spec(WebhookSecretRotatedV1, (d) => d.webhookId),
  'notifications.webhook.disabled.v1': spec(WebhookDisabledV1, (d) => d.webhookId),
};

export type EventType = keyof typeof EVENT_CATALOGUE;
export type EventData<T extends EventType> = (typeof EVENT_CATALOGUE)[T] extends EventSpec<infer D> ? D : never;

/** The service that publishes an event type: its first segment. */
export function eventService(type: string): string {
  return type.split('.')[0];
}

/** A CloudEvents 1.0 structured-mode event as it travels on `events.>`. */
export interface RegencyCloudEvent<D = Record<string, unknown>> {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  subject: string;
  time: string;
  datacontenttype: 'application/json';
  data: D;
}
