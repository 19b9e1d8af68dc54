'use strict';
/*
 * Identity, the catalogues, reports, the audit trail, notifications and webhooks. The scenarios
 * that create catalogue entries or webhooks by the thousand come last (`lateScenarios`): after
 * them the directory, the categories and the webhooks are not what a regency has.
 */
const { Pool } = require('pg');
const h = require('../lib/harness');
const { API, sample } = require('./common');
const { call, inParallel } = require('./supply');
const { seed: seedNotifications } = require('../notifications/seed');

const bearer = (token) => ({ authorization: `Bearer ${token}` });

/** The items of a list the admin reads (a page, or an array). */
async function listed(ctx, path) {
  const res = await call(ctx.url, 'GET', path, { token: await ctx.who.token('admin') });
  const items = h.expect(`GET ${path}`, res, 200);
  return Array.isArray(items) ? items : items.items;
}

const FROM_TO = 'from=2025-01-01&to=2026-12-31';
const form = (fields) => Buffer.from(new URLSearchParams(fields).toString());
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** `n` refresh tokens of the crowd's citizens in turn, each from a sign-in (argon2). */
async function refreshTokens(ctx, n) {
  const people = ctx.who.crowd.credentials;
  const bar = h.progressBar('sign-ins for refresh tokens', n, 'tokens');
  let done = 0;
  const tokens = await inParallel(Array.from({ length: n }, (_, i) => people[i % people.length]), async ({ email, password }) => {
    const res = await call(ctx.url, 'POST', `${API}/auth/login`, { body: { identifier: email, password } });
    if (res.status !== 200) throw new Error(`sign-in answered ${res.status}: ${res.body.slice(0, 200)}`);
    bar.update(++done);
    return res.json.refreshToken;
  });
  bar.end();
  return tokens;
}

function identityScenarios() {
  const live = [];
  return [
    { route: 'GET /health/live', request: () => ({ path: '/health/live' }) },
    { route: 'GET /health/ready', request: () => ({ path: '/health/ready' }) },
    { route: 'GET /.well-known/jwks.json', request: () => ({ path: '/.well-known/jwks.json' }) },
    {
      route: `POST ${API}/auth/refresh`,
      label: 'POST /auth/refresh (250 sessions of 50 citizens; each token once, its successor back in the pool)',
      prepare: async (ctx) => {
        live.push(...(await refreshTokens(ctx, 250)));
        return [0];
      },
      request: () => ({ path: `${API}/auth/refresh`, body: { refreshToken: live.shift() } }),
      after: (_x, res) => live.push(res.json.refreshToken),
    },
    {
      route: `POST ${API}/auth/logout`,
      expect: 204,
      once: true,
      prepare: (ctx, n) => refreshTokens(ctx, n),
      request: (token) => ({ path: `${API}/auth/logout`, body: { refreshToken: token } }),
    },
    {
      route: `POST ${API}/auth/token`,
      label: 'POST /auth/token (client credentials)',
      request: (_k, _i, ctx) => ({ path: `${API}/auth/token`, body: form({ grant_type: 'client_credentials', client_id: ctx.who.account.clientId, client_secret: ctx.who.account.clientSecret }), headers: FORM }),
    },
    { route: `POST ${API}/service-accounts`, who: 'admin', expect: 201, request: (k) => ({ path: `${API}/service-accounts`, body: { name: `bench account ${k}`, scopes: ['reports:read'] } }) },
    { route: `GET ${API}/me`, who: 'citizen2', request: () => ({ path: `${API}/me` }) },
    {
      route: `PATCH ${API}/me`,
      label: 'PATCH /me (50 citizens, each their own)',
      prepare: (ctx) => ctx.who.crowd.tokens(),
      request: (token, k) => ({ path: `${API}/me`, body: { fullName: `Warga Bench ${k % 2 ? 'Satu' : 'Dua'}` }, headers: bearer(token) }),
    },
    { route: `GET ${API}/me/data-export`, who: 'citizen2', request: () => ({ path: `${API}/me/data-export` }) },
    { route: `GET ${API}/agencies`, label: 'GET /agencies (public)', request: () => ({ path: `${API}/agencies` }) },
    {
      route: `PATCH ${API}/agencies/{id}`,
      label: 'PATCH /agencies/{id} (every agency in turn)',
      who: 'admin',
      prepare: (ctx) => ctx.who.agencies,
      request: (a, k) => ({ path: `${API}/agencies/${a.id}`, body: { name: k % 2 ? a.name : `${a.name} (bench)` } }),
    },
    { route: `GET ${API}/users`, who: 'admin', request: () => ({ path: `${API}/users` }) },
    {
      route: `GET ${API}/users/{id}`,
      who: 'admin',
      prepare: (ctx, n) => sample(ctx, 'identity', `SELECT id AS x FROM users LIMIT $1`, [n]),
      request: (id) => ({ path: `${API}/users/${id}` }),
    },
    {
      route: `PATCH ${API}/users/{id}`,
      label: 'PATCH /users/{id} (50 accounts in turn)',
      who: 'admin',
      prepare: (ctx) => ctx.who.crowd.ids,
      request: (id, k) => ({ path: `${API}/users/${id}`, body: { fullName: `Warga Bench ${k % 2 ? 'Satu' : 'Dua'}` } }),
    },
    { route: `GET ${API}/calendar/{year}`, request: () => ({ path: `${API}/calendar/2026` }) },
    {
      route: `PUT ${API}/calendar/{year}`,
      label: 'PUT /calendar/{year} (2031–2040 in turn)',
      who: 'admin',
      request: (k) => {
        const year = 2031 + (k % 10);
        return { path: `${API}/calendar/${year}`, body: { holidays: [{ date: `${year}-01-01`, name: 'Tahun Baru' }, { date: `${year}-08-${k % 20 < 10 ? 17 : 18}`, name: 'Hari Kemerdekaan' }] } };
      },
    },
    { route: `GET ${API}/complaint-categories`, request: () => ({ path: `${API}/complaint-categories` }) },
    {
      route: `PATCH ${API}/complaint-categories/{code}`,
      label: 'PATCH /complaint-categories/{code} (every category in turn)',
      who: 'admin',
      prepare: (ctx) => listed(ctx, `${API}/complaint-categories?pageSize=100`),
      request: (c, k) => ({ path: `${API}/complaint-categories/${c.code}`, body: { description: `${c.description}${k % 2 ? '' : ' '}`.trim() || 'Pengaduan' } }),
    },
    {
      route: `PATCH ${API}/permit-types/{code}`,
      label: 'PATCH /permit-types/{code} (every type in turn)',
      who: 'admin',
      prepare: (ctx) => listed(ctx, `${API}/permit-types?pageSize=100`),
      request: (t, k) => ({ path: `${API}/permit-types/${t.code}`, body: { description: `Izin ${t.code}${k % 2 ? '' : ' (bench)'}` } }),
    },
  ];
}

/**
 * The seeder writes reporting's daily rows directly (reporting/seed.js); the monthly roll-ups the
 * projection keeps beside them are summed from them here, once, under the projection's lock (as
 * reporting's MonthlyRollups migration does), before the first report scenario.
 */
let rolledUp;
function rollUpSeededDays(ctx) {
  rolledUp ??= (async () => {
    const pool = new Pool({ connectionString: ctx.db('reporting'), max: 1 });
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [0x72707274]);
      for (const kind of ['complaint', 'permit']) {
        const { rows } = await client.query(
          `SELECT column_name AS c FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 AND column_name NOT IN ('month', 'agency_id') ORDER BY ordinal_position`,
          [`${kind}_monthly`],
        );
        const counters = rows.map((r) => r.c);
        if (!counters.length) continue; // a tree without roll-ups
        await client.query(
          `INSERT INTO ${kind}_monthly (month, agency_id, ${counters.join(', ')})
           SELECT date_trunc('month', day)::date, agency_id, ${counters.map((c) => `sum(${c})`).join(', ')} FROM ${kind}_daily GROUP BY 1, 2
           ON CONFLICT (month, agency_id) DO UPDATE SET ${counters.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}`,
        );
        await client.query(`ANALYZE ${kind}_monthly`);
      }
      await client.query('COMMIT');
    } finally {
      client.release();
      await pool.end();
    }
  })();
  return rolledUp;
}

function reportScenarios() {
  const prepare = async (ctx) => {
    await rollUpSeededDays(ctx);
    return null;
  };
  return [
    { route: `GET ${API}/reports/summary`, who: 'admin', prepare, request: () => ({ path: `${API}/reports/summary?${FROM_TO}` }) },
    { route: `GET ${API}/reports/agencies`, who: 'admin', prepare, request: () => ({ path: `${API}/reports/agencies?${FROM_TO}` }) },
    { route: `GET ${API}/reports/timeseries`, label: 'GET /reports/timeseries (complaints received, by week)', who: 'admin', prepare, request: () => ({ path: `${API}/reports/timeseries?metric=complaints.received&interval=week&${FROM_TO}` }) },
    { route: `GET ${API}/public/reports/summary`, prepare, request: () => ({ path: `${API}/public/reports/summary` }) },
    { route: `GET ${API}/audit`, label: 'GET /audit (newest first)', who: 'auditor', request: () => ({ path: `${API}/audit` }) },
    { route: `GET ${API}/audit/head`, who: 'auditor', request: () => ({ path: `${API}/audit/head` }) },
    {
      route: `GET ${API}/audit/verify`,
      label: 'GET /audit/verify (walks every chain: 2 a second, no goal)',
      who: 'auditor',
      rate: 2,
      goal: false,
      note: 'walks every row of every chain; its time grows with the trail (docs/audit.md)',
      request: () => ({ path: `${API}/audit/verify` }),
    },
    {
      route: `POST ${API}/audit/verify`,
      label: 'POST /audit/verify (against an exported head: 2 a second, no goal)',
      who: 'auditor',
      rate: 2,
      goal: false,
      note: 'walks every chain up to the exported head',
      prepare: async (ctx) => [(await call(ctx.url, 'GET', `${API}/audit/head`, { token: await ctx.who.token('auditor') })).json],
      request: (head) => ({ path: `${API}/audit/verify`, body: head }),
    },
  ];
}

function notificationScenarios() {
  return [
    {
      route: `GET ${API}/me/notifications`,
      who: 'citizen',
      // The tables as the real run grows them (every complaint and permit step composes messages):
      // a million messages, the citizen's among them by the thousand.
      prepare: async (ctx) => {
        const seeded = await seedNotifications(ctx.db('notifications'), { rows: 1_000_000, citizenId: ctx.who.citizenId, citizenRows: 15_000 });
        if (seeded.ms) process.stderr.write(`seeded ${seeded.rows.toLocaleString('en-US')} messages in ${Math.round(seeded.ms / 1000)} s\n`);
        return [null];
      },
      request: () => ({ path: `${API}/me/notifications` }),
    },
    { route: `GET ${API}/me/notifications/unread-count`, who: 'citizen', request: () => ({ path: `${API}/me/notifications/unread-count` }) },
    {
      route: `POST ${API}/me/notifications/{id}/read`,
      who: 'citizen',
      prepare: async (ctx, n) => {
        // The citizen's inbox holds what their filings brought; a few more filings make sure there is some.
        ctx.supply.give('complaint', 'received', await ctx.supply.complaints('received', 20));
        const inbox = () => h.countOf(ctx.db('notifications'), `SELECT count(*) FROM notifications WHERE user_id = $1 AND in_app`, [ctx.who.citizenId]);
        await h.waitUntil('the citizen to have notifications', async () => (await inbox()) >= 20, 60_000, 500);
        return sample(ctx, 'notifications', `SELECT id AS x FROM notifications WHERE user_id = $2 AND in_app LIMIT $1`, [n, ctx.who.citizenId]);
      },
      request: (id) => ({ path: `${API}/me/notifications/${id}/read` }),
    },
    { route: `POST ${API}/me/notifications/read-all`, who: 'citizen', request: () => ({ path: `${API}/me/notifications/read-all` }) },
    { route: `GET ${API}/me/notification-preferences`, who: 'citizen2', request: () => ({ path: `${API}/me/notification-preferences` }) },
    {
      route: `PUT ${API}/me/notification-preferences`,
      label: 'PUT /me/notification-preferences (50 citizens, each their own)',
      prepare: (ctx) => ctx.who.crowd.tokens(),
      request: (token, k) => ({
        headers: bearer(token), path: `${API}/me/notification-preferences`, body: { channels: { email: true, sms: false, whatsapp: false, inApp: true }, language: k % 2 ? 'id' : 'en' } }),
    },
    { route: `GET ${API}/notification-templates`, who: 'admin', request: () => ({ path: `${API}/notification-templates` }) },
    {
      route: `PUT ${API}/notification-templates/{type}/{language}`,
      who: 'admin',
      label: 'PUT /notification-templates/{type}/{language} (every template in turn, unchanged)',
      prepare: (ctx) => listed(ctx, `${API}/notification-templates`),
      request: (t) => ({ path: `${API}/notification-templates/${t.type}/${t.language}`, body: { subject: t.subject, body: t.body, short: t.short } }),
    },
    { route: `GET ${API}/notification-messages`, who: 'admin', request: () => ({ path: `${API}/notification-messages` }) },
  ];
}

/** Webhooks: one receiving complaints' events (so there are deliveries), then thousands that receive nothing, read, changed and deleted. */
function webhookScenarios() {
  const made = [];
  const state = {};
  const hook = (k, ctx) => ({ url: ctx.receiver.url, eventTypes: ['identity.agency.changed.v1'], description: `bench hook ${k}` });
  return [
    {
      route: `POST ${API}/webhooks`,
      who: 'admin',
      expect: 201,
      request: (k, _i, ctx) => ({ path: `${API}/webhooks`, body: hook(k, ctx) }),
      after: (_k, res) => made.push(res.json.id),
    },
    { route: `GET ${API}/webhooks`, who: 'admin', request: () => ({ path: `${API}/webhooks` }) },
    { route: `GET ${API}/webhooks/{id}`, who: 'admin', prepare: () => made, request: (id) => ({ path: `${API}/webhooks/${id}` }) },
    { route: `PATCH ${API}/webhooks/{id}`, who: 'admin', prepare: () => made, request: (id, k) => ({ path: `${API}/webhooks/${id}`, body: { description: `bench hook, changed ${k}` } }) },
    { route: `POST ${API}/webhooks/{id}/rotate-secret`, who: 'admin', prepare: () => made, request: (id) => ({ path: `${API}/webhooks/${id}/rotate-secret` }) },
    {
      route: `GET ${API}/webhooks/{id}/deliveries`,
      who: 'admin',
      prepare: async (ctx) => {
        const token = await ctx.who.token('admin');
        const res = await call(ctx.url, 'POST', `${API}/webhooks`, { token, body: { url: ctx.receiver.url, eventTypes: ['complaints.complaint.received.v1'], description: 'bench live hook' } });
        state.live = h.expect('POST /webhooks (live)', res, 201).id;
        await ctx.supply.complaints('received', 200).then((x) => ctx.supply.give('complaint', 'received', x));
        const delivered = () => h.countOf(ctx.db('notifications'), `SELECT count(*) FROM webhook_deliveries WHERE subscription_id = $1 AND status = 'delivered'`, [state.live]);
        await h.waitUntil('200 deliveries', async () => (await delivered()) >= 200, 60_000, 500);
        state.deliveries = await sample(ctx, 'notifications', `SELECT id AS x FROM webhook_deliveries WHERE subscription_id = $1 LIMIT 200`, [state.live]);
        return [state.live];
      },
      request: (id) => ({ path: `${API}/webhooks/${id}/deliveries` }),
    },
    {
      route: `POST ${API}/webhooks/{id}/deliveries/{deliveryId}/redeliver`,
      who: 'admin',
      expect: 202,
      prepare: () => state.deliveries,
      request: (d) => ({ path: `${API}/webhooks/${state.live}/deliveries/${d}/redeliver` }),
    },
    {
      route: `POST ${API}/webhooks/{id}/replay`,
      who: 'admin',
      expect: 202,
      prepare: () => made,
      request: (id) => ({ path: `${API}/webhooks/${id}/replay`, body: { since: new Date(Date.now() - 60_000).toISOString() } }),
      after: (id, res) => (state.replay ??= { id, replayId: res.json.id }),
    },
    { route: `GET ${API}/webhooks/{id}/replays/{replayId}`, who: 'admin', prepare: () => [state.replay], request: (r) => ({ path: `${API}/webhooks/${r.id}/replays/${r.replayId}` }) },
    {
      route: `DELETE ${API}/webhooks/{id}`,
      who: 'admin',
      expect: 204,
      once: true,
      prepare: async (ctx, n) => {
        // The ones POST made, and as many more as this load deletes.
        const token = await ctx.who.token('admin');
        const more = await inParallel(Array.from({ length: Math.max(0, n - made.length - (state.live ? 1 : 0)) }, (_, i) => i), async (i) =>
          h.expect('POST /webhooks', await call(ctx.url, 'POST', `${API}/webhooks`, { token, body: hook(`more ${i}`, ctx) }), 201).id,
        );
        return [...made, ...more, ...(state.live ? [state.live] : [])];
      },
      request: (id) => ({ path: `${API}/webhooks/${id}` }),
    },
  ];
}

/** The catalogue writes that leave thousands of entries behind. */
function lateScenarios() {
  const tag = Date.now().toString(36).toUpperCase();
  return [
    { route: `POST ${API}/agencies`, who: 'admin', expect: 201, request: (k) => ({ path: `${API}/agencies`, body: { code: `B${tag}-${k}`.slice(0, 32), name: `Badan Bench ${k}`, kind: 'badan' } }) },
    {
      route: `POST ${API}/complaint-categories`,
      who: 'admin',
      expect: 201,
      request: (k, _i, ctx) => ({ path: `${API}/complaint-categories`, body: { code: `bench-${tag.toLowerCase()}-${k}`, name: `Kategori bench ${k}`, description: 'Kategori untuk bench', agencyId: ctx.who.pupr.id } }),
    },
    {
      route: `POST ${API}/permit-types`,
      who: 'admin',
      expect: 201,
      request: (k, _i, ctx) => ({
        path: `${API}/permit-types`,
        body: { code: `B${tag}-${k}`.slice(0, 40), name: `Izin bench ${k}`, agencyId: ctx.who.pupr.id, requiredDocuments: [], formFields: [], slaWorkingDays: 5, fee: 0, validityMonths: 12 },
      }),
    },
  ];
}

module.exports = { identityScenarios, reportScenarios, notificationScenarios, webhookScenarios, lateScenarios };
