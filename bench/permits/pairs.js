'use strict';
/* Create + submit under load: the pair as one request sequence, measured with CPU and RSS. */
const { performance } = require('perf_hooks');
const h = require('../lib/harness');
const { BENCH_TYPE } = require('./setup');

const APPS = '/api/v1/permit-applications';
const BENCH_FORM = { businessName: 'Warung Bench', businessAddress: 'Jl. Jenderal Sudirman No. 1, Aek Kanopan' };
const DRAFT = { permitTypeCode: BENCH_TYPE, formData: BENCH_FORM };

/** Each route's latencies and failures over a load. */
const tally = () => ({ created: [], submitted: [], failedCreates: 0, failedSubmits: 0 });

function pairFigures(result, t, seconds) {
  return {
    ...result,
    pairsPerSecond: Math.round(Math.min(t.created.length, t.submitted.length) / seconds),
    completedPairs: t.submitted.length - t.failedSubmits,
    failedCreates: t.failedCreates,
    failedSubmits: t.failedSubmits,
    createLatencyMs: h.distribution(t.created),
    submitLatencyMs: h.distribution(t.submitted),
  };
}

/** The autocannon request sequence: POST create (the id read from the 201), POST :id/submit; each route timed from when its request is built. */
function pairRequests(token, t) {
  const now = () => performance.now();
  return [
    {
      method: 'POST',
      path: APPS,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(DRAFT),
      setupRequest: (req, context) => {
        context.t0 = now();
        return req;
      },
      onResponse: (status, body, context) => {
        if (context.t0 !== undefined) t.created.push(now() - context.t0);
        if (status === 201) context.id = JSON.parse(body).id;
        else t.failedCreates += 1;
      },
    },
    {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      setupRequest: (req, context) => {
        if (!context.id) return null; // create failed: start the next pair
        context.t1 = now();
        return { ...req, path: `${APPS}/${context.id}/submit` };
      },
      onResponse: (status, body, context) => {
        if (context.t1 !== undefined) t.submitted.push(now() - context.t1);
        if (status !== 200) t.failedSubmits += 1;
      },
    },
  ];
}

/** Create + submit pairs started at `rate` / 2 pairs per second, open-loop (h.paced): `rate` requests/s in all. */
async function pacedPairs(baseUrl, token, connections, duration, rate) {
  const t = tally();
  const unit = async (send) => {
    let started = performance.now();
    const draft = await send('POST', APPS, DRAFT);
    t.created.push(performance.now() - started);
    if (draft.status !== 201 || !draft.json?.id) {
      t.failedCreates += 1;
      return;
    }
    started = performance.now();
    const done = await send('POST', `${APPS}/${draft.json.id}/submit`);
    t.submitted.push(performance.now() - started);
    if (done.status !== 200) t.failedSubmits += 1;
  };
  const result = await h.paced({ url: baseUrl, headers: { authorization: `Bearer ${token}` }, rate: rate / 2, duration, connections, unit });
  return pairFigures(result, t, duration);
}

/**
 * Create then submit, as one autocannon request sequence per connection; autocannon's latency
 * covers both, the per-route latencies are timed here. With `rate`: pacedPairs.
 */
async function pairLoad(baseUrl, token, connections, duration, rate) {
  if (rate) return pacedPairs(baseUrl, token, connections, duration, rate);
  const t = tally();
  const result = h.summarize(await h.autocannon({ url: baseUrl, connections, duration, requests: pairRequests(token, t) }));
  return pairFigures(result, t, result.durationSeconds);
}

async function measurePairs(label, baseUrl, token, pids, options) {
  const run = (seconds) => pairLoad(baseUrl, token, options.connections, seconds, options.rate);
  const { result, cpu, rss } = await h.measureWindow({ run, pids, warmup: options.warmup, duration: options.pairDuration });
  console.log(
    `[${label}] ${result.pairsPerSecond} pairs/s, ${result.requestsPerSecond} req/s, p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms ` +
      `(create p99 ${result.createLatencyMs.p99}, submit p99 ${result.submitLatencyMs.p99}), non-2xx ${result.non2xx}, errors ${result.errors + result.timeouts}  (cores: ${h.topCores(cpu)})`,
  );
  return { ...result, cpu, cpuMsPerRequest: h.cpuMsPerRequest(cpu, result.requests), rssPeakMb: rss.peakMb };
}

/** One create + submit by hand, to check that a route answers as it should before loading it. */
async function probePair(baseUrl, token) {
  const created = await h.http('POST', `${baseUrl}${APPS}`, { token, body: DRAFT });
  if (created.status !== 201) throw new Error(`create answered ${created.status}: ${created.body.slice(0, 300)}`);
  const submitted = await h.http('POST', `${baseUrl}${APPS}/${created.json.id}/submit`, { token });
  if (submitted.status !== 200 || submitted.json.status !== 'submitted') throw new Error(`submit answered ${submitted.status}: ${submitted.body.slice(0, 300)}`);
  return { created: created.json, submitted: submitted.json };
}

module.exports = { measurePairs, probePair };
