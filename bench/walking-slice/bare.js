'use strict';
/*
 * The bare path: two plain Node processes doing the slice's work with no framework. The responder
 * (a NATS queue subscriber and a pg Pool of 10) answers in Nest's wire format (`{pattern, data, id}`
 * → `{response, isDisposed, id}`); the HTTP front (node:http) makes one raw nats request per request.
 * Environment: BARE_NATS_URL, BARE_SUBJECT, BARE_DATABASE_URL, BARE_ALWAYS_COUNT.
 */
const { onStop } = require('../lib/children');

const AGENCIES_PATH = '/api/v1/agencies';
const SUBJECT = 'identity.agency.list';

/*
 * The SQL TypeORM sends for AgenciesService.list() with no filters (captured from the real
 * service). TypeORM's getManyAndCount() skips the COUNT when the page is not full and the offset
 * is 0 ("lazy count"): with 11 agencies and pageSize 20 the real path runs only the SELECT. The
 * bare responder applies the same rule, unless --bare-always-count is given.
 */
const SELECT_SQL =
  'SELECT "a"."id" AS "a_id", "a"."code" AS "a_code", "a"."name" AS "a_name", "a"."kind" AS "a_kind", ' +
  '"a"."created_at" AS "a_created_at", "a"."updated_at" AS "a_updated_at" FROM "agencies" "a" ORDER BY "a"."code" ASC LIMIT 20 OFFSET 0';
const COUNT_SQL = 'SELECT COUNT(DISTINCT("a"."id")) AS "cnt" FROM "agencies" "a"';

/** The agencies page as identity answers it. */
function agencyList(pool, alwaysCount) {
  return async (query) => {
    const page = Number(query.page) || 1;
    const pageSize = Number(query.pageSize) || 20;
    const client = await pool.connect();
    try {
      const { rows } = await client.query(SELECT_SQL);
      let total = rows.length; // TypeORM's lazy count (no offset, page not full)
      if (alwaysCount || rows.length === pageSize) total = Number((await client.query(COUNT_SQL)).rows[0].cnt);
      const items = rows.map((r) => ({ id: r.a_id, code: r.a_code, name: r.a_name, kind: r.a_kind }));
      return { items, page, pageSize, total };
    } finally {
      client.release();
    }
  };
}

/** Process 1: the responder. */
async function runBareResponder() {
  const { connect } = require('nats');
  const { Pool } = require('pg');
  const pool = new Pool({ connectionString: process.env.BARE_DATABASE_URL, max: 10 });
  const nc = await connect({ servers: process.env.BARE_NATS_URL, name: 'bare-responder' });
  const list = agencyList(pool, process.env.BARE_ALWAYS_COUNT === '1');
  nc.subscribe(process.env.BARE_SUBJECT, {
    queue: 'bare',
    callback: (err, msg) => {
      if (err || !msg.reply) return;
      let id;
      Promise.resolve()
        .then(() => {
          const request = JSON.parse(Buffer.from(msg.data).toString());
          id = request.id;
          return list(request.data || {});
        })
        .then(
          (response) => msg.respond(Buffer.from(JSON.stringify({ response, isDisposed: true, id }))),
          (error) => msg.respond(Buffer.from(JSON.stringify({ err: String(error && error.message), isDisposed: true, id }))),
        );
    },
  });
  await nc.flush();
  await pool.query('SELECT 1'); // fail now, not under load, if the database is not there
  // The bare processes end with the benchmark (IPC channel closed) or on SIGTERM.
  onStop(async () => {
    await nc.drain().catch(() => undefined);
    await pool.end().catch(() => undefined);
  }, 3000);
  process.send({ ready: true });
}

/** Process 2: the HTTP front. */
async function runBareHttp() {
  const http = require('http');
  const { randomUUID } = require('crypto');
  const { connect } = require('nats');
  const subject = process.env.BARE_SUBJECT;
  const nc = await connect({ servers: process.env.BARE_NATS_URL, name: 'bare-http' });
  const answer = (res) => (msg) => {
    const reply = JSON.parse(Buffer.from(msg.data).toString());
    if (reply.err !== undefined && reply.err !== null) {
      res.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ error: reply.err }));
      return;
    }
    const body = JSON.stringify(reply.response);
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    if (req.method !== 'GET' || url.pathname !== AGENCIES_PATH) {
      res.writeHead(404).end();
      return;
    }
    const payload = Buffer.from(JSON.stringify({ pattern: SUBJECT, data: Object.fromEntries(url.searchParams), id: randomUUID() }));
    nc.request(subject, payload, { timeout: 5000 }).then(answer(res), (error) => res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ error: error.message })));
  });
  server.keepAliveTimeout = 72000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  onStop(async () => {
    await new Promise((resolve) => server.close(resolve));
    await nc.drain().catch(() => undefined);
  }, 3000);
  process.send({ ready: true, port: server.address().port });
}

module.exports = { AGENCIES_PATH, SUBJECT, runBareResponder, runBareHttp };
