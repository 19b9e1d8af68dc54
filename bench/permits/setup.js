'use strict';
/*
 * Through the API, as the admin: the bench permit type (no required documents, so create + submit
 * is two JSON requests), one type for each agency without one (so every agency has applications
 * of its own types), the officers; a citizen registers. And the slots the seed spreads rows over.
 */
const h = require('../lib/harness');

const API = '/api/v1';
const BENCH_TYPE = 'BENCH-PERMIT';
const STAFF_PASSWORD = 'Bench-Officer-Password-2026';

const typeBody = (code, name, agencyId) => ({
  code,
  name,
  agencyId,
  requiredDocuments: [],
  formFields: [
    { code: 'businessName', label: 'Nama usaha', type: 'text', required: true },
    { code: 'businessAddress', label: 'Alamat usaha', type: 'textarea', required: true },
  ],
  slaWorkingDays: 5,
  fee: 0,
  validityMonths: 12,
});

const listTypes = async (gatewayUrl, token) => h.expect('GET /permit-types', await h.http('GET', `${gatewayUrl}${API}/permit-types?pageSize=100`, { token }), 200).items;
const createType = async (gatewayUrl, token, body) => h.expect(`POST /permit-types ${body.code}`, await h.http('POST', `${gatewayUrl}${API}/permit-types`, { token, body }), 201);

/** The bench type of the officer's agency and a type for every agency without one: all types. */
async function permitTypes(gatewayUrl, token, agencies, officerAgency) {
  await createType(gatewayUrl, token, typeBody(BENCH_TYPE, 'Izin Bench', officerAgency.id));
  const types = await listTypes(gatewayUrl, token);
  for (const agency of agencies) {
    if (types.some((t) => t.agencyId === agency.id)) continue;
    await createType(gatewayUrl, token, typeBody(`SEED-${agency.code}`.slice(0, 40), `Izin ${agency.name}`.slice(0, 200), agency.id));
  }
  return listTypes(gatewayUrl, token);
}

/** An officer of `agency`, created by the admin; returns a function that signs them in. */
async function officerOf(gatewayUrl, token, agency, tag, runId) {
  const email = `${tag}-${runId}@bench.example.id`.toLowerCase();
  await h.createStaff(gatewayUrl, token, { email, fullName: `Petugas ${agency.code}`, roles: ['officer'], agencyId: agency.id, password: STAFF_PASSWORD });
  return () => h.login(gatewayUrl, email, STAFF_PASSWORD);
}

/** 100 slots: 10 for the officer's agency (1/10 of the rows), 90 for the ten others, each over its own types. */
function slotsOf(types, officerAgency, agencies) {
  const slots = [];
  const fill = (agency, count) => {
    const own = types.filter((t) => t.agencyId === agency.id).sort((a, b) => (a.code === BENCH_TYPE ? -1 : b.code === BENCH_TYPE ? 1 : a.code.localeCompare(b.code)));
    for (let i = 0; i < count; i++) {
      const t = own[i % own.length];
      slots.push({ slot: slots.length, code: t.code, agencyId: t.agencyId, issuingAgencyId: t.issuingAgencyId, sla: t.slaWorkingDays, fee: t.fee, validity: t.validityMonths });
    }
  };
  fill(officerAgency, 10);
  const others = agencies.filter((a) => a.id !== officerAgency.id);
  const perOther = Math.floor(90 / others.length);
  others.forEach((agency, i) => fill(agency, i < 90 - perOther * others.length ? perOther + 1 : perOther));
  if (slots.length !== 100) throw new Error(`internal: ${slots.length} slots`);
  return slots;
}

/**
 * Everything the bench acts as and with: `{ officerAgency, issuingAgency, benchType, slots, citizenId,
 * citizenLogin(), officerLogin(), issuingLogin() }`. The issuing agency's officer (DPMPTSP) always
 * exists: the statements of their queue are captured for EXPLAIN even when it is not loaded.
 */
async function setup(testing, system, options, runId) {
  const gatewayUrl = system.gatewayUrl;
  const token = await h.adminToken(testing, system);
  const agencies = await h.agenciesOf(gatewayUrl, token);
  const officerAgency = agencies.find((a) => a.code === options.agency);
  if (!officerAgency) throw new Error(`no agency ${options.agency} in GET /agencies (${agencies.map((a) => a.code).join(', ')})`);
  const issuingAgency = agencies.find((a) => a.code === 'DPMPTSP');
  const types = await permitTypes(gatewayUrl, token, agencies, officerAgency);
  const officerLogin = await officerOf(gatewayUrl, token, officerAgency, 'officer', runId);
  const issuingLogin = await officerOf(gatewayUrl, token, issuingAgency, 'issuing-officer', runId);
  const citizen = {
    nik: testing.makeNik({ sequence: 1 + (Date.now() % 9999) }),
    fullName: 'Bench Citizen',
    email: `citizen-${runId}@bench.example.id`.toLowerCase(),
    phone: `0812${String(Date.now() % 1e8).padStart(8, '0')}`,
    password: 'Bench-Citizen-Password-2026',
  };
  const citizenId = h.decodeJwt(await h.registerCitizen(gatewayUrl, citizen)).sub;
  const citizenLogin = () => h.login(gatewayUrl, citizen.email, citizen.password);
  const benchType = types.find((t) => t.code === BENCH_TYPE);
  return { officerAgency, issuingAgency, benchType, slots: slotsOf(types, officerAgency, agencies), citizenId, citizenLogin, officerLogin, issuingLogin };
}

module.exports = { BENCH_TYPE, setup };
