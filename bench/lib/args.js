'use strict';
/*
 * Command lines: every bench declares its options as data and reads them here (node:util's
 * parseArgs, strict: an unknown option is an error). Per option:
 *   type     'int' | 'number' | 'ints' | 'numbers' (comma lists) | 'string' | 'list' (comma list of
 *            strings) | 'path' (resolved) | 'flag' | 'env' (repeatable NAME=value, into an object)
 *   default  a value, or (options) => value from the other options
 *   min/max  bounds of a number (or of each in a list); max may be (options) => bound
 *   choices  the values a string may take; parse: (value) => what to keep
 *   key      the property to set (default: the name in camelCase); set: what a flag sets (true)
 */
const path = require('path');
const { parseArgs } = require('util');
const { DEFAULT_SERVER_LOG } = require('./statements');

const camel = (name) => name.replace(/-([a-z])/g, (_, c) => c.toUpperCase());
const numbers = (v) => v.split(',').filter(Boolean).map(Number);

const CONVERT = {
  int: Number,
  number: Number,
  ints: numbers,
  numbers,
  string: (v) => v,
  list: (v) => v.split(',').filter(Boolean),
  path: (v) => path.resolve(v),
};

/** `--service-env=NAME=value` values into `{ NAME: value }`. */
function environment(name, values) {
  const out = {};
  for (const value of values) {
    const [key, ...rest] = value.split('=');
    if (!/^[A-Z][A-Z0-9_]*$/.test(key) || !rest.length) throw new Error(`--${name} needs NAME=value, got ${value}`);
    out[key] = rest.join('=');
  }
  return out;
}

function convert(name, spec, value) {
  if (spec.type === 'env') return environment(name, value);
  if (spec.choices && !spec.choices.includes(value)) throw new Error(`--${name} must be ${spec.choices.join(' or ')}`);
  const converted = CONVERT[spec.type](value);
  return spec.parse ? spec.parse(converted) : converted;
}

function checkBounds(name, spec, value, options) {
  if (spec.min === undefined || value === undefined) return;
  const max = typeof spec.max === 'function' ? spec.max(options) : spec.max;
  const whole = spec.type === 'int' || spec.type === 'ints';
  for (const v of Array.isArray(value) ? value : [value]) {
    if (!Number.isFinite(v) || (whole && !Number.isInteger(v)) || v < spec.min || v > max) {
      throw new Error(`--${name} must be ${whole ? 'an integer' : 'a number'} in ${spec.min}..${max}`);
    }
  }
}

/** Reads `argv` (without node and the script) against `spec`; returns the options object. */
function readOptions(argv, spec) {
  const declared = Object.fromEntries(Object.entries(spec).map(([name, s]) => [name, { type: s.type === 'flag' ? 'boolean' : 'string', multiple: s.type === 'env' }]));
  const { values } = parseArgs({ args: argv, options: declared, strict: true, allowPositionals: false });
  const options = {};
  const later = [];
  for (const [name, s] of Object.entries(spec)) {
    const key = s.key ?? camel(name);
    const given = values[name];
    if (s.type === 'flag') {
      if (given) options[key] = s.set ?? true;
      else if (!(key in options)) options[key] = s.default ?? false;
    } else if (given !== undefined) options[key] = convert(name, s, given);
    else if (typeof s.default === 'function') later.push([key, s.default]);
    else options[key] = s.default;
  }
  for (const [key, fallback] of later) options[key] = fallback(options);
  for (const [name, s] of Object.entries(spec)) checkBounds(name, s, options[s.key ?? camel(name)], options);
  return options;
}

// Specs, shortest: an integer or a number in min..max (default undefined: none), a flag, a string.
const int = (value, min, max) => ({ type: 'int', default: value, min, max });
const num = (value, min, max) => ({ type: 'number', default: value, min, max });
const flag = (more = {}) => ({ type: 'flag', ...more });
const str = (value, choices) => ({ type: 'string', default: value, ...(choices ? { choices } : {}) });
/** --out: where results go (bench/results). */
const OUT = { type: 'path', default: path.join(__dirname, '..', 'results') };

/** A load's window: --duration s measured after --warmup s, at --connections. */
const windowOptions = ({ duration, warmup, connections }, spec = int) => ({ duration: spec(duration, 1, 300), warmup: spec(warmup, 0, 60), connections: spec(connections, 1, 1000) });

/** What the benches on a seeded table (complaints.js, permits.js) share. */
const SEEDED_OPTIONS = {
  rows: int(1_000_000, 1000, 5_000_000),
  batch: int(50_000, 1000, 200_000),
  ...windowOptions({ duration: 12, warmup: 3, connections: 50 }),
  rate: int(undefined, 1, 100000),
  'read-rate': int(undefined, 1, 100000),
  'deep-page': int(50, 2, 10000),
  only: str(),
  'skip-reads': flag(),
  'skip-skeleton': flag(),
  'skeleton-events': { ...str(true, ['on', 'off']), parse: (v) => v === 'on' },
  'cpu-prof': flag(),
  'service-env': { type: 'env', default: {} },
  'pg-log': str(DEFAULT_SERVER_LOG),
  out: OUT,
};

module.exports = { readOptions, int, num, flag, str, OUT, windowOptions, SEEDED_OPTIONS };
