'use strict';
/* The permit routes, in an order in which each write step hands its records to the next. */
const h = require('../lib/harness');
const { API, APPLICATION_BODY, versionOf, sample } = require('./common');

const APPS = `${API}/permit-applications`;
const png = (ctx) => ctx.testing.TEST_PNG;

/** A lifecycle step measured on applications of `type` (a key of ctx.who: benchType, docsType, feeType). */
function step(action, type, from, to, who, extra = () => ({})) {
  const moved = [];
  return {
    route: `POST ${APPS}/{id}/actions`,
    label: `POST /permit-applications/{id}/actions ${action} (${from} → ${to})`,
    who,
    once: true,
    prepare: (ctx, n) => ctx.supply.applications(ctx.who[type], from, n),
    request: (a) => ({ path: `${APPS}/${a.id}/actions`, body: { action, ...extra() }, headers: { 'if-match': `"${a.version}"` } }),
    after: (a, res) => moved.push({ ...a, version: versionOf(res) }),
    finish: (ctx) => ctx.supply.give(ctx.who[type].code, to, moved.splice(0)),
  };
}

/** Waits until every application in `apps` has its certificate stored (rendered and signed by permits' consumer). */
async function certificatesOf(ctx, apps) {
  const ids = apps.map((a) => a.id);
  const stored = () => h.countOf(ctx.db('permits'), `SELECT count(*) FROM application_certificates WHERE application_id = ANY($1::uuid[])`, [ids]);
  await h.waitUntil(`${ids.length} certificates to be stored`, async () => (await stored()) === ids.length, 300_000, 1000);
  return apps;
}

function permitScenarios() {
  const drafts = [];
  const issued = [];
  return [
    { route: `GET ${API}/permit-types`, request: () => ({ path: `${API}/permit-types` }) },
    { route: `GET ${API}/permit-types/{code}`, request: () => ({ path: `${API}/permit-types/BENCH-DOCS` }) },
    { route: `GET ${APPS}`, label: 'GET /permit-applications?status=submitted (PUPR queue)', who: 'officer', request: () => ({ path: `${APPS}?status=submitted` }) },
    { route: `GET ${APPS}`, label: 'GET /permit-applications?overdue=true (PUPR queue)', who: 'officer', request: () => ({ path: `${APPS}?overdue=true` }) },
    { route: `GET ${APPS}`, label: "GET /permit-applications (a citizen's own)", who: 'citizen', request: () => ({ path: APPS }) },
    {
      route: `GET ${APPS}/{id}`,
      who: 'officer',
      prepare: (ctx, n) => sample(ctx, 'permits', `SELECT id AS x FROM applications TABLESAMPLE SYSTEM (5) WHERE agency_id = $2 AND status <> 'draft' LIMIT $1`, [n, ctx.who.pupr.id]),
      request: (id) => ({ path: `${APPS}/${id}` }),
    },
    {
      route: `POST ${APPS}`,
      who: 'citizen',
      expect: 201,
      request: (k, _i, ctx) => ({ path: APPS, body: APPLICATION_BODY(ctx.who.benchType.code, 1_000_000 + k) }),
      after: (_k, res, ctx) => drafts.push({ id: res.json.id, version: versionOf(res), type: ctx.who.benchType.code }),
      finish: (ctx) => ctx.supply.give(ctx.who.benchType.code, 'draft', drafts.splice(0)),
    },
    {
      route: `POST ${APPS}/{id}/submit`,
      label: 'POST /permit-applications/{id}/submit (draft → submitted)',
      who: 'citizen',
      once: true,
      prepare: (ctx, n) => ctx.supply.applications(ctx.who.benchType, 'draft', n),
      request: (a) => ({ path: `${APPS}/${a.id}/submit`, headers: { 'if-match': `"${a.version}"` } }),
      after: (a, res) => drafts.push({ ...a, version: versionOf(res) }),
      finish: (ctx) => ctx.supply.give(ctx.who.benchType.code, 'submitted', drafts.splice(0)),
    },
    {
      route: `PUT ${APPS}/{id}/documents/{documentCode}`,
      label: 'PUT /permit-applications/{id}/documents/{documentCode} (a 520-byte PNG, replacing)',
      who: 'citizen',
      expect: [200, 201],
      prepare: (ctx, n) => ctx.supply.applications(ctx.who.docsType, 'draft', Math.min(n, 500)).then((x) => (ctx.supply.give(ctx.who.docsType.code, 'draft', x), x)),
      request: (a, _k, ctx) => ({ path: `${APPS}/${a.id}/documents/KTP`, body: png(ctx), headers: { 'content-type': 'image/png' } }),
    },
    {
      route: `GET ${APPS}/{id}/documents/{documentCode}`,
      who: 'citizen',
      prepare: (ctx, n) => ctx.supply.applications(ctx.who.docsType, 'draft', Math.min(n, 500)).then((x) => (ctx.supply.give(ctx.who.docsType.code, 'draft', x), x)),
      request: (a) => ({ path: `${APPS}/${a.id}/documents/KTP` }),
    },
    step('verify', 'benchType', 'submitted', 'verified', 'officer'),
    step('request-revision', 'benchType', 'submitted', 'revision_requested', 'officer', () => ({ note: 'Lengkapi alamat usaha' })),
    step('resubmit', 'benchType', 'revision_requested', 'submitted', 'citizen'),
    step('reject', 'benchType', 'submitted', 'rejected', 'issuingHead', () => ({ note: 'Lokasi tidak sesuai tata ruang' })),
    step('recommend', 'benchType', 'verified', 'recommended', 'officer'),
    step('approve', 'benchType', 'recommended', 'approved', 'issuingHead'),
    step('approve', 'feeType', 'recommended', 'awaiting_payment', 'issuingHead'),
    step('record-payment', 'feeType', 'awaiting_payment', 'approved', 'issuing'),
    {
      ...step('issue', 'benchType', 'approved', 'issued', 'issuing'),
      after: (a, res) => issued.push({ ...a, version: versionOf(res) }),
      finish: (ctx) => ctx.supply.give(ctx.who.benchType.code, 'issued', issued.slice()),
    },
    {
      route: `GET ${APPS}/{id}/certificate`,
      label: 'GET /permit-applications/{id}/certificate (stored, signed PDF)',
      who: 'citizen',
      prepare: (ctx) => certificatesOf(ctx, issued.slice(0, 1000)),
      request: (a) => ({ path: `${APPS}/${a.id}/certificate` }),
    },
    step('revoke', 'benchType', 'issued', 'revoked', 'issuing', () => ({ note: 'Izin dicabut' })),
    step('withdraw', 'benchType', 'draft', 'withdrawn', 'citizen'),
    {
      route: `GET ${API}/permits/verify/{verificationCode}`,
      prepare: (ctx, n) => sample(ctx, 'permits', `SELECT verification_code AS x FROM applications TABLESAMPLE SYSTEM (5) WHERE verification_code IS NOT NULL LIMIT $1`, [n]),
      request: (code) => ({ path: `${API}/permits/verify/${encodeURIComponent(code)}` }),
    },
  ];
}

module.exports = { permitScenarios };
