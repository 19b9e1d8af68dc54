import { MessageLanguage, NotificationContext } from '@smart-regency/contracts';
import { formatDate, formatRupiah, statusLabel } from './templates';

const DATES = ['dueAt', 'finalDueAt', 'expiresAt'];

/**
 * The values a message's blanks are filled with, in the reader's language: what the record's
 * service answered, dates in WIB, rupiah, statuses in words, the agency's answer as `response`,
 * and the link into the front end.
 */
export function messageVariables(
  context: Pick<NotificationContext, 'variables' | 'link'>,
  event: Record<string, unknown>,
  language: MessageLanguage,
  name: string,
  appBaseUrl: string,
): Record<string, string> {
  const v = context.variables ?? {};
  const out: Record<string, string> = { ...v, name, appUrl: appBaseUrl + (context.link ?? '') };
  for (const key of DATES) if (v[key]) out[key] = formatDate(v[key], language);
  // An escalation names its own stage and deadline.
  if (typeof event.stage === 'string') out.stage = statusLabel(event.stage, language);
  if (typeof event.dueAt === 'string' && !v.dueAt) out.dueAt = formatDate(event.dueAt, language);
  out.fee = formatRupiah(v.fee, language);
  out.status = statusLabel(v.status, language);
  // A resolution's answer is its note; a reply in the thread is the comment.
  out.response = v.comment ?? v.note ?? '';
  // What SP4N-LAPOR! reported (the event's), not where our forward stands.
  out.laporStatus = typeof event.status === 'string' ? event.status : (v.laporRemoteStatus ?? v.laporStatus ?? '');
  if (typeof event.laporId === 'string' && !v.laporId) out.laporId = event.laporId;
  return out;
}
