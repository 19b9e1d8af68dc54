import { Actor, SUBJECTS } from '@smart-regency/contracts';
import { prefixed, SequenceBlocks } from '@smart-regency/platform';
import { InProcessService, startInProcess } from '@smart-regency/testing';
import { randomUUID } from 'crypto';
import { JSONCodec, Subscription } from 'nats';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { startComplaints } from '../src/app';
import { loadComplaintsConfig } from '../src/config';

/**
 * Filing is one statement (the complaint, its history row, its event in the outbox and its audit
 * row) with a tracking number taken beforehand from a block of the sequence.
 */
describe('filing a complaint in one statement', () => {
  let t: InProcessService;
  let calendar: Subscription;
  const reporter: Actor = { id: randomUUID(), roles: ['citizen'] };

  const file = (title: string) =>
    t.rpc.send(
      SUBJECTS.complaints.file,
      { categoryCode: 'roads-bridges', title, description: 'Jalan berlubang di depan sekolah.', location: { lat: 2.578, lng: 99.618, district: 'Aek Kuo' }, visibility: 'public' },
      { actor: reporter },
    );

  beforeAll(async () => {
    // One reporter files 130 complaints here, far beyond a citizen's daily limit (privacy.int-spec tests it).
    t = await startInProcess('complaints', (env) => startComplaints(loadComplaintsConfig({ ...env, CITIZEN_FILINGS_PER_DAY: '1000' })));
    const codec = JSONCodec<{ data: { year: number }; id: string }>();
    calendar = t.rpc.connection.subscribe(prefixed(t.env.natsPrefix, SUBJECTS.identity.getCalendar), {
      callback: (_err, msg) => {
        const { data, id } = codec.decode(msg.data);
        msg.respond(JSONCodec().encode({ response: { year: data.year, holidays: [] }, isDisposed: true, id }));
      },
    });
  });

  afterAll(async () => {
    calendar?.unsubscribe();
    await t?.close();
  });

  it('writes the complaint, its history, its event and its audit row together, each tracking number once', async () => {
    const filed = await Promise.all(Array.from({ length: 60 }, (_, i) => file(`Jalan rusak ${i}`)));
    const numbers = filed.map((c) => c.trackingNumber);
    expect(new Set(numbers).size).toBe(60);
    for (const n of numbers) expect(n).toMatch(/^LPR-\d{4}-\d{6,}$/);

    const ids = filed.map((c) => c.id);
    const { rows } = await t.db.query(
      `SELECT c.id, c.tracking_number, c.created_at,
              (SELECT count(*)::int FROM complaint_history h WHERE h.complaint_id = c.id AND h.action = 'file') AS history,
              (SELECT o.event -> 'data' ->> 'trackingNumber' FROM outbox o WHERE o.record_id = c.id::text AND o.type = 'complaints.complaint.received.v1') AS event_number
         FROM complaints c WHERE c.id = ANY($1::uuid[])`,
      [ids],
    );
    expect(rows).toHaveLength(60);
    for (const row of rows) {
      const answered = filed.find((c) => c.id === row.id)!;
      expect(row).toMatchObject({ tracking_number: answered.trackingNumber, history: 1, event_number: answered.trackingNumber });
      expect(row.created_at.toISOString()).toBe(answered.createdAt);
    }
    await t.db.query('SELECT audit_chain_pending(100000, true)');
    const audit = await t.db.query(`SELECT entity_id, changes -> 'after' ->> 'trackingNumber' AS number, changes -> 'after' ->> 'version' AS version FROM audit_log WHERE action = 'complaint.file' AND entity_id = ANY($1)`, [ids]);
    expect(audit.rows).toHaveLength(60);
    for (const row of audit.rows) expect(row).toMatchObject({ number: filed.find((c) => c.id === row.entity_id)!.trackingNumber, version: '1' });
  });

  it('never gives two processes the same number', async () => {
    // Two more holders of blocks, as other replicas would be (one on a DataSource, one on a plain pg
    // Pool as the benchmarks' twins hold theirs), taking numbers while complaints are filed.
    const other = new SequenceBlocks(t.service.app.get(DataSource), 'complaint_number_seq');
    const pool = new Pool({ connectionString: t.databaseUrl, max: 2 });
    try {
      const onPool = new SequenceBlocks(pool, 'complaint_number_seq');
      const [taken, takenOnPool, filed] = await Promise.all([
        Promise.all(Array.from({ length: 130 }, () => other.take())),
        Promise.all(Array.from({ length: 60 }, () => onPool.take())),
        Promise.all(Array.from({ length: 70 }, (_, i) => file(`Jembatan ${i}`))),
      ]);
      const fromFiling = filed.map((c) => String(Number(c.trackingNumber.split('-')[2])));
      expect(new Set([...taken, ...takenOnPool, ...fromFiling]).size).toBe(130 + 60 + 70);
      // Within a process, numbers rise.
      for (const numbers of [taken, takenOnPool]) expect(numbers.map(Number)).toEqual([...numbers.map(Number)].sort((a, b) => a - b));
    } finally {
      await pool.end();
    }
  });
});
