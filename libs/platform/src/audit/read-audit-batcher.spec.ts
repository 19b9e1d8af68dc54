import type { PendingAuditRow } from './audit-trail';
import { ReadAuditBatcher } from './read-audit-batcher';

const row = (action: string): PendingAuditRow => ({ action, values: [action] });

/** A writer whose flushes the test completes or fails one by one. */
function gatedWriter() {
  const flushes: Array<{ rows: string[]; done: () => void; fail: (e: Error) => void }> = [];
  const write = (rows: PendingAuditRow[]) =>
    new Promise<void>((resolve, reject) => flushes.push({ rows: rows.map((r) => r.action), done: resolve, fail: reject }));
  return { flushes, write };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('ReadAuditBatcher (group commit of read rows)', () => {
  it('flushes the first row at once, and everything that arrived meanwhile in one next flush', async () => {
    const { flushes, write } = gatedWriter();
    const batcher = new ReadAuditBatcher(write);
    const settled: string[] = [];
    const first = batcher.add(row('a')).then(() => settled.push('a'));
    expect(flushes.map((f) => f.rows)).toEqual([['a']]);
    const later = ['b', 'c', 'd'].map((a) => batcher.add(row(a)).then(() => settled.push(a)));
    expect(batcher.waiting).toBe(3);
    await tick();
    expect(flushes).toHaveLength(1);
    flushes[0].done();
    await first;
    await tick();
    expect(flushes.map((f) => f.rows)).toEqual([['a'], ['b', 'c', 'd']]);
    // Not resolved before their own batch committed.
    expect(settled).toEqual(['a']);
    flushes[1].done();
    await Promise.all(later);
    expect(settled).toEqual(['a', 'b', 'c', 'd']);
  });

  it('rejects every waiter of a failed flush with its error, and carries on with the next', async () => {
    const { flushes, write } = gatedWriter();
    const batcher = new ReadAuditBatcher(write);
    const first = batcher.add(row('a'));
    const failed = ['b', 'c'].map((a) => batcher.add(row(a)));
    flushes[0].done();
    await first;
    await tick();
    const next = batcher.add(row('d'));
    flushes[1].fail(new Error('disk full'));
    for (const p of failed) await expect(p).rejects.toThrow('disk full');
    await tick();
    expect(flushes.map((f) => f.rows)).toEqual([['a'], ['b', 'c'], ['d']]);
    flushes[2].done();
    await expect(next).resolves.toBeUndefined();
  });

  it('caps a flush at maxBatch rows', async () => {
    const { flushes, write } = gatedWriter();
    const batcher = new ReadAuditBatcher(write, 2);
    const all = ['a', 'b', 'c', 'd', 'e'].map((a) => batcher.add(row(a)));
    for (let i = 0; i < 3; i++) {
      await tick();
      flushes[i].done();
    }
    await Promise.all(all);
    expect(flushes.map((f) => f.rows)).toEqual([['a'], ['b', 'c'], ['d', 'e']]);
  });

  it('settles once every row added so far has been flushed', async () => {
    const { flushes, write } = gatedWriter();
    const batcher = new ReadAuditBatcher(write);
    const added = [batcher.add(row('a')), batcher.add(row('b'))];
    let settled = false;
    const done = batcher.settled().then(() => (settled = true));
    flushes[0].done();
    await tick();
    expect(settled).toBe(false);
    flushes[1].done();
    await done;
    await Promise.all(added);
    expect(settled).toBe(true);
    await expect(batcher.settled()).resolves.toBeUndefined();
  });

  it('rejects when the writer throws before it returns a promise', async () => {
    const batcher = new ReadAuditBatcher(() => {
      throw new Error('no connection');
    });
    await expect(batcher.add(row('a'))).rejects.toThrow('no connection');
    await expect(batcher.add(row('b'))).rejects.toThrow('no connection');
  });
});
