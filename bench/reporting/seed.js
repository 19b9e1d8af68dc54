'use strict';
/* Seeding reporting's read models directly: facts in batches of 20,000, then the daily aggregates computed from them (daily.js). */
const { randomUUID } = require('crypto');
const { performance } = require('perf_hooks');
const h = require('../lib/harness');
const { complaintFact, permitFact, rowOf } = require('./facts');
const { fillDaily } = require('./daily');

const COLUMNS = {
  complaint_facts:
    'complaint_id uuid, agency_id uuid, category_code varchar, visibility varchar, status varchar, status_at timestamptz, received_at timestamptz, due_at timestamptz, final_due_at timestamptz, verified_at timestamptz, dispositioned_at timestamptz, resolved_at timestamptz, rejected_at timestamptz, closed_at timestamptz, deadline_missed boolean, rating smallint, rated_at timestamptz',
  permit_facts:
    'application_id uuid, agency_id uuid, issuing_agency_id uuid, permit_type_code varchar, status varchar, status_at timestamptz, submitted_at timestamptz, due_at timestamptz, decided_at timestamptz, decision varchar, issued_at timestamptz, withdrawn_at timestamptz, ended_at timestamptz, deadline_missed boolean',
};

const KINDS = [
  { name: 'complaints', option: 'complaints', table: 'complaint_facts', daily: 'complaint_daily', make: complaintFact, seed: 1 },
  { name: 'permits', option: 'permits', table: 'permit_facts', daily: 'permit_daily', make: permitFact, seed: 2 },
];

/** `n` facts of a kind, generated and inserted 20,000 at a time. */
async function insertFacts(pool, kind, n, agencies, days) {
  const start = Date.parse('2025-01-01T00:00:00+07:00');
  const r = h.prng(kind.seed);
  const names = COLUMNS[kind.table]
    .split(', ')
    .map((c) => c.split(' ')[0])
    .join(', ');
  const sql = `INSERT INTO ${kind.table} (${names}) SELECT ${names} FROM jsonb_to_recordset($1::jsonb) AS x(${COLUMNS[kind.table]})`;
  const bar = h.progressBar(`seed ${kind.name}`, n);
  for (let done = 0; done < n; ) {
    const batch = [];
    for (let i = 0; i < 20000 && done < n; i++, done++) batch.push(rowOf(kind.make(r, randomUUID(), agencies, start, days)));
    await pool.query(sql, [JSON.stringify(batch)]);
    bar.update(done);
  }
  bar.end();
}

/** Seeds facts and the daily aggregates; the seconds and rows of each kind. */
async function seed(pool, options, agencies) {
  const timings = {};
  for (const kind of KINDS) {
    const t0 = performance.now();
    await insertFacts(pool, kind, options[kind.option], agencies, options.days);
    const dailyRows = await fillDaily(pool, kind.daily);
    timings[kind.name] = { facts: options[kind.option], dailyRows, seconds: h.round((performance.now() - t0) / 1000, 1) };
  }
  // The live consumer may have read identity's events already; the seeded models are as of now.
  await pool.query(`UPDATE projection_state SET last_event_time = now() WHERE name = 'events'`);
  await pool.query('VACUUM ANALYZE complaint_facts, permit_facts, complaint_daily, permit_daily');
  return timings;
}

module.exports = { seed };
