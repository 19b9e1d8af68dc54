'use strict';
/* Rounding, distributions and a seeded PRNG: the arithmetic every bench shares. */

/** `x` to `digits` decimals; null for a missing value. */
const round = (x, digits = 2) => (x === undefined || x === null || Number.isNaN(x) ? null : Math.round(x * 10 ** digits) / 10 ** digits);

/** Kilobytes to megabytes, one decimal. */
const mb = (kb) => Math.round((kb / 1024) * 10) / 10;

const median = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
};

/**
 * count, min, p50/p90/p95/p99/p99.9 (nearest rank), max and mean of a list of numbers, rounded to
 * `digits` decimals (null: as measured). `{ count: 0 }` for an empty list.
 */
function distribution(values, digits = 2) {
  if (!values.length) return { count: 0 };
  const sorted = Float64Array.from(values).sort();
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
  const r = digits === null ? (x) => x : (x) => round(x, digits);
  return {
    count: sorted.length,
    min: r(sorted[0]),
    p50: r(at(0.5)),
    p90: r(at(0.9)),
    p95: r(at(0.95)),
    p99: r(at(0.99)),
    p999: r(at(0.999)),
    max: r(sorted[sorted.length - 1]),
    mean: r(sorted.reduce((a, b) => a + b, 0) / sorted.length),
  };
}

/** A small deterministic PRNG (mulberry32): the same seed gives every run the same data. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

module.exports = { round, mb, median, distribution, prng };
