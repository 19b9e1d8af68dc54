import { Actor, RegencyCloudEvent, SUBJECTS } from '@smart-regency/contracts';
import { buildEvent, EventConsumer } from '@smart-regency/platform';
import { InProcessService, startInProcess, tablesOf, waitFor } from '@smart-regency/testing';
import { JetStreamClient, JetStreamManager, JsMsg } from 'nats';
import { DataSource, QueryRunner } from 'typeorm';
import { startReporting } from '../src/app';
import { loadReportingConfig } from '../src/config';
import { MonthlyRollups1767400000000 } from '../src/migrations/1767400000000-MonthlyRollups';
import { PROJECTION_BATCH_SIZE, ProjectionConsumer, REPORTING_CONSUMER } from '../src/projection/projection.module';
import { ProjectionStore } from '../src/projection/projection.store';
import { rebuildReadModels } from '../src/rebuild/rebuild';
import { AGENCY_A, AGENCY_B, C, historyEvents, interleave, P, TECH_P, TECH_Q } from './history';

const admin: Actor = { id: '11111111-1111-4111-8111-111111111111', roles: ['admin'] };
const auditor: Actor = { id: '22222222-2222-4222-8222-222222222222', roles: ['auditor'] };
const headA: Actor = { id: '33333333-3333-4333-8333-333333333333', roles: ['agency_head'], agencyId: AGENCY_A };
const citizen: Actor = { id: '44444444-4444-4444-8444-444444444444', roles: ['citizen'] };
const officerA: Actor = { id: '55555555-5555-4555-8555-555555555555', roles: ['officer'], agencyId: AGENCY_A };
const as = (actor: Actor) => ({ actor, lang: 'en' });

const zeroComplaintStatuses = { received: 0, verified: 0, dispositioned: 0, in_progress: 0, resolved: 0, reopened: 0, closed: 0, rejected: 0 };
const zeroPermitStatuses = {
  submitted: 0,
  revision_requested: 0,
  verified: 0,
  recommended: 0,
  awaiting_payment: 0,
  approved: 0,
  issued: 0,
  rejected: 0,
  withdrawn: 0,
  revoked: 0,
  expired: 0,
};

describe('reporting read models fed by the events stream', () => {
  let t: InProcessService;
  let js: JetStreamClient;
  let jsm: JetStreamManager;
  let byRecord: Record<string, RegencyCloudEvent[]>;
  let lastPublished: RegencyCloudEvent<object>;

  const publish = async (event: RegencyCloudEvent<object>, msgID = event.id) => {
    await js.publish(`${t.env.eventsPrefix}.${event.type}`, JSON.stringify(event), { msgID });
    lastPublished = event;
  };
  /** The live consumer has acknowledged everything in the stream. */
  const caughtUp = () =>
    waitFor(
      'the reporting consumer to catch up',
      async () => {
        const stream = await jsm.streams.info(t.env.eventsStream);
        const info = await jsm.consumers.info(t.env.eventsStream, REPORTING_CONSUMER);
        return info.ack_floor.stream_seq === stream.state.last_seq && info.num_pending === 0 && info.num_ack_pending === 0 ? true : undefined;
      },
      30000,
      50,
    );
  const summary = (actor: Actor = admin, query: Record<string, string> = {}) => t.rpc.send(SUBJECTS.reporting.summary, query, as(actor));
  /** Read models without the aggregate rows that sum to nothing (left where a record moved agency). */
  const snapshot = async () => {
    const rows = async (sql: string) => (await t.db.query(sql)).rows;
    const nonZero = (table: string, period = 'day') =>
      rows(`SELECT * FROM ${table} t WHERE EXISTS (SELECT 1 FROM jsonb_each(to_jsonb(t) - '${period}' - 'agency_id') e WHERE e.value <> '0'::jsonb) ORDER BY ${period}, agency_id`);
    return {
      complaintFacts: await rows('SELECT * FROM complaint_facts ORDER BY complaint_id'),
      permitFacts: await rows('SELECT * FROM permit_facts ORDER BY application_id'),
      complaintDaily: await nonZero('complaint_daily'),
      permitDaily: await nonZero('permit_daily'),
      complaintMonthly: await nonZero('complaint_monthly', 'month'),
      permitMonthly: await nonZero('permit_monthly', 'month'),
      state: await rows('SELECT * FROM projection_state'),
    };
  };
  /** Each monthly roll-up row holds exactly the sum of its month's days (and no month lacks one); returns the months compared. */
  const expectRollUpsEqualDays = async () => {
    let compared = 0;
    for (const kind of ['complaint', 'permit']) {
      const { rows } = await t.db.query(
        `WITH days AS (SELECT month, agency_id, jsonb_object_agg(key, total) AS counters
                         FROM (SELECT date_trunc('month', d.day)::date AS month, d.agency_id, e.key, sum(e.value::bigint) AS total
                                 FROM ${kind}_daily d, jsonb_each(to_jsonb(d) - 'day' - 'agency_id') e GROUP BY 1, 2, 3) x
                        GROUP BY 1, 2),
              months AS (SELECT month, agency_id, to_jsonb(m) - 'month' - 'agency_id' AS counters FROM ${kind}_monthly m)
         SELECT coalesce(d.month, m.month) AS month, coalesce(d.agency_id, m.agency_id) AS agency_id, d.counters AS days, m.counters AS months
           FROM days d FULL JOIN months m ON m.month = d.month AND m.agency_id = d.agency_id`,
      );
      for (const r of rows) expect({ kind, month: r.month, agency: r.agency_id, counters: r.months }).toEqual({ kind, month: r.month, agency: r.agency_id, counters: r.days });
      compared += rows.length;
    }
    expect(compared).toBeGreaterThan(0);
  };

  beforeAll(async () => {
    t = await startInProcess('reporting', (env) => startReporting(loadReportingConfig(env)));
    js = t.rpc.connection.jetstream();
    jsm = await t.rpc.connection.jetstreamManager();
    byRecord = historyEvents();
  });

  afterAll(() => t?.close());

  it('creates its read models from an empty database and answers zeros before any event', async () => {
    expect(await tablesOf(t.db)).toEqual([
      'complaint_daily',
      'complaint_facts',
      'complaint_monthly',
      'idempotency_keys',
      'migrations',
      'outbox',
      'permit_daily',
      'permit_facts',
      'permit_monthly',
      'processed_events',
      'projection_state',
    ]);
    expect(await t.rpc.send(SUBJECTS.reporting.publicSummary, {})).toEqual({
      asOf: null,
      complaints: { received: 0, resolved: 0, open: 0, slaCompliancePct: null, averageRating: null },
      permits: { submitted: 0, issued: 0, inProcess: 0, slaCompliancePct: null },
    });
    const empty = await summary();
    expect(empty.asOf).toBeNull();
    expect(empty.complaints).toMatchObject({ received: 0, finished: 0, slaCompliancePct: null, medianHandlingHours: null, averageRating: null });
  });

  it('counts a scripted history exactly, with records out of order and duplicated events', async () => {
    const events = interleave(byRecord);
    // Records arrive out of order: the last complaint's receipt comes before the first's.
    expect(events.findIndex((e) => e.subject === C[3])).toBeLessThan(events.findIndex((e) => e.subject === C[0]));
    for (const event of events) await publish(event);
    // The relay published C1's answer again after the broker's duplicate window (new Nats-Msg-Id)...
    await publish(byRecord[C[0]][3], `${byRecord[C[0]][3].id}-again`);
    // ...and P3's approval inside it (JetStream drops that copy).
    await publish(byRecord[P[2]][5]);
    await caughtUp();
    const stream = await jsm.streams.info(t.env.eventsStream);
    expect(stream.state.messages).toBe(events.length + 1);
    expect(Number((await t.db.query(`SELECT count(*) FROM processed_events WHERE consumer = $1`, [REPORTING_CONSUMER])).rows[0].count)).toBe(events.length);

    const s = await summary();
    expect(s.from).toBeNull();
    expect(s.agencyId).toBeNull();
    expect(s.complaints).toEqual({
      received: 4,
      byStatus: { ...zeroComplaintStatuses, received: 1, resolved: 1, closed: 1, rejected: 1 },
      resolved: 2,
      rejected: 1,
      closed: 1,
      finished: 3,
      finishedWithinDeadline: 2, // C1 and C3; C2 was verified late
      slaCompliancePct: 66.7,
      medianHandlingHours: 136.5, // (96 h + 177 h) / 2
      rated: 1,
      averageRating: 4,
    });
    expect(s.permits).toEqual({
      submitted: 5,
      byStatus: { ...zeroPermitStatuses, submitted: 1, approved: 1, issued: 1, rejected: 1, withdrawn: 1 },
      decided: 3,
      approved: 2,
      rejected: 1,
      issued: 1,
      withdrawn: 1,
      decidedWithinDeadline: 2, // P1, and P2 by the deadline restarted at resubmission; P3 was late
      slaCompliancePct: 66.7,
      medianHandlingHours: 216, // 72 h, 216 h, 336 h
    });
    // Freshness: as of the newest event applied (the late copy after it changed nothing).
    const newest = events[events.length - 1];
    expect(s.asOf).toEqual({ eventId: newest.id, eventTime: newest.time, streamSequence: events.length });

    await expectRollUpsEqualDays();
    expect(await t.rpc.send(SUBJECTS.reporting.publicSummary, {})).toEqual({
      asOf: newest.time,
      complaints: { received: 4, resolved: 2, open: 2, slaCompliancePct: 66.7, averageRating: 4 },
      permits: { submitted: 5, issued: 1, inProcess: 2, slaCompliancePct: 66.7 }, // P5 waits for a decision, P3 for its certificate
    });
  });

  it('keeps one fact per record with codes and times only', async () => {
    const { rows } = await t.db.query(`SELECT * FROM complaint_facts WHERE complaint_id = $1`, [C[1]]);
    expect(rows).toEqual([
      expect.objectContaining({
        agency_id: AGENCY_B,
        category_code: 'roads-bridges',
        status: 'resolved',
        received_at: new Date('2026-11-02T18:00:00.000Z'),
        verified_at: new Date('2026-11-09T02:00:00.000Z'),
        resolved_at: new Date('2026-11-10T03:00:00.000Z'),
        deadline_missed: true,
        rating: null,
      }),
    ]);
    const columns = (await t.db.query(`SELECT column_name FROM information_schema.columns WHERE table_name IN ('complaint_facts', 'permit_facts')`)).rows.map(
      (r) => r.column_name as string,
    );
    for (const personal of ['reporter_id', 'applicant_id', 'title', 'description', 'tracking_number', 'lat', 'lng', 'note']) expect(columns).not.toContain(personal);
  });

  it('splits the figures by agency, by Jakarta day and over time', async () => {
    const agencies = await t.rpc.send(SUBJECTS.reporting.agencies, {}, as(auditor));
    expect(agencies.items.map((i) => i.agencyId)).toEqual([AGENCY_A, AGENCY_B, TECH_P, TECH_Q].sort());
    const row = (id: string) => agencies.items.find((i) => i.agencyId === id)!;
    // C2 moved to agency B with its disposition and counts there.
    expect(row(AGENCY_A).complaints).toMatchObject({ received: 2, finished: 1, finishedWithinDeadline: 1, medianHandlingHours: 96, averageRating: 4 });
    expect(row(AGENCY_B).complaints).toMatchObject({ received: 2, finished: 2, finishedWithinDeadline: 1, medianHandlingHours: 177, averageRating: null });
    expect(row(TECH_P).permits).toMatchObject({ submitted: 4, decided: 3, decidedWithinDeadline: 2, medianHandlingHours: 216 });
    expect(row(TECH_Q).permits).toMatchObject({ submitted: 1, decided: 0, slaCompliancePct: null, medianHandlingHours: null });
    expect(row(TECH_Q).complaints.received).toBe(0);

    // C2 came in at 18:00 UTC on the 2nd, which is the 3rd in Jakarta.
    const daily = await t.rpc.send(SUBJECTS.reporting.timeseries, { metric: 'complaints.received', interval: 'day', from: '2026-11-01', to: '2026-11-06' }, as(admin));
    expect(daily.points).toEqual([
      { period: '2026-11-01', value: 0 },
      { period: '2026-11-02', value: 1 },
      { period: '2026-11-03', value: 1 },
      { period: '2026-11-04', value: 1 },
      { period: '2026-11-05', value: 1 },
      { period: '2026-11-06', value: 0 },
    ]);
    const weekly = await t.rpc.send(SUBJECTS.reporting.timeseries, { metric: 'permits.decided', interval: 'week', from: '2026-11-01', to: '2026-11-20' }, as(admin));
    // Weeks start on Monday: P1 decided on the 5th, P3 on the 12th, P2 on the 16th.
    expect(weekly.points).toEqual([
      { period: '2026-10-26', value: 0 },
      { period: '2026-11-02', value: 1 },
      { period: '2026-11-09', value: 1 },
      { period: '2026-11-16', value: 1 },
    ]);
    const monthly = await t.rpc.send(SUBJECTS.reporting.timeseries, { metric: 'complaints.slaCompliancePct', interval: 'month', from: '2026-10-15', to: '2026-11-30' }, as(admin));
    expect(monthly.points).toEqual([
      { period: '2026-10-01', value: null },
      { period: '2026-11-01', value: 66.7 },
    ]);
    // Without a range: the last 30 days, 12 weeks or 12 months, up to today in Jakarta.
    const today = new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10);
    for (const [interval, count] of [['day', 30], ['week', 12], ['month', 12]] as const) {
      const series = await t.rpc.send(SUBJECTS.reporting.timeseries, { metric: 'permits.submitted', interval }, as(admin));
      expect(series.points).toHaveLength(count);
      expect(series.to).toBe(today);
      expect(series.points.at(-1)!.period <= today).toBe(true);
    }
    // The period filter counts each figure on its own day: answers of the 6th only.
    const sixth = await summary(admin, { from: '2026-11-06', to: '2026-11-06' });
    expect(sixth.complaints).toMatchObject({ received: 0, resolved: 1, finished: 1, medianHandlingHours: 96 });
    expect(sixth.permits).toMatchObject({ submitted: 0, issued: 1, decided: 0 });
  });

  it('counts a month read from its roll-ups as the same month read day by day', async () => {
    const counts = (r: { complaints: object; permits: object }) => {
      const pick = (o: object) => Object.fromEntries(Object.entries(o).filter(([k, v]) => typeof v === 'number' && !/Pct|Hours|average/.test(k)));
      return { complaints: pick(r.complaints), permits: pick(r.permits) };
    };
    const add = (a: ReturnType<typeof counts>, b: ReturnType<typeof counts>) => {
      const sum = (x: Record<string, unknown>, y: Record<string, unknown>) => Object.fromEntries(Object.keys(x).map((k) => [k, Number(x[k]) + Number(y[k])]));
      return { complaints: sum(a.complaints, b.complaints), permits: sum(a.permits, b.permits) };
    };
    for (const agencyId of [undefined, AGENCY_A, AGENCY_B, TECH_P]) {
      const scope: Record<string, string> = agencyId ? { agencyId } : {};
      const whole = await summary(admin, { from: '2026-11-01', to: '2026-11-30', ...scope });
      const first = await summary(admin, { from: '2026-11-01', to: '2026-11-15', ...scope });
      const second = await summary(admin, { from: '2026-11-16', to: '2026-11-30', ...scope });
      expect(counts(whole)).toEqual(add(counts(first), counts(second)));
      // A longer period over whole months and cut ones: the whole history falls inside it.
      const long = await summary(admin, { from: '2026-09-17', to: '2027-01-09', ...scope });
      const all = await summary(admin, scope);
      expect({ complaints: long.complaints, permits: long.permits }).toEqual({ complaints: all.complaints, permits: all.permits });
    }
    expect((await summary()).complaints.received).toBeGreaterThan(0);
  });

  it('rolls up the days a database already holds when the roll-ups are created (the migration)', async () => {
    const before = await snapshot();
    const migration = new MonthlyRollups1767400000000();
    const runner = { query: (sql: string, params?: unknown[]) => t.db.query(sql, params) } as unknown as QueryRunner;
    await t.db.query('BEGIN');
    try {
      await migration.down(runner);
      await migration.up(runner);
      await t.db.query('COMMIT');
    } catch (error) {
      await t.db.query('ROLLBACK');
      throw error;
    }
    expect(await snapshot()).toEqual(before);
    await expectRollUpsEqualDays();
  });

  it('scopes an agency head to their own agency and refuses others', async () => {
    const own = await summary(headA);
    expect(own.agencyId).toBe(AGENCY_A);
    expect(own.complaints).toMatchObject({ received: 2, finished: 1, byStatus: { ...zeroComplaintStatuses, received: 1, closed: 1 } });
    expect(own.permits.submitted).toBe(0);
    const rows = await t.rpc.send(SUBJECTS.reporting.agencies, {}, as(headA));
    expect(rows.items.map((i) => i.agencyId)).toEqual([AGENCY_A]);
    await expect(summary(headA, { agencyId: AGENCY_B })).rejects.toMatchObject({ code: 'COMMON.FORBIDDEN' });
    await expect(summary(citizen)).rejects.toMatchObject({ code: 'COMMON.FORBIDDEN' });
    await expect(summary(officerA)).rejects.toMatchObject({ code: 'COMMON.FORBIDDEN' });
    await expect(t.rpc.send(SUBJECTS.reporting.summary, {})).rejects.toMatchObject({ code: 'COMMON.UNAUTHENTICATED' });
    const b = await summary(admin, { agencyId: AGENCY_B });
    expect(b.complaints.received).toBe(2);
  });

  it('refuses bad parameters with every bad field', async () => {
    await expect(
      t.rpc.send(SUBJECTS.reporting.timeseries, { metric: 'complaints.nope', interval: 'year', from: '2026-02-30', agencyId: 'x' } as never, as(admin)),
    ).rejects.toMatchObject({
      code: 'COMMON.VALIDATION',
      details: expect.arrayContaining([
        expect.objectContaining({ field: 'metric' }),
        expect.objectContaining({ field: 'interval' }),
        expect.objectContaining({ field: 'from' }),
        expect.objectContaining({ field: 'agencyId' }),
      ]),
    });
    await expect(summary(admin, { from: '2026-11-10', to: '2026-11-01' })).rejects.toMatchObject({
      code: 'COMMON.VALIDATION',
      details: [expect.objectContaining({ field: 'to', message: 'to must not be before from' })],
    });
    await expect(
      t.rpc.send(SUBJECTS.reporting.timeseries, { metric: 'permits.issued', interval: 'day', from: '2020-01-01', to: '2026-11-01' }, as(admin)),
    ).rejects.toMatchObject({ code: 'COMMON.VALIDATION', details: [expect.objectContaining({ field: 'interval' })] });
  });

  it('counts a redelivered batch once (crash between commit and acknowledgement)', async () => {
    const live = t.service.app.get(ProjectionConsumer).consumer!;
    await live.stop();
    const before = await summary();
    // The same durable consumer and handler, but the first delivery of each message is never
    // acknowledged after the commit, as if the process died there: the server delivers it again.
    const nakked = new Set<number>();
    class CrashingBeforeAck extends EventConsumer {
      protected override async ack(msg: JsMsg): Promise<void> {
        if (!nakked.has(msg.info.streamSequence)) {
          nakked.add(msg.info.streamSequence);
          msg.nak();
          return;
        }
        await super.ack(msg);
      }
    }
    const store = new ProjectionStore();
    const crashing = new CrashingBeforeAck({
      name: REPORTING_CONSUMER,
      stream: t.env.eventsStream,
      deadLetterPrefix: t.env.deadLetterPrefix,
      js,
      jsm,
      dataSource: t.service.app.get(DataSource),
      batchHandler: (events, manager, sequences) => store.apply(manager, events, sequences),
      batchSize: PROJECTION_BATCH_SIZE,
      logger: { log: () => undefined, warn: () => undefined, error: () => undefined },
    });
    const id = 'c0000000-0000-4000-8000-000000000005';
    await publish(buildEvent('complaints.complaint.received.v1', { complaintId: id, trackingNumber: 'LPR-5', categoryCode: 'water', agencyId: AGENCY_A, visibility: 'confidential', location: {}, dueAt: '2026-11-12T00:00:00.000Z', finalDueAt: '2027-01-06T00:00:00.000Z' }, new Date('2026-11-07T00:00:00.000Z')));
    await publish(buildEvent('complaints.complaint.status_changed.v1', { complaintId: id, fromStatus: 'received', toStatus: 'rejected', action: 'reject', agencyId: AGENCY_A, at: '2026-11-13T00:00:00.000Z', stageDueAt: '2026-11-12T00:00:00.000Z' }));
    await crashing.start();
    try {
      await caughtUp();
      expect(nakked.size).toBe(2);
    } finally {
      await crashing.stop();
    }
    const after = await summary();
    expect(after.complaints.received).toBe(before.complaints.received + 1);
    expect(after.complaints.rejected).toBe(before.complaints.rejected + 1);
    expect(after.complaints.finished).toBe(before.complaints.finished + 1);
    expect(after.complaints.finishedWithinDeadline).toBe(before.complaints.finishedWithinDeadline); // rejected a day late
    expect(after.asOf?.eventId).toBe(lastPublished.id);
    await live.start();
  });

  it('rebuilds from the stream into the same read models, and goes on counting each event once', async () => {
    const incremental = await snapshot();
    const progress: Array<[number, number]> = [];
    const result = await rebuildReadModels({
      databaseUrl: t.databaseUrl,
      nc: t.rpc.connection,
      stream: t.env.eventsStream,
      batchSize: 7,
      onProgress: (done, total) => progress.push([done, total]),
    });
    const stream = await jsm.streams.info(t.env.eventsStream);
    expect(result).toMatchObject({ messages: stream.state.messages, skipped: 0, lastSequence: stream.state.last_seq });
    expect(result.applied).toBe(stream.state.messages - 1); // the late copy of C1's answer counts once
    expect(progress.at(-1)).toEqual([stream.state.last_seq, stream.state.last_seq]);
    expect(await snapshot()).toEqual(incremental);
    await expectRollUpsEqualDays();
    expect((await t.db.query(`SELECT indexname FROM pg_indexes WHERE tablename = 'complaint_daily' ORDER BY 1`)).rows.map((r) => r.indexname)).toEqual([
      'complaint_daily_pkey',
      'ix_complaint_daily_agency_day',
    ]);
    expect(await tablesOf(t.db)).not.toContain('complaint_facts_rebuild');

    // The live consumer goes on with the new tables: a new event counts once, an old one not again.
    const before = await summary();
    await publish(byRecord[C[0]][0], `${byRecord[C[0]][0].id}-late-copy`);
    await publish(
      buildEvent('permits.application.status_changed.v1', {
        applicationId: P[4],
        fromStatus: 'submitted',
        toStatus: 'rejected',
        action: 'reject',
        actorRole: 'agency_head',
        at: '2026-11-06T10:00:00.000Z',
        permitTypeCode: 'PBG',
        agencyId: TECH_Q,
        dueAt: '2026-11-11T10:00:00.000Z',
      }),
    );
    await caughtUp();
    const after = await summary();
    expect(after.complaints).toEqual(before.complaints);
    expect(after.permits).toMatchObject({ decided: before.permits.decided + 1, rejected: before.permits.rejected + 1, decidedWithinDeadline: 3 });
    expect(after.permits.byStatus).toMatchObject({ submitted: 0, rejected: 2 });
    await expectRollUpsEqualDays();
  });

  it('hands over to a lagging live consumer: events the rebuilt tables hold are not counted again', async () => {
    const before = await summary();
    const id = 'c0000000-0000-4000-8000-000000000006';
    // The live consumer lags behind (stopped): it has not seen the next events when the tables swap.
    const live = t.service.app.get(ProjectionConsumer).consumer!;
    await live.stop();
    await publish(buildEvent('complaints.complaint.received.v1', { complaintId: id, trackingNumber: 'LPR-6', categoryCode: 'health', agencyId: AGENCY_B, visibility: 'public', location: {} }, new Date('2026-11-08T00:00:00.000Z')));
    let published: Promise<unknown> | undefined;
    await rebuildReadModels({
      databaseUrl: t.databaseUrl,
      nc: t.rpc.connection,
      stream: t.env.eventsStream,
      batchSize: 3,
      // Published while the rebuild runs, after it fixed where its first pass ends.
      onProgress: () => {
        published ??= publish(buildEvent('complaints.complaint.rated.v1', { complaintId: C[1], score: 2 }, new Date('2026-11-11T00:00:00.000Z')));
      },
    });
    await published;
    await live.start();
    await caughtUp();
    const after = await summary();
    expect(after.complaints).toMatchObject({ received: before.complaints.received + 1, rated: before.complaints.rated + 1, averageRating: 3 });
    // And a rebuild on a quiet stream finds exactly these read models.
    const settled = await snapshot();
    await rebuildReadModels({ databaseUrl: t.databaseUrl, nc: t.rpc.connection, stream: t.env.eventsStream });
    expect(await snapshot()).toEqual(settled);
    await expectRollUpsEqualDays();
  });

  it('refuses to rebuild from a stream whose first events have aged out, and changes nothing', async () => {
    const before = await snapshot();
    await jsm.streams.purge(t.env.eventsStream, { seq: 3 });
    await expect(rebuildReadModels({ databaseUrl: t.databaseUrl, nc: t.rpc.connection, stream: t.env.eventsStream })).rejects.toThrow(/aged out/);
    expect(await snapshot()).toEqual(before);
  });
});
