import { Actor, LaporState, RecordLaporForwardCommand, RecordLaporUpdateCommand, REFERENCE_AGENCIES } from '@smart-regency/contracts';
import { DomainError, PendingEvent } from '@smart-regency/platform';
import type { Complaint } from '../complaints/complaint.entity';

/**
 * The rules of forwarding a complaint to SP4N-LAPOR!, as pure functions: who may ask, when, and
 * what each step changes (the LAPOR! columns, a history entry, an event, an audit entry). The
 * service loads and locks, these decide, LaporRepository.commit writes it all in one statement.
 * Forwarding never changes the complaint's own status.
 */

/** The LAPOR! columns of a complaint. */
export type LaporColumns = Pick<
  Complaint,
  'laporStatus' | 'laporId' | 'laporRequestedAt' | 'laporForwardedAt' | 'laporFailedReason' | 'laporRemoteStatus' | 'laporRemoteUpdatedAt' | 'laporRequestEventId'
>;

/** What the rules read of a complaint. */
export type LaporSubject = Pick<Complaint, 'id' | 'status' | 'agencyId' | 'categoryCode'> & LaporColumns;

/** History actions of LAPOR! steps (the complaint's status stays what it was). */
export const LAPOR_HISTORY_ACTIONS = {
  'complaints.complaint.lapor_forward_requested.v1': 'forward_lapor',
  'complaints.complaint.lapor_forwarded.v1': 'lapor_forwarded',
  'complaints.complaint.lapor_forward_failed.v1': 'lapor_forward_failed',
  'complaints.complaint.lapor_updated.v1': 'lapor_update',
} as const;

/** Who asked: a person (by the role that allows it), or the category's setting on verification. */
export type LaporRequester = { kind: 'person'; actor: Actor; role: 'admin' | 'agency_head' } | { kind: 'category'; actor: Actor | null };

/** One LAPOR! step, decided: LaporRepository.commit writes it. */
export interface LaporChange {
  /** The LAPOR! columns that change (the others stay). */
  set: Partial<LaporColumns>;
  /** The step's event id becomes `lapor_request_event_id` (a forward request). */
  remembersEvent: boolean;
  history: { action: string; note: string | null; actorId: string | null; actorRole: string };
  event: PendingEvent;
  /** `complaint.<verb>` and its changes; `actor` null for the system (the LAPOR! adapter). */
  audit: { action: string; actor: Actor | null; changes: Record<string, unknown> };
  at: Date;
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : undefined);

/** `lapor` on a complaint's response; undefined until someone asked to forward it. */
export function laporStateOf(c: Partial<LaporColumns>): LaporState | undefined {
  if (!c.laporStatus || !c.laporRequestedAt) return undefined;
  return {
    status: c.laporStatus,
    ...(c.laporId ? { laporId: c.laporId } : {}),
    ...(c.laporRemoteStatus ? { remoteStatus: c.laporRemoteStatus } : {}),
    requestedAt: c.laporRequestedAt.toISOString(),
    ...(c.laporForwardedAt ? { forwardedAt: iso(c.laporForwardedAt) } : {}),
    ...(c.laporStatus === 'failed' && c.laporFailedReason ? { failedReason: c.laporFailedReason } : {}),
  };
}

/** The role that lets `actor` forward `c`: an admin, or the head of the agency handling it; null for anyone else. */
export function forwardingRole(actor: Actor, c: Pick<Complaint, 'agencyId'>): 'admin' | 'agency_head' | null {
  if (actor.roles.includes('admin')) return 'admin';
  if (actor.roles.includes('agency_head') && !!actor.agencyId && actor.agencyId === c.agencyId) return 'agency_head';
  return null;
}

/**
 * Why `c` cannot be forwarded now, or null. A rejected complaint is not the regency's to pursue
 * (the coordinator found it out of scope or invalid), so it does not go to the national channel;
 * every other status may (a closed complaint too: the citizen may want the national record).
 * While a forward waits or has succeeded, a second one is a conflict; after a failure it is allowed.
 */
export function forwardRefusal(c: Pick<LaporSubject, 'status' | 'laporStatus'>): DomainError | null {
  if (c.status === 'rejected') return new DomainError('COMPLAINTS.INVALID_TRANSITION', 'a rejected complaint is not forwarded to SP4N-LAPOR!');
  if (c.laporStatus === 'requested' || c.laporStatus === 'forwarded') {
    return new DomainError('COMPLAINTS.LAPOR_ALREADY_FORWARDED', `the forward to SP4N-LAPOR! is ${c.laporStatus} already`);
  }
  return null;
}

/** The LAPOR! columns an audit row compares (as `lapor*` fields; the reason as free text). */
const audited = (c: Partial<LaporColumns>) => ({
  laporStatus: c.laporStatus ?? null,
  laporId: c.laporId ?? null,
  laporRemoteStatus: c.laporRemoteStatus ?? null,
  laporFailedReason: c.laporFailedReason ?? null,
});

function auditOfChange(before: LaporColumns, set: Partial<LaporColumns>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const after = audited({ ...before, ...set });
  const was = audited(before);
  const b: Record<string, unknown> = {};
  const a: Record<string, unknown> = {};
  for (const key of Object.keys(after) as Array<keyof typeof after>) {
    if (after[key] === was[key]) continue;
    // A reason is the adapter's free text: the trail, which cannot be edited, keeps only that it changed.
    b[key] = key === 'laporFailedReason' && was[key] ? '[personal]' : was[key];
    a[key] = key === 'laporFailedReason' && after[key] ? '[personal]' : after[key];
  }
  return { before: b, after: a, ...extra };
}

/** A forward request: the new LAPOR! state, its history entry, event and audit entry. Check forwardRefusal first. */
export function decideForward(c: LaporSubject, by: LaporRequester, note: string | undefined, at: Date): LaporChange {
  const set: Partial<LaporColumns> = {
    laporStatus: 'requested',
    laporRequestedAt: at,
    laporForwardedAt: null,
    laporFailedReason: null,
  };
  const requestedBy = by.kind === 'category' ? 'category' : by.role;
  const historyNote = by.kind === 'category' ? `Diteruskan otomatis ke SP4N-LAPOR! menurut kategori ${c.categoryCode}` : note?.trim() ? note : null;
  return {
    set,
    remembersEvent: true,
    history: { action: LAPOR_HISTORY_ACTIONS['complaints.complaint.lapor_forward_requested.v1'], note: historyNote, actorId: by.kind === 'person' ? by.actor.id : null, actorRole: requestedBy },
    event: {
      type: 'complaints.complaint.lapor_forward_requested.v1',
      data: { complaintId: c.id, ...(c.agencyId ? { agencyId: c.agencyId } : {}), requestedBy, at: at.toISOString() },
    },
    audit: { action: 'complaint.forward_lapor', actor: by.actor, changes: auditOfChange(c, set, { requestedBy, ...(historyNote ? { note: '[personal]' } : {}) }) },
    at,
  };
}

/**
 * The adapter's outcome of a forward, or null when it changes nothing: it answers another request
 * than the one waiting (stale), or its request has its outcome already (a repeat).
 */
export function decideOutcome(c: LaporSubject, command: RecordLaporForwardCommand, at: Date): LaporChange | null {
  if (c.laporStatus !== 'requested' || c.laporRequestEventId !== command.requestEventId) return null;
  if (command.ok) {
    const laporId = command.laporId!;
    const set: Partial<LaporColumns> = { laporStatus: 'forwarded', laporId, laporForwardedAt: at, laporFailedReason: null };
    return {
      set,
      remembersEvent: false,
      history: { action: LAPOR_HISTORY_ACTIONS['complaints.complaint.lapor_forwarded.v1'], note: `Nomor SP4N-LAPOR!: ${laporId}`, actorId: null, actorRole: 'system' },
      event: { type: 'complaints.complaint.lapor_forwarded.v1', data: { complaintId: c.id, laporId, at: at.toISOString() } },
      audit: { action: 'complaint.lapor_forwarded', actor: null, changes: auditOfChange(c, set, { requestEventId: command.requestEventId }) },
      at,
    };
  }
  const reason = command.reason?.trim() || 'tidak diketahui';
  const set: Partial<LaporColumns> = { laporStatus: 'failed', laporFailedReason: reason };
  return {
    set,
    remembersEvent: false,
    history: { action: LAPOR_HISTORY_ACTIONS['complaints.complaint.lapor_forward_failed.v1'], note: reason, actorId: null, actorRole: 'system' },
    event: { type: 'complaints.complaint.lapor_forward_failed.v1', data: { complaintId: c.id, reason, at: at.toISOString() } },
    audit: { action: 'complaint.lapor_forward_failed', actor: null, changes: auditOfChange(c, set, { requestEventId: command.requestEventId }) },
    at,
  };
}

/** The note of a status the national channel reported: its text and its answer, else the bare status. */
export function laporUpdateNote(command: Pick<RecordLaporUpdateCommand, 'status' | 'statusText' | 'response'>): string {
  const parts = [command.statusText?.trim(), command.response?.trim()].filter((p): p is string => !!p);
  return parts.length ? parts.join('\n\n') : command.status;
}

/**
 * A status the national channel reported (the service applies each (laporId, status, updatedAt)
 * once). It becomes the remote status unless a later one is known already: updates may arrive
 * out of order; the history keeps each.
 */
export function decideUpdate(c: LaporSubject, command: RecordLaporUpdateCommand, at: Date): LaporChange {
  const reportedAt = new Date(command.updatedAt);
  const newest = !c.laporRemoteUpdatedAt || reportedAt >= c.laporRemoteUpdatedAt;
  const set: Partial<LaporColumns> = newest ? { laporRemoteStatus: command.status, laporRemoteUpdatedAt: reportedAt } : {};
  return {
    set,
    remembersEvent: false,
    history: { action: LAPOR_HISTORY_ACTIONS['complaints.complaint.lapor_updated.v1'], note: laporUpdateNote(command), actorId: null, actorRole: 'system' },
    event: { type: 'complaints.complaint.lapor_updated.v1', data: { complaintId: c.id, laporId: command.laporId, status: command.status, at: at.toISOString() } },
    audit: {
      action: 'complaint.lapor_update',
      actor: null,
      changes: auditOfChange(c, set, { reported: { status: command.status, updatedAt: reportedAt.toISOString() }, note: '[personal]' }),
    },
    at,
  };
}

/** The handling agency's code, when it is one of the reference agencies (complaints knows only agency ids; codes never change). */
export function agencyCodeOf(agencyId: string | null): string | undefined {
  return agencyId ? REFERENCE_AGENCIES.find((a) => a.id === agencyId)?.code : undefined;
}
