import { FieldError, MessageLanguage } from '@smart-regency/contracts';
import Mustache from 'mustache';
import { MessageTemplateText } from './message-types';

/** What SMS and WhatsApp carry at most once filled in (three SMS segments). */
export const SHORT_MAX = 480;

const FIELDS = ['subject', 'body', 'short'] as const;

/**
 * The problems of a template: blank or unparseable text, anything but `{{variable}}` (sections, partials,
 * changed delimiters: a template is text with blanks, not a program), or a variable the message
 * type does not offer. Empty when it may be saved.
 */
export function templateProblems(text: MessageTemplateText, allowed: readonly string[]): FieldError[] {
  const problems: FieldError[] = [];
  for (const field of FIELDS) {
    // A blank text would go out as an empty subject, mail or SMS to every person the type reaches.
    if (!text[field].trim()) {
      problems.push({ field, message: 'must not be empty' });
      continue;
    }
    let tokens: unknown[][];
    try {
      tokens = Mustache.parse(text[field]) as unknown[][];
    } catch (error) {
      problems.push({ field, message: `cannot be read: ${(error as Error).message}` });
      continue;
    }
    for (const [kind, value] of tokens) {
      if (kind === 'text') continue;
      if (kind !== 'name' && kind !== '&') problems.push({ field, message: `only {{variable}} blanks are allowed, not "${String(kind)}${String(value)}"` });
      else if (!allowed.includes(String(value))) problems.push({ field, message: `unknown variable "${String(value)}"; this message may use ${allowed.join(', ')}` });
    }
  }
  return problems;
}

/** Fills in a template; variables without a value become empty. Plain text: nothing is escaped. */
export function render(text: MessageTemplateText, variables: Record<string, string>): MessageTemplateText {
  const fill = (s: string) => Mustache.render(s, variables, undefined, { escape: (v: string) => v });
  const short = fill(text.short).replace(/\s+/g, ' ').trim();
  return {
    subject: fill(text.subject).replace(/\s+/g, ' ').trim().slice(0, 200),
    // An empty optional line (a note that was not given) leaves no gap of blank lines.
    body: fill(text.body).replace(/\n{3,}/g, '\n\n').trim(),
    short: short.length > SHORT_MAX ? `${short.slice(0, SHORT_MAX - 1)}…` : short,
  };
}

const LOCALE: Record<MessageLanguage, string> = { id: 'id-ID', en: 'en-GB' };

/** A moment as people in the regency read it (WIB). */
export function formatDate(iso: string | undefined, language: MessageLanguage): string {
  if (!iso || Number.isNaN(Date.parse(iso))) return '';
  return formatter(`date:${language}`, () => new Intl.DateTimeFormat(LOCALE[language], { dateStyle: 'long', timeStyle: 'short', timeZone: 'Asia/Jakarta' })).format(new Date(iso)) + ' WIB';
}

/** A day as people in the regency read it (WIB), without the time. */
export function formatDay(iso: string, language: MessageLanguage): string {
  return formatter(`day:${language}`, () => new Intl.DateTimeFormat(LOCALE[language], { dateStyle: 'long', timeZone: 'Asia/Jakarta' })).format(new Date(iso));
}

/** Rupiah, without decimals. */
export function formatRupiah(amount: string | undefined, language: MessageLanguage): string {
  const n = Number(amount);
  if (amount === undefined || amount === '' || !Number.isFinite(n)) return '';
  return formatter(`rupiah:${language}`, () => new Intl.NumberFormat(LOCALE[language], { style: 'currency', currency: 'IDR', maximumFractionDigits: 0 })).format(n);
}

/** Intl formatters are costly to build (a message's dates took 8 % of the service's CPU) and immutable: one per kind and language. */
const FORMATTERS = new Map<string, { format(value: Date | number): string }>();
function formatter(key: string, make: () => { format(value: Date | number): string }) {
  let f = FORMATTERS.get(key);
  if (!f) FORMATTERS.set(key, (f = make()));
  return f;
}

const STATUS_LABELS: Record<string, Record<MessageLanguage, string>> = {
  draft: { id: 'draf', en: 'draft' },
  submitted: { id: 'diajukan', en: 'submitted' },
  verified: { id: 'diverifikasi', en: 'verified' },
  recommended: { id: 'direkomendasikan', en: 'recommended' },
  approved: { id: 'disetujui', en: 'approved' },
  awaiting_payment: { id: 'menunggu pembayaran', en: 'awaiting payment' },
  issued: { id: 'terbit', en: 'issued' },
  revision_requested: { id: 'perlu perbaikan', en: 'revision requested' },
  rejected: { id: 'ditolak', en: 'rejected' },
  revoked: { id: 'dicabut', en: 'revoked' },
  expired: { id: 'kedaluwarsa', en: 'expired' },
  withdrawn: { id: 'ditarik', en: 'withdrawn' },
  received: { id: 'diterima', en: 'received' },
  dispositioned: { id: 'diteruskan ke instansi', en: 'forwarded to the agency' },
  in_progress: { id: 'sedang ditindaklanjuti', en: 'in progress' },
  resolved: { id: 'sudah ditanggapi', en: 'answered' },
  reopened: { id: 'dibuka kembali', en: 'reopened' },
  closed: { id: 'ditutup', en: 'closed' },
  verification: { id: 'verifikasi', en: 'verification' },
  follow_up: { id: 'tindak lanjut', en: 'follow-up' },
  auto_close: { id: 'penutupan otomatis', en: 'automatic closing' },
};

/** A status (or stage) code in words. */
export function statusLabel(code: string | undefined, language: MessageLanguage): string {
  if (!code) return '';
  return STATUS_LABELS[code]?.[language] ?? code.replace(/_/g, ' ');
}
