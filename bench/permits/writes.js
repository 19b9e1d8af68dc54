'use strict';
/*
 * Create + submit through the full system, then (the system stopped, on the same permits database)
 * the bare twin and the skeleton: the twin's work behind the fixed architecture, no product.
 */
const h = require('../lib/harness');
const skeleton = require('../lib/skeleton');
const { measurePairs, probePair } = require('./pairs');

const keys = (o) => Object.keys(o).sort().join(',');
function sameFields(what, probe, fullProbe) {
  if (keys(probe.created) !== keys(fullProbe.created) || keys(probe.submitted) !== keys(fullProbe.submitted)) {
    throw new Error(`${what} answers with other fields:\n full: ${keys(fullProbe.created)} / ${keys(fullProbe.submitted)}\n ${what}: ${keys(probe.created)} / ${keys(probe.submitted)}`);
  }
}

/** 4. Through the full system. */
async function fullPairs(options, system, token, db) {
  const probe = await probePair(system.gatewayUrl, token);
  const pairs = await measurePairs('full create+submit', system.gatewayUrl, token, h.pidsOf(system), options);
  h.processesOf(system).forEach(h.failIfExited);
  const { rows } = await h.queryOnce(db, `SELECT count(*)::int AS total, count(*) FILTER (WHERE sent_at IS NULL)::int AS pending FROM outbox`);
  return { probe, pairs: { ...pairs, outboxAfter: rows[0] } };
}

/** 5. The bare twin (`script --role=bare`). */
async function barePairs(options, { script, nodeFlags, env, token, fullProbe }) {
  const { bare, url } = await h.startBareTwin([...nodeFlags('bare'), script, '--role=bare'], env);
  sameFields('the bare twin', await probePair(url, token), fullProbe);
  const pairs = await measurePairs('bare create+submit', url, token, { bare: bare.child.pid }, options);
  h.failIfExited(bare);
  await h.stopChild(bare);
  return { url, pairs };
}

/** The skeleton, with or without its relay and consumer (--skeleton-events). */
async function skeletonPairs(options, { script, nodeFlags, env, token, fullProbe, environment, db }) {
  const skel = await skeleton.start({ script, nodeFlags, env, serviceEnv: environment.serviceEnv('permits', {}), runId: environment.runId, events: options.skeletonEvents, markBacklogSent: true });
  sameFields('the skeleton', await probePair(skel.url, token), fullProbe);
  const load = () => measurePairs('skeleton create+submit', skel.url, token, skel.pids, options);
  return skeleton.measure(skel, db, options.skeletonEvents, 'skeleton create+submit', load);
}

/**
 * 4.–5. The three paths (--skip-writes: none; --skip-skeleton: no skeleton). `handOver()` runs
 * after the full path, while the system still runs: it stops the system and resolves the
 * gateway's keys and a fresh citizen token for the twins.
 */
async function writes(options, { system, db, environment, script, nodeFlags, pairToken, handOver }) {
  if (options.skipWrites) {
    await handOver();
    return null;
  }
  const full = await fullPairs(options, system, pairToken, db);
  const { jwks, token } = await handOver();
  const twin = { script, nodeFlags, env: { BARE_DATABASE_URL: db, BARE_JWKS: JSON.stringify(jwks), BARE_POOL_SIZE: '10' }, token, fullProbe: full.probe, environment, db };
  const bare = await barePairs(options, twin);
  const skel = options.skipSkeleton ? null : await skeletonPairs(options, twin);
  return {
    full: { url: `${system.gatewayUrl}/api/v1/permit-applications`, ...full.pairs },
    bare: { url: `${bare.url}/api/v1/permit-applications`, ...bare.pairs },
    skeleton: skel,
    throughputRatioFullToBare: h.round(full.pairs.pairsPerSecond / bare.pairs.pairsPerSecond, 3),
    throughputRatioFullToSkeleton: skel ? h.round(full.pairs.pairsPerSecond / skel.pairsPerSecond, 3) : null,
  };
}

module.exports = { writes };
