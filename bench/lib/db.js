'use strict';
/* The benches' own SQL: one-off queries, and loading big tables fast. */
const { performance } = require('perf_hooks');
const { progressBar } = require('./progress');
const { round } = require('./stats');

/** One statement on a connection of its own: the pg result. */
async function queryOnce(databaseUrl, sql, params = []) {
  const { Client } = require('pg');
  const client = new Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The first column of the first row of a one-off query, as a number (a count). */
const countOf = async (databaseUrl, sql, params) => Number(Object.values((await queryOnce(databaseUrl, sql, params)).rows[0])[0]);

/** The migrations' secondary indexes of a table (those behind no constraint), by name. */
async function secondaryIndexes(client, table) {
  const { rows } = await client.query(
    `SELECT i.indexname AS name, i.indexdef AS definition FROM pg_indexes i
      WHERE i.schemaname = current_schema() AND i.tablename = $1
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass)
      ORDER BY i.indexname`,
    [table],
  );
  return rows;
}

/** Rebuilds indexes from their definitions, two at a time (CREATE INDEX takes a SHARE lock: builds can overlap); returns seconds. */
async function rebuildIndexes(databaseUrl, indexes) {
  const { Client } = require('pg');
  const started = performance.now();
  const bar = progressBar(`rebuilding ${indexes.length} indexes`, indexes.length, 'indexes');
  const queue = [...indexes];
  let built = 0;
  await Promise.all(
    [0, 1].map(async () => {
      const builder = new Client({ connectionString: databaseUrl });
      await builder.connect();
      try {
        await builder.query(`SET maintenance_work_mem = '256MB'`);
        for (let index = queue.shift(); index; index = queue.shift()) {
          await builder.query(index.definition);
          bar.update(++built);
        }
      } finally {
        await builder.end();
      }
    }),
  );
  bar.end();
  return (performance.now() - started) / 1000;
}

/**
 * Runs `SQL` for rows 1 … `rows` in batches of `batch` (`params(from, to)` its parameters) with
 * the table's secondary indexes dropped first; returns them (rebuild with rebuildIndexes) and the seconds.
 */
async function loadInBatches(client, { table, rows, batch, sql, params, label }) {
  const indexes = await secondaryIndexes(client, table);
  const started = performance.now();
  for (const index of indexes) await client.query(`DROP INDEX ${index.name}`);
  const bar = progressBar(label, rows);
  for (let from = 1; from <= rows; from += batch) {
    const to = Math.min(rows, from + batch - 1);
    await client.query(sql, params(from, to));
    bar.update(to);
  }
  bar.end();
  return { indexes, started };
}

/**
 * After loadInBatches: the indexes rebuilt from their own definitions, checked by `same(indexes,
 * rebuilt)` to be the migrations' set, then VACUUM (ANALYZE) of `vacuum` (as a long-lived table
 * would be: statistics, visibility map and hint bits set). The seconds of each step.
 */
async function finishLoad(client, databaseUrl, { table, indexes, same, vacuum = [table] }) {
  const indexSeconds = await rebuildIndexes(databaseUrl, indexes);
  const rebuilt = await secondaryIndexes(client, table);
  if (!same(indexes, rebuilt)) throw new Error(`the rebuilt indexes of ${table} differ from the migrations'`);
  process.stderr.write(`VACUUM (ANALYZE) ${table} ...\n`);
  const started = performance.now();
  for (const name of vacuum) await client.query(`VACUUM (ANALYZE) ${name}`);
  return { indexSeconds, vacuumSeconds: (performance.now() - started) / 1000 };
}

/** The figures of a bulk load: rows per second of the insert, the seconds of each step, the indexes rebuilt. */
function loadFigures({ rows, batch, insertSeconds, indexSeconds, vacuumSeconds, indexes }) {
  return {
    rows,
    batch,
    insertSeconds: round(insertSeconds, 1),
    rowsPerSecond: Math.round(rows / insertSeconds),
    indexRebuildSeconds: round(indexSeconds, 1),
    rebuiltIndexes: indexes.map((i) => i.name),
    vacuumAnalyzeSeconds: round(vacuumSeconds, 1),
  };
}

let autovacuum;

/**
 * Autovacuum on for the run, as every production PostgreSQL has it: this machine's CI configuration
 * turns it off (conf.d/90-ci.conf), and without it the queues the services churn (the outbox, the
 * audit chain's pending rows, notifications' jobs) keep every dead row, and their statements read
 * more of them minute by minute. Set with ALTER SYSTEM and a reload (no restart); `restore()` puts
 * the machine back as it was. Resolves whether it had to be turned on.
 */
async function autovacuumAsInProduction(databaseUrl, atCleanup) {
  if (autovacuum !== undefined) return autovacuum;
  const { rows } = await queryOnce(databaseUrl, 'SHOW autovacuum');
  autovacuum = rows[0].autovacuum !== 'on';
  if (autovacuum) {
    await queryOnce(databaseUrl, 'ALTER SYSTEM SET autovacuum = on');
    await queryOnce(databaseUrl, 'SELECT pg_reload_conf()');
    console.log('autovacuum was off on this PostgreSQL (as CI sets it); on for this run, as in production, and reset at its end');
    atCleanup(async () => {
      await queryOnce(databaseUrl, 'ALTER SYSTEM RESET autovacuum');
      await queryOnce(databaseUrl, 'SELECT pg_reload_conf()');
    });
  }
  return autovacuum;
}

module.exports = { queryOnce, countOf, secondaryIndexes, rebuildIndexes, loadInBatches, finishLoad, loadFigures, autovacuumAsInProduction };
