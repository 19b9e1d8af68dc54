#!/usr/bin/env node
/*
 * Fault matrix: the whole system on a PostgreSQL cluster and a nats-server of its own, citizens
 * filing complaints (and starting permit drafts) at a fixed rate, while one fault at a time is
 * injected and lifted: SIGKILL of complaints, SIGKILL of reporting, NATS stopped, PostgreSQL
 * restarted, PostgreSQL stopped. After each it checks what a citizen and an auditor would notice:
 * every write answered 201 is in its database, every event of a stored complaint reached
 * reporting exactly once, no answer was a 5xx other than 503 nor took longer than the gateway's
 * RPC timeout, and the first request after recovery succeeded. See bench/README.md, "Fault matrix".
 *
 *   node bench/faults.js [--faults=kill-complaints,kill-reporting,nats-stop,pg-restart,pg-stop]
 *                        [--rate=25] [--draft-rate=5] [--citizens=5] [--steady=5] [--outage=10]
 *                        [--after=10] [--restart-delay=1] [--rpc-timeout=5000] [--margin=1000]
 *                        [--settle-timeout=90] [--seed=1] [--out=bench/results]
 *
 * Needs a built tree (npx nx run-many -t build) and PostgreSQL 15's binaries (POSTGRES_BIN_DIR,
 * default /usr/lib/postgresql/15/bin) and nats-server (NATS_SERVER_BINARY); never touches the
 * machine's PostgreSQL or NATS. Exit code: 0 when every fault kept every property, 1 when one did
 * not or the run failed.
 */
'use strict';

const h = require('./lib/harness');
const { main } = require('./faults/main');
const { FAULTS } = require('./faults/inject');

const OPTIONS = {
  faults: { type: 'list', default: Object.keys(FAULTS) },
  rate: h.num(25, 1, 500),
  'draft-rate': h.num(5, 0, 500),
  citizens: h.num(5, 1, 15),
  // Seconds: of load before the fault, of the outage, of load after recovery, before a killed service restarts.
  steady: h.num(5, 1, 300),
  outage: h.num(10, 1, 300),
  after: h.num(10, 1, 300),
  'restart-delay': h.num(1, 0, 60),
  'rpc-timeout': h.num(5000, 500, 60000),
  margin: h.num(1000, 0, 10000),
  'settle-timeout': h.num(90, 5, 600),
  seed: h.num(1),
  out: h.OUT,
};

h.runMain(() => main(h.readOptions(process.argv.slice(2), OPTIONS)));
