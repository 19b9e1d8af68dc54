'use strict';
/*
 * The bare twin of filing a complaint: the same token check, transaction and outbox write as
 * ComplaintsService.file(), with no framework (node:http + jose + pg). makeTwin() is that work
 * without the HTTP server, shared by the bare twin and the skeleton's service (skeleton.js).
 */
const { randomUUID } = require('crypto');
const { twinBase, twinError, numberBlocks, jakartaDay, endOfDay, jakartaYear, addWorkingDays, jsonServer, serveBare } = require('../lib/twins');

const API = '/api/v1';
const OUTBOX_CHANNEL = 'outbox';
const VISIBILITIES = ['public', 'anonymous', 'confidential'];

/** The filing's validation, as the contract's class-validator rules decide it. */
function validate(b) {
  const bad = [];
  const str = (v, min, max) => typeof v === 'string' && v.length >= min && v.length <= max;
  if (!str(b.categoryCode, 1, 40)) bad.push('categoryCode');
  if (!str(b.title, 5, 200)) bad.push('title');
  if (!str(b.description, 10, 5000)) bad.push('description');
  const l = b.location;
  if (!l || typeof l !== 'object' || typeof l.lat !== 'number' || Math.abs(l.lat) > 90 || typeof l.lng !== 'number' || Math.abs(l.lng) > 180) bad.push('location');
  for (const k of ['address', 'district', 'village']) if (l && l[k] !== undefined && !str(l[k], 0, k === 'address' ? 300 : 100)) bad.push(`location.${k}`);
  if (!VISIBILITIES.includes(b.visibility)) bad.push('visibility');
  if (bad.length) throw twinError(400, 'COMMON.VALIDATION', `invalid: ${bad.join(', ')}`);
}

// One prepared statement: the complaint, its history row, its outbox row and the relay's notification.
const FILE_SQL = `
    WITH c AS (
      INSERT INTO complaints (id, tracking_number, category_code, reporter_id, title, description, location, district, visibility, status, agency_id, due_at, final_due_at, escalated_stages)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'received', $10, $11, $12, '{}') RETURNING *),
    h AS (INSERT INTO complaint_history (complaint_id, action, from_status, to_status, actor_id, actor_role, note) SELECT id, 'file', NULL, 'received', reporter_id, $13, NULL FROM c),
    e AS (INSERT INTO outbox (id, type, record_id, event) VALUES ($14, $15, $16, $17))
    SELECT c.*, pg_notify($18, '') FROM c`;

/** The complaint as the service answers it. */
const answer = (c) => ({
  id: c.id,
  trackingNumber: c.tracking_number,
  categoryCode: c.category_code,
  title: c.title,
  description: c.description,
  location: c.location,
  visibility: c.visibility,
  status: c.status,
  agencyId: c.agency_id,
  reporterId: c.reporter_id,
  dueAt: c.due_at.toISOString(),
  finalDueAt: c.final_due_at.toISOString(),
  overdue: false,
  version: c.version,
  createdAt: c.created_at.toISOString(),
});

/** The categories as the service keeps them: 5 s in memory. */
function categoryCache(pool) {
  const categories = new Map();
  return async (code) => {
    const cached = categories.get(code);
    if (cached && cached.until > Date.now()) return cached.row;
    const { rows } = await pool.query({ name: 'bare_category', text: 'SELECT code, agency_id FROM complaint_categories WHERE code = $1 AND active LIMIT 1', values: [code] });
    categories.set(code, { row: rows[0], until: Date.now() + 5000 });
    return rows[0];
  };
}

/** The received.v1 event of a new complaint. */
function receivedEvent(event, { id, trackingNumber, cat, body, dueAt, finalDueAt, now }) {
  const { lat, lng, district } = body.location;
  const visibility = body.visibility;
  const location = visibility === 'confidential' ? { ...(district ? { district } : {}) } : { lat, lng, ...(district ? { district } : {}) };
  const data = { complaintId: id, trackingNumber, categoryCode: cat.code, agencyId: cat.agency_id, visibility, location, dueAt: dueAt.toISOString(), finalDueAt: finalDueAt.toISOString() };
  return event('complaints.complaint.received.v1', id, data, now);
}

/**
 * As the service: the category from the cache, the tracking number from a block of the sequence
 * (Monday–Friday deadlines; the service also skips identity's holidays), then FILE_SQL.
 */
async function makeTwin() {
  const { pool, authenticate, fail, event } = await twinBase();
  const category = categoryCache(pool);
  const numbers = numberBlocks(pool, 'complaint_number_seq');
  async function file(actor, body) {
    validate(body);
    const cat = await category(body.categoryCode);
    if (!cat) throw fail(404, 'COMPLAINTS.CATEGORY_NOT_FOUND', `no open category ${body.categoryCode}`);
    const now = new Date();
    const id = randomUUID();
    const trackingNumber = `LPR-${jakartaYear(now)}-${(await numbers.take()).padStart(6, '0')}`;
    const dueAt = addWorkingDays(now, 3);
    const finalDueAt = endOfDay(jakartaDay(now) + 60);
    const e = receivedEvent(event, { id, trackingNumber, cat, body, dueAt, finalDueAt, now });
    const values = [id, trackingNumber, cat.code, actor.id, body.title, body.description, body.location, body.location.district ?? null, body.visibility, cat.agency_id, dueAt, finalDueAt, actor.role];
    const { rows: [c] } = await pool.query({ name: 'bare_file', text: FILE_SQL, values: [...values, e.id, e.type, e.subject, JSON.stringify(e), OUTBOX_CHANNEL] });
    return answer(c);
  }
  return { pool, file, authenticate, fail };
}

/** The bare twin: makeTwin() behind node:http, `POST /api/v1/complaints` only. */
async function runBare() {
  const { pool, file, authenticate, fail } = await makeTwin();
  const server = jsonServer(async (req, body) => {
    if (req.method !== 'POST' || req.url.split('?')[0] !== `${API}/complaints`) throw fail(404, 'COMMON.NOT_FOUND', 'no such route');
    const actor = await authenticate(req.headers.authorization);
    return [201, await file(actor, body())];
  });
  await serveBare(server, pool);
}

module.exports = { makeTwin, runBare };
