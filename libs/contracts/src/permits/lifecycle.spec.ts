import { APPLICATION_ACTIONS, APPLICATION_STATUSES, APPLICATION_TRANSITIONS, transitionFor } from './lifecycle';

const target = (action: (typeof APPLICATION_ACTIONS)[number], from: (typeof APPLICATION_STATUSES)[number], fee = 0) => {
  const t = transitionFor(action, from);
  if (!t) return undefined;
  return typeof t.to === 'function' ? t.to({ fee }) : t.to;
};

describe('permit application lifecycle', () => {
  it('walks the happy path from draft to issued, with and without a fee', () => {
    expect(['submit', 'verify', 'recommend', 'approve', 'issue'].reduce<string | undefined>((s, a) => s && target(a as never, s as never), 'draft')).toBe('issued');
    expect(target('approve', 'recommended', 250000)).toBe('awaiting_payment');
    expect(target('record-payment', 'awaiting_payment')).toBe('approved');
    expect(target('approve', 'recommended', 0)).toBe('approved');
  });

  it('lets the owner withdraw only before a decision, and resubmit after a revision request', () => {
    for (const s of ['draft', 'submitted', 'revision_requested', 'verified', 'recommended'] as const) expect(target('withdraw', s)).toBe('withdrawn');
    for (const s of ['awaiting_payment', 'approved', 'issued', 'rejected', 'revoked'] as const) expect(target('withdraw', s)).toBeUndefined();
    expect(target('request-revision', 'verified')).toBe('revision_requested');
    expect(target('resubmit', 'revision_requested')).toBe('submitted');
  });

  it('has no way out of the final statuses', () => {
    for (const s of ['rejected', 'withdrawn', 'revoked', 'expired'] as const) {
      for (const a of APPLICATION_ACTIONS) expect(target(a, s)).toBeUndefined();
    }
  });

  it('names only known statuses and actions, and never two transitions for one status and action', () => {
    const seen = new Set<string>();
    for (const t of APPLICATION_TRANSITIONS) {
      expect(APPLICATION_ACTIONS).toContain(t.action);
      for (const from of t.from) {
        expect(APPLICATION_STATUSES).toContain(from);
        const key = `${t.action}:${from}`;
        expect(seen.has(key)).toBe(false);
        seen.add(key);
      }
    }
  });
});
