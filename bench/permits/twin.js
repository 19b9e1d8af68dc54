'use strict';
/*
 * The bare twin of create + submit: node:http + jose + pg, the same two POST routes and the same
 * SQL work per request as the permits service. makeTwin() is that work without the HTTP server,
 * shared by the bare twin and the skeleton's service (skeleton.js).
 */
const { randomUUID } = require('crypto');
const { twinBase, numberBlocks, jakartaYear, addWorkingDays, jsonServer, serveBare } = require('../lib/twins');

const APPS = '/api/v1/permit-applications';
const OPEN_STATUSES = ['submitted', 'verified', 'recommended'];
const OUTBOX_CHANNEL = 'outbox';
const COLUMNS = 'id, number, permit_type_code, agency_id, issuing_agency_id, applicant_id, status, form_data, location, fee, submitted_at, due_at, decided_at, issued_at, certificate_number, expires_at, version, created_at, updated_at';

const iso = (d) => (d ? d.toISOString() : undefined);
const historyOf = (history) => history.map((x) => ({ action: x.action, fromStatus: x.from_status, toStatus: x.to_status, actorId: x.actor_id, actorRole: x.actor_role, at: x.at.toISOString() }));

/** The application as the service answers it (with its history after a create). */
const response = (a, history) => ({
  id: a.id,
  number: a.number,
  permitTypeCode: a.permit_type_code,
  agencyId: a.agency_id,
  issuingAgencyId: a.issuing_agency_id,
  applicantId: a.applicant_id,
  status: a.status,
  formData: a.form_data,
  ...(a.location ? { location: a.location } : {}),
  fee: Number(a.fee),
  submittedAt: iso(a.submitted_at),
  dueAt: iso(a.due_at),
  overdue: OPEN_STATUSES.includes(a.status) && !!a.due_at && a.due_at < new Date(),
  decidedAt: iso(a.decided_at),
  issuedAt: iso(a.issued_at),
  ...(a.certificate_number ? { certificateNumber: a.certificate_number } : {}),
  expiresAt: iso(a.expires_at),
  version: a.version,
  createdAt: a.created_at.toISOString(),
  updatedAt: a.updated_at.toISOString(),
  ...(history ? { history: historyOf(history) } : {}),
});

const CREATE_SQL = `WITH app AS (
         INSERT INTO applications (id, number, permit_type_code, agency_id, issuing_agency_id, applicant_id, status, form_data, location, fee, sla_working_days, validity_months)
         VALUES ($1, $2, $3, $4, $5, $6, 'draft', $7, NULL, $8, $9, $10)
         RETURNING ${COLUMNS}
       ), history AS (
         INSERT INTO application_history (application_id, action, from_status, to_status, actor_id, actor_role)
         VALUES ($1, 'create', NULL, 'draft', $6, $11) RETURNING at
       )
       SELECT app.*, history.at AS history_at FROM app, history`;

const SUBMIT_SQL = `WITH step AS (
           UPDATE applications SET status = 'submitted', submitted_at = COALESCE(submitted_at, $3), due_at = $4, overdue_notified_at = NULL, updated_at = now(), version = version + 1
           WHERE id = $1 AND version = $2 RETURNING id, updated_at, version
         ), history AS (
           INSERT INTO application_history (application_id, action, from_status, to_status, actor_id, actor_role, note) SELECT id, 'submit', 'draft', 'submitted', $5, $6, NULL FROM step
         ), e AS (
           INSERT INTO outbox (id, type, record_id, event) VALUES ($7, $8, $9, $10), ($11, $12, $13, $14)
         )
         SELECT updated_at, version, pg_notify($15, '') FROM step`;

async function inTransaction(pool, work) {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * The permit types as the service keeps them: in memory for 5 s; read on the caller's connection
 * inside a transaction (a second pool connection would deadlock the pool under load).
 */
function typeCache(pool, fail) {
  const types = new Map();
  return async (code, client = pool) => {
    const cached = types.get(code);
    if (cached && cached.until > Date.now()) return cached.type;
    const { rows } = await client.query('SELECT * FROM permit_types WHERE code = $1 LIMIT 1', [code]);
    if (!rows[0]) throw fail(404, 'PERMITS.PERMIT_TYPE_NOT_FOUND', `no permit type ${code}`);
    types.set(code, { type: rows[0], until: Date.now() + 5000 });
    return rows[0];
  };
}

/** What stops a submit: the form's required fields, then (when the type requires some) the documents. */
async function checkComplete(client, type, app, fail) {
  const missing = type.form_fields.filter((f) => f.required && (app.form_data[f.code] === undefined || app.form_data[f.code] === null || app.form_data[f.code] === ''));
  if (missing.length) throw fail(400, 'PERMITS.INVALID_FORM', 'the form is not complete');
  if (!type.required_documents.some((d) => d.required)) return;
  const { rows: docs } = await client.query('SELECT code FROM application_documents WHERE application_id = $1', [app.id]);
  const uploaded = new Set(docs.map((d) => d.code));
  if (type.required_documents.some((d) => d.required && !uploaded.has(d.code))) throw fail(400, 'PERMITS.MISSING_DOCUMENTS', 'missing documents');
}

/** The submitted.v1 and status_changed.v1 events of a submit. */
function submitEvents(event, app, actor, dueAt, now) {
  const id = app.id;
  const data = { permitTypeCode: app.permit_type_code, agencyId: app.agency_id, issuingAgencyId: app.issuing_agency_id, dueAt: dueAt.toISOString() };
  const submitted = event('permits.application.submitted.v1', id, { applicationId: id, number: app.number, ...data }, now);
  const changed = event('permits.application.status_changed.v1', id, { applicationId: id, fromStatus: 'draft', toStatus: 'submitted', action: 'submit', actorRole: actor.role, at: now.toISOString(), ...data }, now);
  return [submitted, changed].flatMap((e) => [e.id, e.type, e.subject, JSON.stringify(e)]);
}

async function makeTwin() {
  const { pool, authenticate, fail, event } = await twinBase();
  const permitType = typeCache(pool, fail);
  // As the service: the number from a block of the sequence, then one prepared statement (the
  // application and its first history entry).
  const numbers = numberBlocks(pool, 'application_number_seq');
  async function create(actor, body) {
    if (typeof body.permitTypeCode !== 'string' || body.permitTypeCode.length > 40 || !body.formData || typeof body.formData !== 'object' || Array.isArray(body.formData)) {
      throw fail(400, 'COMMON.VALIDATION', 'permitTypeCode and formData are required');
    }
    const type = await permitType(body.permitTypeCode);
    if (!type.active) throw fail(409, 'PERMITS.PERMIT_TYPE_INACTIVE', `${type.code} is not open for applications`);
    const number = `PRM-${jakartaYear(new Date())}-${(await numbers.take()).padStart(6, '0')}`;
    const values = [randomUUID(), number, type.code, type.agency_id, type.issuing_agency_id, actor.id, JSON.stringify(body.formData), type.fee, type.sla_working_days, type.validity_months, actor.role];
    const { rows: [row] } = await pool.query({ name: 'bare_create', text: CREATE_SQL, values });
    return response(row, [{ action: 'create', from_status: null, to_status: 'draft', actor_id: actor.id, actor_role: actor.role, at: row.history_at }]);
  }
  // As the service: the row locked (prepared), then one prepared statement with the update, its
  // history row, both events and the notification, in one transaction.
  const submit = (actor, id) =>
    inTransaction(pool, async (client) => {
      const { rows: [app] } = await client.query({ name: 'bare_lock', text: `SELECT ${COLUMNS}, sla_working_days FROM applications WHERE id = $1 FOR UPDATE`, values: [id] });
      if (!app || app.applicant_id !== actor.id) throw fail(404, 'PERMITS.APPLICATION_NOT_FOUND', 'application not found');
      if (app.status !== 'draft') throw fail(409, 'PERMITS.INVALID_TRANSITION', `cannot submit an application that is ${app.status}`);
      await checkComplete(client, await permitType(app.permit_type_code, client), app, fail);
      const now = new Date();
      const dueAt = addWorkingDays(now, app.sla_working_days);
      const values = [id, app.version, now, dueAt, actor.id, actor.role, ...submitEvents(event, app, actor, dueAt, now), OUTBOX_CHANNEL];
      const { rows: [saved] } = await client.query({ name: 'bare_submit', text: SUBMIT_SQL, values });
      return response({ ...app, updated_at: saved.updated_at, version: saved.version, status: 'submitted', submitted_at: app.submitted_at ?? now, due_at: dueAt });
    });
  return { pool, create, submit, authenticate, fail };
}

/** The bare twin: makeTwin() behind node:http. */
async function runBare() {
  const { pool, create, submit, authenticate, fail } = await makeTwin();
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  const SUBMIT = new RegExp(`^${APPS}/([^/]+)/submit$`);
  const server = jsonServer(async (req, body) => {
    const route = req.url.split('?')[0];
    const submitMatch = SUBMIT.exec(route);
    if (req.method !== 'POST' || (route !== APPS && !submitMatch)) throw fail(404, 'COMMON.NOT_FOUND', 'no such route');
    const actor = await authenticate(req.headers.authorization);
    if (!submitMatch) return [201, await create(actor, body())];
    if (!UUID.test(submitMatch[1])) throw fail(400, 'COMMON.VALIDATION', 'id must be a UUID');
    return [200, await submit(actor, submitMatch[1])];
  });
  await serveBare(server, pool);
}

module.exports = { makeTwin, runBare };
