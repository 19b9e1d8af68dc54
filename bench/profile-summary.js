#!/usr/bin/env node
/*
 * Summarises the V8 CPU profiles written by `node bench/walking-slice.js --cpu-prof`: for each
 * process, the share of its busy (non-idle) CPU time per group (socket writes, GC, NATS client,
 * Nest, TypeORM, logging, ...) and the top functions.
 *
 *   node bench/profile-summary.js bench/results/profiles-<timestamp> [--skip=6] [--top=12]
 *
 * --skip: seconds at the start of each profile to leave out (start-up and module loading), so the
 * figures describe the process under load.
 */
'use strict';

const fs = require('fs');
const path = require('path');

const args = process.argv.slice(2);
const dir = args.find((a) => !a.startsWith('--'));
const option = (name, fallback) => Number(args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const skipSeconds = option('skip', 6);
const top = option('top', 12);
if (!dir || !fs.existsSync(dir)) {
  console.error('usage: node bench/profile-summary.js <profiles directory> [--skip=6] [--top=12]');
  process.exit(1);
}

/** Which group a sampled frame belongs to. */
function groupOf(frame) {
  const url = frame.url || '';
  const fn = frame.functionName;
  if (!url) {
    if (fn === 'writeBuffer' || fn === 'writev' || fn === 'writeUtf8String' || fn === 'writeLatin1String') return 'socket writes (syscalls)';
    if (fn === '(garbage collector)') return 'garbage collector';
    return `native: ${fn || '(anonymous)'}`;
  }
  if (url.includes('node_modules/')) {
    const parts = url.split('node_modules/').pop().split('/');
    const pkg = parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
    if (/^(pino|pino-http|nestjs-pino|@pinojs\/|sonic-boom|fast-redact)/.test(pkg)) return 'logging (pino, pino-http, nestjs-pino)';
    if (pkg.startsWith('@nestjs/')) return 'NestJS';
    if (/^(fastify|@fastify\/|find-my-way|light-my-request|avvio|middie)/.test(pkg)) return 'Fastify';
    if (/^(typeorm|typeorm-naming-strategies)$/.test(pkg)) return 'TypeORM';
    if (/^(pg|pg-protocol|pg-pool|pg-types|postgres-date|postgres-array|postgres-interval|postgres-bytea)$/.test(pkg)) return 'pg driver (incl. date parsing)';
    if (/^(class-validator|class-transformer|validator)$/.test(pkg)) return 'validation (class-validator/transformer)';
    return pkg;
  }
  if (url.startsWith('node:')) {
    if (/^node:(_http|http)/.test(url)) return 'node http';
    if (/^node:internal\/(modules|vm)|^node:internal\/bootstrap/.test(url)) return 'module loading';
    return 'node core (streams, events, timers, ...)';
  }
  if (/\/(libs|services)\//.test(url)) return 'this repo (libs/, services/)';
  if (url.includes('walking-slice')) return 'bare server code';
  return url;
}

/** walking-slice.js names each profile after its process (gateway.cpuprofile, bare-http.cpuprofile, ...). */
function processName(file, profile) {
  const named = /^([a-z-]+)\.cpuprofile$/.exec(file);
  if (named) return named[1];
  for (const node of profile.nodes) {
    const service = /services\/(\w+)\/dist\/main\.js/.exec(node.callFrame.url || '');
    if (service) return service[1];
  }
  return file;
}

const files = fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
if (!files.length) {
  console.error(`no .cpuprofile in ${dir}`);
  process.exit(1);
}
for (const file of files) {
  const profile = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const skipUntil = profile.startTime + skipSeconds * 1e6;
  const groups = {};
  const functions = {};
  let at = profile.startTime;
  let busy = 0;
  let idle = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i] || 0;
    const delta = profile.timeDeltas[i + 1] ?? 0; // time until the next sample is spent in this one
    if (at < skipUntil) continue;
    const frame = byId.get(profile.samples[i]).callFrame;
    if (frame.functionName === '(idle)') {
      idle += delta;
      continue;
    }
    busy += delta;
    const group = groupOf(frame);
    groups[group] = (groups[group] || 0) + delta;
    const fn = `${frame.functionName || '(anonymous)'} ${(frame.url || '').split('/').slice(-2).join('/')}`.trim();
    functions[fn] = (functions[fn] || 0) + delta;
  }
  const pct = (v) => `${((v / busy) * 100).toFixed(1).padStart(5)} %`;
  console.log(`\n${processName(file, profile)}: ${(busy / 1e6).toFixed(1)} s busy, ${(idle / 1e6).toFixed(1)} s idle after the first ${skipSeconds} s`);
  for (const [name, v] of Object.entries(groups).sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(v)}  ${name}`);
  console.log('  top functions:');
  for (const [name, v] of Object.entries(functions).sort((a, b) => b[1] - a[1]).slice(0, Math.min(top, 8))) console.log(`    ${pct(v)}  ${name}`);
}
