'use strict';
/*
 * Verification in the gateway: authenticated routes under load, each window bracketed by reads of
 * the gateway's /metrics (the verification histogram and the event-loop delay), and the gateway's
 * CPU split into its event-loop thread and its other threads.
 */
const h = require('../lib/harness');
const { METRIC, parseHistogram, eventLoopDelay, histogramDelta, summarizeVerification } = require('./metrics');
const { cpuOf, checkAllOk } = require('./login');

const API = '/api/v1';

const load = (url, { connections, duration, headers }) => h.autocannon({ url, connections, duration, headers }).then((r) => h.summarize(r, 1));

/** The measured window: figures, CPU (and the gateway's main thread), RSS. */
async function window(url, { headers, pids, runId, connections, duration }) {
  const stopRss = h.rssSampler(pids);
  const mainBefore = h.mainThreadCpu(pids.gateway);
  const stopCpu = cpuOf(pids, runId);
  const summary = await load(url, { connections, duration, headers });
  const cpu = stopCpu();
  const gatewayMainSeconds = h.mainThreadCpu(pids.gateway) - mainBefore;
  return { summary, cpu, gatewayMainSeconds, rss: stopRss() };
}

/** CPU ms per request of the processes, the gateway's split into its event-loop thread and every other thread. */
function cpuPerRequest(cpu, gatewayMainSeconds, requests) {
  const perRequestMs = (name) => h.round(((cpu.cpuSecondsBy[name] ?? 0) * 1000) / requests, 3);
  return {
    gateway: perRequestMs('gateway'),
    // the gateway split: its event-loop thread, and every other thread (V8's GC helpers, libuv's
    // thread pool, where jose's Ed25519 checks run)
    gatewayMainThread: h.round((gatewayMainSeconds * 1000) / requests, 3),
    gatewayOtherThreads: h.round((((cpu.cpuSecondsBy.gateway ?? 0) - gatewayMainSeconds) * 1000) / requests, 3),
    identity: perRequestMs('identity'),
    permits: perRequestMs('permits'),
  };
}

/** Warm-up, then a measured load with the gateway's verification histogram read before and after. */
async function measureRoute(label, url, { headers, pids, runId, metricsUrl, options, connections = options.connections, duration = options.duration, warmup = options.warmup }) {
  console.log(`[${label}] warm-up ${warmup} s, ${connections} connections ...`);
  if (warmup) checkAllOk(`${label} (warm-up)`, await load(url, { connections, duration: warmup, headers }));
  const before = parseHistogram((await h.http('GET', metricsUrl)).body, METRIC); // also resets the event-loop delay figures
  console.log(`[${label}] measuring ${duration} s ...`);
  const { summary, cpu, gatewayMainSeconds, rss } = await window(url, { headers, pids, runId, connections, duration });
  await h.sleep(200); // let the last responses' observations land
  const afterText = (await h.http('GET', metricsUrl)).body;
  const after = parseHistogram(afterText, METRIC);
  const gatewayEventLoopDelay = eventLoopDelay(afterText);
  checkAllOk(label, summary);
  const verification = summarizeVerification(histogramDelta(before.ok, after.ok));
  console.log(
    `[${label}] ${summary.requestsPerSecond} req/s, p50 ${summary.latencyMs.p50} ms, p99 ${summary.latencyMs.p99} ms; ` +
      `verification: ${verification.count} observed, mean ${verification.meanMicros} µs, p99 ≈ ${verification.p99MicrosEstimated} µs; ` +
      `gateway event-loop delay mean ${gatewayEventLoopDelay.meanMs} ms, p99 ${gatewayEventLoopDelay.p99Ms} ms`,
  );
  const refused = histogramDelta(before.refused, after.refused).count;
  return { url, connections, ...summary, verification, gatewayEventLoopDelay, verificationRefused: refused, cpu, cpuMsPerRequest: cpuPerRequest(cpu, gatewayMainSeconds, summary.requests), rssPeakMb: rss.peakMb };
}

/** With the token, GET /agencies lists the 11 agencies and GET /me is the citizen; without it, GET /me answers 401. */
async function checkToken(gatewayUrl, auth, email) {
  const agencies = await h.http('GET', `${gatewayUrl}${API}/agencies`, { headers: auth });
  if (agencies.status !== 200 || agencies.json?.items?.length !== 11) throw new Error(`GET /agencies with the token answered ${agencies.status}: ${agencies.body.slice(0, 300)}`);
  const unauthenticated = await h.http('GET', `${gatewayUrl}${API}/me`);
  if (unauthenticated.status !== 401) throw new Error(`GET /me without a token answered ${unauthenticated.status}, expected 401`);
  const me = await h.http('GET', `${gatewayUrl}${API}/me`, { headers: auth });
  if (me.status !== 200 || me.json.email !== email) throw new Error(`GET /me answered ${me.status}: ${me.body.slice(0, 300)}`);
}

/** A public route loaded: the guard must let it through unverified (the histogram must not move). */
async function publicLoad(label, url, headers, common) {
  const load = await measureRoute(label, url, { ...common, headers });
  if (load.verification.count !== 0) throw new Error(`a public route went through token verification (${load.verification.count} observations)`);
  return load;
}

/**
 * 2a. The guard under load on GET /me (50 connections, then 1: the guard without a queue). GET
 * /agencies has been public since `2be579e` (2026-12-06: the directory front ends show before sign-in), so the
 * guard passes it unverified even with a token: it is loaded with the token sent, as a public route,
 * like GET /permit-types without one (unless --skip-public).
 */
async function authenticatedLoads(gatewayUrl, token, email, { pids, runId, metricsUrl, options }) {
  const auth = { authorization: `Bearer ${token}` };
  await checkToken(gatewayUrl, auth, email);
  const common = { pids, runId, metricsUrl, options };
  const me = await measureRoute('me (token)', `${gatewayUrl}${API}/me`, { ...common, headers: auth });
  const oneConnection = { ...common, headers: auth, connections: 1, duration: Math.min(options.duration, 10), warmup: Math.min(options.warmup, 2) };
  const meOneConnection = await measureRoute('me (token, 1 connection)', `${gatewayUrl}${API}/me`, oneConnection);
  const agencies = await publicLoad('agencies (public, token sent)', `${gatewayUrl}${API}/agencies`, auth, common);
  let publicPermitTypes = null;
  if (!options.skipPublic) {
    const probe = await h.http('GET', `${gatewayUrl}${API}/permit-types`);
    if (probe.status !== 200) throw new Error(`GET /permit-types answered ${probe.status}: ${probe.body.slice(0, 300)}`);
    publicPermitTypes = await publicLoad('permit-types (public)', `${gatewayUrl}${API}/permit-types`, {}, common);
  }
  return { me, meOneConnection, agencies, publicPermitTypes };
}

module.exports = { authenticatedLoads };
