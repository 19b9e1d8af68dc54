'use strict';
/*
 * Records in the status a write scenario needs, made through the API (not measured): a complaint
 * or an application is filed and moved step by step, as people would, and kept in a pool by
 * status. A measured step takes its records from the pool of its starting status and gives them
 * to the pool of the status it reaches, so the next scenario mostly finds its records ready; what
 * is missing is made here, many at a time.
 */
const h = require('../lib/harness');

const API = '/api/v1';
const CONCURRENCY = 12;
const png = () => h.loadTesting().TEST_PNG;

/** The version a response carries (ETag `"n"`, or `version` in the body). */
function versionOf(res) {
  const etag = res.headers?.etag ?? res.headers?.ETag;
  if (typeof etag === 'string' && /^(W\/)?"\d+"$/.test(etag)) return Number(etag.replace(/\D/g, ''));
  return res.json?.version;
}

/** `work(item)` over `items`, CONCURRENCY at a time; the results in order. */
async function inParallel(items, work) {
  const out = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, items.length) }, worker));
  return out;
}

/** Pools of records by `<kind>:<status>`. */
class Pools {
  constructor() {
    this.pools = new Map();
  }
  size(key) {
    return this.pools.get(key)?.length ?? 0;
  }
  put(key, item) {
    if (!this.pools.has(key)) this.pools.set(key, []);
    this.pools.get(key).push(item);
  }
  take(key, n) {
    const pool = this.pools.get(key) ?? [];
    return pool.splice(0, n);
  }
}

/** One request of the supply (waits up to 30 s: a backlog may be draining). */
const call = (url, method, path, options) => h.http(method, `${url}${path}`, { ...options, timeoutMs: 30000 });

const COMPLAINT_BODY = (i) => ({
  categoryCode: 'roads-bridges',
  title: `Jalan berlubang nomor ${i}`,
  description: 'Jalan berlubang besar di depan sekolah, berbahaya bagi pengendara motor.',
  location: { lat: 2.33 + (i % 100) / 1000, lng: 99.85 + (i % 77) / 1000, district: 'Aek Natas' },
  visibility: 'public',
});

const APPLICATION_BODY = (code, i) => ({ permitTypeCode: code, formData: { businessName: `Usaha Bench ${i}`, businessAddress: 'Jl. Bench No. 1, Aek Kanopan' } });

/**
 * The complaint steps: status → how a record gets there (from which status, by whom, with what).
 * `received` is a filing.
 */
const COMPLAINT_STEPS = {
  verified: { from: 'received', who: 'admin', action: 'verify' },
  dispositioned: { from: 'verified', who: 'admin', action: 'dispose', extra: (w) => ({ agencyId: w.pupr.id }) },
  in_progress: { from: 'dispositioned', who: 'officer', action: 'start' },
  resolved: { from: 'in_progress', who: 'officer', action: 'resolve', extra: () => ({ note: 'Sudah diperbaiki' }) },
};

/** The application steps (`draft` is a new application; the documents type's drafts get their document first). */
const APPLICATION_STEPS = {
  submitted: { from: 'draft', who: 'citizen', submit: true },
  verified: { from: 'submitted', who: 'officer', action: 'verify' },
  recommended: { from: 'verified', who: 'officer', action: 'recommend' },
  approved: { from: 'recommended', who: 'issuingHead', action: 'approve' },
  awaiting_payment: { from: 'recommended', who: 'issuingHead', action: 'approve' },
  issued: { from: 'approved', who: 'issuing', action: 'issue' },
  revision_requested: { from: 'submitted', who: 'officer', action: 'request-revision', extra: () => ({ note: 'Lengkapi alamat' }) },
};

/** Makes and keeps records: `complaints(status, n)` and `applications(type, status, n)` resolve n of them, taken from their pools. */
class Supply {
  constructor(url, who) {
    this.url = url;
    this.who = who;
    this.pools = new Pools();
    this.made = 0;
  }

  async file(n) {
    const token = await this.who.token('citizen');
    const start = this.made;
    this.made += n;
    const made = await inParallel(Array.from({ length: n }, (_, i) => start + i), async (i) => {
      const res = await call(this.url, 'POST', `${API}/complaints`, { token, body: COMPLAINT_BODY(i) });
      if (res.status !== 201) throw new Error(`supply: filing answered ${res.status}: ${res.body.slice(0, 300)}`);
      return { id: res.json.id, trackingNumber: res.json.trackingNumber, version: versionOf(res) };
    });
    made.forEach((c) => this.pools.put('complaint:received', c));
  }

  /** Moves complaints `from` → the step's status. */
  async stepComplaints(step, items) {
    const token = await this.who.token(step.who);
    return inParallel(items, async (c) => {
      const body = { action: step.action, ...(step.extra ? step.extra(this.who) : {}) };
      const res = await call(this.url, 'POST', `${API}/complaints/${c.id}/actions`, { token, body, headers: { 'if-match': `"${c.version}"` } });
      if (res.status !== 200) throw new Error(`supply: complaint ${step.action} answered ${res.status}: ${res.body.slice(0, 300)}`);
      return { ...c, version: versionOf(res) };
    });
  }

  /** `n` complaints in `status`, taken from its pool (made first when there are not enough). */
  async complaints(status, n) {
    const key = `complaint:${status}`;
    const missing = n - this.pools.size(key);
    if (missing > 0) {
      if (status === 'received') await this.file(missing);
      else {
        const step = COMPLAINT_STEPS[status];
        if (!step) throw new Error(`internal: no way to make complaints ${status}`);
        const before = await this.complaints(step.from, missing);
        (await this.stepComplaints(step, before)).forEach((c) => this.pools.put(key, c));
      }
    }
    return this.pools.take(key, n);
  }

  /** Records a measured step moved to `status` (`complaint` or the application's type code), for the next scenario. */
  give(kind, status, items) {
    const key = kind === 'complaint' ? `complaint:${status}` : `application:${kind}:${status}`;
    items.forEach((x) => this.pools.put(key, x));
  }

  async drafts(type, n) {
    const token = await this.who.token('citizen');
    const start = this.made;
    this.made += n;
    return inParallel(Array.from({ length: n }, (_, i) => start + i), async (i) => {
      const res = await call(this.url, 'POST', `${API}/permit-applications`, { token, body: APPLICATION_BODY(type.code, i) });
      if (res.status !== 201) throw new Error(`supply: a draft answered ${res.status}: ${res.body.slice(0, 300)}`);
      const app = { id: res.json.id, version: versionOf(res), type: type.code };
      for (const d of type.requiredDocuments.filter((x) => x.required)) {
        const up = await call(this.url, 'PUT', `${API}/permit-applications/${app.id}/documents/${d.code}`, { token, body: png(), headers: { 'content-type': 'image/png' } });
        if (up.status !== 200 && up.status !== 201) throw new Error(`supply: an upload answered ${up.status}: ${up.body.slice(0, 300)}`);
      }
      return app;
    });
  }

  async stepApplications(step, items) {
    const token = await this.who.token(step.who);
    return inParallel(items, async (a) => {
      const headers = { 'if-match': `"${a.version}"` };
      const res = step.submit
        ? await call(this.url, 'POST', `${API}/permit-applications/${a.id}/submit`, { token, headers })
        : await call(this.url, 'POST', `${API}/permit-applications/${a.id}/actions`, { token, headers, body: { action: step.action, ...(step.extra ? step.extra() : {}) } });
      if (res.status !== 200) throw new Error(`supply: application ${step.action ?? 'submit'} answered ${res.status}: ${res.body.slice(0, 300)}`);
      return { ...a, version: versionOf(res) };
    });
  }

  /** `n` applications of `type` in `status`, taken from its pool (made first when there are not enough). */
  async applications(type, status, n) {
    const key = `application:${type.code}:${status}`;
    const missing = n - this.pools.size(key);
    if (missing > 0) {
      if (status === 'draft') (await this.drafts(type, missing)).forEach((a) => this.pools.put(key, a));
      else {
        const step = APPLICATION_STEPS[status];
        if (!step) throw new Error(`internal: no way to make applications ${status}`);
        const before = await this.applications(type, step.from, missing);
        (await this.stepApplications(step, before)).forEach((a) => this.pools.put(key, a));
      }
    }
    return this.pools.take(key, n);
  }
}

module.exports = { Supply, versionOf, call, inParallel, COMPLAINT_BODY, APPLICATION_BODY };
