'use strict';
/* What both parts of the notifications bench use: a citizen, the system's pids, the services' own timings. */
const path = require('path');
const h = require('../lib/harness');

/** Citizen `n` with `email`, registered and signed in: the token. */
function citizen(testing, gatewayUrl, n, email) {
  const person = { nik: testing.makeNik({ sequence: 9800 + n }), fullName: `Warga Bench ${n}`, email, phone: `08129980${1000 + n}`, password: `Sandi-Bench-Pesan-${n}` };
  return h.registerCitizen(gatewayUrl, person, 'registering');
}

/** --cpu-prof: V8 CPU profiles of a service (read them with bench/profile-summary.js). */
function profiled(options, name) {
  if (!options.cpuProf) return {};
  const dir = path.join(options.out, `profiles-notifications-${process.pid}`, name);
  return { NODE_ARGS: `--cpu-prof --cpu-prof-dir=${dir}` };
}

/** The pids of the system's running processes, by name (for the CPU figures). */
function systemPids(system) {
  const out = {};
  for (const [name, proc] of system.processes) if (proc.pid !== undefined) out[name] = proc.pid;
  return out;
}

/** p50/p99 of the handling time of `subjects`, from the services' own log lines. */
function rpcTimes(system, subjects) {
  const out = {};
  for (const service of ['identity', 'complaints', 'permits']) {
    for (const entry of system.process(service).records()) {
      if (entry.durationMs === undefined || !subjects.some((s) => entry.subject?.endsWith(s))) continue;
      (out[entry.subject] ??= []).push(entry.durationMs);
    }
  }
  return Object.fromEntries(Object.entries(out).map(([subject, values]) => [subject, h.distribution(values)]));
}

/** Rows of a one-off query on `databaseUrl`. */
const rowsOf = async (databaseUrl, sql, params) => (await h.queryOnce(databaseUrl, sql, params)).rows;

module.exports = { citizen, profiled, systemPids, rpcTimes, rowsOf };
