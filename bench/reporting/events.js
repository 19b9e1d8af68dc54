'use strict';
/* Events as the services publish them, for the consumer and rebuild parts: each record's events in order. */
const { randomUUID } = require('crypto');
const { performance } = require('perf_hooks');
const h = require('../lib/harness');
const { HOUR, pick } = require('./facts');

const iso = (t) => new Date(t).toISOString();

/** A complaint's events: received, then up to `more` of verify, dispose, start, resolve, confirm. */
function complaintEvents(r, id, agencyId, t0, more) {
  const events = [
    h.cloudEvent('complaints.complaint.received.v1', id, { complaintId: id, trackingNumber: `LPR-${id.slice(0, 8)}`, categoryCode: 'roads-bridges', agencyId, visibility: 'public', location: { lat: 2.5, lng: 99.6, district: 'Aek Kuo' }, dueAt: iso(t0 + 72 * HOUR), finalDueAt: iso(t0 + 1440 * HOUR) }, t0),
  ];
  const steps = [
    ['verify', 'received', 'verified', 72],
    ['dispose', 'verified', 'dispositioned', 72],
    ['start', 'dispositioned', 'in_progress', 120],
    ['resolve', 'in_progress', 'resolved', 120],
    ['confirm', 'resolved', 'closed', 240],
  ];
  let t = t0;
  for (const [action, from, to, stageHours] of steps.slice(0, more)) {
    const stageDue = t + stageHours * HOUR;
    t += Math.floor(r() * 100 * HOUR);
    const data = { complaintId: id, fromStatus: from, toStatus: to, action, agencyId, at: iso(t), categoryCode: 'roads-bridges', visibility: 'public', stageDueAt: iso(stageDue), dueAt: iso(t + 120 * HOUR) };
    events.push(h.cloudEvent('complaints.complaint.status_changed.v1', id, data, t));
  }
  return events;
}

/** An application's events: submitted, then up to `more` of submit, verify, recommend, approve, issue. */
function applicationEvents(r, id, agencyId, issuingAgencyId, t0, more) {
  const dueAt = iso(t0 + 168 * HOUR);
  const base = { applicationId: id, permitTypeCode: 'PBG', agencyId, issuingAgencyId, dueAt };
  const events = [h.cloudEvent('permits.application.submitted.v1', id, { applicationId: id, number: `PRM-${id.slice(0, 8)}`, permitTypeCode: 'PBG', agencyId, dueAt, issuingAgencyId }, t0)];
  const steps = [
    ['submit', 'draft', 'submitted'],
    ['verify', 'submitted', 'verified'],
    ['recommend', 'verified', 'recommended'],
    ['approve', 'recommended', 'approved'],
    ['issue', 'approved', 'issued'],
  ];
  let t = t0;
  for (const [action, from, to] of steps.slice(0, more)) {
    if (action !== 'submit') t += Math.floor(r() * 60 * HOUR);
    events.push(h.cloudEvent('permits.application.status_changed.v1', id, { ...base, fromStatus: from, toStatus: to, action, actorRole: 'officer', at: iso(t) }, t));
  }
  return events;
}

/** The events of one complaint (kind 0) or application (kind 1), `perRecord` of them (2..6). */
function recordEvents(r, kind, agencies, start, days, perRecord) {
  const id = randomUUID();
  const agencyId = pick(r, agencies);
  const t0 = start + Math.floor(r() * days * 24 * HOUR);
  return kind === 0 ? complaintEvents(r, id, agencyId, t0, perRecord - 1) : applicationEvents(r, id, agencyId, agencies[0], t0, perRecord - 1);
}

/** Publishes `records` records' events (half complaints, half applications), 100 records in flight. */
async function publishEvents(js, subjectPrefix, records, perRecord, agencies, label) {
  const r = h.prng(3);
  const start = Date.parse('2025-01-01T00:00:00+07:00');
  const bar = h.progressBar(label, records, 'records');
  const t0 = performance.now();
  let events = 0;
  const inFlight = new Set();
  for (let i = 0; i < records; i++) {
    // A record's events go one after another, as the relay publishes them.
    const chain = (async () => {
      for (const e of recordEvents(r, i % 2, agencies, start, 730, perRecord)) {
        await js.publish(`${subjectPrefix}.${e.type}`, JSON.stringify(e), { msgID: e.id });
        events++;
      }
    })();
    inFlight.add(chain);
    chain.finally(() => inFlight.delete(chain));
    if (inFlight.size >= 100) await Promise.race(inFlight);
    if (i % 5000 === 0) bar.update(i);
  }
  await Promise.all(inFlight);
  bar.update(records);
  bar.end();
  const seconds = (performance.now() - t0) / 1000;
  return { records, events, seconds: h.round(seconds, 1), eventsPerSecond: Math.round(events / seconds) };
}

module.exports = { publishEvents };
