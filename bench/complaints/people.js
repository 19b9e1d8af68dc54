'use strict';
/* Who the complaints bench acts as: the admin, an officer of --agency, the bench citizen and the other filers. */
const h = require('../lib/harness');

const STAFF_PASSWORD = 'Bench-Officer-Password-2026';

/** The bench citizen and `filers - 1` more, registered and signed in: `{ citizenToken, citizenId, filerTokens }`. */
async function citizens(testing, gatewayUrl, runId, filers) {
  const suffix = String(Date.now() % 1e8).padStart(8, '0');
  const nikBase = Date.now() % 9000;
  const citizen = {
    nik: testing.makeNik({ sequence: 1 + nikBase }),
    fullName: 'Bench Citizen',
    email: `citizen-${runId}@bench.example.id`.toLowerCase(),
    phone: `0812${suffix}`,
    password: 'Bench-Citizen-Password-2026',
  };
  const citizenToken = await h.registerCitizen(gatewayUrl, citizen);
  // More citizens to file as (--filers): the first is the bench citizen.
  const filerTokens = [citizenToken];
  for (let i = 1; i < filers; i++) {
    const filer = {
      ...citizen,
      nik: testing.makeNik({ sequence: 1 + ((nikBase + i) % 9999) }),
      email: `filer-${i}-${runId}@bench.example.id`.toLowerCase(),
      phone: `0813${String((Number(suffix) + i) % 1e8).padStart(8, '0')}`,
    };
    filerTokens.push(await h.registerCitizen(gatewayUrl, filer, 'POST /auth/register (filer)'));
  }
  return { citizenToken, citizenId: h.decodeJwt(citizenToken).sub, filerTokens };
}

/** The officer of `agencyCode` (created by the admin) and the citizens; the officer signs in later, after the seed. */
async function people(testing, system, runId, options) {
  const admin = await h.adminToken(testing, system);
  const officerAgency = (await h.agenciesOf(system.gatewayUrl, admin)).find((a) => a.code === options.agency);
  if (!officerAgency) throw new Error(`no agency ${options.agency}`);
  const officer = { email: `officer-${runId}@bench.example.id`.toLowerCase(), fullName: 'Petugas Bench', roles: ['officer'], agencyId: officerAgency.id, password: STAFF_PASSWORD };
  await h.createStaff(system.gatewayUrl, admin, officer);
  const officerLogin = () => h.login(system.gatewayUrl, officer.email, STAFF_PASSWORD);
  return { officerAgency, officerLogin, ...(await citizens(testing, system.gatewayUrl, runId, options.filers)) };
}

module.exports = { people };
