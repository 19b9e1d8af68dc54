import { Actor, AUDIT_SUBJECTS, AuditHead, ChainVerification, SUBJECTS } from '@smart-regency/contracts';
import { canonicalRow, chainHash, DomainError, GENESIS_HASH } from '@smart-regency/platform';
import { InProcessService, makeNik, startInProcess } from '@smart-regency/testing';
import { randomUUID } from 'crypto';
import { Client } from 'pg';
import { startIdentity } from '../src/app';
import { loadIdentityConfig } from '../src/config';

type Row = Record<string, unknown> & { seq: string; hash: string; prev_hash: string };

/** The audit trail of one service, on its real database: what is written, and what verify catches. */
describe('audit trail (identity, real PostgreSQL and NATS)', () => {
  let t: InProcessService;
  const admin: Actor = { id: randomUUID(), roles: ['admin'] };
  const auditor: Actor = { id: randomUUID(), roles: ['auditor'] };
  let n = 0;
  const citizen = () => {
    n++;
    return { nik: makeNik({ sequence: 700 + n }), fullName: `Rahmat Hidayat ${n}`, email: `rahmat${n}@example.id`, phone: `0813555${String(10000 + n)}`, password: 'Rahasia-Labura-9' };
  };
  const verify = (anchor?: AuditHead) => t.rpc.send(AUDIT_SUBJECTS.identity.verify, anchor ? { anchor } : {}, { actor: auditor });
  /** Reads the trail after chaining every committed row (the chainer would within AUDIT_CHAIN_INTERVAL_MS). */
  const trail = async (sql: string, params: unknown[] = []) => {
    await t.db.query('SELECT audit_chain_pending(100000, true)');
    return (await t.db.query(sql, params)).rows;
  };
  const rows = async (): Promise<Row[]> => trail('SELECT * FROM audit_log ORDER BY seq');

  /** Runs SQL as a superuser who switched the triggers off: what an insider with the database password could do. */
  const asSuperuser = async (work: (db: Client) => Promise<unknown>) => {
    const db = new Client({ connectionString: t.databaseUrl });
    await db.connect();
    try {
      await db.query('SET session_replication_role = replica');
      await work(db);
    } finally {
      await db.end();
    }
  };
  const restore = (snapshot: Row[]) =>
    asSuperuser(async (db) => {
      await db.query('DELETE FROM audit_log');
      for (const r of snapshot) {
        const columns = Object.keys(r);
        await db.query(`INSERT INTO audit_log (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})`, columns.map((c) => (c === 'changes' ? JSON.stringify(r[c]) : r[c])));
      }
      const last = snapshot[snapshot.length - 1];
      await db.query('UPDATE audit_head SET seq = $1, hash = $2, at = $3 WHERE id = 1', [last.seq, last.hash, last.at]);
    });

  beforeAll(async () => {
    t = await startInProcess('identity', (env) => startIdentity(loadIdentityConfig(env)));
    for (let i = 0; i < 4; i++) await t.rpc.send(SUBJECTS.identity.registerCitizen, citizen());
  });

  afterAll(() => t?.close());

  it('writes who, what, which record and which request, without secrets or personal values', async () => {
    const body = citizen();
    const user = await t.rpc.send(SUBJECTS.identity.registerCitizen, body, { requestId: 'req-audit-register' });
    const [row] = await trail(`SELECT * FROM audit_log WHERE entity_id = $1`, [user.id]);
    expect(row).toMatchObject({
      action: 'user.register',
      entity_type: 'user',
      actor_id: user.id,
      actor_roles: ['citizen'],
      subject_id: user.id,
      request_id: 'req-audit-register',
    });
    expect(row.changes.after).toMatchObject({ roles: ['citizen'], active: true, fullName: '[personal]', email: '[personal]', nikMasked: '[personal]' });
    const everything = JSON.stringify(await rows());
    for (const secret of [body.nik, body.email, body.fullName, body.phone.slice(1), body.password, 'argon2']) expect(everything).not.toContain(secret);
  });

  it('writes in the transaction of the change: a refused change leaves no row', async () => {
    const before = (await rows()).length;
    const body = citizen();
    await t.rpc.send(SUBJECTS.identity.registerCitizen, body);
    const again = await t.rpc.send(SUBJECTS.identity.registerCitizen, { ...citizen(), email: body.email }).catch((e: DomainError) => e);
    expect((again as DomainError).code).toBe('IDENTITY.EMAIL_TAKEN');
    expect((await rows()).length).toBe(before + 1);
    // Rows wait in audit_pending only while their transaction runs.
    expect((await t.db.query('SELECT count(*)::int AS n FROM audit_pending')).rows[0].n).toBe(0);
  });

  it('records an admin changing staff: the fields before and after, and the admin who did it', async () => {
    const agencies = await t.rpc.send(SUBJECTS.identity.listAgencies, { pageSize: 2 });
    const [a, b] = agencies.items;
    const staff = await t.rpc.send(
      SUBJECTS.identity.createStaff,
      { email: `petugas${n}@pemda.labura.go.id`, fullName: 'Petugas Satu', roles: ['officer'], agencyId: a.id, password: 'Sandi-Petugas-2026' },
      { actor: admin },
    );
    await t.rpc.send(SUBJECTS.identity.updateUser, { id: staff.id, agencyId: b.id, active: false }, { actor: admin, requestId: 'req-disable' });
    const staffTrail = await trail(`SELECT action, actor_id, actor_roles, changes, request_id FROM audit_log WHERE entity_id = $1 ORDER BY seq`, [staff.id]);
    expect(staffTrail.map((r) => r.action)).toEqual(['user.create', 'user.update']);
    expect(staffTrail[1]).toMatchObject({
      actor_id: admin.id,
      actor_roles: ['admin'],
      request_id: 'req-disable',
      changes: { before: { agencyId: a.id, active: true }, after: { agencyId: b.id, active: false } },
    });
    expect(JSON.stringify(staffTrail)).not.toContain('Sandi-Petugas');
  });

  it("records staff looking at someone's account, and not a user looking at their own", async () => {
    const user = await t.rpc.send(SUBJECTS.identity.registerCitizen, citizen());
    await t.rpc.send(SUBJECTS.identity.getUser, { id: user.id }, { actor: admin, requestId: 'req-look' });
    await t.rpc.send(SUBJECTS.identity.me, {}, { actor: { id: user.id, roles: ['citizen'] } });
    const reads = await trail(`SELECT actor_id, subject_id, request_id FROM audit_log WHERE action = 'user.read' AND subject_id = $1`, [user.id]);
    expect(reads).toEqual([{ actor_id: admin.id, subject_id: user.id, request_id: 'req-look' }]);
  });

  it('chains the rows: seq from 1 without gaps, each hash = sha256(previous hash ‖ canonical row)', async () => {
    const all = await rows();
    expect(all.length).toBeGreaterThan(5);
    let prev = GENESIS_HASH;
    all.forEach((r, i) => {
      expect(Number(r.seq)).toBe(i + 1);
      expect(r.prev_hash).toBe(prev);
      const canonical = canonicalRow({
        service: 'identity',
        seq: Number(r.seq),
        at: (r.at as Date).toISOString(),
        actorId: r.actor_id as string | null,
        actorRoles: r.actor_roles as string[],
        actorAgencyId: r.actor_agency_id as string | null,
        action: r.action as string,
        entityType: r.entity_type as string,
        entityId: r.entity_id as string,
        subjectId: r.subject_id as string | null,
        changes: r.changes as Record<string, unknown>,
        requestId: r.request_id as string | null,
      });
      expect(r.hash).toBe(chainHash(prev, canonical));
      prev = r.hash;
    });
    expect(await verify()).toMatchObject({ service: 'identity', intact: true, checked: all.length, head: { seq: all.length, hash: prev } });
  });

  it('chains rows written concurrently a moment after they commit, with nobody reading the trail', async () => {
    const before = (await rows()).length;
    const users = await Promise.all(Array.from({ length: 30 }, () => t.rpc.send(SUBJECTS.identity.registerCitizen, citizen())));
    const ids = users.map((u) => u.id);
    const chained = async () => Number((await t.db.query('SELECT count(*) AS n FROM audit_log WHERE entity_id = ANY($1)', [ids])).rows[0].n);
    const deadline = Date.now() + 5000;
    while ((await chained()) < ids.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
    expect(await chained()).toBe(ids.length);
    expect((await t.db.query('SELECT count(*)::int AS n FROM audit_pending')).rows[0].n).toBe(0);
    const all = await rows();
    expect(all).toHaveLength(before + ids.length);
    expect(all.map((r) => Number(r.seq))).toEqual(all.map((_, i) => i + 1));
    expect(await verify()).toMatchObject({ intact: true, checked: all.length });
  });

  it('refuses UPDATE, DELETE and TRUNCATE of rows waiting to be chained; chaining still takes them', async () => {
    await t.db.query('BEGIN');
    try {
      await t.db.query(
        `INSERT INTO audit_pending (at, actor_roles, action, entity_type, entity_id, changes, canonical_before_seq, canonical_after_seq) VALUES (now(), '{system}', 'x.y', 'x', 'y', '{}', '{', '}')`,
      );
      await t.db.query('SAVEPOINT s');
      await expect(t.db.query(`UPDATE audit_pending SET action = 'x.z'`)).rejects.toThrow(/append-only: UPDATE refused/);
      await t.db.query('ROLLBACK TO SAVEPOINT s');
      await expect(t.db.query(`DELETE FROM audit_pending WHERE action = 'x.y'`)).rejects.toThrow(/leave only by chaining: DELETE refused/);
      await t.db.query('ROLLBACK TO SAVEPOINT s');
      await expect(t.db.query('TRUNCATE audit_pending')).rejects.toThrow(/append-only: TRUNCATE refused/);
    } finally {
      await t.db.query('ROLLBACK');
    }
    // Committed pending rows still join the chain (the chainer's own DELETE passes the guard).
    const user = await t.rpc.send(SUBJECTS.identity.registerCitizen, citizen());
    await t.rpc.send(SUBJECTS.identity.getUser, { id: user.id }, { actor: admin });
    const trail = await t.rpc.send(AUDIT_SUBJECTS.identity.list, { entityId: user.id }, { actor: auditor });
    expect(trail.items.map((i) => i.action)).toEqual(['user.read', 'user.register']);
    expect((await t.db.query('SELECT count(*)::int AS n FROM audit_pending')).rows[0].n).toBe(0);
  });

  it('refuses UPDATE, DELETE and TRUNCATE of the trail, and rows that do not follow the head', async () => {
    await expect(t.db.query(`UPDATE audit_log SET action = 'user.nothing' WHERE seq = 1`)).rejects.toThrow(/append-only: UPDATE refused/);
    await expect(t.db.query(`DELETE FROM audit_log WHERE seq = 1`)).rejects.toThrow(/append-only: DELETE refused/);
    await expect(t.db.query(`TRUNCATE audit_log`)).rejects.toThrow(/append-only: TRUNCATE refused/);
    await expect(t.db.query(`DELETE FROM audit_head`)).rejects.toThrow(/append-only: DELETE refused/);
    await expect(t.db.query(`UPDATE audit_head SET seq = 1`)).rejects.toThrow(/only moves forward/);
    const [last] = await trail('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
    await expect(
      t.db.query(
        `INSERT INTO audit_log (seq, at, actor_roles, action, entity_type, entity_id, changes, prev_hash, hash) VALUES ($1, now(), '{admin}', 'x.y', 'x', 'y', '{}', $2, $2)`,
        [Number(last.seq) + 2, last.hash],
      ),
    ).rejects.toThrow(/does not follow the head/);
    expect(await verify()).toMatchObject({ intact: true });
  });

  it('finds a changed row, with its seq', async () => {
    const snapshot = await rows();
    const victim = snapshot[3];
    await asSuperuser((db) => db.query(`UPDATE audit_log SET actor_roles = '{auditor}' WHERE seq = $1`, [victim.seq]));
    expect(await verify()).toMatchObject({ intact: false, broken: { seq: Number(victim.seq), reason: 'hash_mismatch' } });
    await restore(snapshot);
    expect(await verify()).toMatchObject({ intact: true });
  });

  it('finds a deleted row, with its seq', async () => {
    const snapshot = await rows();
    await asSuperuser((db) => db.query(`DELETE FROM audit_log WHERE seq = 3`));
    expect(await verify()).toMatchObject({ intact: false, broken: { seq: 3, reason: 'gap' } });
    await restore(snapshot);
    // The newest row gone: the chain is consistent, but the head remembers it.
    const last = Number(snapshot[snapshot.length - 1].seq);
    await asSuperuser((db) => db.query(`DELETE FROM audit_log WHERE seq = $1`, [last]));
    expect(await verify()).toMatchObject({ intact: false, broken: { seq: last, reason: 'gap' } });
    await restore(snapshot);
    expect(await verify()).toMatchObject({ intact: true });
  });

  it('finds reordered rows, with the seq where the order breaks', async () => {
    const snapshot = await rows();
    await asSuperuser(async (db) => {
      await db.query(`UPDATE audit_log SET seq = 999999 WHERE seq = 4`);
      await db.query(`UPDATE audit_log SET seq = 4 WHERE seq = 5`);
      await db.query(`UPDATE audit_log SET seq = 5 WHERE seq = 999999`);
    });
    expect(await verify()).toMatchObject({ intact: false, broken: { seq: 4, reason: 'reordered' } });
    await restore(snapshot);
    expect(await verify()).toMatchObject({ intact: true });
  });

  it('passes a consistently rewritten chain on its own, and catches it against a head exported before', async () => {
    const exported = await t.rpc.send(AUDIT_SUBJECTS.identity.head, {}, { actor: auditor });
    const snapshot = await rows();
    expect(exported).toMatchObject({ service: 'identity', seq: snapshot.length, hash: snapshot[snapshot.length - 1].hash });
    // The insider edits row 2 and re-hashes everything after it, head included.
    await asSuperuser(async (db) => {
      let prev = snapshot[0].hash;
      for (const r of snapshot.slice(1)) {
        const row = {
          service: 'identity',
          seq: Number(r.seq),
          at: (r.at as Date).toISOString(),
          actorId: r.actor_id as string | null,
          actorRoles: r.seq === '2' ? ['auditor'] : (r.actor_roles as string[]),
          actorAgencyId: r.actor_agency_id as string | null,
          action: r.action as string,
          entityType: r.entity_type as string,
          entityId: r.entity_id as string,
          subjectId: r.subject_id as string | null,
          changes: r.changes as Record<string, unknown>,
          requestId: r.request_id as string | null,
        };
        const hash = chainHash(prev, canonicalRow(row));
        await db.query(`UPDATE audit_log SET actor_roles = $2, prev_hash = $3, hash = $4 WHERE seq = $1`, [r.seq, row.actorRoles, prev, hash]);
        prev = hash;
      }
      await db.query('UPDATE audit_head SET hash = $1 WHERE id = 1', [prev]);
    });
    expect(await verify()).toMatchObject({ intact: true });
    const against: ChainVerification = await verify(exported);
    expect(against).toMatchObject({ intact: false, anchorChecked: false, broken: { seq: exported.seq, reason: 'anchor_mismatch' } });
    await restore(snapshot);
    expect(await verify(exported)).toMatchObject({ intact: true, anchorChecked: true });
  });

  it('reports an exported head the chain no longer reaches', async () => {
    const head = await t.rpc.send(AUDIT_SUBJECTS.identity.head, {}, { actor: auditor });
    expect(await verify({ ...head, seq: head.seq + 5 })).toMatchObject({ intact: false, broken: { seq: head.seq + 1, reason: 'gap' } });
  });

  it('lists newest first, filtered by record, subject, actor and time, in pages', async () => {
    const user = await t.rpc.send(SUBJECTS.identity.registerCitizen, citizen());
    // Two admins look at the account (an auditor may not: the users list is for admins, here as in the gateway).
    const otherAdmin: Actor = { id: randomUUID(), roles: ['admin'] };
    await t.rpc.send(SUBJECTS.identity.getUser, { id: user.id }, { actor: admin });
    await t.rpc.send(SUBJECTS.identity.getUser, { id: user.id }, { actor: otherAdmin });
    const byEntity = await t.rpc.send(AUDIT_SUBJECTS.identity.list, { entityId: user.id }, { actor: auditor });
    expect(byEntity.total).toBe(3);
    expect(byEntity.items.map((i) => [i.action, i.actorId])).toEqual([
      ['user.read', otherAdmin.id],
      ['user.read', admin.id],
      ['user.register', user.id],
    ]);
    expect(byEntity.items[0].seq).toBeGreaterThan(byEntity.items[1].seq);
    const byActor = await t.rpc.send(AUDIT_SUBJECTS.identity.list, { actorId: otherAdmin.id }, { actor: auditor });
    expect(byActor.items.map((i) => [i.action, i.actorId])).toEqual([['user.read', otherAdmin.id]]);
    const paged = await t.rpc.send(AUDIT_SUBJECTS.identity.list, { subjectId: user.id, page: 2, pageSize: 2 }, { actor: admin });
    expect(paged).toMatchObject({ page: 2, pageSize: 2, total: 3 });
    expect(paged.items.map((i) => i.action)).toEqual(['user.register']);
    const future = await t.rpc.send(AUDIT_SUBJECTS.identity.list, { entityId: user.id, from: new Date(Date.now() + 60_000).toISOString() }, { actor: admin });
    expect(future.total).toBe(0);
    const past = await t.rpc.send(AUDIT_SUBJECTS.identity.list, { entityId: user.id, to: byEntity.items[1].at }, { actor: admin });
    expect(past.items.map((i) => i.action)).toEqual(['user.register']);
  });

  it('pages the whole chain by seq, its last seq as the total, and shows every row committed before it was asked', async () => {
    // Writes and readers at once: each list shares a drain that began after it asked, so it sees the rows committed before.
    const written = await Promise.all(Array.from({ length: 6 }, () => t.rpc.send(SUBJECTS.identity.registerCitizen, citizen())));
    const lists = await Promise.all(Array.from({ length: 8 }, () => t.rpc.send(AUDIT_SUBJECTS.identity.list, { pageSize: 50 }, { actor: auditor })));
    for (const list of lists) {
      const shown = new Set(list.items.filter((i) => i.action === 'user.register').map((i) => i.entityId));
      expect(written.filter((u) => !shown.has(u.id))).toEqual([]);
    }
    const all = await rows();
    expect(all.map((r) => Number(r.seq))).toEqual(all.map((_, i) => i + 1));
    const newestFirst = all.map((r) => Number(r.seq)).reverse();
    for (const [page, pageSize] of [[1, 20], [2, 3], [3, 3], [Math.ceil(all.length / 4), 4]]) {
      const list = await t.rpc.send(AUDIT_SUBJECTS.identity.list, { page, pageSize }, { actor: auditor });
      expect(list).toMatchObject({ page, pageSize, total: all.length });
      expect(list.items.map((i) => i.seq)).toEqual(newestFirst.slice((page - 1) * pageSize, page * pageSize));
    }
    const beyond = await t.rpc.send(AUDIT_SUBJECTS.identity.list, { page: all.length + 1, pageSize: 1 }, { actor: auditor });
    expect(beyond).toMatchObject({ items: [], total: all.length });
  });

  it('answers only admins and auditors, and refuses bad filters', async () => {
    for (const actor of [{ id: randomUUID(), roles: ['citizen'] }, { id: randomUUID(), roles: ['officer'], agencyId: randomUUID() }] as Actor[]) {
      for (const subject of [AUDIT_SUBJECTS.identity.list, AUDIT_SUBJECTS.identity.verify, AUDIT_SUBJECTS.identity.head] as const) {
        const refused = await t.rpc.send(subject, {}, { actor }).catch((e: DomainError) => e);
        expect((refused as DomainError).code).toBe('COMMON.FORBIDDEN');
      }
    }
    const bad = await t.rpc.send(AUDIT_SUBJECTS.identity.list, { from: 'yesterday', pageSize: 1000 } as never, { actor: auditor }).catch((e: DomainError) => e);
    expect((bad as DomainError).code).toBe('COMMON.VALIDATION');
    expect((bad as DomainError).details?.map((d) => d.field).sort()).toEqual(['from', 'pageSize']);
  });
});
