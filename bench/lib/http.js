'use strict';
/* HTTP for the benches: single requests, autocannon runs, and open-loop load at a fixed rate. */
const httpModule = require('http');
const { performance } = require('perf_hooks');
const { sleep } = require('./children');
const { round, distribution } = require('./stats');

/**
 * One request with fetch: `{ status, body (text), json (parsed, or undefined), headers }`. The
 * body goes as JSON, or as it is when a Buffer (its content type in `headers`).
 */
async function http(method, url, { body, token, headers = {}, timeoutMs = 10000 } = {}) {
  const raw = Buffer.isBuffer(body);
  const res = await fetch(url, {
    method,
    headers: { ...(body !== undefined && !raw ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: body === undefined ? undefined : raw ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, body: text, json, headers: Object.fromEntries(res.headers) };
}

/** One autocannon run (programmatic, in this process). */
function autocannon(options) {
  const run = require('autocannon');
  return new Promise((resolve, reject) => {
    run({ pipelining: 1, timeout: 10, ...options }, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

/** The figures of an autocannon result; `rpsDigits`: decimals of requests/s. */
function summarize(result, rpsDigits = 0) {
  const total = result['1xx'] + result['2xx'] + result['3xx'] + result['4xx'] + result['5xx'];
  return {
    requestsPerSecond: round(total / result.duration, rpsDigits),
    latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max, mean: round(result.latency.average) },
    requests: total,
    ok2xx: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    durationSeconds: round(result.duration, 2),
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, s]) => [code, s.count])),
  };
}

/** A request body: JSON of a value, or a Buffer sent as it is (its content type in the request's headers). */
function encodeBody(body) {
  if (body === undefined) return { payload: undefined, headers: {} };
  if (Buffer.isBuffer(body)) return { payload: body, headers: { 'content-length': body.length } };
  const text = JSON.stringify(body);
  return { payload: text, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) } };
}

/**
 * `send(method, path, body, headers)` on a keep-alive agent of `connections` sockets (`headers`
 * on top of the load's; a Buffer body goes as it is): resolves `{ status, json, headers }` and
 * counts statuses and latencies into `stats`.
 */
function sender(url, headers, connections, stats) {
  const agent = new httpModule.Agent({ keepAlive: true, maxSockets: connections });
  const base = new URL(url);
  const send = (method, path, body, more = {}) =>
    new Promise((resolve) => {
      const started = performance.now();
      const { payload, headers: extra } = encodeBody(body);
      const req = httpModule.request({ agent, host: base.hostname, port: base.port, method, path, headers: { ...headers, ...extra, ...more } }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          stats.latencies.push(performance.now() - started);
          if (stats.codes) stats.codes[res.statusCode] = (stats.codes[res.statusCode] ?? 0) + 1;
          if (res.statusCode >= 200 && res.statusCode < 300) stats['2xx'] += 1;
          else stats.non2xx += 1;
          let json;
          try {
            json = JSON.parse(Buffer.concat(chunks).toString());
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode, json, headers: res.headers });
        });
      });
      req.setTimeout(10000, () => req.destroy(new Error('timeout')));
      req.on('error', () => {
        stats.errors += 1;
        resolve({ status: 0 });
      });
      req.end(payload);
    });
  return { send, close: () => agent.destroy() };
}

/** Starts `unit()` `rate` times a second for `duration` s on schedule; resolves each unit's latency from its due time. */
async function onSchedule(rate, duration, unit) {
  const units = [];
  const running = new Set();
  const start = performance.now();
  const end = start + duration * 1000;
  let scheduled = 0;
  while (performance.now() < end) {
    // Unit k is due at k / rate s: started once that instant has passed (not one interval later).
    const due = Math.min(Math.floor(((performance.now() - start) / 1000) * rate) + 1, Math.ceil(duration * rate));
    for (; scheduled < due; scheduled++) {
      const at = start + (scheduled * 1000) / rate;
      const task = unit().then(() => units.push(performance.now() - at));
      running.add(task);
      task.finally(() => running.delete(task));
    }
    await sleep(1);
  }
  await Promise.all(running);
  return units;
}

/**
 * Open-loop load at a fixed rate: `unit(send)` is started `rate` times a second for `duration` s,
 * on schedule whether or not earlier ones have finished (no coordinated omission: latency is from
 * the scheduled start to the end of the unit, queueing included). `send(method, path, body)` makes
 * one request on a keep-alive agent of `connections` sockets (more in flight wait for a socket,
 * and that wait counts) and resolves `{ status, json }`. autocannon's `overallRate` sends each
 * second's budget in a burst, so its latency at a rate says more about the burst than the system.
 * Resolves the summarize() shape plus `units`: the latency of whole units.
 */
async function paced({ url, headers = {}, rate, duration, connections = 50, unit }) {
  const stats = { '2xx': 0, non2xx: 0, errors: 0, latencies: [], codes: {} };
  const { send, close } = sender(url, headers, connections, stats);
  const units = await onSchedule(rate, duration, () => unit(send));
  close();
  const total = stats['2xx'] + stats.non2xx;
  const u = distribution(units);
  return {
    requestsPerSecond: Math.round(total / duration),
    latencyMs: { p50: u.p50, p90: u.p90, p99: u.p99, max: u.max, mean: u.mean },
    requests: total,
    non2xx: stats.non2xx,
    errors: stats.errors,
    timeouts: 0,
    durationSeconds: duration,
    units: u,
    requestLatencyMs: distribution(stats.latencies),
    statusCodes: stats.codes,
  };
}

/**
 * Open loop by count: `fire(i, fired)` for i = 0 … total - 1, the i-th at start + i / rate s whatever
 * the earlier ones do (`before(i)` runs just before its wait; `fired()` is how many have started).
 * Resolves what they resolve.
 */
async function fireOnSchedule(total, rate, fire, before = () => undefined) {
  const pending = [];
  const fired = () => pending.length;
  const started = performance.now();
  for (let i = 0; i < total; i++) {
    before(i);
    const wait = started + (i * 1000) / rate - performance.now();
    if (wait > 0) await sleep(wait);
    pending.push(fire(i, fired));
  }
  return Promise.all(pending);
}

module.exports = { http, autocannon, summarize, paced, fireOnSchedule };
