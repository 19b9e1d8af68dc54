import { Lifecycle } from './lifecycle';

describe('Lifecycle', () => {
  const statuses = ['open', 'paid', 'closed'] as const;
  const actions = ['pay', 'close'] as const;

  it('finds a transition by action and status, and where it leads for a record', () => {
    const l = new Lifecycle<(typeof statuses)[number], (typeof actions)[number], 'owner' | 'staff', { free: boolean }>(statuses, actions, [
      { action: 'pay', from: ['open'], to: ({ free }) => (free ? 'closed' : 'paid'), by: ['owner'] },
      { action: 'close', from: ['open', 'paid'], to: 'closed', by: ['staff', 'owner'] },
    ]);
    const pay = l.find('pay', 'open')!;
    expect(l.target(pay, { free: false })).toBe('paid');
    expect(l.target(pay, { free: true })).toBe('closed');
    expect(l.find('pay', 'paid')).toBeUndefined();
    expect(l.actionsFrom('paid')).toEqual(['close']);
    expect(l.actionsFrom('closed')).toEqual([]);
  });

  it('refuses a table with unknown names or two transitions for one action and status', () => {
    expect(() => new Lifecycle(statuses, actions, [{ action: 'pay', from: ['opened' as never], to: 'paid', by: [] }])).toThrow(/unknown status opened/);
    expect(() => new Lifecycle(statuses, actions, [{ action: 'refund' as never, from: ['paid'], to: 'open', by: [] }])).toThrow(/unknown action refund/);
    expect(() => new Lifecycle(statuses, actions, [{ action: 'pay', from: ['open'], to: 'gone' as never, by: [] }])).toThrow(/unknown status gone/);
    expect(
      () =>
        new Lifecycle(statuses, actions, [
          { action: 'close', from: ['open'], to: 'closed', by: [] },
          { action: 'close', from: ['paid', 'open'], to: 'closed', by: [] },
        ]),
    ).toThrow(/two transitions for close:open/);
  });
});
