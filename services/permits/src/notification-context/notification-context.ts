import { ApplicationAction, ApplicationStatus, NotificationContext } from '@smart-regency/contracts';
import { verificationUrl } from '../certificates/certificates.service';

/** Which agency's queue an application is in, by status: the technical agency reviews, the issuing agency decides and issues. */
export const QUEUE_SIDE: Record<ApplicationStatus, 'technical' | 'issuing' | 'where it was'> = {
  draft: 'technical',
  submitted: 'technical',
  revision_requested: 'technical',
  verified: 'technical',
  recommended: 'issuing',
  awaiting_payment: 'issuing',
  approved: 'issuing',
  issued: 'issuing',
  rejected: 'issuing',
  revoked: 'issuing',
  expired: 'issuing',
  // The owner withdrew it from whichever queue it was in.
  withdrawn: 'where it was',
};

/** Events without an action of their own, and the one history entry each describes (an application is submitted and issued once). */
export const EVENT_ACTIONS: Readonly<Record<string, ApplicationAction>> = {
  'permits.application.submitted.v1': 'submit',
  'permits.application.issued.v1': 'issue',
};

export interface HistoryEntry {
  action: string;
  fromStatus: ApplicationStatus | null;
  toStatus: ApplicationStatus;
  note: string | null;
}

/** What a message about an application is made of: never the applicant's name, NIK, form or documents. */
export interface ContextRow {
  id: string;
  number: string;
  permitTypeCode: string;
  agencyId: string;
  issuingAgencyId: string;
  applicantId: string;
  status: ApplicationStatus;
  fee: number;
  dueAt: Date | null;
  certificateNumber: string | null;
  verificationCode: string | null;
  expiresAt: Date | null;
  applicantErasedAt: Date | null;
  /** The history entry of the event (by action and at), when the request named one and it was found. */
  matched: HistoryEntry | null;
  /** The latest history entry. */
  latest: HistoryEntry | null;
}

export function queueAgency(row: Pick<ContextRow, 'agencyId' | 'issuingAgencyId'>, status: ApplicationStatus, fromStatus: ApplicationStatus | null): string {
  const side = QUEUE_SIDE[status] === 'where it was' ? (fromStatus && QUEUE_SIDE[fromStatus] === 'issuing' ? 'issuing' : 'technical') : QUEUE_SIDE[status];
  return side === 'issuing' ? row.issuingAgencyId : row.agencyId;
}

/**
 * The context of one event: the status and queue after it (from its history entry when found, else
 * the application as it is now), the applicant unless erased, and the template variables.
 */
export function notificationContextOf(row: ContextRow, permitTypeName: string, publicBaseUrl: string): NotificationContext {
  const entry = row.matched ?? row.latest;
  const status = row.matched?.toStatus ?? row.status;
  const fromStatus = entry && entry.toStatus === status ? entry.fromStatus : null;
  const variables: Record<string, string> = { number: row.number, permitType: permitTypeName, status };
  if (row.dueAt) variables.dueAt = row.dueAt.toISOString();
  if (row.fee > 0) variables.fee = String(row.fee);
  if (row.certificateNumber) variables.certificateNumber = row.certificateNumber;
  if (row.verificationCode) variables.verificationUrl = verificationUrl(publicBaseUrl, row.verificationCode);
  if (row.expiresAt) variables.expiresAt = row.expiresAt.toISOString();
  if (row.matched?.note) variables.note = row.matched.note;
  return {
    found: true,
    agencyId: queueAgency(row, status, fromStatus),
    recipients: row.applicantErasedAt ? [] : [{ userId: row.applicantId, role: 'applicant' }],
    variables,
    link: `/permit-applications/${row.id}`,
  };
}

/** Nothing to tell anyone: the application does not exist. */
export const notFound = (): NotificationContext => ({ found: false, recipients: [], variables: {} });
