'use strict';
/* The consumer child process (consumer.js), seen from the bench: started, asked over IPC, its clock compared with ours. */
const { spawn } = require('child_process');
const path = require('path');
const h = require('../lib/harness');
const { now } = require('./timing');

const SCRIPT = path.join(__dirname, '..', 'events.js');

/** Resolves the answers to `ask(cmd)` by message id; rejects them all when the process exits. */
function answers(child, entry) {
  const pending = new Map();
  let nextId = 1;
  entry.exit = new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      entry.exited = true;
      for (const { reject } of pending.values()) reject(new Error(`the consumer process exited (${code ?? signal})`));
      pending.clear();
      resolve({ code, signal });
    }),
  );
  entry.ready = new Promise((resolve, reject) => {
    child.on('message', (message) => {
      if (message.ready) resolve();
      const waiter = message.id !== undefined && pending.get(message.id);
      if (waiter) {
        pending.delete(message.id);
        waiter.resolve(message);
      }
    });
    entry.exit.then(({ code, signal }) => reject(new Error(`the consumer process exited before it was ready (${code ?? signal})`)));
  });
  const question = (cmd) =>
    new Promise((resolve, reject) => {
      if (entry.exited) return reject(new Error('the consumer process is gone'));
      const id = nextId++;
      pending.set(id, { resolve, reject });
      child.send({ id, cmd });
    });
  return (cmd, timeoutMs = 30000) => h.withTimeout(`the consumer's answer to ${cmd}`, question(cmd), timeoutMs);
}

/** Starts `events.js --role=consumer` with `env` (its output goes to ours); `profileDir`: a V8 CPU profile of it. */
function startConsumerProcess(env, profileDir) {
  const flags = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, '--cpu-prof-name=consumer.cpuprofile'] : [];
  const child = spawn(process.execPath, [...flags, SCRIPT, '--role=consumer'], { cwd: h.ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const entry = { child, exited: false };
  entry.ask = answers(child, entry);
  entry.stop = async () => {
    if (entry.exited) return;
    if (child.connected) child.send({ cmd: 'stop' });
    else child.kill('SIGTERM');
    const timer = setTimeout(() => !entry.exited && child.kill('SIGKILL'), 12000);
    await entry.exit;
    clearTimeout(timer);
  };
  return entry;
}

/** Offset of the child's clock against ours (child - parent), from the round trip with the least delay. */
async function clockOffset(consumer) {
  let best;
  for (let i = 0; i < 30; i++) {
    const sent = now();
    const { t } = await consumer.ask('clock');
    const back = now();
    if (!best || back - sent < best.rtt) best = { rtt: back - sent, offset: t - (sent + back) / 2 };
  }
  return { offsetMs: h.round(best.offset, 3), rttMs: h.round(best.rtt, 3) };
}

module.exports = { startConsumerProcess, clockOffset };
