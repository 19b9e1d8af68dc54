'use strict';
/* Events as the services publish them: CloudEvents on JetStream. */
const { randomUUID } = require('crypto');

/** A CloudEvent as the services write them: `type` `<service>.<entity>.<event>.v1`, from `/regency/<service>`. */
function cloudEvent(type, subject, data, time = new Date()) {
  return {
    specversion: '1.0',
    id: randomUUID(),
    source: `/regency/${type.split('.')[0]}`,
    type,
    subject,
    time: new Date(time).toISOString(),
    datacontenttype: 'application/json',
    data,
  };
}

/**
 * Publishes `count` events (`make(i)`, each on `<prefix>.<type>`, its id as Nats-Msg-Id) with up to
 * `window` acknowledgements in flight, as a busy relay would.
 */
async function publishWindowed(js, prefix, count, make, window = 256) {
  const inFlight = new Set();
  for (let i = 0; i < count; i++) {
    const e = make(i);
    const p = js.publish(`${prefix}.${e.type}`, JSON.stringify(e), { msgID: e.id }).finally(() => inFlight.delete(p));
    inFlight.add(p);
    if (inFlight.size >= window) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
}

module.exports = { cloudEvent, publishWindowed };
