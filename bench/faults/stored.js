'use strict';
/* Reading what was stored and published: the run's databases, and its stream as reporting may read it. */
const h = require('../lib/harness');

const REPORTING_CONSUMER = 'reporting';

/** Rows of a one-off query (the database may be down: five seconds to connect). */
const rowsOf = async (url, text, values = []) => (await h.queryOnce(url, text, values)).rows;

/**
 * Every message of `subject` in the stream: event id → how many copies. Read as reporting (the
 * NATS user that may replay the stream) through a push ordered consumer: its pull twin needs
 * `$JS.API.CONSUMER.MSG.NEXT` on a consumer of its own, which reporting's permissions do not give.
 */
async function streamCopies(nats, stream, subject) {
  const { connect } = require('nats');
  const creds = nats.envFor(REPORTING_CONSUMER);
  const nc = await connect({ servers: creds.NATS_URL, user: creds.NATS_USER, pass: creds.NATS_PASSWORD, inboxPrefix: `_INBOX.${creds.NATS_USER}` });
  try {
    const info = await (await nc.jetstreamManager()).streams.info(stream, { subjects_filter: subject });
    const total = info.state.subjects?.[subject] ?? 0;
    return total ? await readCopies(nc, subject, total) : new Map();
  } finally {
    await nc.close();
  }
}

async function readCopies(nc, subject, total) {
  const { consumerOpts } = require('nats');
  const copies = new Map();
  const opts = consumerOpts();
  opts.orderedConsumer();
  opts.filterSubject(subject);
  const subscription = await nc.jetstream().subscribe(subject, opts);
  let seen = 0;
  let stalled;
  const watchdog = setInterval(() => {
    if (stalled === seen) subscription.unsubscribe();
    stalled = seen;
  }, 10000);
  try {
    for await (const m of subscription) {
      const id = m.headers?.get('Nats-Msg-Id') || m.json().id;
      copies.set(id, (copies.get(id) ?? 0) + 1);
      if (++seen >= total || m.info.pending === 0) break;
    }
  } finally {
    clearInterval(watchdog);
  }
  if (seen < total) throw new Error(`read ${seen} of the ${total} messages of ${subject}, then nothing for 10 s`);
  return copies;
}

module.exports = { REPORTING_CONSUMER, rowsOf, streamCopies };
