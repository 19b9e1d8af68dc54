'use strict';
/* Processes a bench starts: spawning, waiting, stopping (also on errors), and the child side of it. */
const { spawn } = require('child_process');
const path = require('path');

const ROOT = path.resolve(__dirname, '..', '..');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const children = new Set();

/**
 * Spawns `node args` (or `command args`) in the repository with only PATH and `env`, keeping its
 * last 200 lines of output. `ipc`: a channel for `process.send`.
 */
function startChild(name, args, env, { ipc = false, command = process.execPath } = {}) {
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  const entry = { name, child, output: [], exited: false };
  const collect = (chunk) => {
    entry.output.push(...chunk.toString().split('\n').filter(Boolean));
    if (entry.output.length > 200) entry.output.splice(0, entry.output.length - 200);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  entry.exit = new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      entry.exited = true;
      resolve({ code, signal });
    }),
  );
  children.add(entry);
  return entry;
}

/** SIGTERM, then SIGKILL after `timeoutMs`. */
async function stopChild(entry, timeoutMs = 10000) {
  if (!entry.exited) {
    entry.child.kill('SIGTERM');
    const timer = setTimeout(() => !entry.exited && entry.child.kill('SIGKILL'), timeoutMs);
    await entry.exit;
    clearTimeout(timer);
  }
  children.delete(entry);
}

const stopAllChildren = () => Promise.all([...children].map((c) => stopChild(c)));

function failIfExited(entry) {
  if (entry.exited) throw new Error(`${entry.name} exited early:\n${entry.output.slice(-20).join('\n')}`);
}

/** Polls `probe` every `everyMs` until it is truthy; throws after `timeoutMs` or when a `watched` process ends. */
async function waitUntil(what, probe, timeoutMs, everyMs, watched = []) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    watched.forEach(failIfExited);
    try {
      if (await probe()) return;
    } catch (error) {
      last = error;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last.message}` : ''}`);
}

/** `promise`, or an error naming `what` after `ms`. */
async function withTimeout(what, promise, ms) {
  let timer;
  try {
    return await Promise.race([
      promise,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Starts a child that reports `{ ready, port? }` over IPC once it serves (a bare twin, the
 * skeleton, a bare process of the walking slice) and waits for it: `{ bare, url, message }`.
 */
async function startBareTwin(args, env, name = 'bare') {
  const bare = startChild(name, args, env, { ipc: true });
  const message = await Promise.race([
    new Promise((resolve) => bare.child.once('message', resolve)),
    bare.exit.then(() => {
      throw new Error(`${name} exited early:\n${bare.output.slice(-20).join('\n')}`);
    }),
    sleep(15000).then(() => {
      throw new Error(`${name} did not start in 15 s`);
    }),
  ]);
  return { bare, url: `http://127.0.0.1:${message.port}`, message };
}

/**
 * In a child: runs `stop()` once on SIGTERM, SIGINT or the parent going away, then exits 0
 * (after `graceMs` at the latest, when given).
 */
function onStop(stop, graceMs) {
  let stopping = false;
  const once = () => {
    if (stopping) return;
    stopping = true;
    if (graceMs) setTimeout(() => process.exit(0), graceMs).unref();
    stop().finally(() => process.exit(0));
  };
  process.on('disconnect', once);
  process.on('SIGTERM', once);
  process.on('SIGINT', once);
}

/**
 * A bench file run as one of its child roles (`--role=NAME` on the command line): runs
 * `roles[NAME]()` and returns true (the process exits 1 if it fails); false when there is no --role.
 */
function runRole(roles) {
  const arg = process.argv.find((a) => a.startsWith('--role='));
  if (!arg) return false;
  const role = arg.slice('--role='.length);
  if (!roles[role]) throw new Error(`unknown role ${role}`);
  roles[role]().catch((error) => {
    console.error(`${role} failed: ${error.stack ?? error}`);
    process.exit(1);
  });
  return true;
}

module.exports = { ROOT, sleep, startChild, stopChild, stopAllChildren, failIfExited, waitUntil, withTimeout, startBareTwin, onStop, runRole };
