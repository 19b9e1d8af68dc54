'use strict';
/* The client of the fault matrix: open-loop requests at fixed rates, every answer recorded. */
const http = require('http');
const { performance } = require('perf_hooks');
const h = require('../lib/harness');

const T0 = performance.now();
/** Milliseconds since the bench started: every record's and mark's clock. */
const now = () => performance.now() - T0;

/** Sends one request and fills its `record` in: status, time taken, the id (201) or error code, Retry-After. */
function send(agent, base, record, request, clientTimeoutMs) {
  return new Promise((resolve) => {
    const text = JSON.stringify(request.body);
    const headers = { authorization: `Bearer ${request.token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'x-request-id': record.requestId };
    const req = http.request({ agent, host: base.hostname, port: base.port, method: request.method, path: request.path, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        record.ms = h.round(now() - record.at, 1);
        record.status = res.statusCode;
        record.retryAfter = res.headers['retry-after'];
        try {
          const json = JSON.parse(Buffer.concat(chunks).toString());
          if (res.statusCode === 201) record.id = json.id;
          else record.code = json.code;
        } catch {
          record.code = 'not JSON';
        }
        resolve();
      });
      res.on('error', (error) => {
        record.error = error.message;
        resolve();
      });
    });
    req.setTimeout(clientTimeoutMs, () => req.destroy(new Error(`no answer in ${clientTimeoutMs} ms`)));
    req.on('error', (error) => {
      if (record.status !== undefined) return;
      record.ms = h.round(now() - record.at, 1);
      record.status = 0;
      record.error = error.message;
      resolve();
    });
    req.end(text);
  });
}

/**
 * Starts `streams` (each `{ kind, rate, make() → { n, method, path, body, token, marker } }`) on
 * schedule whether or not earlier requests have answered; `stop()` stops sending, waits for what
 * is in flight and resolves every record: when it was sent, what came back, how long it took.
 */
function openLoop(gatewayUrl, streams, { clientTimeoutMs, phase }) {
  const base = new URL(gatewayUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1000 });
  const records = [];
  const running = new Set();
  let stopped = false;
  const started = performance.now();
  const fire = (stream) => {
    const request = stream.make();
    const record = { kind: stream.kind, phase, n: request.n, marker: request.marker, requestId: `fault-${phase}-${stream.kind}-${request.n}`, at: h.round(now(), 1) };
    records.push(record);
    const task = send(agent, base, record, request, clientTimeoutMs);
    running.add(task);
    task.finally(() => running.delete(task));
  };
  const loop = (async () => {
    const sent = streams.map(() => 0);
    while (!stopped) {
      const elapsed = (performance.now() - started) / 1000;
      streams.forEach((stream, i) => {
        for (const due = Math.floor(elapsed * stream.rate); sent[i] < due; sent[i]++) fire(stream);
      });
      await h.sleep(2);
    }
  })();
  return {
    records,
    inFlight: () => running.size,
    async stop() {
      stopped = true;
      await loop;
      await Promise.all(running);
      agent.destroy();
      return records;
    },
  };
}

module.exports = { now, openLoop };
