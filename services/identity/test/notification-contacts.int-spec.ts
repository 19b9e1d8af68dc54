import { Actor, AUDIT_SUBJECTS, ContactsResponse, CreateStaffRequest, SUBJECTS, UserResponse } from '@smart-regency/contracts';
import { AuditChainer, DomainError } from '@smart-regency/platform';
import { InProcessService, makeNik, startInProcess } from '@smart-regency/testing';
import { randomUUID } from 'crypto';
import { startIdentity } from '../src/app';
import { loadIdentityConfig } from '../src/config';

/*
 * What notifications asks identity, as itself (no caller), at send time: how to reach some users,
 * and who staffs an agency's queue or coordinates the regency. Names, emails and phones leave
 * identity here, so each answer is in the audit trail with notifications as the reader.
 */
describe('contacts for notifications (identity, real PostgreSQL and NATS)', () => {
  let t: InProcessService;
  const admin: Actor = { id: randomUUID(), roles: ['admin'] };
  const auditor: Actor = { id: randomUUID(), roles: ['auditor'] };
  const PASSWORD = 'Rahasia-Labura-9';
  let n = 0;

  const register = (): Promise<UserResponse> => {
    n++;
    return t.rpc.send(SUBJECTS.identity.registerCitizen, {
      nik: makeNik({ sequence: 700 + n }),
      fullName: `Dewi Lestari ${n}`,
      email: `dewi${n}@example.id`,
      phone: `0813555${String(10000 + n)}`,
      password: PASSWORD,
    });
  };
  const staff = (roles: CreateStaffRequest['roles'], agencyId?: string): Promise<UserResponse> => {
    n++;
    return t.rpc.send(
      SUBJECTS.identity.createStaff,
      { email: `staf${n}@pemda.labura.go.id`, fullName: `Staf ${n}`, phone: `0812444${String(10000 + n)}`, roles, ...(agencyId ? { agencyId } : {}), password: 'Sandi-Petugas-2026' },
      { actor: admin },
    );
  };
  const disable = (id: string) => t.rpc.send(SUBJECTS.identity.updateUser, { id, active: false }, { actor: admin });
  const agency = async (code: string) => (await t.rpc.send(SUBJECTS.identity.createAgency, { code, name: `Dinas ${code}`, kind: 'dinas' }, { actor: admin })).id;
  const contacts = (userIds: string[], requestId?: string) => t.rpc.send(SUBJECTS.identity.contacts, { userIds }, requestId ? { requestId } : undefined);
  const staffOf = (request: { agencyId?: string; role?: 'admin' }, requestId?: string) => t.rpc.send(SUBJECTS.identity.agencyStaff, request, requestId ? { requestId } : undefined);
  const refusal = (promise: Promise<unknown>) =>
    promise.then(
      () => {
        throw new Error('expected a refusal');
      },
      (error: DomainError) => error,
    );
  const auditRows = async (requestId: string) => {
    await t.service.app.get(AuditChainer).drain();
    return (await t.db.query(`SELECT action, actor_id, actor_roles, entity_type, entity_id, subject_id, changes FROM audit_log WHERE request_id = $1 ORDER BY seq`, [requestId])).rows;
  };
  const ids = (response: ContactsResponse) => response.contacts.map((c) => c.userId);

  beforeAll(async () => {
    t = await startInProcess('identity', (env) => startIdentity(loadIdentityConfig(env)));
  });

  afterAll(() => t?.close());

  it('answers the contacts of several users in one call, in the order asked, leaving unknown ids out', async () => {
    const [siti, budi] = [await register(), await register()];
    const head = await staff(['agency_head'], await agency('NTF-A'));
    const unknown = randomUUID();
    const answer = await contacts([budi.id, unknown, siti.id, head.id, siti.id], 'req-contacts');
    expect(answer.contacts).toEqual([
      { userId: budi.id, fullName: budi.fullName, email: budi.email, phone: budi.phone, active: true, roles: ['citizen'], agencyId: null },
      { userId: siti.id, fullName: siti.fullName, email: siti.email, phone: siti.phone, active: true, roles: ['citizen'], agencyId: null },
      { userId: head.id, fullName: head.fullName, email: head.email, phone: head.phone, active: true, roles: ['agency_head'], agencyId: head.agencyId },
    ]);
    // Never the NIK, the password or anything else of the account.
    expect(JSON.stringify(answer)).not.toMatch(/nik|password|argon|\*\*\*/i);
    expect(await contacts([unknown])).toEqual({ contacts: [] });
    expect(await contacts([])).toEqual({ contacts: [] });
  });

  it('records each answer once in the trail, with notifications as the reader and the people shown as subjects', async () => {
    const [siti, budi] = [await register(), await register()];
    await contacts([siti.id, budi.id, randomUUID()], 'req-contacts-audit');
    const rows = await auditRows('req-contacts-audit');
    expect(rows).toEqual([
      {
        action: 'user.contacts.read',
        actor_id: null,
        actor_roles: ['service:notifications'],
        entity_type: 'user',
        entity_id: 'list',
        subject_id: null,
        changes: { query: { asked: 3 }, shown: 2, records: [siti.id, budi.id], subjects: [siti.id, budi.id] },
      },
    ]);
    expect(JSON.stringify(rows)).not.toMatch(/Dewi|example\.id|\+62/);
    // The citizen's trail (what an auditor or the citizen's data request sees) shows the read.
    const trail = await t.rpc.send(AUDIT_SUBJECTS.identity.list, { subjectId: siti.id }, { actor: auditor });
    expect(trail.items.map((i) => [i.action, i.actorRoles])).toEqual([
      ['user.contacts.read', ['service:notifications']],
      ['user.register', ['citizen']],
    ]);
    // Nothing shown, nothing recorded.
    await contacts([randomUUID()], 'req-contacts-none');
    expect(await auditRows('req-contacts-none')).toEqual([]);
    expect(await t.rpc.send(AUDIT_SUBJECTS.identity.verify, {}, { actor: auditor })).toMatchObject({ intact: true });
  });

  it('answers a disabled account and an erased one as inactive, with no email or phone', async () => {
    const officer = await staff(['officer'], await agency('NTF-B'));
    await disable(officer.id);
    const erased = await register();
    await t.rpc.send(SUBJECTS.identity.eraseMe, { password: PASSWORD }, { actor: { id: erased.id, roles: ['citizen'] } });
    const live = await register();
    const answer = await contacts([officer.id, erased.id, live.id], 'req-inactive');
    expect(answer.contacts).toEqual([
      { userId: officer.id, fullName: officer.fullName, email: null, phone: null, active: false, roles: ['officer'], agencyId: officer.agencyId },
      { userId: erased.id, fullName: 'Pengguna terhapus', email: null, phone: null, active: false, roles: ['citizen'], agencyId: null },
      expect.objectContaining({ userId: live.id, active: true, email: live.email }),
    ]);
    // Nothing of the erased person is left to show: the trail does not name them as a subject of this read.
    const [row] = await auditRows('req-inactive');
    expect(row.changes).toMatchObject({ records: [officer.id, erased.id, live.id], subjects: [officer.id, live.id] });
  });

  it("answers an agency's active officers and heads only, and records it", async () => {
    const bappeda = await agency('NTF-C');
    const other = await agency('NTF-D');
    const [officer, head, second] = [await staff(['officer'], bappeda), await staff(['agency_head'], bappeda), await staff(['officer', 'agency_head'], bappeda)];
    const disabled = await staff(['officer'], bappeda);
    await disable(disabled.id);
    const elsewhere = await staff(['officer'], other);
    // Roles outside the queue, even with the agency set on the account.
    const adminThere = await staff(['admin'], bappeda);
    await register();

    const answer = await staffOf({ agencyId: bappeda }, 'req-staff');
    expect(ids(answer).sort()).toEqual([officer.id, head.id, second.id].sort());
    expect(answer.contacts.every((c) => c.active && c.agencyId === bappeda && c.email)).toBe(true);
    expect(ids(answer)).not.toContain(disabled.id);
    expect(ids(answer)).not.toContain(elsewhere.id);
    expect(ids(answer)).not.toContain(adminThere.id);
    expect(ids(await staffOf({ agencyId: other }))).toEqual([elsewhere.id]);
    expect(await staffOf({ agencyId: randomUUID() })).toEqual({ contacts: [] });

    const [row] = await auditRows('req-staff');
    expect(row).toMatchObject({ action: 'user.staff.read', actor_id: null, actor_roles: ['service:notifications'], entity_id: 'list' });
    expect(row.changes.query).toEqual({ agencyId: bappeda });
    expect([...row.changes.subjects].sort()).toEqual(ids(answer).sort());
  });

  it('answers the active admins', async () => {
    const [one, two] = [await staff(['admin']), await staff(['admin', 'auditor'])];
    const gone = await staff(['admin']);
    await disable(gone.id);
    await staff(['auditor']);
    const answer = await staffOf({ role: 'admin' }, 'req-admins');
    const { rows } = await t.db.query(`SELECT id FROM users WHERE 'admin' = ANY (roles) AND active ORDER BY created_at, id`);
    expect(ids(answer)).toEqual(rows.map((r) => r.id));
    expect(ids(answer)).toEqual(expect.arrayContaining([one.id, two.id]));
    expect(ids(answer)).not.toContain(gone.id);
    expect(answer.contacts.every((c) => c.active && c.roles.includes('admin'))).toBe(true);
    const [row] = await auditRows('req-admins');
    expect(row).toMatchObject({ action: 'user.staff.read', actor_roles: ['service:notifications'], changes: { query: { role: 'admin' }, shown: rows.length } });
  });

  it('refuses a staff request with both parameters or neither, and malformed requests, before reading anything', async () => {
    const agencyId = await agency('NTF-E');
    for (const request of [{}, { agencyId, role: 'admin' as const }]) {
      const error = await refusal(staffOf(request));
      expect(error.code).toBe('COMMON.VALIDATION');
      expect(error.details?.map((d) => d.field)).toEqual([expect.stringMatching(/^(agencyId|role)$/)]);
    }
    const hostile: Array<[string, Promise<unknown>]> = [
      ['role', staffOf({ role: 'officer' as 'admin' })],
      ['agencyId', staffOf({ agencyId: 'PUPR' })],
      ['userIds', contacts(Array.from({ length: 201 }, () => randomUUID()))],
      ['userIds', contacts(['not-a-uuid'])],
      ['userIds', t.rpc.send(SUBJECTS.identity.contacts, { userIds: 'all' } as unknown as { userIds: string[] })],
      ['userIds', t.rpc.send(SUBJECTS.identity.contacts, {} as { userIds: string[] })],
      ['nik', t.rpc.send(SUBJECTS.identity.contacts, { userIds: [], nik: '1' } as { userIds: string[] })],
    ];
    for (const [field, promise] of hostile) {
      const error = await refusal(promise);
      expect(error.code).toBe('COMMON.VALIDATION');
      expect(error.details?.map((d) => d.field)).toContain(field);
    }
    // 200 ids is the most one request may ask.
    expect((await contacts(Array.from({ length: 200 }, () => randomUUID()))).contacts).toEqual([]);
  });

  it('fails closed: no answer when its audit row cannot be written', async () => {
    const siti = await register();
    await t.db.query(`ALTER TABLE audit_pending ADD CONSTRAINT ck_test_no_contacts CHECK (action NOT IN ('user.contacts.read', 'user.staff.read'))`);
    try {
      expect((await refusal(contacts([siti.id]))).code).toBe('COMMON.INTERNAL');
      expect((await refusal(staffOf({ role: 'admin' }))).code).toBe('COMMON.INTERNAL');
    } finally {
      await t.db.query(`ALTER TABLE audit_pending DROP CONSTRAINT ck_test_no_contacts`);
    }
    expect(ids(await contacts([siti.id]))).toEqual([siti.id]);
  });
});
