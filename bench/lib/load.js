'use strict';
/* A measured window under load: warm-up (discarded), then the load with CPU and RSS of the processes sampled. */
const { autocannon, summarize, paced } = require('./http');
const { cpuWindow, rssSampler } = require('./proc');
const { topCores, cpuMsPerRequest } = require('./report');

/**
 * `run(seconds)` once for `warmup` s, then for `duration` s with the CPU of `pids` (name → pid)
 * and their RSS sampled: `{ result, cpu, rss }`. `cpuLabels`: see proc.cpuWindow.
 */
async function measureWindow({ run, pids, warmup, duration, cpuLabels, onMeasuring = () => undefined }) {
  await run(warmup);
  onMeasuring();
  const stopCpu = cpuWindow(pids, cpuLabels);
  const stopRss = rssSampler(pids);
  const result = await run(duration);
  const cpu = stopCpu();
  const rss = stopRss();
  return { result, cpu, rss };
}

/**
 * A load on one URL for `seconds`: autocannon at `connections` (`load`: its url, method, headers,
 * body, requests), or with `load.rate` open-loop at that many requests/s (http.paced).
 */
function urlLoad(load, connections) {
  const { pathname, search } = new URL(load.url);
  const body = load.body === undefined ? undefined : JSON.parse(load.body);
  return (seconds) =>
    load.rate
      ? paced({ url: load.url, headers: load.headers, rate: load.rate, duration: seconds, connections, unit: (send) => send(load.method ?? 'GET', pathname + search, body) })
      : autocannon({ ...load, connections, duration: seconds }).then((r) => summarize(r));
}

/** The usual line about a measured window. */
function windowLine(label, result, cpu) {
  return (
    `[${label}] ${result.requestsPerSecond} req/s, p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms, non-2xx ${result.non2xx}, errors ${result.errors + result.timeouts}` +
    `  (cores: ${topCores(cpu)})`
  );
}

/** A measured window of `load` (see urlLoad): its figures, CPU per request of each process and peak RSS. */
async function measureLoad(label, load, pids, { warmup, duration, connections }) {
  const { result, cpu, rss } = await measureWindow({ run: urlLoad(load, connections), pids, warmup, duration });
  console.log(windowLine(label, result, cpu));
  return { ...result, cpu, cpuMsPerRequest: cpuMsPerRequest(cpu, result.requests), rssPeakMb: rss.peakMb };
}

module.exports = { measureWindow, urlLoad, windowLine, measureLoad };
