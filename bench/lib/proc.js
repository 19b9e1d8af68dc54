'use strict';
/* CPU and memory of processes and of the machine, from /proc. */
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const { performance } = require('perf_hooks');
const { sleep } = require('./children');
const { round, mb } = require('./stats');

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** VmRSS and VmHWM in kB and the thread count, or undefined once the process is gone. */
function memory(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)[1]);
    return { rssKb: field('VmRSS'), hwmKb: field('VmHWM'), threads: field('Threads') };
  } catch {
    return undefined;
  }
}

/** PSS and private (USS) memory in kB from smaps_rollup: RSS counts shared pages in every process. */
function proportional(pid) {
  try {
    const rollup = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const field = (name) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(rollup)?.[1] ?? 0);
    return { pssKb: field('Pss'), ussKb: field('Private_Clean') + field('Private_Dirty') };
  } catch {
    return undefined;
  }
}

/** user + system CPU seconds of a /proc stat line, and the command name. */
function parseStat(stat) {
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), seconds: (Number(rest[11]) + Number(rest[12])) / CLK_TCK };
}

function cpuOf(pid) {
  try {
    return parseStat(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** CPU seconds of a process's main thread (the event loop) alone; the rest is GC helpers and libuv's thread pool. */
function mainThreadCpu(pid) {
  try {
    return parseStat(fs.readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8')).seconds;
  } catch {
    return undefined;
  }
}

function machineCpu() {
  const [user, nice, system, idle, iowait, irq, softirq, steal] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
  return { busy: (user + nice + system + irq + softirq) / CLK_TCK, interrupts: (irq + softirq) / CLK_TCK, steal: steal / CLK_TCK, idle: (idle + iowait) / CLK_TCK };
}

/**
 * nats-server and postgres processes by pid. With `runId`, a postgres backend of this run's
 * databases (named in its command line) counts as "postgres (this run)" and every other postgres
 * process as "postgres (other)": other sessions on the machine use the same server.
 */
function serverPids(runId) {
  const found = {};
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const comm = cpuOf(entry)?.comm;
    if (comm === 'nats-server' || (comm === 'postgres' && !runId)) found[entry] = comm;
    else if (comm === 'postgres') {
      let cmdline;
      try {
        cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      } catch {
        continue;
      }
      found[entry] = cmdline.includes(` ${runId}_`) ? 'postgres (this run)' : 'postgres (other)';
    }
  }
  return found;
}

const DEFAULT_LABELS = { self: 'bench (load generator)', interrupts: 'kernel interrupts (softirq)', other: 'other (rest of the machine)' };

/** Seconds per group since `start`: the named processes, the servers, this process, interrupts, the rest. */
function cpuSeconds(start, named, labels) {
  const groups = {};
  for (const [name, pid] of Object.entries(named)) {
    const now = cpuOf(pid)?.seconds;
    if (now !== undefined) groups[name] = now - start.times[`p:${name}`];
  }
  for (const [pid, comm] of Object.entries({ ...start.servers, ...serverPids(labels.runId) })) {
    const now = cpuOf(pid)?.seconds;
    if (now === undefined) continue; // ended during the window: its share is lost
    groups[comm] = (groups[comm] ?? 0) + now - (start.times[`s:${pid}`] ?? 0);
  }
  const self = process.cpuUsage(start.self);
  groups[labels.self] = (self.user + self.system) / 1e6;
  const machine = machineCpu();
  // Interrupt time (loopback networking's softirq, mostly) is not charged to any process.
  groups[labels.interrupts] = machine.interrupts - start.machine.interrupts;
  const attributed = Object.values(groups).reduce((a, b) => a + b, 0);
  groups[labels.other] = Math.max(0, machine.busy - start.machine.busy - attributed);
  return { groups, machine };
}

/**
 * Starts a CPU window over `named` processes (name → pid); the returned function ends it and gives
 * the cores (and CPU seconds) each group used. `labels`: names of this process's, the interrupts'
 * and the rest of the machine's groups; `runId` splits postgres (see serverPids).
 */
function cpuWindow(named = {}, labels = {}) {
  const l = { ...DEFAULT_LABELS, ...labels };
  const start = { machine: machineCpu(), self: process.cpuUsage(), wall: performance.now(), servers: serverPids(l.runId), times: {} };
  for (const [name, pid] of Object.entries(named)) start.times[`p:${name}`] = cpuOf(pid)?.seconds ?? 0;
  for (const pid of Object.keys(start.servers)) start.times[`s:${pid}`] = cpuOf(pid)?.seconds ?? 0;
  return () => {
    const wall = (performance.now() - start.wall) / 1000;
    const { groups, machine } = cpuSeconds(start, named, l);
    const cores = {};
    for (const [name, seconds] of Object.entries(groups)) cores[name] = round(seconds / wall);
    return {
      wallSeconds: round(wall),
      coresAvailable: os.cpus().length,
      machineBusyCores: round((machine.busy - start.machine.busy) / wall),
      idleCores: round((machine.idle - start.machine.idle) / wall),
      stealCores: round((machine.steal - start.machine.steal) / wall),
      coresUsedBy: cores,
      cpuSecondsBy: Object.fromEntries(Object.entries(groups).map(([n, s]) => [n, round(s, 3)])),
    };
  };
}

/** Samples RSS (and threads) of the named processes until stopped: per-process and simultaneous-total peaks. */
function rssSampler(named, everyMs = 200) {
  const peak = {};
  const threads = {};
  let peakTotal = 0;
  let samples = 0;
  const sample = () => {
    let total = 0;
    for (const [name, pid] of Object.entries(named)) {
      const m = memory(pid);
      if (!m) continue;
      peak[name] = Math.max(peak[name] ?? 0, m.rssKb);
      threads[name] = Math.max(threads[name] ?? 0, m.threads);
      total += m.rssKb;
    }
    peakTotal = Math.max(peakTotal, total);
    samples++;
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return () => {
    clearInterval(timer);
    sample();
    const peakMb = Object.fromEntries(Object.entries(peak).map(([n, kb]) => [n, mb(kb)]));
    return { peakKb: peak, peakTotalKb: peakTotal, peakMb, peakTotalMb: mb(peakTotal), maxThreads: threads, samples };
  };
}

/** Cores busy on the machine over `ms`, before anything starts. */
async function busyCores(ms = 1000) {
  const before = machineCpu();
  const at = performance.now();
  await sleep(ms);
  return round((machineCpu().busy - before.busy) / ((performance.now() - at) / 1000));
}

module.exports = { CLK_TCK, memory, proportional, cpuOf, mainThreadCpu, machineCpu, serverPids, cpuWindow, rssSampler, busyCores };
