'use strict';
/* The complaint routes (and Open311's), in an order in which each write step hands its records to the next. */
const { API, COMPLAINT_BODY, versionOf, sample } = require('./common');

const ACTIONS = `${API}/complaints/{id}/actions`;
const png = (ctx) => ctx.testing.TEST_PNG;

/** A lifecycle step measured: records in `from`, moved by `who`, handed on in `to`. */
function step(action, from, to, who, extra = () => ({})) {
  const moved = [];
  return {
    route: `POST ${ACTIONS}`,
    label: `POST /complaints/{id}/actions ${action} (${from} → ${to})`,
    who,
    once: true,
    prepare: (ctx, n) => ctx.supply.complaints(from, n),
    request: (c, _k, ctx) => ({ path: `${API}/complaints/${c.id}/actions`, body: { action, ...extra(ctx) }, headers: { 'if-match': `"${c.version}"` } }),
    after: (c, res) => moved.push({ ...c, version: versionOf(res) }),
    finish: (ctx) => ctx.supply.give('complaint', to, moved.splice(0)),
  };
}

/** Public tracking numbers and PUPR's complaint ids of the seeded table. */
const seededPublic = (ctx, n) => sample(ctx, 'complaints', `SELECT tracking_number AS x FROM complaints TABLESAMPLE SYSTEM (2) WHERE visibility <> 'confidential' LIMIT $1`, [n]);
const seededOfPupr = (ctx, n) => sample(ctx, 'complaints', `SELECT id AS x FROM complaints TABLESAMPLE SYSTEM (5) WHERE agency_id = $2 LIMIT $1`, [n, ctx.who.pupr.id]);

function complaintScenarios() {
  const filed = [];
  const attached = [];
  return [
    { route: `GET ${API}/public/complaints`, label: 'GET /public/complaints (page 1)', request: () => ({ path: `${API}/public/complaints` }) },
    { route: `GET ${API}/public/complaints`, label: 'GET /public/complaints?page=50', request: () => ({ path: `${API}/public/complaints?page=50` }) },
    { route: `GET ${API}/public/complaints`, label: 'GET /public/complaints?categoryCode&status', request: () => ({ path: `${API}/public/complaints?categoryCode=roads-bridges&status=in_progress` }) },
    { route: `GET ${API}/public/complaints/{trackingNumber}`, prepare: seededPublic, request: (tn) => ({ path: `${API}/public/complaints/${encodeURIComponent(tn)}` }) },
    { route: `GET ${API}/complaints`, label: 'GET /complaints (PUPR queue, page 1)', who: 'officer', request: () => ({ path: `${API}/complaints` }) },
    { route: `GET ${API}/complaints`, label: 'GET /complaints?overdue=true (PUPR queue)', who: 'officer', request: () => ({ path: `${API}/complaints?overdue=true` }) },
    { route: `GET ${API}/complaints`, label: "GET /complaints (a citizen's own)", who: 'citizen', request: () => ({ path: `${API}/complaints` }) },
    { route: `GET ${API}/complaints/{id}`, who: 'officer', prepare: seededOfPupr, request: (id) => ({ path: `${API}/complaints/${id}` }) },
    {
      route: `POST ${API}/complaints`,
      who: 'citizen',
      expect: 201,
      request: (k) => ({ path: `${API}/complaints`, body: COMPLAINT_BODY(1_000_000 + k) }),
      after: (_k, res) => filed.push({ id: res.json.id, trackingNumber: res.json.trackingNumber, version: versionOf(res) }),
      finish: (ctx) => ctx.supply.give('complaint', 'received', filed.splice(0)),
    },
    step('verify', 'received', 'verified', 'admin'),
    step('reject', 'received', 'rejected', 'admin', () => ({ note: 'Bukan kewenangan daerah' })),
    step('dispose', 'verified', 'dispositioned', 'admin', (ctx) => ({ agencyId: ctx.who.pupr.id })),
    step('start', 'dispositioned', 'in_progress', 'officer'),
    step('resolve', 'in_progress', 'resolved', 'officer', () => ({ note: 'Sudah diperbaiki' })),
    {
      route: `POST ${API}/complaints/{id}/rating`,
      who: 'citizen',
      once: true,
      prepare: (ctx, n) => ctx.supply.complaints('resolved', n),
      request: (c) => ({ path: `${API}/complaints/${c.id}/rating`, body: { score: 4, comment: 'Cepat ditangani' } }),
      after: (c, res) => filed.push({ ...c, version: versionOf(res) ?? c.version + 1 }),
      finish: (ctx) => ctx.supply.give('complaint', 'rated', filed.splice(0)),
    },
    step('reopen', 'resolved', 'reopened', 'citizen', () => ({ note: 'Masih berlubang' })),
    step('confirm', 'resolved', 'closed', 'citizen'),
    step('close', 'resolved', 'closed', 'admin'),
    {
      route: `POST ${API}/complaints/{id}/forward-lapor`,
      label: 'POST /complaints/{id}/forward-lapor (admin, seeded complaints)',
      who: 'admin',
      expect: [200, 202],
      once: true,
      prepare: (ctx, n) => sample(ctx, 'complaints', `SELECT id AS x FROM complaints TABLESAMPLE SYSTEM (5) WHERE status <> 'rejected' AND lapor_status IS NULL LIMIT $1`, [n]),
      request: (id) => ({ path: `${API}/complaints/${id}/forward-lapor`, body: { note: 'Diteruskan ke SP4N-LAPOR!' } }),
    },
    {
      route: `POST ${API}/complaints/{id}/comments`,
      who: 'citizen',
      expect: 201,
      prepare: (ctx, n) => ctx.supply.complaints('verified', Math.min(n, 500)).then((x) => (ctx.supply.give('complaint', 'verified', x), x)),
      request: (c, k) => ({ path: `${API}/complaints/${c.id}/comments`, body: { body: `Mohon kabar terbaru (${k})` } }),
    },
    {
      route: `GET ${API}/complaints/{id}/comments`,
      who: 'citizen',
      prepare: (ctx, n) => ctx.supply.complaints('verified', Math.min(n, 500)).then((x) => (ctx.supply.give('complaint', 'verified', x), x)),
      request: (c) => ({ path: `${API}/complaints/${c.id}/comments` }),
    },
    {
      route: `POST ${API}/complaints/{id}/attachments`,
      who: 'citizen',
      expect: 201,
      prepare: (ctx, n) => ctx.supply.complaints('received', Math.min(n, 1000)).then((x) => (ctx.supply.give('complaint', 'received', x), x)),
      request: (c, _k, ctx) => ({ path: `${API}/complaints/${c.id}/attachments`, body: png(ctx), headers: { 'content-type': 'image/png' } }),
      after: (c, res) => attached.push({ ...c, attachmentId: res.json.id }),
    },
    {
      route: `GET ${API}/complaints/{id}/attachments`,
      who: 'citizen',
      prepare: () => attached,
      request: (c) => ({ path: `${API}/complaints/${c.id}/attachments` }),
    },
    {
      route: `GET ${API}/complaints/{id}/attachments/{attachmentId}`,
      who: 'citizen',
      prepare: () => attached,
      request: (c) => ({ path: `${API}/complaints/${c.id}/attachments/${c.attachmentId}` }),
    },
    {
      route: `GET ${API}/public/complaints/{trackingNumber}/attachments/{attachmentId}`,
      prepare: () => attached,
      request: (c) => ({ path: `${API}/public/complaints/${encodeURIComponent(c.trackingNumber)}/attachments/${c.attachmentId}` }),
    },
  ];
}

/** Open311 GeoReport v2 (not in the OpenAPI document: its routes are listed in common.js). */
function open311Scenarios() {
  const form = (ctx, k) =>
    Buffer.from(
      new URLSearchParams({ api_key: ctx.who.account.clientSecret, service_code: 'roads-bridges', lat: '2.601', long: '99.642', description: `Jembatan kayu di km ${k % 90} patah sebagian.` }).toString(),
    );
  return [
    { route: 'GET /open311/v2/discovery.json', request: () => ({ path: '/open311/v2/discovery.json' }) },
    { route: 'GET /open311/v2/services.json', request: () => ({ path: '/open311/v2/services.json' }) },
    { route: 'GET /open311/v2/services/{code}.json', request: () => ({ path: '/open311/v2/services/roads-bridges.json' }) },
    { route: 'GET /open311/v2/requests.json', label: 'GET /open311/v2/requests.json (last 90 days, 100 requests)', request: () => ({ path: '/open311/v2/requests.json' }) },
    { route: 'GET /open311/v2/requests.json', label: 'GET /open311/v2/requests.json?service_code&status', request: () => ({ path: '/open311/v2/requests.json?service_code=health&status=open' }) },
    { route: 'GET /open311/v2/requests/{id}.json', prepare: seededPublic, request: (tn) => ({ path: `/open311/v2/requests/${encodeURIComponent(tn)}.json` }) },
    { route: 'POST /open311/v2/requests.json', expect: 201, request: (k, _i, ctx) => ({ path: '/open311/v2/requests.json', body: form(ctx, k), headers: { 'content-type': 'application/x-www-form-urlencoded' } }) },
  ];
}

module.exports = { complaintScenarios, open311Scenarios };
