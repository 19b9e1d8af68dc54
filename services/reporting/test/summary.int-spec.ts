import { SUBJECTS } from '@smart-regency/contracts';
import { InProcessService, startInProcess, tablesOf } from '@smart-regency/testing';
import { randomUUID } from 'crypto';
import { startReporting } from '../src/app';
import { loadReportingConfig } from '../src/config';

describe('reporting over NATS, on its own database', () => {
  let t: InProcessService;

  beforeAll(async () => {
    t = await startInProcess('reporting', (env) => startReporting(loadReportingConfig(env)));
  });

  afterAll(() => t?.close());

  it('creates its read models from an empty database', async () => {
    expect(await tablesOf(t.db)).toEqual([
      'complaint_facts',
      'idempotency_keys',
      'migrations',
      'outbox',
      'permit_facts',
      'processed_events',
      'projection_state',
    ]);
  });

  it('answers zeros before any event', async () => {
    expect(await t.rpc.send(SUBJECTS.reporting.publicSummary, {})).toEqual({
      asOf: null,
      complaints: { received: 0, resolved: 0, open: 0, slaCompliancePct: null, averageRating: null },
      permits: { submitted: 0, issued: 0, inProcess: 0, slaCompliancePct: null },
    });
  });

  it('computes the public figures from the read models', async () => {
    const complaint = (status: string, resolved: boolean, missed: boolean, rating: number | null) =>
      t.db.query(
        `INSERT INTO complaint_facts (complaint_id, category_code, visibility, status, received_at, resolved_at, deadline_missed, rating)
         VALUES ($1, 'roads-bridges', 'public', $2, now(), $3, $4, $5)`,
        [randomUUID(), status, resolved ? new Date() : null, missed, rating],
      );
    await complaint('received', false, false, null);
    await complaint('resolved', true, false, 4);
    await complaint('closed', true, true, 2);
    await complaint('closed', true, false, 5);
    await complaint('rejected', false, false, null);
    const permit = (status: string, decided: boolean, issued: boolean, missed: boolean) =>
      t.db.query(
        `INSERT INTO permit_facts (application_id, agency_id, permit_type_code, status, submitted_at, decided_at, issued_at, deadline_missed)
         VALUES ($1, $2, 'PBG', $3, now(), $4, $5, $6)`,
        [randomUUID(), randomUUID(), status, decided ? new Date() : null, issued ? new Date() : null, missed],
      );
    await permit('submitted', false, false, false);
    await permit('verified', false, false, false);
    await permit('issued', true, true, false);
    await permit('rejected', true, false, true);
    const asOf = new Date('2026-11-27T10:00:00.000Z');
    await t.db.query(`INSERT INTO projection_state (name, last_event_id, last_event_time) VALUES ('complaints', 'e1', $1)`, [asOf]);

    expect(await t.rpc.send(SUBJECTS.reporting.publicSummary, {})).toEqual({
      asOf: asOf.toISOString(),
      complaints: { received: 5, resolved: 3, open: 2, slaCompliancePct: 66.7, averageRating: 3.67 },
      permits: { submitted: 4, issued: 1, inProcess: 2, slaCompliancePct: 50 },
    });
  });
});
