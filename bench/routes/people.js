'use strict';
/*
 * Who the routes bench acts as, created through the API as the admin: the permit types and the
 * PUPR officer, DPMPTSP officer and bench citizen of bench/permits/setup.js, and besides them the
 * heads of PUPR and DPMPTSP, an auditor, a second citizen with a handful of records (whose data
 * export stays the size of a person's), and a service account for Open311 and client credentials.
 */
const h = require('../lib/harness');
const { setup } = require('../permits/setup');

const API = '/api/v1';
const STAFF_PASSWORD = 'Bench-Officer-Password-2026';
const CITIZEN_PASSWORD = 'Bench-Citizen-Password-2026';
/** Tokens are signed in again after this long (access tokens live 15 minutes). */
const TOKEN_AGE_MS = 5 * 60_000;

/** A permit type of PUPR: `documents` required documents, `fee` rupiah. */
const typeBody = (code, { documents = [], fee = 0 }, agencyId) => ({
  code,
  name: `Izin ${code}`,
  agencyId,
  requiredDocuments: documents.map((d) => ({ code: d, name: `Dokumen ${d}`, required: true })),
  formFields: [
    { code: 'businessName', label: 'Nama usaha', type: 'text', required: true },
    { code: 'businessAddress', label: 'Alamat usaha', type: 'textarea', required: true },
  ],
  slaWorkingDays: 5,
  fee,
  validityMonths: 12,
});

/** How many citizens change their own records in the scenarios that write one person's data (one person does not do it 250 times a second). */
const CROWD = 50;

/**
 * `n` more citizens: `{ ids, credentials, tokens() }`, their access tokens signed in again when older than
 * TOKEN_AGE_MS (a sign-in each: argon2).
 */
async function crowdOf(testing, url, runId, n) {
  const people = [];
  for (let i = 0; i < n; i++) {
    const person = {
      nik: testing.makeNik({ sequence: 1 + ((Date.now() + 17 * i + 99) % 9999) }),
      fullName: `Warga Bench ${i}`,
      email: `crowd-${i}-${runId}@bench.example.id`.toLowerCase(),
      phone: `0878${String((Date.now() + 13 * i) % 1e8).padStart(8, '0')}`,
      password: CITIZEN_PASSWORD,
    };
    const id = h.decodeJwt(await h.registerCitizen(url, person, 'POST /auth/register (crowd)')).sub;
    people.push({ ...person, id, token: fresh(() => h.login(url, person.email, person.password)) });
  }
  return { ids: people.map((p) => p.id), credentials: people.map((p) => ({ email: p.email, password: p.password })), tokens: () => Promise.all(people.map((p) => p.token())) };
}

/** Signs `login()` in again when its token is older than TOKEN_AGE_MS. */
function fresh(login) {
  let token;
  let at = 0;
  return async () => {
    if (!token || Date.now() - at > TOKEN_AGE_MS) [token, at] = [await login(), Date.now()];
    return token;
  };
}

async function staff(url, admin, runId, tag, roles, agencyId) {
  const email = `${tag}-${runId}@bench.example.id`.toLowerCase();
  await h.createStaff(url, admin, { email, fullName: `Bench ${tag}`, roles, ...(agencyId ? { agencyId } : {}), password: STAFF_PASSWORD });
  return fresh(() => h.login(url, email, STAFF_PASSWORD));
}

/**
 * Everything the scenarios act as: `token(who)` for admin, officer (PUPR), head (PUPR),
 * issuingHead and issuing (DPMPTSP), auditor, citizen (the bench citizen, who files and applies)
 * and citizen2 (few records); the agencies, the permit types (`benchType`: no documents, no fee;
 * `docsType`: one required document; `feeType`: a fee), the seed's slots and the service account.
 */
async function people(testing, system, runId) {
  const url = system.gatewayUrl;
  const who = await setup(testing, system, { agency: 'PUPR' }, runId);
  const admin = await h.adminToken(testing, system);
  const agencies = await h.agenciesOf(url, admin);
  const pupr = who.officerAgency;
  const dpmptsp = who.issuingAgency;
  const created = {};
  for (const [code, spec] of [['BENCH-DOCS', { documents: ['KTP'] }], ['BENCH-FEE', { fee: 50000 }]]) {
    created[code] = h.expect(`POST /permit-types ${code}`, await h.http('POST', `${url}${API}/permit-types`, { token: admin, body: typeBody(code, spec, pupr.id) }), 201);
  }
  const citizen2 = {
    nik: testing.makeNik({ sequence: 1 + ((Date.now() + 4321) % 9999) }),
    fullName: 'Bench Citizen Two',
    email: `citizen2-${runId}@bench.example.id`.toLowerCase(),
    phone: `0857${String((Date.now() + 7) % 1e8).padStart(8, '0')}`,
    password: CITIZEN_PASSWORD,
  };
  const citizen2Id = h.decodeJwt(await h.registerCitizen(url, citizen2)).sub;
  const logins = {
    admin: fresh(() => h.adminToken(testing, system)),
    officer: fresh(who.officerLogin),
    issuing: fresh(who.issuingLogin),
    citizen: fresh(who.citizenLogin),
    citizen2: fresh(() => h.login(url, citizen2.email, citizen2.password)),
    head: await staff(url, admin, runId, 'head-pupr', ['agency_head'], pupr.id),
    issuingHead: await staff(url, admin, runId, 'head-dpmptsp', ['agency_head'], dpmptsp.id),
    auditor: await staff(url, admin, runId, 'auditor', ['auditor']),
  };
  const crowd = await crowdOf(testing, url, runId, CROWD);
  const account = h.expect('POST /service-accounts', await h.http('POST', `${url}${API}/service-accounts`, { token: admin, body: { name: `bench ${runId}`, scopes: ['open311:write', 'reports:read', 'events:read'] } }), 201);
  const token = (name) => {
    if (!logins[name]) throw new Error(`internal: no one called ${name}`);
    return logins[name]();
  };
  return {
    ...who,
    agencies,
    pupr,
    dpmptsp,
    docsType: created['BENCH-DOCS'],
    feeType: created['BENCH-FEE'],
    citizen2: { ...citizen2, id: citizen2Id },
    crowd,
    account,
    token,
  };
}

module.exports = { API, people, CITIZEN_PASSWORD };
