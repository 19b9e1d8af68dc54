'use strict';
/* The gateway's Prometheus figures: the token verification histogram over a window, and the event-loop delay. */
const { round } = require('../lib/stats');

const METRIC = 'auth_token_verification_seconds';
const GOAL_SECONDS = 0.001; // ≤ 1 ms p99 added per request by token verification

/** The histogram `name` from a Prometheus text exposition: per outcome, cumulative buckets, sum, count. */
function parseHistogram(text, name = METRIC) {
  const byOutcome = {};
  const labelsOf = (raw) => Object.fromEntries([...(raw ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
  for (const line of text.split('\n')) {
    const match = /^(\w+)(?:\{([^}]*)\})?\s+(\S+)/.exec(line);
    if (!match || !match[1].startsWith(name)) continue;
    const suffix = match[1].slice(name.length);
    const labels = labelsOf(match[2]);
    const histogram = (byOutcome[labels.outcome ?? ''] ??= { buckets: {}, sum: 0, count: 0 });
    const value = Number(match[3]);
    if (suffix === '_bucket') histogram.buckets[labels.le] = value;
    else if (suffix === '_sum') histogram.sum = value;
    else if (suffix === '_count') histogram.count = value;
  }
  return byOutcome;
}

/** The gateway's event-loop delay over the window since the previous scrape (prom-client resets it per scrape). */
function eventLoopDelay(text) {
  const value = (name) => {
    const match = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'm').exec(text);
    return match ? round(Number(match[1]) * 1000, 2) : null;
  };
  return { meanMs: value('nodejs_eventloop_lag_mean_seconds'), p50Ms: value('nodejs_eventloop_lag_p50_seconds'), p99Ms: value('nodejs_eventloop_lag_p99_seconds'), maxMs: value('nodejs_eventloop_lag_max_seconds') };
}

/** after − before for one outcome, as ascending [{le (seconds), cumulative}]. */
function histogramDelta(before, after) {
  const b = before ?? { buckets: {}, sum: 0, count: 0 };
  const a = after ?? { buckets: {}, sum: 0, count: 0 };
  const buckets = Object.keys(a.buckets)
    .map((le) => ({ le: le === '+Inf' ? Infinity : Number(le), cumulative: a.buckets[le] - (b.buckets[le] ?? 0) }))
    .sort((x, y) => x.le - y.le);
  return { buckets, sum: a.sum - b.sum, count: a.count - b.count };
}

/** As PromQL's histogram_quantile: linear interpolation inside the bucket holding the rank. */
function histogramQuantile(q, { buckets, count }) {
  if (!count) return null;
  const rank = q * count;
  let lowerLe = 0;
  let lowerCum = 0;
  for (const { le, cumulative } of buckets) {
    if (cumulative >= rank) {
      if (le === Infinity) return lowerLe; // beyond the last finite bucket: its bound is all we know
      if (cumulative === lowerCum) return le;
      return lowerLe + ((le - lowerLe) * (rank - lowerCum)) / (cumulative - lowerCum);
    }
    lowerLe = le;
    lowerCum = cumulative;
  }
  return lowerLe;
}

/** Share of observations at or below a bucket boundary (exact when `le` is a boundary). */
function shareAtOrBelow(le, { buckets, count }) {
  const bucket = buckets.find((b) => b.le === le);
  return bucket && count ? bucket.cumulative / count : null;
}

function summarizeVerification(delta) {
  const micros = (q) => round((histogramQuantile(q, delta) ?? NaN) * 1e6, 1);
  return {
    count: delta.count,
    meanMicros: delta.count ? round((delta.sum / delta.count) * 1e6, 1) : null,
    p50MicrosEstimated: micros(0.5),
    p90MicrosEstimated: micros(0.9),
    p99MicrosEstimated: micros(0.99),
    shareAtOrBelow1ms: round(shareAtOrBelow(GOAL_SECONDS, delta), 5),
    buckets: delta.buckets.map(({ le, cumulative }) => ({ le: le === Infinity ? '+Inf' : le, cumulative })),
  };
}

module.exports = { METRIC, GOAL_SECONDS, parseHistogram, eventLoopDelay, histogramDelta, summarizeVerification };
