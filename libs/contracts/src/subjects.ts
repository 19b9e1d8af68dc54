import { AuditEntryResponse, AuditedService, AuditHead, AuditListQuery, ChainVerification, VerifyChainCommand } from './audit/audit';
import { HealthCheckRequest, ServiceHealthResponse } from './common/health';
import { Page } from './common/page';
import { ComplaintCategoryResponse, CreateComplaintCategoryRequest, ListComplaintCategoriesRequest, UpdateComplaintCategoryCommand } from './complaints/category';
import {
  AddCommentCommand,
  CommentResponse,
  ComplaintActionCommand,
  ComplaintIdRequest,
  ComplaintResponse,
  FileComplaintRequest,
  ListComplaintsRequest,
  ListPublicComplaintsRequest,
  PublicComplaintResponse,
  RateComplaintCommand,
  TrackingNumberRequest,
  AttachmentDownload,
  AttachmentRequest,
  AttachmentResponse,
  PublicAttachmentRequest,
  UploadAttachmentCommand,
} from './complaints/complaint';
import { AgencyResponse, CreateAgencyRequest, ListAgenciesRequest, UpdateAgencyCommand } from './identity/agency';
import {
  ChangePasswordRequest,
  CreateStaffRequest,
  HolderNameRequest,
  HolderNameResponse,
  ListUsersRequest,
  RegisterCitizenRequest,
  Revocation,
  UpdateMeRequest,
  UpdateUserCommand,
  UserIdRequest,
  UserResponse,
} from './identity/user';
import { ApiKeyOwner, ApiKeyRequest, CreateServiceAccountRequest, OAuthTokenResponse, ServiceAccountCreatedResponse } from './identity/service-account';
import { CalendarResponse, CalendarYearRequest, PutCalendarCommand } from './identity/calendar';
import { ClientCredentialsRequest, JwksResponse, LoginRequest, RefreshRequest, TokenResponse } from './identity/auth';
import { CreatePermitTypeRequest, ListPermitTypesRequest, PermitTypeCodeRequest, PermitTypeResponse, UpdatePermitTypeCommand } from './permits/permit-type';
import {
  ApplicationActionCommand,
  ApplicationIdRequest,
  ApplicationResponse,
  CreateApplicationRequest,
  CertificateDownload,
  DocumentDownload,
  DocumentRequest,
  DocumentResponse,
  ListApplicationsRequest,
  SubmitApplicationCommand,
  UploadDocumentCommand,
  PermitVerificationResponse,
  VerificationCodeRequest,
} from './permits/application';
import { PublicSummaryRequest, PublicSummaryResponse } from './reporting/summary';
import { ComplaintsDataExport, EraseMeRequest, ErasureResponse, IdentityDataExport, PermitsDataExport } from './privacy/privacy';
import { AgenciesReportResponse, ReportQuery, ReportSummaryResponse, TimeseriesQuery, TimeseriesResponse } from './reporting/reports';
import {
  CreateWebhookRequest,
  DeliveryIdRequest,
  DeliveryResponse,
  ListDeliveriesRequest,
  ListWebhooksRequest,
  ReplayCommand,
  ReplayIdRequest,
  ReplayResponse,
  RotateSecretResponse,
  UpdateWebhookCommand,
  WebhookCreatedResponse,
  WebhookIdRequest,
  WebhookResponse,
} from './notifications/webhook';
import {
  ListMessagesRequest,
  ListMyNotificationsRequest,
  MessageResponse,
  NotificationIdRequest,
  NotificationPreferences,
  NotificationPreferencesResponse,
  NotificationResponse,
  PutTemplateCommand,
  ReadAllResponse,
  TemplateResponse,
  UnreadCountResponse,
  NotificationsDataExport,
} from './notifications/message';
import { AgencyStaffRequest, ContactsRequest, ContactsResponse, NotificationContextsRequest, NotificationContextsResponse } from './notifications/context';
import { ForwardLaporCommand, LaporReportRequest, LaporReportResponse, RecordLaporForwardCommand, RecordLaporResult, RecordLaporUpdateCommand } from './complaints/lapor';

/** The domain services behind the gateway; each answers `<service>.health.check`. */
export const SERVICES = ['identity', 'permits', 'complaints', 'reporting', 'notifications'] as const;
export type ServiceName = (typeof SERVICES)[number];

/** Request/reply subjects `<service>.<entity>.<verb>`. Never write one as a literal elsewhere. */
export const SUBJECTS = {
  identity: {
    health: 'identity.health.check',
    listAgencies: 'identity.agency.list',
    createAgency: 'identity.agency.create',
    updateAgency: 'identity.agency.update',
    registerCitizen: 'identity.user.register',
    login: 'identity.auth.login',
    refresh: 'identity.auth.refresh',
    logout: 'identity.auth.logout',
    clientToken: 'identity.auth.client-token',
    createServiceAccount: 'identity.service-account.create',
    authenticateApiKey: 'identity.service-account.authenticate',
    jwks: 'identity.jwks.get',
    me: 'identity.me.get',
    updateMe: 'identity.me.update',
    changePassword: 'identity.me.password',
    listUsers: 'identity.user.list',
    getUser: 'identity.user.get',
    /** Internal: permits, for a certificate's holder; no caller, NATS permissions decide who may ask. */
    holderName: 'identity.user.holder-name',
    /** Internal: notifications, for how to reach people at send time. */
    contacts: 'identity.notification.contacts',
    /** Internal: notifications, for the staff of an agency (or the admins). */
    agencyStaff: 'identity.notification.staff',
    createStaff: 'identity.user.create',
    updateUser: 'identity.user.update',
    revocations: 'identity.revocation.list',
    getCalendar: 'identity.calendar.get',
    putCalendar: 'identity.calendar.put',
    exportMyData: 'identity.privacy.export',
    eraseMe: 'identity.privacy.erase',
  },
  permits: {
    health: 'permits.health.check',
    listPermitTypes: 'permits.permit-type.list',
    getPermitType: 'permits.permit-type.get',
    createPermitType: 'permits.permit-type.create',
    updatePermitType: 'permits.permit-type.update',
    createApplication: 'permits.application.create',
    submitApplication: 'permits.application.submit',
    actOnApplication: 'permits.application.act',
    getApplication: 'permits.application.get',
    listApplications: 'permits.application.list',
    uploadDocument: 'permits.document.upload',
    verifyPermit: 'permits.permit.verify',
    certificate: 'permits.certificate.get',
    downloadDocument: 'permits.document.download',
    exportMyData: 'permits.privacy.export',
    /** Internal: notifications, for who is told what about applications' events (a batch at a time). */
    notificationContext: 'permits.notification.context',
  },
  complaints: {
    health: 'complaints.health.check',
    listCategories: 'complaints.category.list',
    createCategory: 'complaints.category.create',
    updateCategory: 'complaints.category.update',
    file: 'complaints.complaint.file',
    act: 'complaints.complaint.act',
    get: 'complaints.complaint.get',
    list: 'complaints.complaint.list',
    listPublic: 'complaints.public.list',
    getPublic: 'complaints.public.get',
    listComments: 'complaints.comment.list',
    addComment: 'complaints.comment.add',
    rate: 'complaints.complaint.rate',
    exportMyData: 'complaints.privacy.export',
    uploadAttachment: 'complaints.attachment.upload',
    listAttachments: 'complaints.attachment.list',
    downloadAttachment: 'complaints.attachment.download',
    downloadPublicAttachment: 'complaints.public.attachment',
    forwardLapor: 'complaints.lapor.forward',
    /** Internal: notifications, for who is told what about complaints' events (a batch at a time). */
    notificationContext: 'complaints.notification.context',
    /** Internal: notifications' LAPOR! adapter, for what it forwards. */
    laporReport: 'complaints.lapor.report',
    /** Internal: the adapter's outcome of a forward. */
    recordLaporForward: 'complaints.lapor.record-forward',
    /** Internal: a status SP4N-LAPOR! reported back. */
    recordLaporUpdate: 'complaints.lapor.record-update',
  },
  reporting: {
    health: 'reporting.health.check',
    publicSummary: 'reporting.summary.public',
    summary: 'reporting.summary.get',
    agencies: 'reporting.agencies.get',
    timeseries: 'reporting.timeseries.get',
  },
  notifications: {
    health: 'notifications.health.check',
    createWebhook: 'notifications.webhook.create',
    listWebhooks: 'notifications.webhook.list',
    getWebhook: 'notifications.webhook.get',
    updateWebhook: 'notifications.webhook.update',
    deleteWebhook: 'notifications.webhook.delete',
    rotateWebhookSecret: 'notifications.webhook.rotate-secret',
    listDeliveries: 'notifications.delivery.list',
    redeliver: 'notifications.delivery.redeliver',
    startReplay: 'notifications.replay.start',
    getReplay: 'notifications.replay.get',
    listMine: 'notifications.inbox.list',
    markRead: 'notifications.inbox.read',
    markAllRead: 'notifications.inbox.read-all',
    unreadCount: 'notifications.inbox.unread-count',
    getPreferences: 'notifications.preferences.get',
    putPreferences: 'notifications.preferences.put',
    listTemplates: 'notifications.template.list',
    putTemplate: 'notifications.template.put',
    listMessages: 'notifications.message.list',
    exportMyData: 'notifications.privacy.export',
  },
} as const;

export function healthSubject(service: ServiceName): string {
  return SUBJECTS[service].health;
}

/** Each audited service answers these about its own audit trail (`<service>.audit.<verb>`). */
export const AUDIT_SUBJECTS = {
  identity: { list: 'identity.audit.list', verify: 'identity.audit.verify', head: 'identity.audit.head' },
  permits: { list: 'permits.audit.list', verify: 'permits.audit.verify', head: 'permits.audit.head' },
  complaints: { list: 'complaints.audit.list', verify: 'complaints.audit.verify', head: 'complaints.audit.head' },
  notifications: { list: 'notifications.audit.list', verify: 'notifications.audit.verify', head: 'notifications.audit.head' },
} as const satisfies Record<AuditedService, { list: string; verify: string; head: string }>;

type AuditRpc<S extends AuditedService> = Record<(typeof AUDIT_SUBJECTS)[S]['list'], [AuditListQuery, Page<AuditEntryResponse>]> &
  Record<(typeof AUDIT_SUBJECTS)[S]['verify'], [VerifyChainCommand, ChainVerification]> &
  Record<(typeof AUDIT_SUBJECTS)[S]['head'], [Record<string, never>, AuditHead]>;

// Declaration merging: the audit subjects join the typed contract without touching the table below.
export interface RpcContract extends AuditRpc<'identity'>, AuditRpc<'permits'>, AuditRpc<'complaints'>, AuditRpc<'notifications'> {}

/** Request and response type of every subject, so `send()` is typed end to end. */
export interface RpcContract {
  'identity.health.check': [HealthCheckRequest, ServiceHealthResponse];
  'identity.agency.list': [ListAgenciesRequest, Page<AgencyResponse>];
  'identity.agency.create': [CreateAgencyRequest, AgencyResponse];
  'identity.agency.update': [UpdateAgencyCommand, AgencyResponse];
  'identity.user.register': [RegisterCitizenRequest, UserResponse];
  'identity.auth.login': [LoginRequest, TokenResponse];
  'identity.auth.refresh': [RefreshRequest, TokenResponse];
  'identity.auth.logout': [RefreshRequest, Record<string, never>];
  'identity.auth.client-token': [ClientCredentialsRequest, OAuthTokenResponse];
  'identity.service-account.create': [CreateServiceAccountRequest, ServiceAccountCreatedResponse];
  'identity.service-account.authenticate': [ApiKeyRequest, ApiKeyOwner];
  'identity.jwks.get': [Record<string, never>, JwksResponse];
  'identity.me.get': [Record<string, never>, UserResponse];
  'identity.me.update': [UpdateMeRequest, UserResponse];
  'identity.me.password': [ChangePasswordRequest, Record<string, never>];
  'identity.user.list': [ListUsersRequest, Page<UserResponse>];
  'identity.user.get': [UserIdRequest, UserResponse];
  'identity.user.holder-name': [HolderNameRequest, HolderNameResponse];
  'identity.notification.contacts': [ContactsRequest, ContactsResponse];
  'identity.notification.staff': [AgencyStaffRequest, ContactsResponse];
  'identity.user.create': [CreateStaffRequest, UserResponse];
  'identity.user.update': [UpdateUserCommand, UserResponse];
  'identity.revocation.list': [Record<string, never>, Revocation[]];
  'identity.calendar.get': [CalendarYearRequest, CalendarResponse];
  'identity.calendar.put': [PutCalendarCommand, CalendarResponse];
  'identity.privacy.export': [Record<string, never>, IdentityDataExport];
  'identity.privacy.erase': [EraseMeRequest, ErasureResponse];
  'permits.health.check': [HealthCheckRequest, ServiceHealthResponse];
  'permits.permit-type.list': [ListPermitTypesRequest, Page<PermitTypeResponse>];
  'permits.permit-type.get': [PermitTypeCodeRequest, PermitTypeResponse];
  'permits.permit-type.create': [CreatePermitTypeRequest, PermitTypeResponse];
  'permits.permit-type.update': [UpdatePermitTypeCommand, PermitTypeResponse];
  'permits.application.create': [CreateApplicationRequest, ApplicationResponse];
  'permits.application.submit': [SubmitApplicationCommand, ApplicationResponse];
  'permits.application.act': [ApplicationActionCommand, ApplicationResponse];
  'permits.application.get': [ApplicationIdRequest, ApplicationResponse];
  'permits.application.list': [ListApplicationsRequest, Page<ApplicationResponse>];
  'permits.document.upload': [UploadDocumentCommand, DocumentResponse];
  'permits.permit.verify': [VerificationCodeRequest, PermitVerificationResponse];
  'permits.certificate.get': [ApplicationIdRequest, CertificateDownload];
  'permits.document.download': [DocumentRequest, DocumentDownload];
  'permits.privacy.export': [Record<string, never>, PermitsDataExport];
  'permits.notification.context': [NotificationContextsRequest, NotificationContextsResponse];
  'complaints.health.check': [HealthCheckRequest, ServiceHealthResponse];
  'complaints.category.list': [ListComplaintCategoriesRequest, Page<ComplaintCategoryResponse>];
  'complaints.category.create': [CreateComplaintCategoryRequest, ComplaintCategoryResponse];
  'complaints.category.update': [UpdateComplaintCategoryCommand, ComplaintCategoryResponse];
  'complaints.complaint.file': [FileComplaintRequest, ComplaintResponse];
  'complaints.complaint.act': [ComplaintActionCommand, ComplaintResponse];
  'complaints.complaint.get': [ComplaintIdRequest, ComplaintResponse];
  'complaints.complaint.list': [ListComplaintsRequest, Page<ComplaintResponse>];
  'complaints.public.list': [ListPublicComplaintsRequest, Page<PublicComplaintResponse>];
  'complaints.public.get': [TrackingNumberRequest, PublicComplaintResponse];
  'complaints.comment.list': [ComplaintIdRequest, CommentResponse[]];
  'complaints.comment.add': [AddCommentCommand, CommentResponse];
  'complaints.complaint.rate': [RateComplaintCommand, ComplaintResponse];
  'complaints.privacy.export': [Record<string, never>, ComplaintsDataExport];
  'complaints.attachment.upload': [UploadAttachmentCommand, AttachmentResponse];
  'complaints.attachment.list': [ComplaintIdRequest, AttachmentResponse[]];
  'complaints.attachment.download': [AttachmentRequest, AttachmentDownload];
  'complaints.public.attachment': [PublicAttachmentRequest, AttachmentDownload];
  'complaints.lapor.forward': [ForwardLaporCommand, ComplaintResponse];
  'complaints.notification.context': [NotificationContextsRequest, NotificationContextsResponse];
  'complaints.lapor.report': [LaporReportRequest, LaporReportResponse];
  'complaints.lapor.record-forward': [RecordLaporForwardCommand, RecordLaporResult];
  'complaints.lapor.record-update': [RecordLaporUpdateCommand, RecordLaporResult];
  'reporting.health.check': [HealthCheckRequest, ServiceHealthResponse];
  'reporting.summary.public': [PublicSummaryRequest, PublicSummaryResponse];
  'reporting.summary.get': [ReportQuery, ReportSummaryResponse];
  'reporting.agencies.get': [ReportQuery, AgenciesReportResponse];
  'reporting.timeseries.get': [TimeseriesQuery, TimeseriesResponse];
  'notifications.health.check': [HealthCheckRequest, ServiceHealthResponse];
  'notifications.webhook.create': [CreateWebhookRequest, WebhookCreatedResponse];
  'notifications.webhook.list': [ListWebhooksRequest, Page<WebhookResponse>];
  'notifications.webhook.get': [WebhookIdRequest, WebhookResponse];
  'notifications.webhook.update': [UpdateWebhookCommand, WebhookResponse];
  'notifications.webhook.delete': [WebhookIdRequest, Record<string, never>];
  'notifications.webhook.rotate-secret': [WebhookIdRequest, RotateSecretResponse];
  'notifications.delivery.list': [ListDeliveriesRequest, Page<DeliveryResponse>];
  'notifications.delivery.redeliver': [DeliveryIdRequest, DeliveryResponse];
  'notifications.replay.start': [ReplayCommand, ReplayResponse];
  'notifications.replay.get': [ReplayIdRequest, ReplayResponse];
  'notifications.inbox.list': [ListMyNotificationsRequest, Page<NotificationResponse>];
  'notifications.inbox.read': [NotificationIdRequest, NotificationResponse];
  'notifications.inbox.read-all': [Record<string, never>, ReadAllResponse];
  'notifications.inbox.unread-count': [Record<string, never>, UnreadCountResponse];
  'notifications.preferences.get': [Record<string, never>, NotificationPreferencesResponse];
  'notifications.preferences.put': [NotificationPreferences, NotificationPreferencesResponse];
  'notifications.template.list': [Record<string, never>, TemplateResponse[]];
  'notifications.template.put': [PutTemplateCommand, TemplateResponse];
  'notifications.message.list': [ListMessagesRequest, Page<MessageResponse>];
  'notifications.privacy.export': [Record<string, never>, NotificationsDataExport];
}

export type Subject = keyof RpcContract;
export type RequestOf<S extends Subject> = RpcContract[S][0];
export type ResponseOf<S extends Subject> = RpcContract[S][1];

/** Broadcast (core NATS) to every gateway when a user's sessions end: `{ userId, at }`. */
export const REVOCATION_SUBJECT = 'identity.revocation.published';

/** NATS header that carries the request id from the gateway into every service. */
export const REQUEST_ID_HEADER = 'x-request-id';
/** NATS header that carries the client's Idempotency-Key for writes that create records. */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
/** NATS header that carries the caller's preferred language. */
export const LANGUAGE_HEADER = 'accept-language';
