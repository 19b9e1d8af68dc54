/**
 * Error codes that cross process boundaries. A service throws a DomainError with one of these
 * codes; the gateway turns it into RFC 9457 problem+json using ERROR_TABLE, the one place where
 * codes meet HTTP statuses and user-facing titles.
 */
export type Lang = 'id' | 'en';
export type LocalizedText = Record<Lang, string>;

export interface ErrorSpec {
  status: number;
  title: LocalizedText;
}

export const COMMON_ERRORS = {
  'COMMON.VALIDATION': { status: 400, title: { id: 'Data yang dikirim tidak valid', en: 'The request is not valid' } },
  'COMMON.MALFORMED_BODY': { status: 400, title: { id: 'Isi permintaan tidak dapat dibaca', en: 'The request body could not be parsed' } },
  'COMMON.UNAUTHENTICATED': { status: 401, title: { id: 'Autentikasi diperlukan', en: 'Authentication is required' } },
  'COMMON.FORBIDDEN': { status: 403, title: { id: 'Anda tidak berwenang melakukan ini', en: 'You are not allowed to do this' } },
  'COMMON.NOT_FOUND': { status: 404, title: { id: 'Data tidak ditemukan', en: 'Not found' } },
  'COMMON.ROUTE_NOT_FOUND': { status: 404, title: { id: 'Alamat tidak ditemukan', en: 'No such route' } },
  'COMMON.METHOD_NOT_ALLOWED': { status: 405, title: { id: 'Metode tidak diizinkan', en: 'Method not allowed' } },
  'COMMON.CONFLICT': { status: 409, title: { id: 'Terjadi konflik dengan keadaan data', en: 'Conflict with the current state' } },
  'COMMON.PRECONDITION_FAILED': { status: 412, title: { id: 'Versi data sudah berubah', en: 'The record has changed' } },
  'COMMON.IDEMPOTENCY_MISMATCH': {
    status: 422,
    title: { id: 'Idempotency-Key sudah dipakai untuk permintaan lain', en: 'Idempotency-Key was used for a different request' },
  },
  'COMMON.PAYLOAD_TOO_LARGE': { status: 413, title: { id: 'Ukuran data terlalu besar', en: 'Payload too large' } },
  'COMMON.URI_TOO_LONG': { status: 414, title: { id: 'Alamat terlalu panjang', en: 'URI too long' } },
  'COMMON.REQUEST_TIMEOUT': { status: 408, title: { id: 'Permintaan terlalu lama dikirim', en: 'The request took too long to arrive' } },
  'COMMON.HEADERS_TOO_LARGE': { status: 431, title: { id: 'Kepala permintaan terlalu besar', en: 'Request headers too large' } },
  'COMMON.UNSUPPORTED_MEDIA_TYPE': { status: 415, title: { id: 'Jenis media tidak didukung', en: 'Unsupported media type' } },
  'COMMON.RATE_LIMITED': { status: 429, title: { id: 'Terlalu banyak permintaan', en: 'Too many requests' } },
  'COMMON.INTERNAL': { status: 500, title: { id: 'Terjadi kesalahan pada server', en: 'Internal server error' } },
  'COMMON.SERVICE_UNAVAILABLE': { status: 503, title: { id: 'Layanan sedang tidak tersedia', en: 'Service unavailable' } },
  'COMMON.TIMEOUT': { status: 503, title: { id: 'Layanan tidak menjawab tepat waktu', en: 'The service did not answer in time' } },
} satisfies Record<string, ErrorSpec>;

export const IDENTITY_ERRORS = {
  'IDENTITY.AGENCY_NOT_FOUND': { status: 404, title: { id: 'Instansi tidak ditemukan', en: 'Agency not found' } },
  'IDENTITY.INVALID_NIK': { status: 400, title: { id: 'NIK tidak valid', en: 'Invalid NIK' } },
  'IDENTITY.INVALID_PHONE': { status: 400, title: { id: 'Nomor telepon tidak valid', en: 'Invalid phone number' } },
  'IDENTITY.WEAK_PASSWORD': { status: 400, title: { id: 'Kata sandi terlalu lemah', en: 'Password too weak' } },
  'IDENTITY.NIK_TAKEN': { status: 409, title: { id: 'NIK sudah terdaftar', en: 'NIK already registered' } },
  'IDENTITY.EMAIL_TAKEN': { status: 409, title: { id: 'Email sudah terdaftar', en: 'Email already registered' } },
  'IDENTITY.PHONE_TAKEN': { status: 409, title: { id: 'Nomor telepon sudah terdaftar', en: 'Phone number already registered' } },
  'IDENTITY.INVALID_CREDENTIALS': { status: 401, title: { id: 'Identitas atau kata sandi salah', en: 'Wrong identifier or password' } },
  'IDENTITY.INVALID_REFRESH_TOKEN': { status: 401, title: { id: 'Sesi tidak berlaku, silakan masuk lagi', en: 'Session is no longer valid, sign in again' } },
  'IDENTITY.INVALID_CLIENT': { status: 401, title: { id: 'Klien tidak dikenal', en: 'Invalid client' } },
  'IDENTITY.INVALID_SCOPE': { status: 400, title: { id: 'Cakupan tidak diizinkan', en: 'Invalid scope' } },
  'IDENTITY.ACCOUNT_LOCKED': { status: 429, title: { id: 'Terlalu banyak percobaan masuk, coba lagi nanti', en: 'Too many sign-in attempts, try again later' } },
  'IDENTITY.TOO_MANY_ATTEMPTS': { status: 429, title: { id: 'Terlalu banyak percobaan, coba lagi nanti', en: 'Too many attempts, try again later' } },
  'IDENTITY.CONFLICTING_ROLES': { status: 400, title: { id: 'Kombinasi peran tidak diizinkan', en: 'These roles cannot be combined' } },
  'IDENTITY.WRONG_PASSWORD': { status: 400, title: { id: 'Kata sandi lama salah', en: 'Current password is wrong' } },
  'IDENTITY.USER_NOT_FOUND': { status: 404, title: { id: 'Pengguna tidak ditemukan', en: 'User not found' } },
  'IDENTITY.AGENCY_REQUIRED': { status: 400, title: { id: 'Peran ini memerlukan instansi', en: 'This role needs an agency' } },
  'IDENTITY.INVALID_CALENDAR': { status: 400, title: { id: 'Kalender tidak valid', en: 'Invalid calendar' } },
  'IDENTITY.AGENCY_CODE_TAKEN': { status: 409, title: { id: 'Kode instansi sudah dipakai', en: 'Agency code already taken' } },
} satisfies Record<string, ErrorSpec>;

export const PERMITS_ERRORS = {
  'PERMITS.PERMIT_TYPE_NOT_FOUND': { status: 404, title: { id: 'Jenis izin tidak ditemukan', en: 'Permit type not found' } },
  'PERMITS.PERMIT_TYPE_CODE_TAKEN': { status: 409, title: { id: 'Kode jenis izin sudah dipakai', en: 'Permit type code already taken' } },
  'PERMITS.PERMIT_TYPE_INACTIVE': { status: 409, title: { id: 'Jenis izin tidak sedang dibuka', en: 'Permit type is not open for applications' } },
  'PERMITS.APPLICATION_NOT_FOUND': { status: 404, title: { id: 'Permohonan tidak ditemukan', en: 'Application not found' } },
  'PERMITS.INVALID_FORM': { status: 400, title: { id: 'Isian formulir tidak lengkap atau tidak valid', en: 'Form data incomplete or invalid' } },
  'PERMITS.MISSING_DOCUMENTS': { status: 409, title: { id: 'Dokumen wajib belum diunggah', en: 'Required documents are missing' } },
  'PERMITS.UNKNOWN_ACTION': { status: 400, title: { id: 'Tindakan tidak dikenal', en: 'Unknown action' } },
  'PERMITS.INVALID_TRANSITION': { status: 409, title: { id: 'Tindakan tidak dapat dilakukan pada status ini', en: 'Action not allowed in this status' } },
  'PERMITS.NOT_ALLOWED': { status: 403, title: { id: 'Anda tidak berwenang atas permohonan ini', en: 'You may not act on this application' } },
  'PERMITS.UNKNOWN_DOCUMENT': { status: 404, title: { id: 'Dokumen tidak dikenal untuk jenis izin ini', en: 'No such document for this permit type' } },
  'PERMITS.DOCUMENT_NOT_FOUND': { status: 404, title: { id: 'Dokumen belum diunggah', en: 'Document not uploaded' } },
  'PERMITS.CONTENT_MISMATCH': { status: 415, title: { id: 'Isi berkas tidak sesuai jenisnya', en: 'File content does not match its type' } },
  'PERMITS.DOCUMENTS_LOCKED': { status: 409, title: { id: 'Dokumen hanya dapat diubah pada draf atau saat diminta perbaikan', en: 'Documents can change only in a draft or after a revision request' } },
  'PERMITS.NOT_ISSUED': { status: 409, title: { id: 'Izin belum diterbitkan', en: 'The permit has not been issued' } },
  'PERMITS.CERTIFICATE_UNAVAILABLE': { status: 503, title: { id: 'Surat izin belum dapat ditandatangani, coba lagi nanti', en: 'The certificate cannot be signed right now; try again later' } },
  'PERMITS.PERMIT_NOT_FOUND': { status: 404, title: { id: 'Izin dengan kode ini tidak ada', en: 'No permit with this code' } },
  'PERMITS.VERSION_MISMATCH': { status: 412, title: { id: 'Permohonan telah berubah, muat ulang', en: 'The application has changed; reload it' } },
  'PERMITS.DAILY_DRAFT_LIMIT': { status: 429, title: { id: 'Batas permohonan baru hari ini sudah tercapai, coba lagi besok', en: 'Daily limit of new applications reached; try again tomorrow' } },
  'PERMITS.DAILY_UPLOAD_LIMIT': { status: 429, title: { id: 'Batas unggahan dokumen hari ini sudah tercapai, coba lagi besok', en: 'Daily limit of document uploads reached; try again tomorrow' } },
} satisfies Record<string, ErrorSpec>;

export const COMPLAINTS_ERRORS = {
  'COMPLAINTS.CATEGORY_NOT_FOUND': { status: 404, title: { id: 'Kategori pengaduan tidak ditemukan', en: 'Complaint category not found' } },
  'COMPLAINTS.CATEGORY_CODE_TAKEN': { status: 409, title: { id: 'Kode kategori pengaduan sudah dipakai', en: 'Complaint category code already taken' } },
  'COMPLAINTS.COMPLAINT_NOT_FOUND': { status: 404, title: { id: 'Pengaduan tidak ditemukan', en: 'Complaint not found' } },
  'COMPLAINTS.UNKNOWN_ACTION': { status: 400, title: { id: 'Tindakan tidak dikenal', en: 'Unknown action' } },
  'COMPLAINTS.INVALID_TRANSITION': { status: 409, title: { id: 'Tindakan tidak dapat dilakukan pada status ini', en: 'Action not allowed in this status' } },
  'COMPLAINTS.NOT_ALLOWED': { status: 403, title: { id: 'Anda tidak berwenang atas pengaduan ini', en: 'You may not act on this complaint' } },
  'COMPLAINTS.VERSION_MISMATCH': { status: 412, title: { id: 'Pengaduan telah berubah, muat ulang', en: 'The complaint has changed; reload it' } },
  'COMPLAINTS.AGENCY_REQUIRED': { status: 400, title: { id: 'Disposisi memerlukan instansi', en: 'Disposition needs an agency' } },
  'COMPLAINTS.ANSWER_REQUIRED': { status: 400, title: { id: 'Penyelesaian memerlukan jawaban', en: 'A resolution needs an answer' } },
  'COMPLAINTS.REOPEN_TOO_LATE': { status: 409, title: { id: 'Batas waktu membuka kembali telah lewat', en: 'Too late to reopen' } },
  'COMPLAINTS.ALREADY_RATED': { status: 409, title: { id: 'Pengaduan sudah dinilai', en: 'Already rated' } },
  'COMPLAINTS.NOT_RESOLVED': { status: 409, title: { id: 'Pengaduan belum diselesaikan', en: 'Not resolved yet' } },
  'COMPLAINTS.CONTENT_MISMATCH': { status: 415, title: { id: 'Isi berkas tidak sesuai jenisnya', en: 'File content does not match its type' } },
  'COMPLAINTS.ATTACHMENT_NOT_FOUND': { status: 404, title: { id: 'Lampiran tidak ditemukan', en: 'Attachment not found' } },
  'COMPLAINTS.TOO_MANY_ATTACHMENTS': { status: 409, title: { id: 'Jumlah lampiran sudah maksimal', en: 'The complaint has the most attachments allowed' } },
  'COMPLAINTS.ATTACHMENTS_LOCKED': { status: 409, title: { id: 'Lampiran tidak dapat ditambah pada pengaduan yang sudah ditutup', en: 'No attachments can be added to a closed complaint' } },
  'COMPLAINTS.DAILY_FILING_LIMIT': { status: 429, title: { id: 'Batas pengaduan hari ini sudah tercapai, coba lagi besok', en: 'Daily limit of complaints reached; try again tomorrow' } },
  'COMPLAINTS.DAILY_UPLOAD_LIMIT': { status: 429, title: { id: 'Batas unggahan lampiran hari ini sudah tercapai, coba lagi besok', en: 'Daily limit of attachment uploads reached; try again tomorrow' } },
  'COMPLAINTS.LAPOR_ALREADY_FORWARDED': { status: 409, title: { id: 'Pengaduan sudah diteruskan ke SP4N-LAPOR!', en: 'The complaint has already been forwarded to SP4N-LAPOR!' } },
  'COMPLAINTS.DAILY_COMMENT_LIMIT': { status: 429, title: { id: 'Batas komentar hari ini sudah tercapai, coba lagi besok', en: 'Daily limit of comments reached; try again tomorrow' } },
} satisfies Record<string, ErrorSpec>;

export const REPORTING_ERRORS = {
  'REPORTING.NOT_ACCEPTABLE': {
    status: 406,
    title: { id: 'Format yang diminta tidak tersedia untuk laporan ini', en: 'The requested format is not available for this report' },
  },
} satisfies Record<string, ErrorSpec>;

export const NOTIFICATIONS_ERRORS = {
  'NOTIFICATIONS.WEBHOOK_NOT_FOUND': { status: 404, title: { id: 'Langganan webhook tidak ditemukan', en: 'Webhook subscription not found' } },
  'NOTIFICATIONS.DELIVERY_NOT_FOUND': { status: 404, title: { id: 'Pengiriman webhook tidak ditemukan', en: 'Webhook delivery not found' } },
  'NOTIFICATIONS.REPLAY_NOT_FOUND': { status: 404, title: { id: 'Pemutaran ulang tidak ditemukan', en: 'Replay not found' } },
  'NOTIFICATIONS.TARGET_REFUSED': {
    status: 400,
    title: { id: 'Alamat tujuan webhook tidak diizinkan', en: 'The webhook target address is not allowed' },
  },
  'NOTIFICATIONS.TOO_MANY_WEBHOOKS': { status: 409, title: { id: 'Jumlah langganan webhook sudah maksimal', en: 'The most webhook subscriptions allowed already exist' } },
  'NOTIFICATIONS.REPLAY_RUNNING': { status: 409, title: { id: 'Pemutaran ulang lain sedang berjalan', en: 'Another replay of this subscription is running' } },
  'NOTIFICATIONS.REPLAY_IN_FUTURE': { status: 400, title: { id: 'Waktu mulai pemutaran ulang ada di masa depan', en: 'A replay cannot start in the future' } },
  'NOTIFICATIONS.NOTIFICATION_NOT_FOUND': { status: 404, title: { id: 'Pemberitahuan tidak ditemukan', en: 'Notification not found' } },
  'NOTIFICATIONS.TEMPLATE_NOT_FOUND': { status: 404, title: { id: 'Jenis pesan tidak dikenal', en: 'Unknown message type' } },
  'NOTIFICATIONS.INVALID_TEMPLATE': { status: 400, title: { id: 'Templat pesan tidak valid', en: 'Invalid message template' } },
} satisfies Record<string, ErrorSpec>;

export const AUDIT_ERRORS = {
  'AUDIT.PAGE_TOO_DEEP': {
    status: 400,
    title: { id: 'Halaman terlalu jauh; saring per layanan atau per waktu', en: 'Page too deep; filter by service or time' },
  },
  'AUDIT.INVALID_ANCHOR': { status: 400, title: { id: 'Kepala rantai audit tidak valid', en: 'Invalid audit chain head' } },
} satisfies Record<string, ErrorSpec>;

export const ERROR_TABLE = {
  ...COMMON_ERRORS,
  ...IDENTITY_ERRORS,
  ...PERMITS_ERRORS,
  ...COMPLAINTS_ERRORS,
  ...REPORTING_ERRORS,
  ...NOTIFICATIONS_ERRORS,
  ...AUDIT_ERRORS,
};

export type ErrorCode = keyof typeof ERROR_TABLE;

export function errorSpec(code: string): ErrorSpec {
  return (ERROR_TABLE as Record<string, ErrorSpec>)[code] ?? ERROR_TABLE['COMMON.INTERNAL'];
}

/** One invalid field of a request. */
export interface FieldError {
  field: string;
  message: string;
  /** The rule that failed (class-validator constraint name), so messages can be localised. */
  rule?: string;
}

/** What travels back over NATS when a handler fails. */
export interface RpcErrorPayload {
  code: string;
  message: string;
  details?: FieldError[];
  /** For 429 and 503: seconds after which a retry may succeed (the gateway's Retry-After). */
  retryAfter?: number;
}

export function isRpcErrorPayload(value: unknown): value is RpcErrorPayload {
  return typeof value === 'object' && value !== null && typeof (value as RpcErrorPayload).code === 'string';
}
