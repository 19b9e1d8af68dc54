'use strict';
/*
 * The benches' one harness: `const h = require('./lib/harness')` gives every shared piece.
 *   args.js        command lines (options declared as data)
 *   stats.js       rounding, distributions, a seeded PRNG
 *   proc.js        CPU and memory from /proc: CPU windows, RSS sampling
 *   children.js    child processes, waiting, stopping, child roles
 *   http.js        requests, autocannon, open-loop load
 *   load.js        measured windows under load
 *   progress.js    progress bars and status lines
 *   report.js      tree and machine info, result files, table helpers
 *   run.js         running a bench, cleanup on errors and signals
 *   system.js      the whole system as processes, and its API before the load
 *   db.js          one-off SQL, bulk loading with indexes rebuilt
 *   statements.js  the statements services run, from PostgreSQL's log; EXPLAIN
 *   twins.js       what the bare twins share
 *   cloud-events.js  events as the services publish them
 *   skeleton.js    the fixed architecture with no product in it (required on its own)
 */
module.exports = {
  ...require('./args'),
  ...require('./stats'),
  ...require('./proc'),
  ...require('./children'),
  ...require('./http'),
  ...require('./load'),
  ...require('./progress'),
  ...require('./report'),
  ...require('./run'),
  ...require('./system'),
  ...require('./db'),
  ...require('./statements'),
  ...require('./twins'),
  ...require('./cloud-events'),
};
