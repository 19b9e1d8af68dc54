import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';
import type { AttachmentResponse } from '../complaints/attachment';
import type { CommentResponse, ComplaintResponse } from '../complaints/complaint';
import type { ApplicationResponse, DocumentResponse } from '../permits/application';
import type { UserResponse } from '../identity/user';
import type { NotificationsDataExport } from '../notifications/message';

/**
 * Citizens' data rights (UU 27/2022 PDP): everything every service holds about the caller in one
 * document, and erasure. Services answer for their own data over NATS; the gateway assembles.
 */

/** What the privacy notice said when the citizen agreed to it at registration. */
export class ConsentResponse {
  /** Version of the privacy notice text (`CONSENT_VERSION` of identity). */
  @ApiProperty({ example: '2026-11' })
  version: string;
  @ApiProperty({ format: 'date-time' })
  at: string;
}

/** `DELETE /me` asks for the password again, so a stolen access token cannot erase an account. */
export class EraseMeRequest {
  @ApiProperty({ minLength: 1, maxLength: 128 })
  @IsString() @MinLength(1) @MaxLength(128)
  password: string;
}

export class ErasureResponse {
  @ApiProperty({ format: 'uuid' })
  userId: string;
  @ApiProperty({ format: 'date-time' })
  erasedAt: string;
  /** The other services finish from the event `identity.user.erased.v1`, also after an outage. */
  @ApiProperty({ example: ['permits', 'complaints'] })
  propagatesTo: string[];
}

export interface LoginHistoryEntry {
  at: string;
  success: boolean;
  reason: string;
  ip: string | null;
}

export interface SessionEntry {
  issuedAt: string;
  expiresAt: string;
  usedAt: string | null;
  revokedAt: string | null;
}

export interface IdentityDataExport {
  profile: UserResponse;
  loginHistory: LoginHistoryEntry[];
  sessions: SessionEntry[];
}

export interface PermitsDataExport {
  applications: Array<ApplicationResponse & { documents: DocumentResponse[] }>;
}

export interface ComplaintHistoryExport {
  action: string;
  fromStatus: string | null;
  toStatus: string;
  actorRole: string;
  note: string | null;
  at: string;
}

export interface ComplaintsDataExport {
  complaints: Array<
    ComplaintResponse & {
      ratingComment?: string;
      history: ComplaintHistoryExport[];
      /** The whole thread; `mine` marks what the caller wrote. */
      comments: Array<CommentResponse & { mine?: true }>;
      /** The files on the complaint (listed, not embedded; they download through the attachments route). */
      attachments: AttachmentResponse[];
    }
  >;
}

/** The whole `GET /me/data-export` document. */
export class DataExportResponse {
  @ApiProperty({ example: 1, description: 'Format version of this document' })
  formatVersion: 1;
  @ApiProperty({ format: 'date-time' })
  exportedAt: string;
  @ApiProperty({ format: 'uuid' })
  userId: string;
  @ApiProperty({ description: 'Profile, consent, sign-in history and sessions' })
  identity: IdentityDataExport;
  @ApiProperty({ description: 'Permit applications with their history and the documents uploaded (listed, not embedded)' })
  permits: PermitsDataExport;
  @ApiProperty({ description: 'Complaints with their history, comments and ratings' })
  complaints: ComplaintsDataExport;
  @ApiProperty({ description: 'Message preferences and every message sent to you (addresses are not kept)' })
  notifications: NotificationsDataExport;
  @ApiPropertyOptional({ description: 'Reporting keeps counts only: no personal data' })
  reporting: { personalData: false };
}
