import { Lifecycle, TransitionRow } from '../common/lifecycle';

/**
 * The permit application lifecycle as data: status × action → status, and who may act. The
 * permits service enforces it, the tests and the API docs read it.
 */
export const APPLICATION_STATUSES = [
  'draft',
  'submitted',
  'revision_requested',
  'verified',
  'recommended',
  'awaiting_payment',
  'approved',
  'issued',
  'rejected',
  'withdrawn',
  'revoked',
  'expired',
] as const;
export type ApplicationStatus = (typeof APPLICATION_STATUSES)[number];

/** Actions staff and owners take with POST /permit-applications/:id/actions (submit has its own route). */
export const APPLICATION_ACTIONS = [
  'submit',
  'verify',
  'request-revision',
  'recommend',
  'approve',
  'reject',
  'record-payment',
  'issue',
  'revoke',
  'withdraw',
  'resubmit',
  'expire',
] as const;
export type ApplicationAction = (typeof APPLICATION_ACTIONS)[number];

/**
 * Who may take an action:
 * - `owner`: the citizen who applied;
 * - `technical`: an officer or agency head of the permit type's technical agency (`agencyId`);
 * - `issuing_head`: the agency head of the issuing agency (`issuingAgencyId`);
 * - `issuing`: an officer or agency head of the issuing agency;
 * - `system`: scheduled jobs (expiry).
 */
export type ActorKind = 'owner' | 'technical' | 'issuing_head' | 'issuing' | 'system';

/** A row of the permit lifecycle (the shared shape): `approve` goes to `awaiting_payment` when the permit type has a fee. */
export type Transition = TransitionRow<ApplicationStatus, ApplicationAction, ActorKind, { fee: number }>;

const BEFORE_DECISION = ['draft', 'submitted', 'revision_requested', 'verified', 'recommended'] as const;

export const APPLICATION_TRANSITIONS: readonly Transition[] = [
  { action: 'submit', from: ['draft'], to: 'submitted', by: ['owner'] },
  { action: 'verify', from: ['submitted'], to: 'verified', by: ['technical'] },
  { action: 'request-revision', from: ['submitted', 'verified'], to: 'revision_requested', by: ['technical'] },
  { action: 'resubmit', from: ['revision_requested'], to: 'submitted', by: ['owner'] },
  { action: 'recommend', from: ['verified'], to: 'recommended', by: ['technical'] },
  { action: 'approve', from: ['recommended'], to: ({ fee }) => (fee > 0 ? 'awaiting_payment' : 'approved'), by: ['issuing_head'] },
  { action: 'reject', from: ['submitted', 'verified', 'recommended'], to: 'rejected', by: ['issuing_head'] },
  { action: 'record-payment', from: ['awaiting_payment'], to: 'approved', by: ['issuing'] },
  { action: 'issue', from: ['approved'], to: 'issued', by: ['issuing'] },
  { action: 'revoke', from: ['issued'], to: 'revoked', by: ['issuing'] },
  { action: 'withdraw', from: BEFORE_DECISION, to: 'withdrawn', by: ['owner'] },
  { action: 'expire', from: ['issued'], to: 'expired', by: ['system'] },
];

/** Statuses in which the agency still owes a decision (the SLA clock runs). */
export const OPEN_STATUSES: readonly ApplicationStatus[] = ['submitted', 'verified', 'recommended'];

export const APPLICATION_LIFECYCLE = new Lifecycle(APPLICATION_STATUSES, APPLICATION_ACTIONS, APPLICATION_TRANSITIONS);

export function transitionFor(action: ApplicationAction, from: ApplicationStatus): Transition | undefined {
  return APPLICATION_LIFECYCLE.find(action, from);
}
