'use strict';
/*
 * After each fault, what a citizen and an auditor would notice: every write answered 201 is in its
 * database, every event of a stored complaint reached reporting exactly once, no answer was a 5xx
 * other than 503 nor took longer than the gateway's RPC timeout, and the first request after
 * recovery succeeded.
 */
const h = require('../lib/harness');
const { REPORTING_CONSUMER, rowsOf, streamCopies } = require('./stored');

const RECEIVED = 'complaints.complaint.received.v1';

/** What each database holds of the fault's requests, by their unique title (or draft address). */
async function writes(run, records) {
  const complaints = records.filter((r) => r.kind === 'complaint');
  const drafts = records.filter((r) => r.kind === 'draft');
  const storedComplaints = await rowsOf(run.databases.complaints, `SELECT id, title FROM complaints WHERE title = ANY($1)`, [complaints.map((r) => r.marker)]);
  const storedDrafts = await rowsOf(run.databases.permits, `SELECT id, form_data->>'address' AS marker FROM applications WHERE form_data->>'address' = ANY($1)`, [drafts.map((r) => r.marker)]);
  const byMarker = new Map();
  for (const row of [...storedComplaints.map((r) => ({ id: r.id, marker: r.title })), ...storedDrafts]) byMarker.set(row.marker, [...(byMarker.get(row.marker) ?? []), row.id]);
  const acknowledged = records.filter((r) => r.status === 201);
  return {
    byKind: { complaint: complaints.length, draft: drafts.length },
    storedComplaints,
    acknowledged,
    lostWrites: acknowledged.filter((r) => !(byMarker.get(r.marker) ?? []).includes(r.id)).length,
    duplicatedWrites: [...byMarker.values()].filter((ids) => ids.length > 1).length,
    appliedUnacknowledged: records.filter((r) => r.status !== 201 && byMarker.has(r.marker)).length,
  };
}

/** Events of every stored complaint (acknowledged or not): outbox → stream → reporting, once each; and the reports' counts of the whole run so far. */
async function events(run, storedComplaints) {
  const { databases } = run;
  const ids = storedComplaints.map((r) => r.id);
  const outbox = await rowsOf(databases.complaints, `SELECT id, record_id, sent_at FROM outbox WHERE type = $1 AND record_id = ANY($2)`, [RECEIVED, ids]);
  const outboxByRecord = new Map(outbox.map((o) => [o.record_id, o]));
  const copies = await streamCopies(run.nats, run.env.eventsStream, `${run.env.eventsPrefix}.${RECEIVED}`);
  const processedRows = await rowsOf(databases.reporting, `SELECT event_id FROM processed_events WHERE consumer = $1 AND event_id = ANY($2::uuid[])`, [REPORTING_CONSUMER, outbox.map((o) => o.id)]);
  const processed = new Set(processedRows.map((r) => r.event_id));
  const facts = new Set((await rowsOf(databases.reporting, `SELECT complaint_id FROM complaint_facts WHERE complaint_id = ANY($1::uuid[])`, [ids])).map((r) => r.complaint_id));
  // Counted once in effect: the daily counters equal the facts, and the facts the complaints.
  const [{ total }] = await rowsOf(databases.complaints, `SELECT count(*)::int AS total FROM complaints`);
  const [{ counted }] = await rowsOf(databases.reporting, `SELECT coalesce(sum(received), 0)::int AS counted FROM complaint_daily`);
  const [{ factRows }] = await rowsOf(databases.reporting, `SELECT count(*)::int AS "factRows" FROM complaint_facts`);
  return {
    stored: ids.length,
    noOutboxRow: ids.filter((id) => !outboxByRecord.has(id)).length,
    unpublished: outbox.filter((o) => !o.sent_at).length,
    missingInStream: outbox.filter((o) => !copies.get(o.id)).length,
    duplicatedInStream: outbox.filter((o) => (copies.get(o.id) ?? 0) > 1).length,
    notProcessedByReporting: outbox.filter((o) => !processed.has(o.id)).length,
    noFact: ids.filter((id) => !facts.has(id)).length,
    complaintsInDatabase: total,
    receivedInReports: counted,
    factsInReports: factRows,
  };
}

/** The answers: statuses, 503s, latency against the limit, recovery, the first request after it. */
function answers(records, marks, limit) {
  const statuses = {};
  for (const r of records) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
  const unavailable = records.filter((r) => r.status === 503);
  const afterRecovery = marks.recoveredAt === undefined ? [] : records.filter((r) => r.at >= marks.recoveredAt).sort((a, b) => a.at - b.at);
  const firstAfter = afterRecovery[0];
  const since = (from) => (marks.recoveredAt === undefined ? null : h.round((marks.recoveredAt - from) / 1000, 2));
  return {
    statuses,
    unavailable: unavailable.length,
    other: records.filter((r) => r.status !== 201 && r.status !== 503),
    serverErrors: records.filter((r) => r.status >= 500 && r.status !== 503).length,
    clientErrors: records.filter((r) => r.status === 0).length,
    unavailableWithoutRetryAfter: unavailable.filter((r) => !r.retryAfter).length,
    latencyMs: h.distribution(records.map((r) => r.ms)),
    unavailableLatencyMs: h.distribution(unavailable.map((r) => r.ms)),
    longerThanLimit: records.filter((r) => r.ms > limit).length,
    limitMs: limit,
    injectedToRecoveredSeconds: since(marks.injectedAt),
    liftedToRecoveredSeconds: since(marks.liftedAt),
    firstAfterRecovery: firstAfter && { kind: firstAfter.kind, status: firstAfter.status, ms: firstAfter.ms, sentAfterRecoveryMs: h.round(firstAfter.at - marks.recoveredAt, 1), code: firstAfter.code },
    failedAfterRecovery: afterRecovery.filter((r) => r.status !== 201).map((r) => ({ kind: r.kind, status: r.status, code: r.code, sentAfterRecoveryMs: h.round(r.at - marks.recoveredAt, 1) })),
  };
}

/** Every property a fault broke, in words. */
function violationsOf(result, marks, options) {
  const e = result.events;
  const first = result.firstAfterRecovery;
  return [
    marks.recoveredAt === undefined && 'never recovered (readiness not 200 within 120 s of lifting the fault)',
    result.serverErrors && `${result.serverErrors} answers ≥ 500 other than 503`,
    result.clientErrors && `${result.clientErrors} requests without an answer (connection error or client timeout)`,
    result.longerThanLimit && `${result.longerThanLimit} answers took longer than ${result.limitMs} ms`,
    result.unavailableWithoutRetryAfter && `${result.unavailableWithoutRetryAfter} 503s without Retry-After`,
    first && first.status !== 201 && `the first request after recovery answered ${first.status} ${first.code ?? ''}`,
    result.lostWrites && `${result.lostWrites} acknowledged writes not in the database`,
    result.duplicatedWrites && `${result.duplicatedWrites} writes stored twice`,
    !marks.settle.done && `events not settled in ${options.settleTimeout} s (${JSON.stringify(marks.settle)})`,
    e.noOutboxRow && `${e.noOutboxRow} stored complaints without an outbox row`,
    e.unpublished && `${e.unpublished} events never published`,
    e.missingInStream && `${e.missingInStream} events missing from the stream`,
    e.duplicatedInStream && `${e.duplicatedInStream} events twice in the stream`,
    e.notProcessedByReporting && `${e.notProcessedByReporting} events not processed by reporting`,
    e.noFact && `${e.noFact} stored complaints missing from reporting`,
    (e.receivedInReports !== e.factsInReports || e.factsInReports !== e.complaintsInDatabase) && `reporting counts ${e.receivedInReports} received over ${e.factsInReports} facts for ${e.complaintsInDatabase} complaints`,
    result.deadProcesses.length && `processes not running: ${result.deadProcesses.join(', ')}`,
  ].filter(Boolean);
}

/** `run`: `{ databases, nats, env, system }`. */
async function check(run, records, marks, options) {
  const stored = await writes(run, records);
  const result = {
    requests: records.length,
    byKind: stored.byKind,
    created: stored.acknowledged.length,
    ...answers(records, marks, options.rpcTimeout + options.margin),
    lostWrites: stored.lostWrites,
    duplicatedWrites: stored.duplicatedWrites,
    appliedUnacknowledged: stored.appliedUnacknowledged,
    events: await events(run, stored.storedComplaints),
    deadProcesses: [...run.system.processes.values()].filter((p) => !p.running).map((p) => p.name),
  };
  result.violations = violationsOf(result, marks, options);
  return result;
}

module.exports = { check };
