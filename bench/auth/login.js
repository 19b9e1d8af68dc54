'use strict';
/* What signing in costs: sequential logins, concurrent ones, and wrong passwords for known and unknown accounts. */
const { performance } = require('perf_hooks');
const h = require('../lib/harness');

/** CPU windows as this bench reads them: this run's postgres backends apart from the rest. */
const cpuOf = (pids, runId) => h.cpuWindow(pids, { self: 'bench (autocannon)', runId });
const figures = (d) => ({ min: h.round(d.min), p50: h.round(d.p50), p90: h.round(d.p90), p99: h.round(d.p99), max: h.round(d.max), mean: h.round(d.mean) });

function checkAllOk(label, summary) {
  if (summary.non2xx || summary.errors || summary.timeouts || !summary.ok2xx) {
    throw new Error(`${label}: not every response was 2xx (status codes ${JSON.stringify(summary.statusCodes)}, errors ${summary.errors}, timeouts ${summary.timeouts})`);
  }
}

/** Sequential logins, one at a time over a keep-alive connection; wall time of each. */
async function sequentialLogins(url, credentials, count, pids, runId) {
  const times = [];
  const stopCpu = cpuOf(pids, runId);
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    const res = await h.http('POST', url, { body: credentials, timeoutMs: 10000 });
    times.push(performance.now() - t0);
    if (res.status !== 200) throw new Error(`sequential login ${i + 1} answered ${res.status}: ${res.body.slice(0, 300)}`);
  }
  const wall = (performance.now() - started) / 1000;
  const cpu = stopCpu();
  return {
    logins: count,
    loginsPerSecond: h.round(count / wall, 1),
    latencyMs: figures(h.distribution(times, null)),
    cpu,
    cpuMsPerLogin: { identity: h.round((cpu.cpuSecondsBy.identity * 1000) / count, 1), gateway: h.round((cpu.cpuSecondsBy.gateway * 1000) / count, 1) },
  };
}

/** autocannon with the login's JSON body; identity's peak RSS and threads beside it. */
async function concurrentLogins(url, credentials, options, pids, runId) {
  const stopRss = h.rssSampler({ identity: pids.identity, gateway: pids.gateway });
  const stopCpu = cpuOf(pids, runId);
  const load = { url, connections: options.loginConnections, duration: options.loginDuration, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(credentials) };
  const result = h.summarize(await h.autocannon(load), 1);
  const cpu = stopCpu();
  const rss = stopRss();
  checkAllOk('concurrent logins', result);
  const perLogin = (seconds) => h.round(((seconds ?? 0) * 1000) / result.requests, 1);
  return {
    ...result,
    cpu,
    cpuMsPerLogin: { identity: perLogin(cpu.cpuSecondsBy.identity), gateway: perLogin(cpu.cpuSecondsBy.gateway), postgres: perLogin(cpu.cpuSecondsBy['postgres (this run)']) },
    rssPeakMb: rss.peakMb,
    maxThreads: rss.maxThreads,
  };
}

/**
 * Wrong passwords for an account that exists and for one that does not, alternating, each pair
 * from an address of its own (X-Forwarded-For; the gateway trusts it in this run) so that no
 * throttle answers instead of identity. Both must be 401 and should take as long (docs/auth.md).
 */
async function enumerationTiming(url, knownIdentifier, count) {
  const times = { known: [], unknown: [] };
  for (let i = 0; i < count; i++) {
    const headers = { 'x-forwarded-for': `10.77.${i >> 8}.${i & 255}` };
    for (const [kind, identifier] of [['known', knownIdentifier], ['unknown', `nobody-${i}@bench.example.id`]]) {
      const t0 = performance.now();
      const res = await h.http('POST', url, { body: { identifier, password: `Wrong-Password-${i}` }, headers, timeoutMs: 10000 });
      times[kind].push(performance.now() - t0);
      if (res.status !== 401) throw new Error(`a wrong password (${kind} account) answered ${res.status}: ${res.body.slice(0, 300)}`);
    }
  }
  const summary = (values) => {
    const { p50, p90, max, mean } = figures(h.distribution(values, null));
    return { p50, p90, max, mean };
  };
  return { attempts: count, latencyMs: { known: summary(times.known), unknown: summary(times.unknown) } };
}

/** 1. Login cost: sequential, concurrent, then wrong passwords. */
async function loginCost(loginUrl, citizen, options, pids, runId) {
  const credentials = { identifier: citizen.email, password: citizen.password };
  console.log(`[login] ${options.sequential} sequential logins ...`);
  const sequential = await sequentialLogins(loginUrl, credentials, options.sequential, pids, runId);
  console.log(`[login] sequential: p50 ${sequential.latencyMs.p50} ms, p99 ${sequential.latencyMs.p99} ms, ${sequential.loginsPerSecond} logins/s, identity ${sequential.cpuMsPerLogin.identity} ms CPU per login`);
  console.log(`[login] concurrent: ${options.loginConnections} connections, ${options.loginDuration} s ...`);
  const concurrent = await concurrentLogins(loginUrl, credentials, options, pids, runId);
  console.log(
    `[login] concurrent: ${concurrent.requestsPerSecond} logins/s, p50 ${concurrent.latencyMs.p50} ms, p99 ${concurrent.latencyMs.p99} ms, identity ${concurrent.cpu.coresUsedBy.identity} cores (${concurrent.cpuMsPerLogin.identity} ms CPU per login)`,
  );
  console.log(`[wrong passwords] ${options.wrongLogins} for an existing account and ${options.wrongLogins} for an unknown one ...`);
  const wrongPasswords = await enumerationTiming(loginUrl, citizen.email, options.wrongLogins);
  console.log(`[wrong passwords] p50 existing ${wrongPasswords.latencyMs.known.p50} ms, unknown ${wrongPasswords.latencyMs.unknown.p50} ms`);
  return { sequential, concurrent, wrongPasswords };
}

module.exports = { cpuOf, checkAllOk, loginCost };
