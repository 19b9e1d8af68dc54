import type { EntityManager, QueryRunner, TransactionCommitEvent, TransactionRollbackEvent } from 'typeorm';
import { WriteStatement } from '../database/write-statement';
import { EventRecorder, PendingEvent } from './event-recorder';
import { OUTBOX_CHANNEL, OUTBOX_WRITTEN, OutboxCommitSubscriber, OutboxWake } from './outbox-wake';

const quiet = { warn: () => undefined };
const flush = () => new Promise((resolve) => setImmediate(resolve));
const registered: PendingEvent = { type: 'identity.user.registered.v1', data: { userId: '6f1c1f5e-8a3b-4c2d-9e7f-0a1b2c3d4e5f', roles: ['citizen'] } };

/** A query runner as TypeORM has one: `data`, and whether a transaction is open. */
const runner = (isTransactionActive: boolean) => ({ isTransactionActive, data: {} }) as unknown as QueryRunner;
/** A manager that records the statements it is given. */
const managerOn = (queryRunner: QueryRunner | undefined, sent: string[]) =>
  ({ queryRunner, query: async (sql: string) => (sent.push(sql), []) }) as unknown as EntityManager;

describe('the outbox relay is woken after the commit, never by the write', () => {
  it('records events with no notification in the statement (a pg_notify there serialises every notifying commit of the cluster)', async () => {
    const sent: string[] = [];
    await new EventRecorder().recordAll(managerOn(runner(true), sent), [registered]);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(/INSERT INTO outbox/);
    expect(sent[0]).not.toMatch(/notify/i);

    const w = new WriteStatement().with('u', 'UPDATE t SET x = :x RETURNING id', { x: 1 });
    w.record(new EventRecorder(), [registered], undefined);
    const { text, values } = w.select('id FROM u');
    expect(text).not.toMatch(/notify/i);
    expect(values).not.toContain(OUTBOX_CHANNEL);
  });

  it('wakes at once after a statement that was its own transaction, and after the outermost commit of a transaction', async () => {
    const recorder = new EventRecorder();
    const woken: string[] = [];
    recorder.onCommitted(() => woken.push('wake'));
    const subscriber = new OutboxCommitSubscriber(() => woken.push('commit'));

    recorder.committed();
    recorder.committed(managerOn(runner(false), []));
    expect(woken).toEqual(['wake', 'wake']);

    woken.length = 0;
    const open = runner(true);
    await recorder.recordAll(managerOn(open, []), [registered]);
    expect(woken).toEqual([]); // not while the transaction is open
    expect(open.data).toMatchObject({ [OUTBOX_WRITTEN]: true });
    subscriber.afterTransactionCommit({ queryRunner: open } as TransactionCommitEvent); // a savepoint released: still open
    expect(woken).toEqual([]);
    (open as { isTransactionActive: boolean }).isTransactionActive = false;
    subscriber.afterTransactionCommit({ queryRunner: open } as TransactionCommitEvent);
    subscriber.afterTransactionCommit({ queryRunner: open } as TransactionCommitEvent); // once per transaction
    expect(woken).toEqual(['commit']);

    woken.length = 0;
    const rolledBack = runner(true);
    recorder.committed(managerOn(rolledBack, []));
    (rolledBack as { isTransactionActive: boolean }).isTransactionActive = false;
    subscriber.afterTransactionRollback({ queryRunner: rolledBack } as TransactionRollbackEvent);
    subscriber.afterTransactionCommit({ queryRunner: rolledBack } as TransactionCommitEvent);
    expect(woken).toEqual([]);
  });

  it('wakes the relay in memory when this process holds its lease, and otherwise sends one notification at a time', async () => {
    const statements: unknown[][] = [];
    let answer: () => void = () => undefined;
    const db = { query: (sql: string, params: unknown[]) => (statements.push([sql, ...params]), new Promise<void>((resolve) => (answer = resolve))) };
    const relay = { isLeader: true, wakes: 0, wake() { this.wakes++; } };
    const wake = new OutboxWake(db as never, relay, quiet);

    wake.committed();
    expect(relay.wakes).toBe(1);
    expect(statements).toHaveLength(0);

    relay.isLeader = false;
    wake.committed();
    wake.committed();
    wake.committed(); // three commits while the first notification is in flight
    expect(statements).toEqual([[`SELECT pg_notify($1, '')`, OUTBOX_CHANNEL]]);
    answer();
    await flush();
    expect(statements).toHaveLength(2); // one more for the commits meanwhile, not three
    answer();
    await flush();
    expect(statements).toHaveLength(2);
    wake.committed();
    expect(statements).toHaveLength(3);
  });

  it('a notification that fails is logged and the next commit tries again (the relay polls meanwhile)', async () => {
    const warned: string[] = [];
    let calls = 0;
    const db = { query: async () => { calls++; throw new Error('connection refused'); } };
    const wake = new OutboxWake(db as never, undefined, { warn: (m: string) => warned.push(m) });
    wake.committed();
    await flush();
    expect(warned).toEqual([expect.stringContaining('connection refused')]);
    wake.committed();
    await flush();
    expect(calls).toBe(2);
  });
});
