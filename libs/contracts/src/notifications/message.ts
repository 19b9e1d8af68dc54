import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsString, IsUUID, MaxLength, ValidateNested } from 'class-validator';
import { Omittable } from '../common/omittable';
import { CountedPageResponse, PageQuery } from '../common/page';
import { QueryBoolean } from '../common/transforms';

/** Languages a person may choose for messages; Indonesian is the default. */
export const MESSAGE_LANGUAGES = ['id', 'en'] as const;
export type MessageLanguage = (typeof MESSAGE_LANGUAGES)[number];

/** Channels besides the in-app inbox. */
export const MESSAGE_CHANNELS = ['email', 'sms', 'whatsapp'] as const;
export type MessageChannelName = (typeof MESSAGE_CHANNELS)[number];

/** How far a message got on one channel. `skipped`: the person has no address there or opted out before it went. */
export const MESSAGE_STATUSES = ['pending', 'delivered', 'failed', 'skipped'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/** One message in a person's in-app inbox. */
export class NotificationResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;
  /** The message type (`permit.issued`, `complaint.responded`, `staff.complaint.new_work`, …). */
  @ApiProperty({ example: 'permit.issued' })
  type: string;
  @ApiProperty({ example: 'Izin Anda telah terbit' })
  title: string;
  @ApiProperty()
  body: string;
  /** Where a front end takes the reader (`/permit-applications/<id>`), when there is one. */
  @ApiPropertyOptional({ example: '/permit-applications/0b7c…' })
  link?: string;
  @ApiProperty({ format: 'date-time' })
  createdAt: string;
  @ApiPropertyOptional({ format: 'date-time' })
  readAt?: string;
}

export class NotificationPage extends CountedPageResponse {
  @ApiProperty({ type: [NotificationResponse] })
  items: NotificationResponse[];
}

export class ListMyNotificationsRequest extends PageQuery {
  /** Only unread messages. */
  @ApiPropertyOptional() @Omittable() @QueryBoolean() @IsBoolean()
  unread?: boolean;
}

export class NotificationIdRequest {
  @IsUUID() id: string;
}

export class UnreadCountResponse {
  @ApiProperty({ example: 3 })
  count: number;
}

export class ReadAllResponse {
  /** How many messages were marked read. */
  @ApiProperty({ example: 3 })
  marked: number;
}

export class ChannelChoices {
  @ApiProperty() @IsBoolean() email: boolean;
  /** SMS and WhatsApp need the person's consent: off until they turn them on. */
  @ApiProperty() @IsBoolean() sms: boolean;
  @ApiProperty() @IsBoolean() whatsapp: boolean;
  @ApiProperty() @IsBoolean() inApp: boolean;
}

export class StaffChoices {
  /** A message for each new piece of work, deadline and escalation as it happens. */
  @ApiProperty() @IsBoolean() instant: boolean;
  /** One message each working morning with the agency's queue. */
  @ApiProperty() @IsBoolean() dailyDigest: boolean;
}

/** Channels and language for messages; `staff` only for officers and agency heads (and admins). */
export class NotificationPreferences {
  @ApiProperty({ type: ChannelChoices })
  @ValidateNested() @Type(() => ChannelChoices)
  channels: ChannelChoices;
  @ApiProperty({ enum: MESSAGE_LANGUAGES, example: 'id' })
  @IsIn(MESSAGE_LANGUAGES)
  language: MessageLanguage;
  @ApiPropertyOptional({ type: StaffChoices })
  @Omittable() @ValidateNested() @Type(() => StaffChoices)
  staff?: StaffChoices;
}

export class NotificationPreferencesResponse extends NotificationPreferences {
  /** When the person last changed them (absent while the defaults apply); consent to SMS and WhatsApp counts from here. */
  @ApiPropertyOptional({ format: 'date-time' })
  updatedAt?: string;
}

/** One message template as admins see and edit it. */
export class TemplateResponse {
  @ApiProperty({ example: 'permit.issued' })
  type: string;
  @ApiProperty({ enum: MESSAGE_LANGUAGES })
  language: MessageLanguage;
  /** Who receives it: `citizen` or `staff`. */
  @ApiProperty({ enum: ['citizen', 'staff'] })
  audience: 'citizen' | 'staff';
  /** Title in the inbox, subject of the email. */
  @ApiProperty({ example: 'Izin {{number}} telah terbit' })
  subject: string;
  /** Inbox and email text. */
  @ApiProperty()
  body: string;
  /** SMS and WhatsApp text (at most 480 characters once filled in). */
  @ApiProperty()
  short: string;
  /** The `{{variables}}` this template may use; anything else is refused when saved. */
  @ApiProperty({ type: [String], example: ['name', 'number', 'certificateNumber', 'verificationUrl'] })
  variables: string[];
  /** Whether an admin changed it (else it is the text the system ships). */
  @ApiProperty()
  customised: boolean;
  @ApiPropertyOptional({ format: 'date-time' })
  updatedAt?: string;
}

export class PutTemplateRequest {
  @ApiProperty({ maxLength: 200 }) @IsString() @MaxLength(200)
  subject: string;
  @ApiProperty({ maxLength: 4000 }) @IsString() @MaxLength(4000)
  body: string;
  @ApiProperty({ maxLength: 480 }) @IsString() @MaxLength(480)
  short: string;
}

export class PutTemplateCommand extends PutTemplateRequest {
  @IsString() @MaxLength(60) type: string;
  @IsIn(MESSAGE_LANGUAGES) language: MessageLanguage;
}

/** How one message fared on one channel. */
export class ChannelDeliveryResponse {
  @ApiProperty({ enum: MESSAGE_CHANNELS })
  channel: MessageChannelName;
  @ApiProperty({ enum: MESSAGE_STATUSES })
  status: MessageStatus;
  @ApiProperty()
  attempts: number;
  /** Why it failed or was skipped (never an address or the text). */
  @ApiPropertyOptional()
  lastError?: string;
  @ApiPropertyOptional({ format: 'date-time' })
  nextAttemptAt?: string;
  @ApiPropertyOptional({ format: 'date-time' })
  deliveredAt?: string;
}

/** A message as staff see it: what was sent about a record, to whom (by role), and whether it arrived. */
export class MessageResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;
  @ApiProperty({ example: 'complaint.responded' })
  type: string;
  /** The permit application or complaint it is about (null for a staff digest). */
  @ApiProperty({ format: 'uuid', nullable: true })
  recordId: string | null;
  /** `applicant`, `reporter` or `staff`: never who, so an anonymous reporter stays hidden. */
  @ApiProperty({ enum: ['applicant', 'reporter', 'staff'] })
  recipientRole: 'applicant' | 'reporter' | 'staff';
  @ApiProperty({ format: 'uuid' })
  eventId: string;
  @ApiProperty({ type: [ChannelDeliveryResponse] })
  channels: ChannelDeliveryResponse[];
  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

export class MessagePage extends CountedPageResponse {
  @ApiProperty({ type: [MessageResponse] })
  items: MessageResponse[];
}

export class ListMessagesRequest extends PageQuery {
  /** The messages about one permit application or complaint. */
  @ApiPropertyOptional({ format: 'uuid' }) @Omittable() @IsUUID()
  recordId?: string;
  /** Messages with a channel in this state (`failed`: dead letters). */
  @ApiPropertyOptional({ enum: MESSAGE_STATUSES }) @Omittable() @IsIn(MESSAGE_STATUSES)
  status?: MessageStatus;
}

export interface NotificationsDataExport {
  preferences: NotificationPreferencesResponse;
  notifications: NotificationResponse[];
}
