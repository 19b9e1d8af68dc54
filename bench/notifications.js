'use strict';
/*
 * Messages to people (issue 17's goals), two parts, each on the whole system:
 *
 *   latency  a citizen files complaints through the gateway at --rate per second for --seconds;
 *            a real SMTP server in this process receives the mails. Commit-to-message is the
 *            mail's arrival minus the complaint's createdAt (set in the filing's transaction).
 *            Goal: p99 <= 500 ms at 50 events/s. The first --warmup seconds (10) are filed at the
 *            same rate and reported apart (connections, JIT and caches warm up).
 *   intake   the channels are slow (the SMS provider answers after --hang ms, email is off) and
 *            --events status-change events of real complaints are published straight to JetStream
 *            as fast as it takes them. Goal: the consumer takes >= 1,000 events/s (jobs queued),
 *            the messages queue behind it (a queue, not a stall).
 *
 *   node bench/notifications.js [--parts=latency,intake] [--rate=50] [--seconds=60] [--warmup=10] [--coordinators=instant|digest] [--events=20000] [--hang=2000] [--cpu-prof] [--out=bench/results]
 * Build first (npx nx run-many -t build).
 */
const h = require('./lib/harness');
const { latency } = require('./notifications/latency');
const { intake } = require('./notifications/intake');

const OPTIONS = {
  parts: { type: 'list', default: ['latency', 'intake'] },
  rate: h.num(50, 0.1, 10000),
  seconds: h.num(60, 1, 3600),
  // Seconds of filing at the rate before the measured ones (connections, JIT, caches), reported apart.
  warmup: h.num(10, 0, 600),
  // Whether the coordinators (the admin) get a mail per complaint (`instant`, the default) or the daily digest.
  coordinators: h.str('instant', ['instant', 'digest']),
  events: h.int(20000, 1, 10_000_000),
  hang: h.int(2000, 0, 600_000),
  // Writes V8 CPU profiles of notifications and complaints (read them with bench/profile-summary.js).
  'cpu-prof': h.flag(),
  out: h.OUT,
};

h.runParts('notifications', h.readOptions(process.argv.slice(2), OPTIONS), { latency, intake });
