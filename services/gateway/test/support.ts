import { ApplicationResponse } from '@smart-regency/contracts';
import { makeNik, TEST_ADMIN, TEST_JPEG, TEST_PDF, TEST_PNG, TestSystem } from '@smart-regency/testing';
import { request as httpRequest } from 'http';
import { Client } from 'pg';
import request from 'supertest';

/** A member of staff: roles, and the code of their agency (e.g. `DLH`) where they have one. */
export interface StaffOf {
  roles: string[];
  agency?: string;
}

/**
 * The people of a gateway e2e suite: the admin, the agencies by code, and everyone `add`ed
 * (citizens register through the API, staff are created by the admin), each signed in. Destructure
 * the records at the top of a suite (`const { bearer, ids, agencies } = people`); they fill in
 * `beforeAll` through `signIn` and `add`.
 */
export class People {
  /** `Bearer …` of each person, by name; `admin` after `signIn`. */
  readonly bearer: Record<string, string> = {};
  readonly ids: Record<string, string> = {};
  /** Agency ids by code (`PUPR`, `DLH`, …). */
  readonly agencies: Record<string, string> = {};
  readonly passwords: Record<string, string> = {};
  /** What each citizen registered with (NIK, full name, email, phone): to look for where it must not appear. */
  readonly personal: Record<string, string[]> = {};
  private api?: ReturnType<typeof request>;
  private system?: TestSystem;
  private n = 0;

  /** @param nikFrom first NIK sequence number of this suite's citizens */
  constructor(private readonly nikFrom = 7000) {}

  /** Signs the admin in and reads the agencies. */
  async signIn(system: TestSystem): Promise<void> {
    this.system = system;
    this.api = request(system.gatewayUrl);
    this.bearer.admin = `Bearer ${await system.login(TEST_ADMIN.email, TEST_ADMIN.password)}`;
    this.ids.admin = (await this.api.get('/api/v1/me').set('Authorization', this.bearer.admin).expect(200)).body.id;
    const list = await this.api.get('/api/v1/agencies?pageSize=100').set('Authorization', this.bearer.admin).expect(200);
    for (const a of list.body.items) this.agencies[a.code] = a.id;
  }

  /** A citizen (no `staff`) or a member of staff, signed in under `name`. */
  async add(name: string, staff?: StaffOf): Promise<void> {
    if (!this.api || !this.system) throw new Error('People.signIn first');
    this.n++;
    const password = `Sandi-Uji-${this.n}-Labura`;
    let res;
    let email: string;
    if (staff) {
      email = `${name}@pemda.labura.go.id`;
      const agencyId = staff.agency ? { agencyId: this.agencies[staff.agency] } : {};
      res = await this.api.post('/api/v1/users').set('Authorization', this.bearer.admin).send({ email, fullName: `Staf ${name}`, roles: staff.roles, ...agencyId, password }).expect(201);
    } else {
      email = `${name}@example.id`;
      const personal = { nik: makeNik({ sequence: this.nikFrom + this.n }), fullName: `Warga ${name}`, email, phone: `0812${this.nikFrom}${1000 + this.n}` };
      res = await this.api.post('/api/v1/auth/register').send({ ...personal, password }).expect(201);
      this.personal[name] = Object.values(personal);
    }
    this.ids[name] = res.body.id;
    this.passwords[name] = password;
    this.bearer[name] = `Bearer ${await this.system.login(email, password)}`;
  }
}

/** An izin reklame (PUPR verifies, DPMPTSP issues) with its three documents, submitted by `bearer`. */
export async function submittedReklame(api: ReturnType<typeof request>, bearer: string): Promise<ApplicationResponse> {
  const draft: ApplicationResponse = (
    await api
      .post('/api/v1/permit-applications')
      .set('Authorization', bearer)
      .send({ permitTypeCode: 'REKLAME', formData: { billboardType: 'Baliho', widthMeters: 4, heightMeters: 3, address: 'Jl. Sudirman' } })
      .expect(201)
  ).body;
  for (const [code, type, body] of [['KTP', 'application/pdf', TEST_PDF], ['DESAIN_REKLAME', 'image/png', TEST_PNG], ['FOTO_LOKASI', 'image/jpeg', TEST_JPEG]] as const) {
    await api.put(`/api/v1/permit-applications/${draft.id}/documents/${code}`).set('Authorization', bearer).set('Content-Type', type).send(body).expect(200);
  }
  return (await api.post(`/api/v1/permit-applications/${draft.id}/submit`).set('Authorization', bearer).expect(200)).body;
}

const DAY_MS = 86_400_000;
const JAKARTA_MS = 7 * 3_600_000;
const jakartaIso = (ms: number) => new Date(ms + JAKARTA_MS).toISOString().slice(0, 10);

/**
 * An instant (noon, Jakarta time) on the day from which exactly `workingDays` working days have
 * passed by today: Monday–Friday minus the holidays the system's own calendar holds (read through
 * the public API), so an assertion on a working-day window holds whatever day the suite runs.
 * Close to Jakarta midnight it first waits for the new day, so the test and the service count
 * from the same date.
 */
export async function workingDaysAgo(api: ReturnType<typeof request>, workingDays: number): Promise<Date> {
  const untilMidnight = DAY_MS - ((Date.now() + JAKARTA_MS) % DAY_MS);
  if (untilMidnight < 10_000) await new Promise((resolve) => setTimeout(resolve, untilMidnight + 100));
  const today = Date.now();
  const holidays = new Set<string>();
  const thisYear = Number(jakartaIso(today).slice(0, 4));
  for (const year of [thisYear - 1, thisYear]) {
    for (const h of (await api.get(`/api/v1/calendar/${year}`).expect(200)).body.holidays) holidays.add(h.date);
  }
  const working = (ms: number) => {
    const weekday = new Date(ms + JAKARTA_MS).getUTCDay();
    return weekday !== 0 && weekday !== 6 && !holidays.has(jakartaIso(ms));
  };
  // Counting starts the day after the answer: step back over `workingDays` working days, then over
  // the days off before them, so the day found is itself a working day (an answer is given in office hours).
  let day = today;
  for (let left = workingDays; left > 0; day -= DAY_MS) if (working(day)) left--;
  while (!working(day)) day -= DAY_MS;
  return new Date(Date.parse(`${jakartaIso(day)}T12:00:00+07:00`));
}

/**
 * Announces a body of `declaredBytes` and sends only `firstChunk`: the gateway must refuse it from
 * Content-Length alone (413) without reading it all, and the client reads that answer (sending
 * the whole body first races the early answer: EPIPE on a loaded machine).
 */
export function announceOversized(
  url: string,
  { method = 'POST', contentType, authorization, declaredBytes, firstChunk }: { method?: string; contentType: string; authorization?: string; declaredBytes: number; firstChunk: Buffer | string },
): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no answer to an oversized body')), 10000);
    const headers = { 'content-type': contentType, 'content-length': declaredBytes, ...(authorization ? { authorization } : {}) };
    const req = httpRequest(url, { method, headers }, (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => {
        clearTimeout(timer);
        req.destroy();
        resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : {} });
      });
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') reject(error);
    });
    req.write(firstChunk);
  });
}

/** Rows of a query on one service's own database (what a test checks behind the API). */
export async function serviceRows<T = Record<string, unknown>>(system: TestSystem, service: 'identity' | 'permits' | 'complaints' | 'reporting' | 'notifications', sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: system.process(service).env.DATABASE_URL });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}
