'use strict';
/* What the routes bench's scenario files share: records from the seeded tables, and which routes are left out of the goal and why. */
const h = require('../lib/harness');
const { versionOf, COMPLAINT_BODY, APPLICATION_BODY } = require('./supply');

const API = '/api/v1';

/** Up to `n` values (column `x`) of a query on a service's database; at least one, or it throws. */
async function sample(ctx, service, sql, params) {
  const rows = (await h.queryOnce(ctx.db(service), sql, params)).rows.map((r) => r.x);
  if (rows.length === 0) throw new Error(`no rows for ${sql}`);
  return rows;
}

/** Routes the gateway serves outside its OpenAPI document (health for probes; GeoReport v2 has its own contract). */
const EXTRA_ROUTES = [
  'GET /health/live',
  'GET /health/ready',
  'GET /open311/v2/discovery.json',
  'GET /open311/v2/services.json',
  'GET /open311/v2/services/{code}.json',
  'GET /open311/v2/requests.json',
  'GET /open311/v2/requests/{id}.json',
  'POST /open311/v2/requests.json',
];

/**
 * Routes not loaded at the goal's rate, and why: the issue leaves out sign-in and registration,
 * whose argon2 is meant to cost ~25 ms of CPU; every route that hashes or checks a password is
 * the same work. Their cost is in bench/auth.js.
 */
const NOT_AT_RATE = {
  'POST /api/v1/auth/login': 'sign-in: argon2 (bench/auth.js)',
  'POST /api/v1/auth/register': 'registration: argon2',
  'POST /api/v1/users': 'creates a staff account with its first password: argon2',
  'POST /api/v1/me/password': 'checks the current password and hashes the new one: argon2 twice',
  'DELETE /api/v1/me': 'erasure is confirmed with the password: argon2',
};

module.exports = { API, sample, versionOf, COMPLAINT_BODY, APPLICATION_BODY, EXTRA_ROUTES, NOT_AT_RATE };
