import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsISO8601, IsString, IsUUID, Matches, MaxLength, ValidateNested } from 'class-validator';
import { Omittable } from '../common/omittable';
import type { MessageLanguage } from './message';

/**
 * What the notifications service asks the others, as itself (internal subjects: NATS permissions
 * say only notifications may), to turn an event into messages. Events carry ids; these answer
 * with what a message needs, at send time, and nothing is kept beyond the message itself.
 */

/** "Who is told what about this event?", asked of the service that published it. */
export class NotificationContextRequest {
  /** The event's record (its CloudEvents `subject`). */
  @IsUUID() recordId: string;
  @IsString() @MaxLength(100) @Matches(/^[a-z_]+\.[a-z_]+\.[a-z_]+\.v\d+$/) eventType: string;
  /** The change the event describes (`status_changed`: its `at`), to find its history entry. */
  @Omittable() @IsISO8601() at?: string;
  /** The event's action (`status_changed`), when it has one. */
  @Omittable() @IsString() @MaxLength(40) action?: string;
  /** The comment a `commented` event names (its `commentId`); without it, the comment is found by `at`. */
  @Omittable() @IsUUID() commentId?: string;
}

/** The most events one question may carry (the composer claims jobs in batches of 100). */
export const CONTEXTS_PER_REQUEST = 100;

/**
 * Several events at once, answered in one statement by the record's service: the composer asks once
 * per batch of jobs instead of once per event.
 */
export class NotificationContextsRequest {
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(CONTEXTS_PER_REQUEST) @ValidateNested({ each: true }) @Type(() => NotificationContextRequest)
  requests: NotificationContextRequest[];
}

/** A person a record's event concerns (not staff: those come from identity by agency). */
export interface ContextRecipient {
  userId: string;
  role: 'applicant' | 'reporter';
}

export interface NotificationContext {
  /** False when the record is gone (erased, or never existed): nothing is sent. */
  found: boolean;
  /** The agency whose queue the record is in after this event (staff messages go to its officers and head). */
  agencyId?: string;
  recipients: ContextRecipient[];
  /**
   * Values for the templates (`number`, `trackingNumber`, `title`, `note`, `fee`, `dueAt`, …), all
   * strings, none of them a reporter's identity. Dates are ISO-8601; notifications formats them.
   */
  variables: Record<string, string>;
  /** Complaints: `confidential` sends no content over SMS or WhatsApp; `anonymous` names no one to staff. */
  visibility?: 'public' | 'anonymous' | 'confidential';
  /** Where a front end shows the record (`/complaints/<id>`). */
  link?: string;
}

/** The answers, in the order of the requests. */
export interface NotificationContextsResponse {
  contexts: NotificationContext[];
}

/** How to reach people: asked of identity at send time, never stored by notifications. */
export class ContactsRequest {
  @IsArray() @ArrayMaxSize(200) @IsUUID('all', { each: true })
  userIds: string[];
}

/** The staff of an agency who handle its queue (officers and its head), or every admin. */
export class AgencyStaffRequest {
  /** Staff of this agency; absent with `admins`. */
  @Omittable() @IsUUID() agencyId?: string;
  /** The regency-wide coordinators (admins) instead. */
  @Omittable() @IsIn(['admin']) role?: 'admin';
}

export interface Contact {
  userId: string;
  fullName: string;
  email: string | null;
  phone: string | null;
  /** Disabled or erased accounts get nothing. */
  active: boolean;
  roles: string[];
  agencyId: string | null;
  /** The language the account was created with, when identity knows one. */
  language?: MessageLanguage;
}

export interface ContactsResponse {
  contacts: Contact[];
}
