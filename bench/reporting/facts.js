'use strict';
/* Facts as reporting's projection would have built them: one per complaint and per application, from a seeded PRNG. */
const HOUR = 3600_000;
const pick = (r, list) => list[Math.floor(r() * list.length)];
const CATEGORIES = ['roads-bridges', 'waste-environment', 'health', 'education', 'other'];
const VISIBILITIES = ['public', 'public', 'anonymous', 'confidential'];
const PERMIT_TYPES = ['PBG', 'SIUP', 'SIP', 'TDUP'];

function complaintFact(r, id, agencies, start, days) {
  const receivedAt = start + Math.floor(r() * days * 24 * HOUR);
  const u = r();
  const f = { complaintId: id, agencyId: pick(r, agencies), categoryCode: pick(r, CATEGORIES), visibility: pick(r, VISIBILITIES) };
  Object.assign(f, { status: 'received', statusAt: receivedAt, receivedAt, dueAt: receivedAt + 72 * HOUR, finalDueAt: receivedAt + 60 * 24 * HOUR });
  Object.assign(f, { verifiedAt: null, dispositionedAt: null, resolvedAt: null, rejectedAt: null, closedAt: null, deadlineMissed: r() < 0.15, rating: null, ratedAt: null });
  if (u < 0.05) return f;
  f.verifiedAt = receivedAt + Math.floor(r() * 72 * HOUR);
  if (u < 0.1) return Object.assign(f, { status: 'rejected', rejectedAt: f.verifiedAt, statusAt: f.verifiedAt });
  f.dispositionedAt = f.verifiedAt + HOUR;
  f.resolvedAt = f.dispositionedAt + Math.floor(-Math.log(1 - r()) * 96 * HOUR);
  f.status = 'resolved';
  f.statusAt = f.resolvedAt;
  if (u < 0.7) Object.assign(f, { status: 'closed', closedAt: f.resolvedAt + 48 * HOUR, statusAt: f.resolvedAt + 48 * HOUR });
  if (r() < 0.4) Object.assign(f, { rating: 1 + Math.floor(r() * 5), ratedAt: f.resolvedAt + 24 * HOUR });
  return f;
}

function permitFact(r, id, agencies, start, days) {
  const submittedAt = start + Math.floor(r() * days * 24 * HOUR);
  const u = r();
  const f = { applicationId: id, agencyId: pick(r, agencies), issuingAgencyId: agencies[0], permitTypeCode: pick(r, PERMIT_TYPES) };
  Object.assign(f, { status: 'submitted', statusAt: submittedAt, submittedAt, dueAt: submittedAt + 7 * 24 * HOUR });
  Object.assign(f, { decidedAt: null, decision: null, issuedAt: null, withdrawnAt: null, endedAt: null, deadlineMissed: false });
  if (u < 0.05) return f;
  if (u < 0.08) return Object.assign(f, { status: 'withdrawn', withdrawnAt: submittedAt + 24 * HOUR, statusAt: submittedAt + 24 * HOUR });
  f.decidedAt = submittedAt + Math.floor(-Math.log(1 - r()) * 120 * HOUR);
  f.deadlineMissed = f.decidedAt > f.dueAt;
  f.statusAt = f.decidedAt;
  if (u < 0.18) return Object.assign(f, { status: 'rejected', decision: 'rejected' });
  f.decision = 'approved';
  f.status = 'issued';
  f.issuedAt = f.decidedAt + 24 * HOUR;
  f.statusAt = f.issuedAt;
  return f;
}

const snake = (k) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** A fact as a row of its table (times as ISO text). */
function rowOf(fact) {
  const row = {};
  for (const [k, v] of Object.entries(fact)) row[snake(k)] = typeof v === 'number' && /At$/.test(k) ? new Date(v).toISOString() : v;
  return row;
}

module.exports = { HOUR, pick, complaintFact, permitFact, rowOf };
