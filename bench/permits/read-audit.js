'use strict';
/*
 * --read-audit-rounds: what recording staff list reads costs the officer queue. Each round
 * restarts permits on the same database with AUDIT_ENABLED=true and =false (order alternating)
 * and loads the queue page 1.
 */
const h = require('../lib/harness');
const { APPS, scenarios, measureGet } = require('./reads');

/**
 * Group commit at work: rows that wait in audit_pending (the chainer takes them within ~100 ms)
 * grouped by the transaction that wrote them (xmin), sampled every 200 ms while `work()` runs.
 */
async function sampledWhile(sampler, figures, work) {
  let done = false;
  const loop = (async () => {
    while (!done) {
      const { rows } = await sampler.query(`SELECT count(*)::int AS rows, count(DISTINCT xmin::text)::int AS transactions FROM audit_pending WHERE action = 'application.list'`);
      figures.samples++;
      figures.rowsSeen += rows[0].rows;
      figures.transactionsSeen += rows[0].transactions;
      await h.sleep(200);
    }
  })();
  try {
    return await work();
  } finally {
    done = true;
    await loop;
  }
}

/** The rounds' medians and per-round costs. */
function summary(s, runs, rounds) {
  const side = (audit, pick) => h.median(runs.filter((r) => r.audit === audit).map(pick));
  const both = (pick) => ({ on: side('on', pick), off: side('off', pick) });
  const roundCosts = [];
  for (let round = 1; round <= rounds; round++) {
    const [on, off] = ['on', 'off'].map((audit) => runs.find((r) => r.round === round && r.audit === audit).requestsPerSecond);
    roundCosts.push(h.round(((off - on) / off) * 100, 1));
  }
  return {
    scenario: s.label,
    runs,
    medianRequestsPerSecond: both((r) => r.requestsPerSecond),
    medianP99Ms: both((r) => r.latencyMs.p99),
    medianP50Ms: both((r) => r.latencyMs.p50),
    roundCostsPercent: roundCosts,
    medianCostPercent: h.median(roundCosts),
  };
}

async function readAudit(options, system, officerToken, db) {
  const s = scenarios(options)[0];
  const url = `${system.gatewayUrl}${APPS}?${s.query}`;
  const restart = async (enabled) => {
    await h.restartService(system, 'permits', { AUDIT_ENABLED: String(enabled) });
    h.expect(`GET ${url}`, await h.http('GET', url, { token: officerToken }), 200);
  };
  const listRows = () => h.countOf(db, `SELECT count(*)::int AS rows FROM audit_log WHERE action = 'application.list'`);
  const { Client } = require('pg');
  const sampler = new Client({ connectionString: db });
  await sampler.connect();
  const groupCommit = { samples: 0, rowsSeen: 0, transactionsSeen: 0 };
  const before = await listRows();
  const runs = [];
  for (let round = 1; round <= options.readAuditRounds; round++) {
    for (const enabled of round % 2 ? [true, false] : [false, true]) {
      await restart(enabled);
      const measure = () => measureGet(`round ${round} audit ${enabled ? 'on' : 'off'}: ${s.label}`, url, officerToken, h.pidsOf(system), options);
      const measured = enabled ? await sampledWhile(sampler, groupCommit, measure) : await measure();
      if (measured.non2xx || measured.errors) throw new Error(`${measured.non2xx} non-2xx answers and ${measured.errors} errors: ${JSON.stringify(measured.statusCodes)}`);
      runs.push({ round, audit: enabled ? 'on' : 'off', ...measured });
    }
  }
  await sampler.end();
  await restart(true);
  return {
    ...summary(s, runs, options.readAuditRounds),
    // List rows written (warm-ups and probes included), and how many shared a commit.
    listRows: (await listRows()) - before,
    groupCommit: { ...groupCommit, rowsPerCommit: groupCommit.transactionsSeen ? h.round(groupCommit.rowsSeen / groupCommit.transactionsSeen, 2) : null },
  };
}

module.exports = { readAudit };
