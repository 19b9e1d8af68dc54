'use strict';
/* Progress on stderr: a bar for work of known size, a status line for the rest. */
const { performance } = require('perf_hooks');

/** A one-line progress bar on stderr: percent, rate, ETA. Returns update(done) and end(). */
function progressBar(label, total, unit = 'rows') {
  const started = performance.now();
  const tty = process.stderr.isTTY;
  let lastLine = '';
  const render = (done) => {
    const seconds = (performance.now() - started) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    const eta = rate > 0 ? (total - done) / rate : Infinity;
    const width = 30;
    const filled = Math.round((done / total) * width);
    const fmt = (n) => Math.round(n).toLocaleString('en-US');
    const line =
      `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${((done / total) * 100).toFixed(1).padStart(5)} %  ` +
      `${fmt(done)}/${fmt(total)} ${unit}  ${fmt(rate)} ${unit}/s  ${done >= total ? `done in ${seconds.toFixed(1)} s` : `ETA ${Number.isFinite(eta) ? `${Math.ceil(eta)} s` : '?'}`}`;
    lastLine = line;
    process.stderr.write(tty ? `\r${line}` : `${line}\n`);
  };
  render(0);
  return { update: render, end: () => tty && lastLine && process.stderr.write('\n') };
}

/**
 * A status line on stderr every `everyMs` for work of unknown length (rewritten in place on a
 * terminal, one line per tick otherwise): `render()` returns the text. Returns stop().
 */
function statusLine(render, everyMs = 1000) {
  const tty = process.stderr.isTTY;
  let width = 0;
  const tick = () => {
    const line = render();
    process.stderr.write(tty ? `\r${line.padEnd(width)}` : `${line}\n`);
    width = Math.max(width, line.length);
  };
  const timer = setInterval(tick, everyMs);
  return () => {
    clearInterval(timer);
    tick();
    if (tty) process.stderr.write('\n');
  };
}

module.exports = { progressBar, statusLine };
