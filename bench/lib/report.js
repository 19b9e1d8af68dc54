'use strict';
/* What every report carries (the tree and the machine measured), result files, and table helpers. */
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { ROOT } = require('./children');
const { round } = require('./stats');

function git(...args) {
  try {
    return execFileSync('git', args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return undefined;
  }
}

/** Newest mtime (ms) of a .js file under `dir`. */
function newestJs(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestJs(full));
    else if (entry.name.endsWith('.js')) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

/**
 * Which code was measured: the commit, whether `groups` (libs/, services/) differ from it, and
 * when their dist was built. With libs/ alone the flag is `libsDifferFromCommit`.
 */
function treeInfo(groups = ['libs', 'services']) {
  let newestDist = 0;
  for (const group of groups) {
    for (const project of fs.readdirSync(path.join(ROOT, group))) {
      const dist = path.join(ROOT, group, project, 'dist');
      if (fs.existsSync(dist)) newestDist = Math.max(newestDist, newestJs(dist));
    }
  }
  const changed = git('status', '--porcelain', '--untracked-files=no', '--', ...groups);
  const flag = groups.length === 1 ? `${groups[0]}DifferFromCommit` : 'sourcesDifferFromCommit';
  return {
    commit: git('rev-parse', '--short', 'HEAD'),
    [flag]: changed === undefined ? undefined : changed.length > 0,
    distBuiltAt: newestDist ? new Date(newestDist).toISOString() : undefined,
  };
}

function machineInfo() {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    memoryMb: Math.round(os.totalmem() / 1048576),
    kernel: os.release(),
    node: process.version,
  };
}

const loadAverage = () => os.loadavg().map((x) => round(x));
const uptime = () => execFileSync('uptime').toString().trim();

/** Writes `<out>/<name>-<date>.json` and returns its path. */
function writeResults(out, name, date, results) {
  fs.mkdirSync(out, { recursive: true });
  const file = path.join(out, `${name}-${date.replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  return file;
}

const relative = (file) => path.relative(process.cwd(), file) || file;

/** A table row: the first cell left-aligned, the others right-aligned, to `widths`. */
const tableRow = (cells, widths) => cells.map((c, i) => (i === 0 ? String(c ?? '').padEnd(widths[i]) : String(c ?? '').padStart(widths[i]))).join('  ');

/** The groups that used at least 0.05 cores in a CPU window, busiest first. */
const topCores = (cpu) =>
  Object.entries(cpu.coresUsedBy)
    .filter(([, c]) => c >= 0.05)
    .sort((a, b) => b[1] - a[1])
    .map(([n, c]) => `${n} ${c}`)
    .join(', ');

/** Every group of a CPU window, busiest first. */
const allCores = (cpu) =>
  Object.entries(cpu.coresUsedBy)
    .sort((a, b) => b[1] - a[1])
    .map(([n, c]) => `${n} ${c}`)
    .join(', ');

/** CPU milliseconds per request of each process group (postgres: all its processes) over a measured window. */
const cpuMsPerRequest = (cpu, requests) =>
  Object.fromEntries(
    Object.entries(cpu.cpuSecondsBy)
      .filter(([name]) => !/other|interrupts/.test(name))
      .map(([name, seconds]) => [name, round((seconds * 1000) / Math.max(1, requests), 3)]),
  );

module.exports = { treeInfo, machineInfo, loadAverage, uptime, writeResults, relative, tableRow, topCores, allCores, cpuMsPerRequest };
