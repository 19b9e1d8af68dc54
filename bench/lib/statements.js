'use strict';
/*
 * The statements the services actually run, from PostgreSQL's own log: a service started with
 * logStatementsSlowerThan(N) in its environment (PGOPTIONS, read by node-postgres) has the server
 * log each statement slower than N ms with its parameters; N = 0 logs every one. They are read
 * back from the server log file (--pg-log), so no service code is loaded to know its SQL.
 */
const fs = require('fs');
const { performance } = require('perf_hooks');
const { round, distribution } = require('./stats');

const DEFAULT_SERVER_LOG = '/var/log/postgresql/postgresql-15-main.log';

const logStatementsSlowerThan = (ms) => ({ PGOPTIONS: `-c log_min_duration_statement=${ms}` });

/** The log's size now (where to read from later), or -1 when it cannot be read. */
function logOffset(file) {
  try {
    fs.accessSync(file, fs.constants.R_OK);
    return fs.statSync(file).size;
  } catch {
    return -1;
  }
}

/** Up to 64 MiB of the log from `from`. */
function readLog(file, from) {
  const fd = fs.openSync(file, 'r');
  try {
    const length = Math.min(fs.fstatSync(fd).size - from, 64 * 1048576);
    const buffer = Buffer.alloc(Math.max(0, length));
    fs.readSync(fd, buffer, 0, buffer.length, from);
    return buffer.toString('utf8');
  } finally {
    fs.closeSync(fd);
  }
}

/** The log's messages (a prefixed line and its tab-indented continuation lines) of `database`. */
function messagesOf(text, database) {
  const marker = `@${database} `;
  const messages = [];
  for (const line of text.split('\n')) {
    const last = messages[messages.length - 1];
    if (line.startsWith('\t') && last) last.text += `\n${line.slice(1)}`;
    else messages.push({ text: line, ours: line.includes(marker) });
  }
  return messages.filter((m) => m.ours).map((m) => m.text);
}

/** `$1 = '…', $2 = NULL, …` into an array of text values (null for NULL). */
function parameters(detail) {
  const values = [];
  for (const m of detail.matchAll(/\$(\d+) = (NULL|'((?:[^']|'')*)')/g)) values[Number(m[1]) - 1] = m[2] === 'NULL' ? null : m[3].replace(/''/g, "'");
  return values;
}

/**
 * Executed statements in the log text of `database`: `{ ms, sql, params }`. With the extended
 * protocol parse, bind and execute are logged apart; only execute (and simple-protocol statements)
 * count, each with the parameters logged right after it.
 */
function statementsIn(text, database) {
  const out = [];
  let last;
  for (const message of messagesOf(text, database)) {
    const duration = /LOG:\s+duration: ([\d.]+) ms\s+(?:execute [^:]*|statement): ([\s\S]*)$/.exec(message);
    const detail = /DETAIL:\s+parameters: ([\s\S]*)$/.exec(message);
    if (detail && last) last.params = parameters(detail[1]);
    last = duration ? { ms: Number(duration[1]), sql: duration[2], params: [] } : undefined;
    if (last) out.push(last);
  }
  return out;
}

/** Statements of `database` that the server logged since `from`, grouped by text, the most total time first. */
function slowStatements(file, from, database) {
  let text;
  try {
    text = readLog(file, from);
  } catch (error) {
    return { error: `cannot read ${file}: ${error.message}` };
  }
  const groups = new Map();
  for (const s of statementsIn(text, database)) {
    const group = groups.get(s.sql) ?? { sql: s.sql, count: 0, maxMs: 0, totalMs: 0, exampleParams: undefined };
    group.count += 1;
    group.totalMs += s.ms;
    if (s.ms >= group.maxMs) {
      group.maxMs = s.ms;
      group.exampleParams = s.params;
    }
    groups.set(s.sql, group);
  }
  return {
    statements: [...groups.values()].sort((a, b) => b.totalMs - a.totalMs).map((g) => ({ ...g, totalMs: Math.round(g.totalMs), meanMs: round(g.totalMs / g.count, 1) })),
  };
}

/**
 * The statements `database` ran while `work()` ran, as logged (the service must log every one:
 * logStatementsSlowerThan(0)); throws when the log cannot be read.
 */
async function statementsDuring(file, database, work) {
  const from = logOffset(file);
  if (from < 0) throw new Error(`cannot read the PostgreSQL server log ${file} (--pg-log=FILE)`);
  await work();
  return statementsIn(readLog(file, from), database);
}

/** Round trip of a statement (median of 5, after one unmeasured run), then its plan. */
async function planOf(client, sql, params) {
  await client.query(sql, params); // warm, as under load
  const times = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    await client.query(sql, params);
    times.push(performance.now() - t0);
  }
  const { rows } = await client.query(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params);
  const plan = rows.map((r) => r['QUERY PLAN']);
  const text = plan.join('\n');
  return {
    medianMs: distribution(times).p50,
    executionMs: Number(/Execution Time: ([\d.]+) ms/.exec(text)?.[1]),
    planningMs: Number(/Planning Time: ([\d.]+) ms/.exec(text)?.[1]),
    indexes: [...new Set(plan.flatMap((line) => [...line.matchAll(/(?:Index(?: Only)? Scan(?: Backward)? using|Bitmap Index Scan on) (\w+)/g)].map((m) => m[1])))],
    sort: plan.find((line) => /Sort Method/.test(line))?.trim(),
    heapBlocks: plan.find((line) => /Heap Blocks/.test(line))?.trim(),
    buffers: plan.find((line) => /Buffers:/.test(line))?.trim(),
    plan,
  };
}

/**
 * EXPLAIN (ANALYZE, BUFFERS) of each query's statements (`{ label, sql: { select, count, … }, params,
 * paramsOf?: { count: … } }`), after one unmeasured run; locking ones in a rolled-back transaction.
 */
async function explain(databaseUrl, queries) {
  const { Client } = require('pg');
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  const out = [];
  try {
    for (const q of queries) {
      for (const [kind, sql] of Object.entries(q.sql)) {
        if (typeof sql !== 'string') continue;
        const params = q.paramsOf?.[kind] ?? q.params;
        const locking = /FOR UPDATE/.test(sql);
        if (locking) await client.query('BEGIN');
        try {
          const { plan, ...figures } = await planOf(client, sql, params);
          out.push({ scenario: q.label, query: kind, ...figures, sql, params, plan });
        } finally {
          if (locking) await client.query('ROLLBACK');
        }
      }
    }
  } finally {
    await client.end();
  }
  return out;
}

module.exports = { DEFAULT_SERVER_LOG, logStatementsSlowerThan, logOffset, slowStatements, statementsDuring, explain };
