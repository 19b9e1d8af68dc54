'use strict';
/*
 * The skeleton (bench/lib/skeleton.js) of complaints: the twin's filing behind a Nest gateway,
 * NATS and a Nest microservice with the relay and a consumer; and the public list with the
 * service's own statements, captured from PostgreSQL's log while the service answered the same
 * pages (SKELETON_LIST_STATEMENTS: page query → `{ select, params }`), either its rows as pg returns
 * them or the page's JSON text built by PostgreSQL and passed through unparsed.
 */
const skeleton = require('../lib/skeleton');
const { makeTwin } = require('./twin');

const API = '/api/v1';
const SKELETON = { file: 'skeleton.complaints.file', list: 'skeleton.complaints.listPublic', listJson: 'skeleton.complaints.listPublicJson' };

/** The key of a page's query (`district=…&page=5`, names sorted, encoded): what a captured statement is kept under. */
const listKey = (query) => new URLSearchParams(Object.keys(query).sort().map((k) => [k, String(query[k])])).toString();

/** The gateway's query: as Fastify parses it, the page as a number (as the service's validation makes it). */
const listQuery = (query) => ({ ...query, ...(query.page ? { page: Number(query.page) } : {}) });

/** The captured statements, each with its page's offset and size (contracts' pageOffset, as the service pages). */
function capturedStatements() {
  const { pageOffset } = require('@smart-regency/contracts');
  const statements = new Map();
  for (const [key, sql] of Object.entries(JSON.parse(process.env.SKELETON_LIST_STATEMENTS ?? '{}'))) {
    const { skip, take } = pageOffset(listQuery(Object.fromEntries(new URLSearchParams(key))));
    statements.set(key, { ...sql, offset: skip, pageSize: take });
  }
  return (query) => {
    const sql = statements.get(listKey(query));
    if (!sql) throw Object.assign(new Error(`no statement captured for the page ${listKey(query)}`), { status: 500 });
    return sql;
  };
}

async function runSkeletonService() {
  const twin = await makeTwin();
  const { countedTotal } = require('@smart-regency/contracts');
  const statementFor = capturedStatements();
  const names = new Map();
  const prepared = (text) => {
    if (!names.has(text)) names.set(text, `skel_list_${names.size}`);
    return names.get(text);
  };
  const list = async (query) => {
    const sql = statementFor(query);
    const { rows } = await twin.pool.query({ name: prepared(sql.select), text: sql.select, values: sql.params });
    const items = rows.map((row) => {
      const item = { ...row };
      delete item.matching;
      return item;
    });
    return { items, page: query.page ?? 1, pageSize: sql.pageSize, ...countedTotal(sql.offset, sql.pageSize, rows.length, rows[0]?.matching) };
  };
  const listJson = async (query) => {
    const sql = statementFor(query);
    const text = `SELECT coalesce(json_agg(t), '[]')::text AS json, max(t.matching) AS matching, count(*)::int AS n FROM (${sql.select}) t`;
    const { rows: [row] } = await twin.pool.query({ name: prepared(text), text, values: sql.params });
    return { json: row.json, page: query.page ?? 1, pageSize: sql.pageSize, ...countedTotal(sql.offset, sql.pageSize, row.n, row.matching ?? undefined) };
  };
  await skeleton.runService({
    pool: twin.pool,
    eventsFilter: 'complaints.>',
    handlers: { [SKELETON.file]: ({ actor, body }) => twin.file(actor, body ?? {}), [SKELETON.list]: list, [SKELETON.listJson]: listJson },
  });
}

function runSkeletonGateway() {
  const data = (request) => listQuery(request.query);
  return skeleton.runGateway({
    routes: [
      { method: 'POST', path: `${API.slice(1)}/complaints`, status: 201, subject: SKELETON.file, citizen: true, data: (request, actor) => ({ actor, body: request.body }) },
      { method: 'GET', path: `${API.slice(1)}/public/complaints`, status: 200, subject: SKELETON.list, data },
      { method: 'GET', path: `${API.slice(1)}/lean/public/complaints`, status: 200, subject: SKELETON.listJson, data, raw: true },
    ],
  });
}

module.exports = { listKey, runSkeletonService, runSkeletonGateway };
