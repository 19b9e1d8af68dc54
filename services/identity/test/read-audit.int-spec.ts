import { Actor, AUDIT_SUBJECTS, SUBJECTS, UserResponse } from '@smart-regency/contracts';
import { AUDIT_CHAIN_LOCK_KEY, AuditChainer, AuditTrail, DomainError, runInAuditContext } from '@smart-regency/platform';
import { InProcessService, makeNik, startInProcess } from '@smart-regency/testing';
import { randomUUID } from 'crypto';
import { Client } from 'pg';
import { startIdentity } from '../src/app';
import { loadIdentityConfig } from '../src/config';

interface ReadRow {
  seq: string;
  action: string;
  actor_id: string | null;
  request_id: string | null;
  subject_id: string | null;
  changes: Record<string, unknown>;
}

/** Reads of personal data are written by group commit: batched, each with its own caller, never lost silently. */
describe('read audit rows (identity, real PostgreSQL and NATS)', () => {
  let t: InProcessService;
  let trail: AuditTrail;
  const auditor: Actor = { id: randomUUID(), roles: ['auditor'] };
  let n = 0;
  const citizen = () => {
    n++;
    return { nik: makeNik({ sequence: 900 + n }), fullName: `Nur Aisyah ${n}`, email: `aisyah${n}@example.id`, phone: `0813777${String(10000 + n)}`, password: 'Rahasia-Labura-9' };
  };
  /** Rows are chained in the background: chain what is pending first, as the trail's readers do. */
  const chained = () => t.service.app.get(AuditChainer).drain();
  const rowsAfter = async (seq: number): Promise<ReadRow[]> => {
    await chained();
    return (await t.db.query(`SELECT seq, action, actor_id, request_id, subject_id, changes FROM audit_log WHERE seq > $1 ORDER BY seq`, [seq])).rows;
  };
  const headSeq = async (): Promise<number> => {
    await chained();
    return Number((await t.db.query('SELECT seq FROM audit_head')).rows[0].seq);
  };
  /**
   * Runs `reads` with the chain's lock held, so the rows stay in audit_pending, and returns how
   * many transactions wrote the rows whose request id starts with `prefix` (distinct xmin).
   */
  const transactionsOf = async (prefix: string, reads: () => Promise<unknown>): Promise<{ rows: number; transactions: number }> => {
    const holder = new Client({ connectionString: t.databaseUrl });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_CHAIN_LOCK_KEY]);
      await reads();
      const [counted] = (
        await holder.query(`SELECT count(*)::int AS rows, count(DISTINCT xmin::text)::int AS transactions FROM audit_pending WHERE request_id LIKE $1 || '%'`, [prefix])
      ).rows;
      await holder.query('COMMIT');
      return counted;
    } finally {
      await holder.end();
    }
  };
  const verify = () => t.rpc.send(AUDIT_SUBJECTS.identity.verify, {}, { actor: auditor });
  const readAs = (actor: Actor, requestId: string, subjectId: string, action?: string) =>
    runInAuditContext({ actor, requestId }, () => trail.recordRead({ entityType: 'user', entityId: subjectId, subjectId, ...(action ? { action } : {}) }));

  beforeAll(async () => {
    t = await startInProcess('identity', (env) => startIdentity(loadIdentityConfig(env)));
    trail = t.service.app.get(AuditTrail);
  });

  afterAll(() => t?.close());

  it('writes 50 concurrent reads as 50 rows in 2 transactions, each with the caller and request id it was queued with', async () => {
    const before = await headSeq();
    const subject = randomUUID();
    const readers = Array.from({ length: 50 }, (_, i) => ({ actor: { id: randomUUID(), roles: ['admin'] } as Actor, requestId: `req-batch-${i}` }));
    const written = await transactionsOf('req-batch-', () => Promise.all(readers.map((r) => readAs(r.actor, r.requestId, subject))));
    // The first read flushed alone at once; the 49 queued behind it went in the next flush.
    expect(written).toEqual({ rows: 50, transactions: 2 });
    const rows = await rowsAfter(before);
    expect(rows).toHaveLength(50);
    expect(rows.map((r) => [r.request_id, r.actor_id, r.action, r.subject_id]).sort()).toEqual(readers.map((r) => [r.requestId, r.actor.id, 'user.read', subject]).sort());
    expect(rows.map((r) => Number(r.seq))).toEqual(Array.from({ length: 50 }, (_, i) => before + 1 + i));
    expect((await t.db.query('SELECT count(*)::int AS n FROM audit_pending')).rows[0].n).toBe(0);
    expect(await verify()).toMatchObject({ intact: true });
  });

  it('batches concurrent requests over NATS: fewer transactions than rows, every row with its own request', async () => {
    const users: UserResponse[] = [];
    for (let i = 0; i < 5; i++) users.push(await t.rpc.send(SUBJECTS.identity.registerCitizen, citizen()));
    const before = await headSeq();
    const admins = Array.from({ length: 50 }, () => ({ id: randomUUID(), roles: ['admin'] }) as Actor);
    const written = await transactionsOf('req-nats-', () =>
      Promise.all(admins.map((actor, i) => t.rpc.send(SUBJECTS.identity.getUser, { id: users[i % 5].id }, { actor, requestId: `req-nats-${i}` }))),
    );
    expect(written.rows).toBe(50);
    expect(written.transactions).toBeLessThan(50);
    const rows = await rowsAfter(before);
    expect(rows).toHaveLength(50);
    const byRequest = new Map(rows.map((r) => [r.request_id, r]));
    admins.forEach((actor, i) => expect(byRequest.get(`req-nats-${i}`)).toMatchObject({ actor_id: actor.id, subject_id: users[i % 5].id, action: 'user.read' }));
    expect(await verify()).toMatchObject({ intact: true });
  });

  it('rejects every read of a failed flush and keeps none of its rows; the next flush commits', async () => {
    const before = await headSeq();
    const subject = randomUUID();
    const actor: Actor = { id: randomUUID(), roles: ['admin'] };
    const first = readAs(actor, 'req-first', subject);
    // Queued while the first flush runs, so written together: one row too long fails them all.
    const doomed = [readAs(actor, 'req-doomed-1', subject), readAs(actor, 'req-doomed-2', subject, `user.${'x'.repeat(100)}`), readAs(actor, 'req-doomed-3', subject)];
    await expect(first).resolves.toBeUndefined();
    const outcomes = await Promise.allSettled(doomed);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(String((outcomes[0] as PromiseRejectedResult).reason)).toMatch(/too long/);
    await expect(readAs(actor, 'req-after', subject)).resolves.toBeUndefined();
    expect((await rowsAfter(before)).map((r) => r.request_id)).toEqual(['req-first', 'req-after']);
    expect((await t.db.query('SELECT count(*)::int AS n FROM audit_pending')).rows[0].n).toBe(0);
    expect(await verify()).toMatchObject({ intact: true });
  });

  it('records an admin listing accounts once per page, finds it by subject, and fails the list when its row cannot be written', async () => {
    const admin: Actor = { id: randomUUID(), roles: ['admin'] };
    const user = await t.rpc.send(SUBJECTS.identity.registerCitizen, citizen());
    const before = await headSeq();
    const page = await t.rpc.send(SUBJECTS.identity.listUsers, { role: 'citizen', q: 'Nur Aisyah', pageSize: 100 }, { actor: admin, requestId: 'req-list' });
    expect(page.items.map((u) => u.id)).toContain(user.id);
    const [row, ...more] = await rowsAfter(before);
    expect(more).toEqual([]);
    expect(row).toMatchObject({ action: 'user.list', actor_id: admin.id, request_id: 'req-list', subject_id: null });
    expect(row.changes).toEqual({
      query: { role: 'citizen', q: '[personal]', page: 1, pageSize: 100 },
      shown: page.items.length,
      records: page.items.map((u) => u.id),
      subjects: page.items.map((u) => u.id),
    });
    expect(JSON.stringify(row)).not.toMatch(/Aisyah|example\.id/);
    const bySubject = await t.rpc.send(AUDIT_SUBJECTS.identity.list, { subjectId: user.id }, { actor: auditor });
    expect(bySubject.items.map((i) => i.action)).toEqual(['user.list', 'user.register']);
    expect(bySubject.total).toBe(2);

    // No account data without its audit row: the database refuses the row, so the list fails.
    await t.db.query(`ALTER TABLE audit_pending ADD CONSTRAINT ck_test_no_list CHECK (action <> 'user.list')`);
    try {
      const refused = await t.rpc.send(SUBJECTS.identity.listUsers, { pageSize: 5 }, { actor: admin }).catch((e: DomainError) => e);
      expect(refused).toBeInstanceOf(DomainError);
      expect((refused as DomainError).code).toBe('COMMON.INTERNAL');
    } finally {
      await t.db.query(`ALTER TABLE audit_pending DROP CONSTRAINT ck_test_no_list`);
    }
    await t.rpc.send(SUBJECTS.identity.listUsers, { pageSize: 5 }, { actor: admin }).then((p) => expect(p.items).toHaveLength(5));
    expect(await verify()).toMatchObject({ intact: true });
  });

  it('writes no read rows when the trail is off (AUDIT_ENABLED=false, benchmarks only)', async () => {
    // The audit module reads its settings from the process environment when the service boots.
    process.env.AUDIT_ENABLED = 'false';
    const off = await startInProcess('identity', (env) => startIdentity(loadIdentityConfig(env))).finally(() => delete process.env.AUDIT_ENABLED);
    try {
      const admin: Actor = { id: randomUUID(), roles: ['admin'] };
      const user = await off.rpc.send(SUBJECTS.identity.registerCitizen, citizen());
      await off.rpc.send(SUBJECTS.identity.getUser, { id: user.id }, { actor: admin });
      expect((await off.rpc.send(SUBJECTS.identity.listUsers, {}, { actor: admin })).items.length).toBeGreaterThan(0);
      expect((await off.db.query('SELECT (SELECT count(*) FROM audit_log) + (SELECT count(*) FROM audit_pending) AS n')).rows[0].n).toBe('0');
    } finally {
      await off.close();
    }
  });
});
