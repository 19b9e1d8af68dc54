'use strict';
/* Who files during the fault matrix, and what: complaints (and permit drafts), each with a unique marker to find it stored. */
const h = require('../lib/harness');

const API = '/api/v1';
const TITLE = 'Uji gangguan nomor';
const DRAFT_ADDRESS = 'Jl. Uji Gangguan No.';
const CATEGORIES = ['roads-bridges', 'waste-environment', 'civil-registration', 'public-order', 'social-assistance', 'village-funds'];
const DISTRICTS = ['Kualuh Hulu', 'Kualuh Hilir', 'Kualuh Selatan', 'Kualuh Leidong', 'Aek Natas', 'Aek Kuo', 'Na IX-X', 'Marbau'];
const VISIBILITIES = ['public', 'public', 'public', 'anonymous', 'confidential'];

/** `count` citizens registered; `signIn()` (again every so often: tokens expire) gives each a token. */
async function citizens(testing, gatewayUrl, runId, count) {
  const list = [];
  for (let i = 0; i < count; i++) {
    const citizen = {
      nik: testing.makeNik({ sequence: 4100 + i }),
      fullName: `Warga Uji ${i + 1}`,
      email: `warga-${i + 1}-${runId}@uji.example.id`.toLowerCase(),
      phone: `08127${String(4100 + i).padStart(7, '0')}`,
      password: `Sandi-Gangguan-${i + 1}-Labura`,
    };
    const res = await h.http('POST', `${gatewayUrl}${API}/auth/register`, { body: citizen });
    if (res.status !== 201) throw new Error(`registering a citizen answered ${res.status}: ${res.body.slice(0, 300)}`);
    list.push(citizen);
  }
  const signIn = async () => {
    for (const citizen of list) citizen.token = await h.login(gatewayUrl, citizen.email, citizen.password);
  };
  return { list, signIn };
}

/** The request streams: complaints at --rate, drafts at --draft-rate, by citizens picked at random (seeded). */
function streams(options, citizenList) {
  const random = h.prng(options.seed);
  const pick = (list) => list[Math.floor(random() * list.length)];
  let n = 0;
  const filing = () => {
    n += 1;
    const lat = 2.3 + random() * 0.6;
    const lng = 99.4 + random() * 0.6;
    const token = pick(citizenList).token; // drawn before the body's values, as always: the same seed files the same complaints
    const body = {
      categoryCode: pick(CATEGORIES),
      title: `${TITLE} ${n}`,
      description: `Pengaduan uji ke-${n} selama matriks gangguan; mohon diabaikan.`,
      location: { lat: h.round(lat, 5), lng: h.round(lng, 5), district: pick(DISTRICTS) },
      visibility: pick(VISIBILITIES),
    };
    return { n, marker: `${TITLE} ${n}`, method: 'POST', path: `${API}/complaints`, token, body };
  };
  const draft = () => {
    n += 1;
    const body = { permitTypeCode: 'REKLAME', formData: { billboardType: 'Baliho', widthMeters: 4, heightMeters: 3, address: `${DRAFT_ADDRESS} ${n}` } };
    return { n, marker: `${DRAFT_ADDRESS} ${n}`, method: 'POST', path: `${API}/permit-applications`, token: pick(citizenList).token, body };
  };
  return [{ kind: 'complaint', rate: options.rate, make: filing }, ...(options.draftRate > 0 ? [{ kind: 'draft', rate: options.draftRate, make: draft }] : [])];
}

module.exports = { citizens, streams };
