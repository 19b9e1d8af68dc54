import { MessageLanguage } from '@smart-regency/contracts';

/** Who a message goes to: the person the record is about, or staff. */
export type Audience = 'citizen' | 'staff';

export interface MessageTemplateText {
  /** Inbox title and email subject. */
  subject: string;
  /** Inbox and email text. */
  body: string;
  /** SMS and WhatsApp. */
  short: string;
}

export interface MessageTypeSpec {
  audience: Audience;
  /** The `{{variables}}` its templates may use; a template naming any other is refused when saved. */
  variables: readonly string[];
  /** The text the system ships, in both languages; admins may replace it (notification_templates). */
  defaults: Record<MessageLanguage, MessageTemplateText>;
}

const CITIZEN = ['name', 'appUrl'] as const;
const PERMIT = [...CITIZEN, 'number', 'permitType'] as const;
const COMPLAINT = [...CITIZEN, 'trackingNumber', 'title'] as const;
const STAFF = ['name', 'appUrl'] as const;

const t = (subject: string, body: string, short: string): MessageTemplateText => ({ subject, body, short });

/**
 * Every message the system sends to people (../shared issue 17): its audience, the variables it may
 * use and its default text in Indonesian and English. Staff messages about complaints carry no
 * variable that could name a reporter: there is none to use.
 */
export const MESSAGE_TYPES = {
  'permit.submitted': {
    audience: 'citizen',
    variables: [...PERMIT, 'dueAt'],
    defaults: {
      id: t(
        'Permohonan {{number}} diterima',
        'Yth. {{name}},\n\npermohonan {{permitType}} Anda dengan nomor {{number}} telah kami terima dan akan diproses paling lambat {{dueAt}}.\n\nPantau di {{appUrl}}',
        'Permohonan {{permitType}} no. {{number}} diterima. Batas proses: {{dueAt}}. {{appUrl}}',
      ),
      en: t(
        'Application {{number}} received',
        'Dear {{name}},\n\nwe received your {{permitType}} application number {{number}}. It will be processed by {{dueAt}}.\n\nFollow it at {{appUrl}}',
        '{{permitType}} application {{number}} received. Due by {{dueAt}}. {{appUrl}}',
      ),
    },
  },
  'permit.revision_requested': {
    audience: 'citizen',
    variables: [...PERMIT, 'note'],
    defaults: {
      id: t(
        'Permohonan {{number}} perlu diperbaiki',
        'Yth. {{name}},\n\npermohonan {{permitType}} nomor {{number}} perlu Anda perbaiki:\n\n{{note}}\n\nPerbaiki dan ajukan kembali di {{appUrl}}',
        'Permohonan {{number}} perlu diperbaiki: {{note}} {{appUrl}}',
      ),
      en: t(
        'Application {{number}} needs changes',
        'Dear {{name}},\n\nyour {{permitType}} application {{number}} needs changes:\n\n{{note}}\n\nFix it and resubmit at {{appUrl}}',
        'Application {{number}} needs changes: {{note}} {{appUrl}}',
      ),
    },
  },
  'permit.approved': {
    audience: 'citizen',
    variables: [...PERMIT],
    defaults: {
      id: t('Permohonan {{number}} disetujui', 'Yth. {{name}},\n\npermohonan {{permitType}} nomor {{number}} telah disetujui. Izin akan segera diterbitkan.\n\n{{appUrl}}', 'Permohonan {{number}} disetujui. {{appUrl}}'),
      en: t('Application {{number}} approved', 'Dear {{name}},\n\nyour {{permitType}} application {{number}} was approved. The permit will be issued shortly.\n\n{{appUrl}}', 'Application {{number}} approved. {{appUrl}}'),
    },
  },
  'permit.awaiting_payment': {
    audience: 'citizen',
    variables: [...PERMIT, 'fee'],
    defaults: {
      id: t(
        'Permohonan {{number}} menunggu pembayaran retribusi',
        'Yth. {{name}},\n\npermohonan {{permitType}} nomor {{number}} disetujui. Silakan bayar retribusi sebesar {{fee}}; izin terbit setelah pembayaran tercatat.\n\n{{appUrl}}',
        'Permohonan {{number}} disetujui. Bayar retribusi {{fee}}. {{appUrl}}',
      ),
      en: t(
        'Application {{number}} awaits payment',
        'Dear {{name}},\n\nyour {{permitType}} application {{number}} was approved. Please pay the retribution of {{fee}}; the permit is issued once the payment is recorded.\n\n{{appUrl}}',
        'Application {{number}} approved. Please pay {{fee}}. {{appUrl}}',
      ),
    },
  },
  'permit.issued': {
    audience: 'citizen',
    variables: [...PERMIT, 'certificateNumber', 'verificationUrl', 'expiresAt'],
    defaults: {
      id: t(
        'Izin {{certificateNumber}} telah terbit',
        'Yth. {{name}},\n\nizin {{permitType}} Anda telah terbit dengan nomor {{certificateNumber}}. Keasliannya dapat diperiksa siapa saja di {{verificationUrl}}\n\nUnduh sertifikat di {{appUrl}}',
        'Izin {{certificateNumber}} terbit. Cek keaslian: {{verificationUrl}}',
      ),
      en: t(
        'Permit {{certificateNumber}} issued',
        'Dear {{name}},\n\nyour {{permitType}} permit was issued with number {{certificateNumber}}. Anyone can verify it at {{verificationUrl}}\n\nDownload the certificate at {{appUrl}}',
        'Permit {{certificateNumber}} issued. Verify: {{verificationUrl}}',
      ),
    },
  },
  'permit.rejected': {
    audience: 'citizen',
    variables: [...PERMIT, 'note'],
    defaults: {
      id: t('Permohonan {{number}} ditolak', 'Yth. {{name}},\n\npermohonan {{permitType}} nomor {{number}} ditolak dengan alasan:\n\n{{note}}\n\n{{appUrl}}', 'Permohonan {{number}} ditolak: {{note}}'),
      en: t('Application {{number}} rejected', 'Dear {{name}},\n\nyour {{permitType}} application {{number}} was rejected:\n\n{{note}}\n\n{{appUrl}}', 'Application {{number}} rejected: {{note}}'),
    },
  },
  'permit.revoked': {
    audience: 'citizen',
    variables: [...PERMIT, 'certificateNumber', 'note'],
    defaults: {
      id: t('Izin {{certificateNumber}} dicabut', 'Yth. {{name}},\n\nizin {{permitType}} nomor {{certificateNumber}} dicabut:\n\n{{note}}\n\n{{appUrl}}', 'Izin {{certificateNumber}} dicabut. {{appUrl}}'),
      en: t('Permit {{certificateNumber}} revoked', 'Dear {{name}},\n\nyour {{permitType}} permit {{certificateNumber}} was revoked:\n\n{{note}}\n\n{{appUrl}}', 'Permit {{certificateNumber}} revoked. {{appUrl}}'),
    },
  },
  'complaint.received': {
    audience: 'citizen',
    variables: [...COMPLAINT, 'dueAt', 'finalDueAt'],
    defaults: {
      id: t(
        'Pengaduan {{trackingNumber}} diterima',
        'Yth. {{name}},\n\npengaduan Anda "{{title}}" diterima dengan nomor lacak {{trackingNumber}}. Pengaduan diverifikasi dan diteruskan ke instansi paling lambat {{dueAt}}, dan harus selesai paling lambat {{finalDueAt}}.\n\n{{appUrl}}',
        'Pengaduan diterima, nomor lacak {{trackingNumber}}. Diteruskan paling lambat {{dueAt}}. {{appUrl}}',
      ),
      en: t(
        'Complaint {{trackingNumber}} received',
        'Dear {{name}},\n\nyour complaint "{{title}}" was received with tracking number {{trackingNumber}}. It will be verified and forwarded to the agency by {{dueAt}}, and must be settled by {{finalDueAt}}.\n\n{{appUrl}}',
        'Complaint received, tracking number {{trackingNumber}}. Forwarded by {{dueAt}}. {{appUrl}}',
      ),
    },
  },
  'complaint.status_changed': {
    audience: 'citizen',
    variables: [...COMPLAINT, 'status', 'note', 'dueAt'],
    defaults: {
      id: t(
        'Pengaduan {{trackingNumber}}: {{status}}',
        'Yth. {{name}},\n\nstatus pengaduan "{{title}}" ({{trackingNumber}}) kini: {{status}}.\n{{note}}\n\n{{appUrl}}',
        'Pengaduan {{trackingNumber}}: {{status}}. {{appUrl}}',
      ),
      en: t(
        'Complaint {{trackingNumber}}: {{status}}',
        'Dear {{name}},\n\nyour complaint "{{title}}" ({{trackingNumber}}) is now: {{status}}.\n{{note}}\n\n{{appUrl}}',
        'Complaint {{trackingNumber}}: {{status}}. {{appUrl}}',
      ),
    },
  },
  'complaint.responded': {
    audience: 'citizen',
    variables: [...COMPLAINT, 'response'],
    defaults: {
      id: t(
        'Tanggapan atas pengaduan {{trackingNumber}}',
        'Yth. {{name}},\n\ninstansi menanggapi pengaduan "{{title}}" ({{trackingNumber}}):\n\n{{response}}\n\nBalas atau konfirmasi di {{appUrl}}',
        'Ada tanggapan atas pengaduan {{trackingNumber}}. Baca di {{appUrl}}',
      ),
      en: t(
        'A response to complaint {{trackingNumber}}',
        'Dear {{name}},\n\nthe agency responded to your complaint "{{title}}" ({{trackingNumber}}):\n\n{{response}}\n\nReply or confirm at {{appUrl}}',
        'There is a response to complaint {{trackingNumber}}. Read it at {{appUrl}}',
      ),
    },
  },
  'complaint.closed': {
    audience: 'citizen',
    variables: [...COMPLAINT],
    defaults: {
      id: t(
        'Pengaduan {{trackingNumber}} selesai: beri penilaian',
        'Yth. {{name}},\n\npengaduan "{{title}}" ({{trackingNumber}}) telah ditutup. Bagaimana penanganannya? Beri nilai 1–5 di {{appUrl}}',
        'Pengaduan {{trackingNumber}} ditutup. Beri penilaian di {{appUrl}}',
      ),
      en: t(
        'Complaint {{trackingNumber}} closed: rate it',
        'Dear {{name}},\n\nyour complaint "{{title}}" ({{trackingNumber}}) was closed. How was it handled? Rate it 1–5 at {{appUrl}}',
        'Complaint {{trackingNumber}} closed. Rate it at {{appUrl}}',
      ),
    },
  },
  'complaint.forwarded_lapor': {
    audience: 'citizen',
    variables: [...COMPLAINT, 'laporId'],
    defaults: {
      id: t(
        'Pengaduan {{trackingNumber}} diteruskan ke SP4N-LAPOR!',
        'Yth. {{name}},\n\npengaduan "{{title}}" ({{trackingNumber}}) diteruskan ke SP4N-LAPOR! dengan nomor {{laporId}}. Kabar dari sana akan kami sampaikan.\n\n{{appUrl}}',
        'Pengaduan {{trackingNumber}} diteruskan ke SP4N-LAPOR! ({{laporId}}).',
      ),
      en: t(
        'Complaint {{trackingNumber}} forwarded to SP4N-LAPOR!',
        'Dear {{name}},\n\nyour complaint "{{title}}" ({{trackingNumber}}) was forwarded to SP4N-LAPOR! as {{laporId}}. We will pass on what they report.\n\n{{appUrl}}',
        'Complaint {{trackingNumber}} forwarded to SP4N-LAPOR! ({{laporId}}).',
      ),
    },
  },
  'complaint.lapor_update': {
    audience: 'citizen',
    variables: [...COMPLAINT, 'laporStatus', 'note'],
    defaults: {
      id: t(
        'Kabar SP4N-LAPOR! untuk pengaduan {{trackingNumber}}',
        'Yth. {{name}},\n\nSP4N-LAPOR! melaporkan status "{{laporStatus}}" untuk pengaduan "{{title}}" ({{trackingNumber}}).\n{{note}}\n\n{{appUrl}}',
        'SP4N-LAPOR!: pengaduan {{trackingNumber}} {{laporStatus}}. {{appUrl}}',
      ),
      en: t(
        'SP4N-LAPOR! news on complaint {{trackingNumber}}',
        'Dear {{name}},\n\nSP4N-LAPOR! reports "{{laporStatus}}" for your complaint "{{title}}" ({{trackingNumber}}).\n{{note}}\n\n{{appUrl}}',
        'SP4N-LAPOR!: complaint {{trackingNumber}} {{laporStatus}}. {{appUrl}}',
      ),
    },
  },
  'complaint.confidential_update': {
    audience: 'citizen',
    variables: [...CITIZEN],
    defaults: {
      id: t('Ada kabar tentang laporan Anda', 'Ada kabar tentang laporan Anda. Buka {{appUrl}}', 'Ada kabar tentang laporan Anda. Buka aplikasi untuk membacanya.'),
      en: t('There is news about your report', 'There is news about your report. Open {{appUrl}}', 'There is news about your report. Open the app to read it.'),
    },
  },
  'staff.permit.new_work': {
    audience: 'staff',
    variables: [...STAFF, 'number', 'permitType', 'status', 'dueAt'],
    defaults: {
      id: t('Antrean: permohonan {{number}}', 'Permohonan {{permitType}} nomor {{number}} ({{status}}) menunggu di antrean instansi Anda. Batas waktu: {{dueAt}}.\n\n{{appUrl}}', 'Antrean: {{number}} ({{status}}), batas {{dueAt}}.'),
      en: t('Queue: application {{number}}', '{{permitType}} application {{number}} ({{status}}) waits in your agency\'s queue. Due by {{dueAt}}.\n\n{{appUrl}}', 'Queue: {{number}} ({{status}}), due {{dueAt}}.'),
    },
  },
  'staff.permit.overdue': {
    audience: 'staff',
    variables: [...STAFF, 'number', 'permitType', 'dueAt'],
    defaults: {
      id: t('Lewat batas waktu: permohonan {{number}}', 'Permohonan {{permitType}} nomor {{number}} melewati batas waktu {{dueAt}}.\n\n{{appUrl}}', 'Lewat batas: permohonan {{number}} ({{dueAt}}).'),
      en: t('Overdue: application {{number}}', '{{permitType}} application {{number}} passed its deadline of {{dueAt}}.\n\n{{appUrl}}', 'Overdue: application {{number}} ({{dueAt}}).'),
    },
  },
  'staff.permit.due_soon': {
    audience: 'staff',
    variables: [...STAFF, 'number', 'permitType', 'status', 'dueAt'],
    defaults: {
      id: t('Segera jatuh tempo: permohonan {{number}}', 'Permohonan {{permitType}} nomor {{number}} ({{status}}) harus diselesaikan sebelum {{dueAt}}.\n\n{{appUrl}}', 'Jatuh tempo {{dueAt}}: permohonan {{number}}.'),
      en: t('Due soon: application {{number}}', '{{permitType}} application {{number}} ({{status}}) must be handled by {{dueAt}}.\n\n{{appUrl}}', 'Due {{dueAt}}: application {{number}}.'),
    },
  },
  'staff.complaint.due_soon': {
    audience: 'staff',
    variables: [...STAFF, 'trackingNumber', 'title', 'status', 'dueAt'],
    defaults: {
      id: t('Segera jatuh tempo: pengaduan {{trackingNumber}}', 'Pengaduan "{{title}}" ({{trackingNumber}}, {{status}}) harus ditindaklanjuti sebelum {{dueAt}}.\n\n{{appUrl}}', 'Jatuh tempo {{dueAt}}: pengaduan {{trackingNumber}}.'),
      en: t('Due soon: complaint {{trackingNumber}}', 'Complaint "{{title}}" ({{trackingNumber}}, {{status}}) must be followed up by {{dueAt}}.\n\n{{appUrl}}', 'Due {{dueAt}}: complaint {{trackingNumber}}.'),
    },
  },
  'staff.complaint.new_work': {
    audience: 'staff',
    variables: [...STAFF, 'trackingNumber', 'title', 'category', 'status', 'dueAt'],
    defaults: {
      id: t('Antrean: pengaduan {{trackingNumber}}', 'Pengaduan "{{title}}" ({{category}}, {{trackingNumber}}, {{status}}) menunggu tindak lanjut. Batas waktu: {{dueAt}}.\n\n{{appUrl}}', 'Antrean: pengaduan {{trackingNumber}} ({{status}}), batas {{dueAt}}.'),
      en: t('Queue: complaint {{trackingNumber}}', 'Complaint "{{title}}" ({{category}}, {{trackingNumber}}, {{status}}) awaits follow-up. Due by {{dueAt}}.\n\n{{appUrl}}', 'Queue: complaint {{trackingNumber}} ({{status}}), due {{dueAt}}.'),
    },
  },
  'staff.complaint.comment': {
    audience: 'staff',
    variables: [...STAFF, 'trackingNumber', 'title'],
    defaults: {
      id: t('Balasan pelapor: {{trackingNumber}}', 'Pelapor menulis di pengaduan "{{title}}" ({{trackingNumber}}).\n\n{{appUrl}}', 'Balasan pelapor di pengaduan {{trackingNumber}}.'),
      en: t('Reporter replied: {{trackingNumber}}', 'The reporter wrote on complaint "{{title}}" ({{trackingNumber}}).\n\n{{appUrl}}', 'The reporter replied on complaint {{trackingNumber}}.'),
    },
  },
  'staff.complaint.escalated': {
    audience: 'staff',
    variables: [...STAFF, 'trackingNumber', 'title', 'stage', 'dueAt'],
    defaults: {
      id: t('Eskalasi: pengaduan {{trackingNumber}}', 'Pengaduan "{{title}}" ({{trackingNumber}}) melewati batas waktu tahap {{stage}} ({{dueAt}}) dan dieskalasi.\n\n{{appUrl}}', 'Eskalasi: pengaduan {{trackingNumber}} lewat batas {{stage}}.'),
      en: t('Escalated: complaint {{trackingNumber}}', 'Complaint "{{title}}" ({{trackingNumber}}) passed its {{stage}} deadline ({{dueAt}}) and was escalated.\n\n{{appUrl}}', 'Escalated: complaint {{trackingNumber}} missed its {{stage}} deadline.'),
    },
  },
  'staff.digest': {
    audience: 'staff',
    variables: [...STAFF, 'date', 'count', 'items'],
    defaults: {
      id: t('Ringkasan harian {{date}}: {{count}} pemberitahuan', 'Yth. {{name}},\n\nberikut {{count}} pemberitahuan untuk instansi Anda dalam 24 jam terakhir:\n\n{{items}}\n\n{{appUrl}}', 'Ringkasan {{date}}: {{count}} pemberitahuan. {{appUrl}}'),
      en: t('Daily digest {{date}}: {{count}} notifications', 'Dear {{name}},\n\nhere are the {{count}} notifications for your agency in the last 24 hours:\n\n{{items}}\n\n{{appUrl}}', 'Digest {{date}}: {{count}} notifications. {{appUrl}}'),
    },
  },
} as const satisfies Record<string, MessageTypeSpec>;

export type MessageType = keyof typeof MESSAGE_TYPES;

export function isMessageType(type: string): type is MessageType {
  return Object.prototype.hasOwnProperty.call(MESSAGE_TYPES, type);
}
